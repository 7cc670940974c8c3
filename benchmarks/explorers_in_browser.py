"""Responsiveness where the learner sees it: input event to new image, in real JupyterLab.

    python benchmarks/explorers_in_browser.py             # every explorer, every control
    python benchmarks/explorers_in_browser.py -k learning  # explorers whose name has "learning"
    python benchmarks/explorers_in_browser.py --kernel     # then the kernel-side table too

Starts JupyterLab on 127.0.0.1 and Debian's Chromium (the e2e tests' ``tests/e2e/jupyterlab.py``),
shows each explorer in a fresh notebook, and moves each of its controls ``MOVES`` times as a
learner would: a slider by the arrow keys on its focused handle (one step a press), a button by
a click, a dropdown by choosing the next option. The page records, with ``performance.now()``,
each input event (keydown, click, change) and each time the explorer's image finishes loading a
new picture; the benchmark waits until the images settle before the next input. It prints, per
control, the median and 95th percentile of input-to-first-new-image time and the images per
input (1 is right: more means the kernel drew an echo or an intermediate value). Then it drags
lesson 08's learning-rate slider with the mouse for ``DRAG_SECONDS`` and prints the frames per
second the page showed.

Targets (2 cores): median <= 100 ms, p95 <= 250 ms for every control; a drag >= 10 frames/s.
The load average is printed: on a shared machine every number is inflated.

The explorers and their controls are data (``EXPLORERS``): add a row to measure a new explorer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.jupyterlab import CHROMIUM, CHROMIUM_ARGS, LabApp, LabServer  # noqa: E402

MOVES = 20
DRAG_SECONDS = 3.0
MEDIAN_TARGET_MS, P95_TARGET_MS, DRAG_TARGET_FPS = 100.0, 250.0, 10.0
SETTLE_MS = 600  # no new image for this long after the last one: the input is finished
FIRST_IMAGE_TIMEOUT_MS = 5000


@dataclass
class Control:
    """One control of an explorer: ``kind`` is "slider", "button" or "dropdown"; ``name`` is the
    slider's or dropdown's description, or the button's text ("|" between several buttons
    pressed in turn, such as presets: pressing one preset twice changes nothing)."""

    kind: str
    name: str
    moves: int = MOVES


@dataclass
class ExplorerCase:
    """An explorer to measure: the code that shows it (in a fresh kernel) and its controls."""

    name: str
    setup: str
    controls: list[Control] = field(default_factory=list)


DIGIT_MODEL = """
import dlcourse as dl
(x, y), (x_test, y_test) = dl.datasets.load_digits()
model = dl.Sequential([dl.Dense(64, 32, activation="relu", seed=0),
                       dl.Dense(32, 10, activation="softmax", seed=1)])
dl.fit(model, x, y, loss=dl.sparse_categorical_crossentropy,
       optimizer=dl.SGD(model.parameters(), learning_rate=0.05), epochs=3, batch_size=32,
       seed=0, verbose=0)
