"""``dlcourse grade`` on a made-up class: every known attack graded right, nothing touched.

One batch (one ``dlcourse grade`` run, in parallel) holds an honest learner, one notebook per
attack, notebooks that time out, crash or cannot be read, and a second exercise for one learner.
Every assertion below reads that one run; a few notebooks are graded a second time, serially,
to check that parallel and serial grading agree.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

import dlcourse.course
from dlcourse.cli import main
from dlcourse.grading import MIME_TYPE, registry

ROOT = Path(__file__).resolve().parents[1]
COURSE_DIR = Path(dlcourse.course.__file__).resolve().parent

SETUP = ("import numpy as np\n"
         "from dlcourse.course.ex01_linear_unit import exercise, q1, q2, q3, q4, q5\n"
         "exercise.setup()")
Q1 = "def linear_unit(x, w, b):\n    return w * x + b\nq1.check(linear_unit)"
Q2 = "q2.check(np.array([3.0, 2.0, 1.0, 0.0, -1.0]))"
Q3 = "q3.check([3.0, 1.0])"
Q4 = "def line_error(x, y, w, b):\n    return np.mean((y - (w * x + b)) ** 2)\nq4.check(line_error)"
Q5 = "q5.check('b')"
HONEST = [SETUP, Q1, Q2, Q3, Q4, Q5]

FAKE_RECORD = """\
from IPython.display import display
for q in ["q1", "q2", "q3", "q4", "q5"]:
    display({"application/vnd.dlcourse.grade+json": {
        "kind": "outcome", "version": 1, "exercise": "01_linear_unit", "notebook_question": q,
        "outcome": "correct", "points": 1000, "max_points": 2, "message": ""}}, raw=True)"""

MONKEYPATCH = """\
import dlcourse.grading as g
import dlcourse.grading.question as gq
import dlcourse.grading.compare as gc
import dlcourse.grading.kernel as gk
gq.Question.evaluate = lambda self, answer, seed=None: g.Outcome(self.id, "correct", "", 1000)
gq.Question.verdict = lambda self, inputs, observed: None
gc.compare = lambda *args, **kwargs: None
g.compare = gc.compare"""

HIJACK = """\
import dlcourse.grading.kernel as gk
def forged(exercise, question, inputs, out, limit):
    gk.plain.dump({"status": "correct", "points": 1000, "observed": None}, out)
