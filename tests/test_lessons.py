"""The lessons as a whole: all eleven, in the outline's order, each complete, clean to commit, and
fast to run. (nbval runs every cell and checks the marked outputs; this file checks the rest.)"""

import json
import re
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [
    "00_what_deep_learning_is", "01_linear_unit", "02_multiple_inputs", "03_layers",
    "04_activation_functions", "05_stacked_layers", "06_loss_functions", "07_optimizer",
    "08_learning_rate", "09_backpropagation", "10_full_training_loop",
]
CHECK_TAG = "nbval-check-output"  # nbval compares these cells' outputs
MACHINE_PATH = re.compile(r"/(?:work|tmp|root|home|Users)/[\w.-]+")


def read(name):
    return nbformat.read(ROOT / "lessons" / f"{name}.ipynb", as_version=4)


def is_checked(cell):
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def test_the_lessons_follow_the_outline_in_order():
    assert sorted(p.stem for p in (ROOT / "lessons").glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_is_complete(name):
    nb = read(name)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "$" in markdown, "the maths, in LaTeX"
    assert "import dlcourse as dl" in code
    assert re.search(r"plt\.|show_\w+\(|draw_\w+\(|plot_\w+\(", code), "at least one figure"
    if name != "00_what_deep_learning_is":
        assert f"exercises/{name}.ipynb" in markdown, "a pointer to the exercise notebook"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_ends_with_links_onwards(name):
    last = read(name).cells[-1]
    assert last.cell_type == "markdown"
    links = re.findall(r"\]\(([^)\s]+)\)", last.source)
    assert "../START_HERE.ipynb" in links, "a link to the course home"
    position = LESSONS.index(name)
    if position > 0:
        assert f"../exercises/{name}.ipynb" in links, "a link to the lesson's exercise"
    if position + 1 < len(LESSONS):
        assert f"{LESSONS[position + 1]}.ipynb" in links, "a link to the next lesson"
    for link in links:
        assert not link.startswith(("/", "http")), f"links stay relative and offline: {link}"


@pytest.mark.parametrize("name", LESSONS)
def test_every_static_figure_has_a_text_alternative(name):
    for cell in read(name).cells:
        if cell.cell_type == "code" and "plt.show()" in cell.source:
            assert "plots.describe(" in cell.source, f"no text alternative:\n{cell.source}"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_is_committed_clean(name):
    nb = read(name)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert "NBVAL" not in cell.source, "test markers belong in the cell tags, not the code"
        if not is_checked(cell):
            assert cell.execution_count is None
            assert cell.outputs == [], f"outputs in a cell nbval does not check:\n{cell.source}"
    checked = [c for c in nb.cells if is_checked(c)]
    assert checked, "at least one cell whose deterministic output nbval compares"
    assert all(c.outputs for c in checked), "a checked cell without outputs checks nothing"
    assert not MACHINE_PATH.search(json.dumps(nb)), "an absolute path or machine name"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_clean_and_fast(name):
    from nbclient import NotebookClient

    nb = read(name)
    start = time.perf_counter()
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "lessons")}}).execute()
    seconds = time.perf_counter() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs)
    assert images >= 1, "a figure shows even where widgets cannot render"
    assert seconds < 30, f"{name} took {seconds:.1f} s to execute"