"""

EXPLORERS = [
    ExplorerCase("00 digit pass", DIGIT_MODEL + "from dlcourse.widgets.digit_pass import "
                 "show_digit_pass\nexplorer = show_digit_pass(model, x_test, y_test)",
                 [Control("slider", "test digit"), Control("button", "next mistake")]),
    ExplorerCase("01 linear unit", "from dlcourse.widgets.linear_unit import show_linear_unit\n"
                 "explorer = show_linear_unit()",
                 [Control("slider", "weight w"), Control("slider", "bias b")]),
    ExplorerCase("02 plane", "from dlcourse.widgets.plane import show_plane\n"
                 "explorer = show_plane()",
                 [Control("slider", "weight w0"), Control("slider", "weight w1"),
                  Control("slider", "bias b")]),
    ExplorerCase("04 relu sum", "from dlcourse.widgets.relu_sum import show_relu_sum\n"
                 "explorer = show_relu_sum()",
                 [Control("slider", "units"), Control("dropdown", "target")]),
    ExplorerCase("05 network (first visits count)",
                 "from dlcourse.widgets.network_explorer import show_network_explorer\n"
                 "explorer = show_network_explorer()",
                 [Control("slider", "width"), Control("slider", "depth"),
                  Control("dropdown", "data set")]),
    ExplorerCase("06 loss", "from dlcourse.widgets.loss_explorer import show_loss_explorer\n"
                 "explorer = show_loss_explorer()",
                 [Control("slider", "outlier y")]),
    ExplorerCase("07 SGD stepper", "from dlcourse.widgets.sgd_stepper import show_sgd_stepper\n"
                 "explorer = show_sgd_stepper()",
                 [Control("button", "step"), Control("button", "run 10 steps"),
                  Control("slider", "batch size"), Control("button", "reset")]),
    ExplorerCase("08 learning rate",
                 "from dlcourse.widgets.learning_rate import show_learning_rate_explorer\n"
                 "explorer = show_learning_rate_explorer()",
                 [Control("slider", "learning rate"), Control("slider", "steps"),
                  Control("slider", "batch size"),
                  Control("button", "too small|good|too large|diverging")]),
]
DRAG = ("08 learning rate", "learning rate")

# Installed in the page for one explorer: input events and image loads, timestamped.
RECORDER_JS = """(explorer) => {
    window.bench = {inputs: [], images: []};
    for (const type of ['keydown', 'click', 'change', 'pointerdown']) {
        explorer.addEventListener(type, (e) => window.bench.inputs.push([type, e.timeStamp]),
                                  true);
    }
    explorer.addEventListener('load', (e) => {
        if (e.target.tagName === 'IMG') window.bench.images.push(performance.now());
    }, true);
}"""


def slider_handle(explorer, name: str):
    label = explorer.page.locator("label.widget-label", has_text=name)
    return explorer.locator(".widget-slider", has=label).first.locator('[role="slider"]')


def settle(page, since: float) -> list[float]:
    """Wait until a first image after ``since`` arrived and none for SETTLE_MS; return them."""
    return page.evaluate("""async ([since, settle, timeout]) => {
        const start = performance.now();
        while (true) {
            const after = window.bench.images.filter(t => t > since);
            const now = performance.now();
            if (after.length && now - after[after.length - 1] > settle) return after;
            if (!after.length && now - start > timeout) return [];
            await new Promise(r => setTimeout(r, 25));
        }
    }""", [since, SETTLE_MS, FIRST_IMAGE_TIMEOUT_MS])


def move(page, explorer, control: Control, state: dict) -> float:
    """Make one input on ``control``; return the page time of the input event."""
    before = page.evaluate("window.bench.inputs.length")
    if control.kind == "slider":
        handle = slider_handle(explorer, control.name)
        now, low, high = (float(handle.get_attribute(a))
                          for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
        direction = state.setdefault(control.name, 1)
        if (direction > 0 and now >= high) or (direction < 0 and now <= low):
            state[control.name] = direction = -direction
        handle.focus()
        page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
    elif control.kind == "button":
        names = control.name.split("|")
        turn = state.setdefault(control.name, 0)
        state[control.name] = turn + 1
        explorer.get_by_role("button", name=names[turn % len(names)], exact=True).click()
    elif control.kind == "dropdown":
        label = explorer.page.locator("label.widget-label", has_text=control.name)
        select = explorer.locator(".widget-dropdown", has=label).first.locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.value")
        select.select_option(options[(options.index(current) + 1) % len(options)])
    else:
        raise ValueError(f"unknown control kind {control.kind!r}")
    inputs = page.evaluate("window.bench.inputs")[before:]
    if not inputs:
        raise RuntimeError(f"no input event recorded for {control.kind} {control.name!r}")
    return inputs[0][1]


def measure_control(page, explorer, control: Control) -> tuple[np.ndarray, list[int]]:
    latencies, counts, state = [], [], {}
    for _ in range(control.moves):
        at = move(page, explorer, control, state)
        images = settle(page, at)
        counts.append(len(images))
        if images:
            latencies.append(images[0] - at)
    return np.array(latencies), counts


def drag(page, explorer, name: str, seconds: float = DRAG_SECONDS) -> tuple[int, float]:
    """Drag the slider's handle across its track and back; return (images shown, seconds)."""
    handle = slider_handle(explorer, name)
    track = explorer.locator(".widget-slider", has=page.locator("label.widget-label",
                                                               has_text=name)).first
    track_box = track.locator(".noUi-target, .slider").first.bounding_box()
    box = handle.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    start = page.evaluate("performance.now()")
    left, right = track_box["x"] + 5, track_box["x"] + track_box["width"] - 5
    began = time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds:  # pointer moves as fast as they go
        phase = (elapsed / seconds * 2) % 2
        page.mouse.move(left + (right - left) * (phase if phase <= 1 else 2 - phase), y)
        time.sleep(0.015)
    end = page.evaluate("performance.now()")
    page.mouse.up()
    shown = page.evaluate("([a, b]) => window.bench.images.filter(t => t > a && t <= b).length",
                          [start, end])
    settle(page, end)
    return shown, (end - start) / 1e3


