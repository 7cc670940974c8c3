"""Every lesson in real JupyterLab: it runs without error and every widget renders.

Every lesson's rendered outputs are checked with axe-core (no serious or critical violation).
Lesson 08 also gets a learner's session: move the learning-rate slider to a diverging value and
back, and watch the figure and the status follow. Screenshots land in ``screenshots/``.
"""

from __future__ import annotations

import time

import pytest

from .jupyterlab import (
    REPO,
    NotebookPage,
    axe_violations,
    error_outputs,
    image_digest,
    wait_until,
    widget_view_count,
)

pytestmark = pytest.mark.e2e

RUN_TIMEOUT = 60  # seconds for one lesson's "Run All Cells"
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))
LESSON_PARAMS = [pytest.param(p.name, id=p.stem) for p in LESSONS] or [
    pytest.param(None, id="none", marks=pytest.mark.skip(reason="no lessons written yet"))
]
LEARNING_RATE_LESSON = "08_learning_rate.ipynb"
OUTPUTS = "#jp-main-dock-panel .jp-NotebookPanel .jp-OutputArea-output"  # the course's own
SLIDER = "learning rate"


def run_lesson(open_notebook, name: str):
    """Open the lesson, run all cells; fail on any error. Return the page and the saved notebook."""
    notebook: NotebookPage = open_notebook(f"lessons/{name}")
    prompts = notebook.run_all(timeout=RUN_TIMEOUT)
    saved = notebook.save()
    errors = error_outputs(saved) or notebook.visible_errors()
    assert not errors, f"{name}: error output after Run All Cells:\n" + "\n".join(errors)
    not_run = notebook.cells_not_run(prompts)
    assert not not_run, f"{name}: code cells {not_run} (among code cells) did not run: {prompts}"
    return notebook, saved


@pytest.mark.parametrize("lesson", LESSON_PARAMS)
def test_lesson_runs_without_error_and_its_widgets_render(open_notebook, screenshots_dir, lesson):
    notebook, saved = run_lesson(open_notebook, lesson)
    expected = widget_view_count(saved)
    wait_until(lambda: notebook.widget_outputs.count() >= expected, timeout=20)
    rendered = notebook.widget_outputs.count()
    assert rendered == expected, (
        f"{lesson}: {expected} widget output(s) in the notebook, {rendered} rendered in the page"
    )
    problems = notebook.wait_for_widget_images()
    assert not problems, f"{lesson}: " + "; ".join(problems)
    if expected:
        notebook.screenshot_widgets(screenshots_dir / f"{lesson.removesuffix('.ipynb')}.png")
    violations = axe_violations(notebook.page, OUTPUTS)
    assert not violations, f"{lesson}: accessibility (axe-core):\n" + "\n".join(violations)
    assert not notebook.page_errors, f"{lesson}: JavaScript errors: {notebook.page_errors}"


def html_text(scope) -> str:
    """The text of every ipywidgets HTML inside ``scope`` (where the explorer's status is)."""
    return " | ".join(scope.locator(".widget-html").all_inner_texts())


def settled_digest(scope, previous: str, timeout: float = 10) -> str:
    """Wait until the images in ``scope`` differ from ``previous`` and stop changing."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        digest = image_digest(scope)
        if digest != previous and digest == last:
            return digest
        last = digest
        time.sleep(0.3)
    return image_digest(scope)


@pytest.mark.skipif(not (REPO / "lessons" / LEARNING_RATE_LESSON).exists(),
                    reason="lesson 08 not written yet")
def test_learning_rate_slider_redraws_and_shows_divergence(open_notebook, screenshots_dir):
    notebook, _ = run_lesson(open_notebook, LEARNING_RATE_LESSON)
    explorer = notebook.widget_output_with_slider(SLIDER)
    assert explorer.count(), f"no rendered widget with a {SLIDER!r} slider"
    assert not notebook.wait_for_widget_images()
    start_value = notebook.slider_readout(SLIDER)
    start_image = image_digest(explorer)
    start_status = html_text(explorer)
    assert "diverged" not in start_status.lower(), f"diverged at the start: {start_status}"

    # Far past the top of the range: the slider clamps to its maximum, which diverges.
    top_value = notebook.set_slider(SLIDER, "1e9")
    diverged_image = settled_digest(explorer, start_image)
    assert diverged_image != start_image, f"the figure did not change at {SLIDER} = {top_value}"
    status = wait_until(lambda: "diverged" in html_text(explorer).lower(), timeout=10)
    assert status, f"no 'diverged' at {SLIDER} = {top_value}; status: {html_text(explorer)}"
    explorer.screenshot(path=screenshots_dir / "08_learning_rate-diverged.png")

    notebook.set_slider(SLIDER, start_value)
    back_image = settled_digest(explorer, diverged_image)
    assert back_image != diverged_image, f"the figure did not change back at {start_value}"
    assert notebook.slider_readout(SLIDER) == start_value
    calm = wait_until(lambda: "diverged" not in html_text(explorer).lower(), timeout=10)
    assert calm, f"still 'diverged' back at {start_value}: {html_text(explorer)}"
    explorer.screenshot(path=screenshots_dir / "08_learning_rate-back.png")

    errors = error_outputs(notebook.save()) or notebook.visible_errors()
    errors += notebook.log_console_errors()  # opens a panel: last
    assert not errors, "errors after moving the slider:\n" + "\n".join(errors)
    assert not notebook.page_errors, f"JavaScript errors: {notebook.page_errors}"
