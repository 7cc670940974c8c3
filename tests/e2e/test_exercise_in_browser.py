"""A graded exercise in real JupyterLab: a wrong answer is "Incorrect", the right one "Correct".

The test finds the first question by itself: the first code cell of the exercise that still holds
a stub ("your answer here"), the first cell from there that calls ``.check(``, and the matching
cell of the solution notebook (generated exercises keep the solution's cells one for one). It
types a wrong answer into the stub cell through the editor, runs it and the check, reads the
outcome, then does the same with the solution.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from .jupyterlab import REPO, NotebookPage

pytestmark = pytest.mark.e2e

EXERCISE = "01_linear_unit.ipynb"
STUB = "your answer here"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### SOLUTION CELL")
WRONG_VALUE = "-987.654"  # no question's right answer; a number, so a check says "incorrect"
# The stubs make-exercises writes, and what the wrong answer puts in their place.
WRONG_ANSWER_FOR = {
    re.compile(r'raise NotImplementedError\("your answer here"\)'): f"return {WRONG_VALUE}",
    re.compile(r"=\s*\.\.\.\s*# your answer here"): f"= {WRONG_VALUE}",
}


def first_question(exercise_path, solution_path) -> tuple[int, int, str, str]:
    """(answer cell index, check cell index, a wrong answer, the right answer) of question 1."""
    exercise = nbformat.read(exercise_path, as_version=4).cells
    solution = nbformat.read(solution_path, as_version=4).cells
    assert len(exercise) == len(solution), "exercise and solution cells no longer correspond"
    answer = next((i for i, c in enumerate(exercise)
                   if c.cell_type == "code" and STUB in c.source), None)
    assert answer is not None, f"no code cell of {exercise_path.name} holds {STUB!r}"
    check = next((i for i in range(answer, len(exercise))
                  if exercise[i].cell_type == "code" and ".check(" in exercise[i].source), None)
    assert check is not None, f"no cell from {answer} on calls .check("

    wrong = exercise[answer].source
    for stub, replacement in WRONG_ANSWER_FOR.items():
        wrong = stub.sub(replacement, wrong)
    assert STUB not in wrong, f"cannot make a wrong answer from stub cell {answer}:\n{wrong}"
    right = "\n".join(line for line in solution[answer].source.split("\n")
                      if line.strip() not in SOLUTION_MARKERS)
    return answer, check, wrong, right


def exercise_param(name: str):
    written = all((REPO / folder / name).exists() for folder in ("exercises", "solutions"))
    return pytest.param(name, id=name.removesuffix(".ipynb"), marks=pytest.mark.skipif(
        not written, reason="exercise notebook not written yet"))


@pytest.mark.parametrize("name", [exercise_param(EXERCISE)])
def test_wrong_answer_is_incorrect_and_right_answer_is_correct(open_notebook, screenshots_dir,
                                                                name):
    answer, check, wrong, right = first_question(REPO / "exercises" / name,
                                                 REPO / "solutions" / name)
    notebook: NotebookPage = open_notebook(f"exercises/{name}")
    notebook.run_all()
    assert notebook.outcome(check) == "Not attempted yet"

    notebook.set_source(answer, wrong)
    notebook.run_cells(answer, check)
    assert notebook.outcome(check) == "Incorrect", notebook.output_text(check)

    notebook.set_source(answer, right)
    notebook.run_cells(answer, check)
    assert notebook.outcome(check) == "Correct", notebook.output_text(check)
    notebook.cell(check).screenshot(
        path=screenshots_dir / f"exercise-{name.removesuffix('.ipynb')}.png")
