"""An exercise notebook's set of questions, and the ``setup()`` call that opens it.

An exercise module (one per notebook) ends with::

    exercise = Exercise("01_linear_unit", [q1, q2, q3])

and the notebook's first code cell runs ``exercise.setup()``. That declares the questions in the
notebook's output and in the progress file (so ``dlcourse progress`` knows the total). While
``dlcourse grade`` runs a notebook, the module is replaced by a stub (``kernel.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from . import display, progress
from .outcome import questions_record
from .question import Question


class Exercise:
    """The questions of one exercise notebook, reachable as attributes (``exercise.q1``)."""

    def __init__(self, name: str, questions: Sequence[Question]):
        ids = [q.id for q in questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"exercise {name}: question ids repeat: {ids}")
        self.name = name
        self.questions = {q.id: q for q in questions}
        for q in questions:
            q.exercise = name

    def __getattr__(self, name: str) -> Question:
        questions = self.__dict__.get("questions", {})
        if name in questions:
            return questions[name]
        raise AttributeError(f"exercise {self.__dict__.get('name')} has no question {name!r}")

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions.values())

    def __repr__(self) -> str:
        return f"<exercise {self.name}: {', '.join(self.questions)}>"

    @property
    def max_points(self) -> int:
        return sum(q.points for q in self)

    def setup(self) -> None:
        """Declare the questions (notebook output and progress file) and reset hint counters."""
        for q in self:
            q.hints_shown = 0
        declared = [(q.id, q.points) for q in self]
        text = (f"Exercise {self.name}: checks ready for {', '.join(self.questions)} "
                f"({self.max_points} {display.plural(self.max_points, 'point')}).")
        display.show(text, display.box("hint", display.inline_code(text)),
                     questions_record(self.name, declared))
        progress.record_questions(self.name, declared)
