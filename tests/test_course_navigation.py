"""The course is walkable: the home lists every lesson with its exercise, and every exercise links
back to its lesson and on to the next one. Links are relative, so they work wherever the course is
opened (JupyterLab, Notebook 7, VS Code); every one must point at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "START_HERE.ipynb"
LESSONS = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb"))
EXERCISES = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
LINK = re.compile(r"\]\(([^)\s]+\.ipynb)\)")


def links(cell) -> list[str]:
    return LINK.findall(cell.source) if cell.cell_type == "markdown" else []


def all_links(path: Path) -> list[str]:
    return [link for cell in nbformat.read(path, as_version=4).cells for link in links(cell)]


def test_the_home_lists_every_lesson_in_order_each_with_its_exercise():
    found = all_links(HOME)
    lessons = [link for link in found if link.startswith("lessons/")]
    exercises = [link for link in found if link.startswith("exercises/")]
    assert list(dict.fromkeys(lessons))[: len(LESSONS)] == [f"lessons/{n}" for n in LESSONS]
    assert list(dict.fromkeys(exercises)) == [f"exercises/{n}" for n in EXERCISES]
    assert EXERCISES == LESSONS[1:]  # lesson 00 is a tour without an exercise, and the home says so
    text = "\n".join(c.source for c in nbformat.read(HOME, as_version=4).cells)
    assert "no exercise" in text and "progress" in text


@pytest.mark.parametrize("notebook", [HOME] + [ROOT / d / n for d in ("solutions", "exercises")
                                               for n in EXERCISES],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_link_points_at_a_notebook_that_exists(notebook):
    for link in all_links(notebook):
        assert not link.startswith(("/", "http")), f"{link} is not a relative link"
        assert (notebook.parent / link).resolve().is_file(), f"{notebook.name}: {link} is missing"


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_each_exercise_starts_at_its_lesson_and_ends_with_the_way_on(folder, name):
    cells = nbformat.read(ROOT / folder / name, as_version=4).cells
    lesson = f"../lessons/{name}"
    assert links(cells[0])[0] == lesson, "the first link goes back to the lesson"
    last = links(cells[-1])
    assert lesson in last and "../START_HERE.ipynb" in last
    following = LESSONS.index(name) + 1
    if following < len(LESSONS):
        assert f"../lessons/{LESSONS[following]}" in last, "the last cell leads to the next lesson"


# -- what every exercise asks ---------------------------------------------------------------------
# Value questions whose number the learner can only get by building an experiment or deriving it.
DERIVED_VALUES = {"08_learning_rate": {"q2", "q3"}}


def test_every_exercise_asks_for_thinking():
    """4-6 questions, at most one multiple choice, and at least two that make the learner build
    or derive something (a function, a class, a construction, or a derived value)."""
    import importlib

    from dlcourse.grading import ChoiceQuestion, FunctionQuestion, ProbeQuestion, Question

    for name in EXERCISES:
        module = importlib.import_module(f"dlcourse.course.ex{name[:-6]}")
        questions = list(module.exercise)
        assert 4 <= len(questions) <= 6, name
        assert sum(isinstance(q, ChoiceQuestion) for q in questions) <= 1, name
        built = [q for q in questions if isinstance(q, (FunctionQuestion, ProbeQuestion))
                 or type(q) is Question  # a checker over a construction (ex04's shapes)
                 or q.id in DERIVED_VALUES.get(module.exercise.name, ())]
        assert len(built) >= 2, name