def row(label: str, latencies: np.ndarray, counts: list[int]) -> str:
    if not len(latencies):
        return f"{label:<44}{'no image after any input':>40}  MISSED"
    median, p95 = np.median(latencies), np.percentile(latencies, 95)
    per_input = np.mean(counts)
    ok = (median <= MEDIAN_TARGET_MS and p95 <= P95_TARGET_MS
          and all(c == 1 for c in counts))
    return (f"{label:<44}{len(counts):>5}{median:>9.0f}{p95:>8.0f}{latencies.max():>8.0f}"
            f"{per_input:>9.2f}  {'ok' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", default="", help="only explorers whose name contains this")
    parser.add_argument("--kernel", action="store_true", help="also run benchmarks/widgets.py")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average (1, 5, 15 min) at start: "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"targets: median <= {MEDIAN_TARGET_MS:.0f} ms, p95 <= {P95_TARGET_MS:.0f} ms, "
          f"1 image per input; drag >= {DRAG_TARGET_FPS:.0f} frames/s\n")
    print(f"{'explorer / control':<44}{'moves':>5}{'median':>9}{'p95':>8}{'max':>8}"
          f"{'img/input':>9}  target")
    cases = [case for case in EXPLORERS if args.k.lower() in case.name.lower()]
    with tempfile.TemporaryDirectory() as workdir, sync_playwright() as playwright:
        server = LabServer(Path(workdir)).start()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            app = LabApp(browser, server)
            for case in cases:
                slug = "".join(c if c.isalnum() else "_" for c in case.name)
                notebook = app.open(f"bench/{slug}.ipynb", sources=[case.setup])
                notebook.run_all(timeout=180)
                problems = notebook.wait_for_widget_images(timeout=30)
                if problems:
                    print(f"{case.name}: {'; '.join(problems)}")
                    continue
                explorer = notebook.widget_outputs.first
                app.page.evaluate(RECORDER_JS, explorer.element_handle())
                for control in case.controls:
                    latencies, counts = measure_control(app.page, explorer, control)
                    print(row(f"{case.name} / {control.kind} {control.name!r}", latencies,
                              counts), flush=True)
                if case.name == DRAG[0]:
                    shown, seconds = drag(app.page, explorer, DRAG[1])
                    fps = shown / seconds
                    verdict = "ok" if fps >= DRAG_TARGET_FPS else "MISSED"
                    print(f"{case.name} / drag {DRAG[1]!r}: {shown} images in {seconds:.1f} s "
                          f"= {fps:.1f} frames/s  {verdict}", flush=True)
                notebook.close()
            app.close()
        finally:
            browser.close()
            server.stop()
    print(f"\nload average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.kernel:
        print("\nkernel side (benchmarks/widgets.py):")
        sys.path.insert(0, str(REPO / "benchmarks"))
        import widgets

        widgets.main()


if __name__ == "__main__":
    main()
