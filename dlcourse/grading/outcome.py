"""What a check concludes, and the machine-readable record of it.

A check ends in one of five outcomes. *Not attempted* is kept apart from *incorrect* (as in
Kaggle's learntools) so that an untouched stub is never reported as a mistake.

Every outcome is also written into the cell output as a display_data bundle under the MIME type
``application/vnd.dlcourse.grade+json``, a machine-readable note for tools that look at a
learner's own notebook. ``dlcourse grade`` never reads it: anything in an output can be forged,
so the grader recomputes every outcome apart (``dlcourse/instructor/judge.py``). Two kinds of
record share the MIME type::

    {"kind": "outcome", "version": 1, "exercise": "01_linear_unit", "notebook_question": "q1",
     "outcome": "correct", "points": 1, "max_points": 1, "message": ""}
    {"kind": "questions", "version": 1, "exercise": "01_linear_unit",
     "questions": [{"notebook_question": "q1", "max_points": 1}, ...]}

The second is emitted by ``Exercise.setup()``: the questions a notebook has.
"""

from __future__ import annotations

from dataclasses import dataclass

MIME_TYPE = "application/vnd.dlcourse.grade+json"
RECORD_VERSION = 1

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
ERROR = "error"
TIMEOUT = "timeout"
OUTCOMES = (CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR, TIMEOUT)


class Incorrect(Exception):
    """Raised by a checker: the answer is wrong; the message says how."""


class NotAttempted(Exception):
    """Raised by a checker: the answer is still the placeholder."""


@dataclass(frozen=True)
class Outcome:
    """The result of one check of one question."""

    question: str
    status: str
    message: str = ""
    max_points: int = 1
    exercise: str | None = None

    def __post_init__(self) -> None:
        if self.status not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.status!r}")

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    @property
    def points(self) -> int:
        return self.max_points if self.correct else 0

    def record(self) -> dict:
        """The JSON record stored in the cell output (never read as a grade)."""
        return {
            "kind": "outcome",
            "version": RECORD_VERSION,
            "exercise": self.exercise,
            "notebook_question": self.question,
            "outcome": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "message": self.message,
        }

    def __str__(self) -> str:
        from .display import outcome_text

        return outcome_text(self)

    def _repr_html_(self) -> str:
        from .display import outcome_html

        return outcome_html(self)


def questions_record(exercise: str | None, questions: list[tuple[str, int]]) -> dict:
    """The record declaring which questions a notebook has (emitted by ``Exercise.setup``)."""
    return {
        "kind": "questions",
        "version": RECORD_VERSION,
        "exercise": exercise,
        "questions": [{"notebook_question": q, "max_points": p} for q, p in questions],
    }
