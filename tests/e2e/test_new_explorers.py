"""The explorers of lessons 03, 09 and 10 in real JupyterLab: each lesson's explorer cell runs,
and a control moved as a learner moves it (a slider by the keyboard, a button by a click)
changes the image and its text alternative, and the status line says the same.

The explorer cell is taken from the lesson itself (by its cell id) and run in a notebook of its
own: the whole lessons run in ``test_lessons_in_browser.py``.
"""

from __future__ import annotations

import time

import nbformat
import pytest

from .jupyterlab import REPO, error_outputs, image_digest, wait_until

pytestmark = pytest.mark.e2e

#: lesson -> the id of its explorer cell
EXPLORER_CELLS = {
    "03_layers.ipynb": "3d1e0a58",
    "09_backpropagation.ipynb": "8b0c3f42",
    "10_full_training_loop.ipynb": "5e2a7c12",
}


def explorer_cell(lesson: str) -> str:
    nb = nbformat.read(REPO / "lessons" / lesson, as_version=4)
    for cell in nb.cells:
        if cell.get("id") == EXPLORER_CELLS[lesson]:
            return cell.source
    raise AssertionError(f"{lesson} has no cell {EXPLORER_CELLS[lesson]} (its explorer cell)")


@pytest.fixture
def explorer_page(lab_app):
    """``explorer_page(lesson)`` -> (notebook, the explorer's output) after running its cell."""
    opened = []

    def _open(lesson: str):
        notebook = lab_app.open(f"new_explorers/{lesson}", sources=[explorer_cell(lesson)])
        opened.append(notebook)
        notebook.run_all(timeout=120)
        problems = notebook.wait_for_widget_images(timeout=30)
        assert not problems, f"{lesson}: " + "; ".join(problems)
        explorer = notebook.widget_outputs.first
        assert explorer.locator(".dlcourse-explorer").count(), f"{lesson}: no explorer rendered"
        return notebook, explorer

    yield _open
    for notebook in opened:
        notebook.close()


def shown(explorer) -> tuple[str, str, str]:
    """(image digest, the image's alt text, the status line) as the page shows them."""
    image = explorer.locator(".dlcourse-explorer img").first
    status = explorer.locator(".dlcourse-status").first.inner_text()
    return image_digest(explorer), image.get_attribute("alt") or "", status


def changed(explorer, before: tuple[str, str, str], timeout: float = 15):
    """Wait until image, alt text and status all differ from ``before``; return the new ones."""
    def all_new():
        now = shown(explorer)
        return now if all(a != b for a, b in zip(now, before, strict=True)) else None

    return wait_until(all_new, timeout=timeout)


def press_slider_key(notebook, explorer, name: str, key: str = "ArrowRight") -> None:
    """Focus the slider's handle (by its accessible name) and press ``key``, as a keyboard
    user does."""
    handle = explorer.get_by_role("slider", name=name)
    handle.focus()
    notebook.page.keyboard.press(key)


def check_clean(notebook, lesson: str) -> None:
    errors = error_outputs(notebook.save()) or notebook.visible_errors()
    assert not errors, f"{lesson}: errors after using the explorer:\n" + "\n".join(errors)
    assert not notebook.page_errors, f"{lesson}: JavaScript errors: {notebook.page_errors}"


def test_dense_layer_explorer_follows_a_weight_moved_by_the_keyboard(explorer_page,
                                                                     screenshots_dir):
    notebook, explorer = explorer_page("03_layers.ipynb")
    before = shown(explorer)
    assert before[1].startswith("dense layer explorer: Example 0"), before[1]
    press_slider_key(notebook, explorer, "weight from x0")
    after = changed(explorer, before)
    assert after, f"image, alt text or status did not change: {shown(explorer)}"
    assert "unit 0 (being edited)" in after[1] and after[2] in after[1]
    explorer.screenshot(path=screenshots_dir / "03_dense_layer-edited.png")
    check_clean(notebook, "03_layers.ipynb")


def test_backprop_stepper_steps_forward_on_a_click(explorer_page, screenshots_dir):
    notebook, explorer = explorer_page("09_backpropagation.ipynb")
    before = shown(explorer)
    assert "Step 0 of 17" in before[1], before[1]
    explorer.get_by_role("button", name="next ▶").click()
    after = changed(explorer, before)
    assert after, f"image, alt text or status did not change: {shown(explorer)}"
    assert "Step 1 of 17: forward: compute x@W1" in after[1]
    press_slider_key(notebook, explorer, "step", "End")  # the keyboard goes to the last step
    last = changed(explorer, after)
    assert last and "Step 17 of 17: check" in last[1], shown(explorer)
    explorer.screenshot(path=screenshots_dir / "09_backprop_stepper-check.png")
    check_clean(notebook, "09_backpropagation.ipynb")


def test_training_loop_steps_plays_and_pauses(explorer_page, screenshots_dir):
    notebook, explorer = explorer_page("10_full_training_loop.ipynb")
    before = shown(explorer)
    assert "Not trained yet" in before[1], before[1]
    rate = explorer.get_by_role("slider", name="learning rate")
    assert wait_until(lambda: rate.get_attribute("aria-valuetext") == "0.05"), (
        f"the learning-rate slider announces {rate.get_attribute('aria-valuetext')!r}")
    explorer.get_by_role("button", name="step one epoch").click()
    after = changed(explorer, before)
    assert after and "At epoch 1.0 of 20" in after[1], shown(explorer)

    explorer.get_by_role("button", name="▶ play").click()
    frames = set()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # it trains and redraws while the kernel stays free
        frames.add(image_digest(explorer))
        time.sleep(0.2)
    clicked = time.monotonic()
    explorer.get_by_role("button", name="❚❚ pause").click()
    paused = wait_until(lambda: explorer.get_by_role("button", name="▶ play").is_enabled(),
                        timeout=10)
    pause_seconds = time.monotonic() - clicked
    assert paused, "pause was not handled"
    assert len(frames) >= 3, f"only {len(frames)} different images while playing for 3 s"
    settled = shown(explorer)
    for _ in range(20):  # an image already on its way when pause was pressed may still land
        time.sleep(0.5)
        if shown(explorer)[0] == settled[0]:
            break
        settled = shown(explorer)
    time.sleep(1.0)
    assert shown(explorer)[0] == settled[0], "the figure still changes after pause"
    assert "At epoch" in settled[1] and "Finished" not in settled[1], settled[1]
    assert pause_seconds < 5, f"pause took {pause_seconds:.1f} s to take effect"
    explorer.screenshot(path=screenshots_dir / "10_training_loop-paused.png")
    check_clean(notebook, "10_full_training_loop.ipynb")
