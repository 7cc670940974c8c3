"""A learner's exercise notebook with chosen answers: right (the solution's), wrong, or none.

Answer cells are those of ``solutions/`` with a ``### BEGIN SOLUTION`` block; each belongs to the
question checked by the next ``qN.check(...)`` cell. A right answer keeps the block's code, a wrong
one replaces it with the code in ``WRONG``, and an unanswered question keeps the exercise's stub.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from .hub import REPO

EXERCISE = "01_linear_unit.ipynb"
CHECKER = "dlcourse.course.ex01_linear_unit"
# A plausible mistake per question of exercise 01 (each one a different kind of error).
WRONG = {
    "q1": "return w * x",                                   # forgot the bias
    "q2": "y = 0.5 * x + 2.0",                              # sign of the weight
    "q3": "line = [1.0, 3.0]",                              # weight and bias swapped
    "q4": "return np.mean(np.abs(y - (w * x + b)))",        # absolute instead of squared error
    "q5": 'bias_role = "w"',                                 # the wrong parameter
}
RIGHT, WRONG_ANSWER, NONE = "right", "wrong", "none"
CHECK = re.compile(r"\b(q\d+)\.check\(")
BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?", re.S | re.M)


def answer_cells(name: str = EXERCISE) -> dict[str, str]:
    """``{question id: id of its answer cell}`` for the exercise ``name``."""
    solution = nbformat.read(REPO / "solutions" / name, as_version=4)
    cells, pending = {}, []
    for cell in solution.cells:
        if cell.cell_type != "code":
            continue
        if "### BEGIN SOLUTION" in cell.source:
            pending.append(cell.id)
        match = CHECK.search(cell.source)
        if match and pending:
            cells[match.group(1)] = pending[-1]
            pending = []
    return cells


def points() -> dict[str, int]:
    """Each question's points, from the course's own checker."""
    import importlib

    exercise = importlib.import_module(CHECKER).exercise
    return {q.id: q.points for q in exercise}


def answered(exercise_nb, answers: dict[str, str], name: str = EXERCISE):
    """``exercise_nb`` (the learner's copy) with ``answers[qid]`` in RIGHT / WRONG_ANSWER / NONE."""
    solution = {c.id: c.source for c in nbformat.read(Path(REPO / "solutions" / name),
                                                       as_version=4).cells}
    where = answer_cells(name)
    unknown = set(answers) - set(where)
    if unknown:
        raise ValueError(f"{name} has no questions {sorted(unknown)}; it has {sorted(where)}")
    nb = nbformat.from_dict(exercise_nb)
    by_id = {cell.id: cell for cell in nb.cells}
    for qid, kind in answers.items():
        source = solution[where[qid]]
        if kind == RIGHT:
            by_id[where[qid]].source = BLOCK.sub(lambda m: _body(m), source)
        elif kind == WRONG_ANSWER:
            if qid not in WRONG:
                raise ValueError(f"no wrong answer written for {qid} of {name}: add one to WRONG")
            by_id[where[qid]].source = BLOCK.sub(
                lambda m, q=qid: f"{m.group(1)}{WRONG[q]}\n", source)
    return nb


def _body(match: re.Match) -> str:
    lines = match.group(0).splitlines(keepends=True)
    return "".join(lines[1:-1])