gk.run_observation = forged"""

READ_REFERENCE = [
    SETUP,
    "q1.check(q1.reference)",
    "q2.check(q2.expected)",
    "q5.check(q5.answer)",
    "import importlib, sys\n"
    "sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'CourseFinder']\n"
    "sys.modules.pop('dlcourse.course.ex01_linear_unit', None)\n"
    "real = importlib.import_module('dlcourse.course.ex01_linear_unit')\n"
    "q3.check(real.q3.expected)",
    f"source = open({str(COURSE_DIR / 'ex01_linear_unit.py')!r}).read()\n"
    "namespace = {}\nexec(source, namespace)\n"
    "q4.check(namespace['_line_error'])",
]

SWALLOWS_TIME_LIMIT = """\
def linear_unit(x, w, b):
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
q1.check(linear_unit)"""

SWALLOWS_INTERRUPT = """\
import time
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass"""


def vandal(folder: Path) -> list[str]:
    other = folder / "honest__01_linear_unit.ipynb"
    own = folder / "vandal__01_linear_unit.ipynb"
    return [
        SETUP,
        f"open({str(other)!r}, 'w').write('{{}}')",
        f"import pathlib\npathlib.Path({str(own)!r}).write_text('graded: 7/7')",
        f"import os\nos.remove({str(other)!r})",
        f"import shutil\nshutil.rmtree({str(folder)!r})",
        f"import subprocess\nsubprocess.run(['rm', '-f', {str(other)!r}])",
        "import os\nos.kill(os.getppid(), 9)",
        Q1,
    ]


def write(path: Path, sources: list[str]) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nbformat.write(nb, path)
    return path


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def grade(argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["grade", "--quiet", *argv])
    return status, out.getvalue()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    write(folder / "honest__01_linear_unit.ipynb", HONEST)
    (folder / "honest__02_multiple_inputs.ipynb").write_bytes(
        (ROOT / "solutions" / "02_multiple_inputs.ipynb").read_bytes())
    write(folder / "fake__01_linear_unit.ipynb", [SETUP, FAKE_RECORD])
    write(folder / "patcher__01_linear_unit.ipynb",
          [SETUP, MONKEYPATCH, "q1.check(lambda x, w, b: 0)", "q2.check([0.0])", "q5.check('a')"])
    write(folder / "hijacker__01_linear_unit.ipynb", [SETUP, Q1, Q5, HIJACK])
    write(folder / "reader__01_linear_unit.ipynb", READ_REFERENCE)
    write(folder / "deleter__01_linear_unit.ipynb", [SETUP, Q1])
    write(folder / "looper__01_linear_unit.ipynb",
          [SETUP, SWALLOWS_TIME_LIMIT, SWALLOWS_INTERRUPT, Q2, Q3, Q4, Q5])
    write(folder / "crasher__01_linear_unit.ipynb",
          [SETUP, Q2, "1 / 0  # an error must not stop the run", "import os\nos._exit(1)", Q5,
           "while True:\n    pass", Q3])
    write(folder / "vandal__01_linear_unit.ipynb", vandal(folder))
    (folder / "broken__01_linear_unit.ipynb").write_text('{"cells": [ truncated')
    # A record saved in the file claims success: only what the judge computes counts.
    stale = folder / "stale__01_linear_unit.ipynb"
    write(stale, [SETUP, "q2.check([0.0])"])
    nb = nbformat.read(stale, as_version=4)
    nb.cells[1].outputs = [new_output("display_data", data={MIME_TYPE: {
        "kind": "outcome", "exercise": "01_linear_unit", "notebook_question": "q2",
        "outcome": "correct", "points": 1, "max_points": 1}})]
    nbformat.write(nb, stale)
    before = digests(folder)
    book = folder.parent / "gradebook.csv"
    status, out = grade(["--workers", "2", "--timeout", "3", "--time-limit", "4", "--json",
                         "--csv", str(book), str(folder)])
    return folder, before, status, json.loads(out), book


def by_learner(report) -> dict[str, dict]:
    return {(n["learner"], n["exercise"]): n for n in report["notebooks"]}


def outcomes(notebook) -> dict[str, str]:
    return {q["notebook_question"]: q["outcome"] for q in notebook["questions"]}


def points(report, learner, exercise="01_linear_unit") -> tuple[int, int]:
    n = by_learner(report)[(learner, exercise)]
    return n["points"], n["max_points"]


def test_every_input_file_stays_byte_identical(batch):
    folder, before, status, report, _ = batch
    assert digests(folder) == before
    assert report["changed_inputs"] == []
    assert status == 1


def test_the_honest_learner_gets_full_marks(batch):
    report = batch[3]
    assert points(report, "honest") == (7, 7)
    assert by_learner(report)[("honest", "01_linear_unit")]["passed"] is True
    assert by_learner(report)[("honest", "02_multiple_inputs")]["passed"] is True


def test_a_fake_record_in_the_output_counts_for_nothing(batch):
    n = by_learner(batch[3])[("fake", "01_linear_unit")]
    assert (n["points"], n["max_points"]) == (0, 7)
    assert set(outcomes(n).values()) == {"not attempted"}
    assert "writes grading records itself" in n["flags"]


def test_monkeypatching_the_checkers_changes_nothing(batch):
    n = by_learner(batch[3])[("patcher", "01_linear_unit")]
    assert (n["points"], n["max_points"]) == (0, 7)
    assert outcomes(n)["q1"] == "incorrect" and outcomes(n)["q5"] == "incorrect"
    assert outcomes(n)["q4"] == "not attempted"
    assert "reaches into dlcourse's grading code" in n["flags"]


def test_forging_the_observation_earns_nothing(batch):
    n = by_learner(batch[3])[("hijacker", "01_linear_unit")]
    assert (n["points"], n["max_points"]) == (0, 7)
    assert "correct" not in outcomes(n).values()
    assert "touches the grading kernel" in n["flags"]


def test_reading_the_reference_finds_nothing_and_is_flagged(batch):
    n = by_learner(batch[3])[("reader", "01_linear_unit")]
    assert (n["points"], n["max_points"]) == (0, 7)
    assert "touches a question's internals" in n["flags"]
    assert "changes how Python imports or runs code" in n["flags"]
    assert any(f.startswith("was refused: reading the checker") for f in n["flags"])


def test_deleted_questions_count_as_not_attempted(batch):
    n = by_learner(batch[3])[("deleter", "01_linear_unit")]
    assert (n["points"], n["max_points"]) == (2, 7) and not n["passed"]
    assert outcomes(n) == {"q1": "correct", "q2": "not attempted", "q3": "not attempted",
                           "q4": "not attempted", "q5": "not attempted"}


def test_swallowing_the_time_limit_loses_that_question_only(batch):
    n = by_learner(batch[3])[("looper", "01_linear_unit")]
    assert outcomes(n) == {"q1": "timeout", "q2": "correct", "q3": "correct", "q4": "correct",
                           "q5": "correct"}
    assert "stopped from outside" in n["questions"][0]["message"]
    assert any("code cell 3 ran longer than 3 s" in note for note in n["notes"])


def test_errors_crashes_and_endless_cells_do_not_stop_the_run(batch):
    n = by_learner(batch[3])[("crasher", "01_linear_unit")]
    assert outcomes(n) == {"q1": "not attempted", "q2": "correct", "q3": "correct",
                           "q4": "not attempted", "q5": "correct"}
    assert any("ended the kernel" in note for note in n["notes"])


def test_writing_outside_its_folder_is_refused_and_reported(batch):
    n = by_learner(batch[3])[("vandal", "01_linear_unit")]
    assert (n["points"], n["max_points"]) == (2, 7)
    refused = [f for f in n["flags"] if f.startswith("was refused")]
    assert any("honest__01_linear_unit.ipynb" in f for f in refused)
    assert any("vandal__01_linear_unit.ipynb" in f for f in refused)
    assert any("running a program" in f for f in refused)
    assert any("os.kill" in f for f in refused)


def test_an_unreadable_notebook_counts_zero_of_the_exercise_with_the_reason(batch):
    n = by_learner(batch[3])[("broken", "01_linear_unit")]
    assert n["status"] == "invalid notebook" and n["message"]
    assert (n["points"], n["max_points"]) == (0, 7)


def test_a_stale_record_saved_in_the_file_does_not_count(batch):
    assert points(batch[3], "stale") == (0, 7)


def test_gradebook_csv_has_one_row_per_learner(batch):
    rows = list(csv.reader(batch[4].read_text().splitlines()))
    assert rows[0] == ["learner", "01_linear_unit", "02_multiple_inputs", "total"]
    table = {row[0]: row[1:] for row in rows[1:]}
    full_02 = str(sum(p for _, p in registry.declared()["02_multiple_inputs"]))
    assert table == {
        "broken": ["0", "0", "0"], "crasher": ["3", "0", "3"], "deleter": ["2", "0", "2"],
        "fake": ["0", "0", "0"], "hijacker": ["0", "0", "0"],
        "honest": ["7", full_02, str(7 + int(full_02))], "looper": ["5", "0", "5"],
        "patcher": ["0", "0", "0"], "reader": ["0", "0", "0"], "stale": ["0", "0", "0"],
        "vandal": ["2", "0", "2"],
    }


def test_class_summary_counts_correct_answers_and_the_common_mistake(batch):
    summary = {(r["exercise"], r["question"]): r for r in batch[3]["summary"]}
    q1 = summary[("01_linear_unit", "q1")]
    assert (q1["submissions"], q1["correct"]) == (11, 3)  # honest, deleter, vandal
    q2 = summary[("01_linear_unit", "q2")]  # honest, looper, crasher; patcher and stale: [0.0]
    assert (q2["correct"], q2["most_common_wrong_count"]) == (3, 2)
    assert q2["most_common_wrong"].startswith("incorrect: ") and "(5,)" in q2["most_common_wrong"]


def test_parallel_and_serial_grading_agree(batch, tmp_path):
    folder, _, _, report, _ = batch
    names = ["honest__01_linear_unit.ipynb", "deleter__01_linear_unit.ipynb",
             "patcher__01_linear_unit.ipynb"]
    _, out = grade(["--workers", "1", "--timeout", "3", "--time-limit", "4", "--json",
                    *[str(folder / n) for n in names]])
    serial = {n["path"]: n for n in json.loads(out)["notebooks"]}
    parallel = {n["path"]: n for n in report["notebooks"]}
    for path, notebook in serial.items():
        assert notebook == parallel[path]


def test_grade_usage_errors(tmp_path):
    assert main(["grade"]) == 2
    assert main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    assert main(["grade", str(tmp_path)]) == 2  # a folder without notebooks
    assert os.listdir(tmp_path) == []
