"""The ``dlcourse`` command: make-exercises, grade and progress."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse.cli import main
from dlcourse.instructor.make_exercises import StubError, stub_source

ROOT = Path(__file__).resolve().parents[1]

SOLUTION_CELLS = [
    "import numpy as np\n%matplotlib inline",
    'def linear(x, w, b):\n    """y = w x + b."""\n    ### BEGIN SOLUTION\n'
    "    return w * x + b\n    ### END SOLUTION",
    "class Model:\n    def __call__(self, x):\n        if x is not None:\n"
    "            ### BEGIN SOLUTION\n            return 2 * x\n            ### END SOLUTION\n"
    "        return None",
    "### BEGIN SOLUTION\nw, b = 2.0, 1.0\nshape = (3, 2)\nprint(w)\n### END SOLUTION\nprint('ok')",
    "if True:\n    ### BEGIN SOLUTION\n    lr = 0.1\n    ### END SOLUTION",
    "### BEGIN SOLUTION\ndef helper(a,\n           b=2):\n    return a + b\n### END SOLUTION",
]

EXPECTED_STUBS = [
    "import numpy as np\n%matplotlib inline",
    'def linear(x, w, b):\n    """y = w x + b."""\n'
    '    raise NotImplementedError("your answer here")',
    "class Model:\n    def __call__(self, x):\n        if x is not None:\n"
    '            raise NotImplementedError("your answer here")\n        return None',
    "w = ...  # your answer here\nb = ...  # your answer here\n"
    "shape = ...  # your answer here\nprint('ok')",
    "if True:\n    lr = ...  # your answer here",
    'def helper(a,\n           b=2):\n    raise NotImplementedError("your answer here")',
]


def solution_notebook() -> nbformat.NotebookNode:
    cells = [new_markdown_cell("# Exercise\n### BEGIN SOLUTION stays in markdown")]
    for i, source in enumerate(SOLUTION_CELLS):
        cell = new_code_cell(source, execution_count=i + 1, metadata={"tags": [f"t{i}"]})
        cell.outputs = [new_output("stream", name="stdout", text="solution output\n")]
        cells.append(cell)
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                            "display_name": "Python 3",
                                                            "language": "python"}})
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # nbformat makes random ids; fixtures must be reproducible
    return nb


@pytest.fixture
def course(tmp_path):
    (tmp_path / "solutions").mkdir()
    nbformat.write(solution_notebook(), tmp_path / "solutions" / "01_linear_unit.ipynb")
    return tmp_path


def make(course, *extra):
    return main(["make-exercises", "--solutions", str(course / "solutions"),
                 "--exercises", str(course / "exercises"), *extra])


# -- make-exercises -------------------------------------------------------------------------------
def test_make_exercises_replaces_solutions_by_stubs(course):
    assert make(course) == 0
    nb = nbformat.read(course / "exercises" / "01_linear_unit.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == EXPECTED_STUBS
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert [c.metadata["tags"] for c in code] == [[f"t{i}"] for i in range(len(code))]
    assert nb.cells[0].source == "# Exercise\n### BEGIN SOLUTION stays in markdown"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_generated_stubs_run_top_to_bottom_and_count_as_not_attempted(course):
    make(course)
    nb = nbformat.read(course / "exercises" / "01_linear_unit.ipynb", as_version=4)
    namespace: dict = {}
    for cell in nb.cells[1:]:
        exec(cell.source.replace("%matplotlib inline", ""), namespace)
    assert namespace["w"] is ... and namespace["lr"] is ...
    with pytest.raises(NotImplementedError):
        namespace["linear"](1.0, 2.0, 3.0)


def test_make_exercises_is_deterministic_and_check_passes(course, capsys):
    make(course)
    first = (course / "exercises" / "01_linear_unit.ipynb").read_bytes()
    assert first.endswith(b"}\n")
    (course / "exercises" / "01_linear_unit.ipynb").unlink()
    make(course)
    assert (course / "exercises" / "01_linear_unit.ipynb").read_bytes() == first
    capsys.readouterr()
    assert make(course, "--check") == 0
    assert "up to date" in capsys.readouterr().out


def test_missing_cell_ids_get_stable_ones(course):
    path = course / "solutions" / "01_linear_unit.ipynb"
    data = json.loads(path.read_text())
    for cell in data["cells"]:
        del cell["id"]
    path.write_text(json.dumps(data))
    make(course)
    first = (course / "exercises" / "01_linear_unit.ipynb").read_bytes()
    (course / "exercises" / "01_linear_unit.ipynb").unlink()
    make(course)
    assert (course / "exercises" / "01_linear_unit.ipynb").read_bytes() == first
    assert b'"id": "cell-1"' in first


def test_check_names_stale_missing_and_extra_files(course, capsys):
    make(course)
    solution = course / "solutions" / "01_linear_unit.ipynb"
    nb = nbformat.read(solution, as_version=4)
    nb.cells[1].source += "\n# changed"
    nbformat.write(nb, solution)
    nbformat.write(solution_notebook(), course / "solutions" / "02_more.ipynb")
    (course / "exercises" / "99_old.ipynb").write_text("{}")
    before = sorted(p.read_bytes() for p in (course / "exercises").iterdir())
    capsys.readouterr()
    assert make(course, "--check") == 1
    out = capsys.readouterr().out
    assert "01_linear_unit.ipynb: out of date" in out
    assert "02_more.ipynb: missing" in out
    assert "99_old.ipynb: no matching solution notebook" in out
    assert sorted(p.read_bytes() for p in (course / "exercises").iterdir()) == before


def test_unbalanced_markers_are_reported(course, capsys):
    with pytest.raises(StubError, match="never closed"):
        stub_source("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(StubError, match="without"):
        stub_source("x = 1\n### END SOLUTION")
    nb = solution_notebook()
    nb.cells[1].source = "x = 1\n### END SOLUTION"
    nbformat.write(nb, course / "solutions" / "01_linear_unit.ipynb")
    assert make(course) == 1
    assert "cell 2" in capsys.readouterr().err


def test_solution_cell_marker_empties_the_cell():
    assert stub_source("### SOLUTION CELL\nx = compute()") == "# your answer here"


def test_missing_solutions_directory_is_a_usage_error(tmp_path):
    assert main(["make-exercises", "--solutions", str(tmp_path / "nope")]) == 2


# -- grade (the grading itself: test_grade_class.py) -----------------------------------------------
def test_grade_table_lists_outcomes_flags_and_totals():
    from dlcourse.instructor.gradebook import format_table
    from dlcourse.instructor.judge import NotebookResult

    results = [NotebookResult("a.ipynb", learner="ada", exercise="01_linear_unit", questions=[
        {"exercise": "01_linear_unit", "notebook_question": "q1", "outcome": "correct",
         "points": 1, "max_points": 1, "message": ""}], flags=["calls .solution()"]),
        NotebookResult("c.ipynb", status="invalid notebook", message="bad JSON")]
    table = format_table(results, changed=["x.ipynb"])
    assert table.startswith("Per question (the class at a glance):\n  01_linear_unit q1: 1/1")
    assert re.search(r"a\.ipynb\s+q1\s+correct\s+1/1\n", table)
    assert re.search(r"c\.ipynb\s+-\s+invalid notebook\s+bad JSON\n", table)
    assert "FLAG: a.ipynb: calls .solution()" in table
    assert "FLAG: an input file changed while grading (restored): x.ipynb" in table
    assert table.endswith("Total: 1/1 points; 1 of 2 notebooks passed")


# -- progress and help ----------------------------------------------------------------------------
def test_progress_command(tmp_path, monkeypatch, capsys):
    from dlcourse.grading import Exercise, ValueQuestion, progress

    monkeypatch.setattr(progress, "_SESSION", progress.empty())  # this test's checks only
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(tmp_path / "p.json"))
    assert main(["progress"]) == 0
    text = capsys.readouterr().out
    assert "No progress recorded yet" in text and "01_linear_unit" in text
    q1, q2 = ValueQuestion("q1", 1.0), ValueQuestion("q2", 2.0)
    Exercise("01_linear_unit", [q1, q2]).setup()
    q1.check(1.0)
    q2.check(5.0)
    capsys.readouterr()
    assert main(["progress"]) == 0
    assert re.search(r"01_linear_unit +1/2 passed: q1; not yet: q2", capsys.readouterr().out)
    assert main(["progress", "--json"]) == 0
    row, *others = json.loads(capsys.readouterr().out)["exercises"]
    assert len(others) == 9 and not any(r["started"] for r in others)
    assert row["passed"] == ["q1"] and row["total"] == 2 and row["max_points"] == 2


def test_help(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert all(cmd in text for cmd in ("make-exercises", "grade", "progress"))
    assert main(["grade", "--help"]) == 0
    text = capsys.readouterr().out
    assert all(opt in text for opt in ("--timeout", "--workers", "--csv", "--per-question"))
    assert main([]) == 2


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "dlcourse.cli", "--help"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "usage: dlcourse" in proc.stdout


def test_progress_lists_every_exercise_and_survives_a_broken_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "p.json"
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(path))
    path.write_text(json.dumps({"version": 1, "exercises": {
        "01_linear_unit": {"questions": {"q1": {"outcome": "correct", "passed": True,
                                                "points": 2, "max_points": 2},
                                         "q2": "garbage"}},
        "02_multiple_inputs": ["not", "a", "mapping"]}}))
    assert main(["progress"]) == 0
    captured = capsys.readouterr()
    assert "01_linear_unit" in captured.out and "1/5 passed: q1" in captured.out
    assert "10_full_training_loop    0/4 passed (not started)" in captured.out
    assert "unexpected structure" in captured.err
    assert len(list(tmp_path.glob("p.json.corrupt-*"))) == 1  # the original, set aside
    assert json.loads(path.read_text())["exercises"]["01_linear_unit"]["questions"]["q1"]
    for broken in (b"\xff\xfe not text", b"[1, 2]"):
        path.write_bytes(broken)
        assert main(["progress"]) == 0
    path.unlink()
    path.mkdir()  # a directory where the file should be
    capsys.readouterr()
    assert main(["progress", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["exercises"]
    assert len(rows) == 10 and not any(r["started"] for r in rows)


def test_gradebook_per_question_columns_and_best_notebook_counts(tmp_path):
    from dlcourse.instructor import gradebook
    from dlcourse.instructor.judge import NotebookResult

    def result(learner, exercise, outcomes):
        rows = [{"exercise": exercise, "notebook_question": q, "outcome": o,
                 "points": p if o == "correct" else 0, "max_points": p, "message": "m"}
                for q, o, p in outcomes]
        return NotebookResult(f"{learner}/{exercise}.ipynb", learner=learner, exercise=exercise,
                              questions=rows)

    results = [result("ann", "01_a", [("q1", "correct", 2), ("q2", "incorrect", 1)]),
               result("ann", "01_a", [("q1", "correct", 2), ("q2", "correct", 1)]),  # resubmitted
               result("bo", "01_a", [("q1", "timeout", 2), ("q2", "not attempted", 1)]),
               result("bo", "02_b", [("q1", "correct", 3)])]
    path = tmp_path / "book.csv"
    gradebook.write_csv(path, results, per_question=True)
    assert path.read_text().splitlines() == [
        "learner,01_a:q1,01_a:q2,02_b:q1,total", "ann,2,1,0,3", "bo,0,0,3,3"]
    gradebook.write_csv(path, results)
    assert path.read_text().splitlines() == ["learner,01_a,02_b,total", "ann,3,0,3", "bo,0,3,3"]
    (q1, q2, _) = gradebook.summary(results)
    assert (q1["correct"], q1["submissions"], q1["most_common_wrong"]) == (2, 3, "timeout: m")
    assert (q2["attempted"], q2["most_common_wrong"]) == (2, "incorrect: m")


def test_progress_bar_counts_notebooks():
    import io

    from dlcourse.instructor.grade import Progress
    from dlcourse.instructor.judge import NotebookResult

    stream = io.StringIO()
    bar = Progress(2, stream)
    bar(NotebookResult("a.ipynb"))
    bar(NotebookResult("b.ipynb"))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/2] a.ipynb: 0/0") and lines[1].startswith("[2/2] b.ipynb")


@pytest.mark.parametrize(("source", "flag"), [
    ("q1.check(q1.reference)", "touches a question's internals"),
    ("answer = getattr(exercise.q2, 'reference')", "touches a question's internals"),
    ("q3.solution()", "calls .solution()"),
    ("import sys\nsys.meta_path.clear()", "changes how Python imports or runs code"),
    ("import inspect\ninspect.getsource(q1.check)", "reads source through inspect"),
    ("from dlcourse.course import probes", "reaches into dlcourse.course beyond importing its "
                                           "exercise"),
    ("open('../other.ipynb', 'w')", "writes or removes files"),
    ("!rm -rf ..", "runs shell commands"),
])
def test_flags_name_what_an_instructor_should_look_at(source, flag):
    from dlcourse.instructor.flags import scan

    assert flag in scan([source])


def test_ordinary_code_and_comments_raise_no_flag():
    from dlcourse.instructor.flags import scan

    assert scan(["from dlcourse.course.ex01_linear_unit import exercise, q1\n"
                 "# q1.solution()\n%matplotlib inline\nacc = dl.evaluate(model, x, y)"]) == []
