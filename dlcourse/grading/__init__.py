"""Graded exercises: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

An exercise module defines its questions and an ``Exercise``; a notebook imports them::

    from dlcourse.course.ex01_linear_unit import exercise, q1, q2
    exercise.setup()
    q1.check(linear)      # correct / incorrect (with why) / not attempted / error / timeout

See ``question.py`` for the question kinds, ``mistakes.py`` for advice on known wrong answers,
``outcome.py`` for the record ``dlcourse grade`` reads, ``make_exercises.py`` for how exercise
notebooks are generated from solutions.
"""

from .compare import compare, describe_type, fmt, unwrap
from .exercise import Exercise
from .mistakes import (
    advising,
    close_to,
    is_negated,
    is_not_finite,
    is_whole_multiple,
    matches,
    ratio,
    times,
)
from .outcome import (
    CORRECT,
    ERROR,
    INCORRECT,
    MIME_TYPE,
    NOT_ATTEMPTED,
    OUTCOMES,
    TIMEOUT,
    Incorrect,
    NotAttempted,
    Outcome,
)
from .question import ChoiceQuestion, FunctionQuestion, Question, ValueQuestion, is_placeholder
from .sandbox import DEFAULT_TIMEOUT, LearnerError, LearnerTimeout, call_learner

__all__ = [
    "CORRECT",
    "DEFAULT_TIMEOUT",
    "ERROR",
    "INCORRECT",
    "MIME_TYPE",
    "NOT_ATTEMPTED",
    "OUTCOMES",
    "TIMEOUT",
    "ChoiceQuestion",
    "Exercise",
    "FunctionQuestion",
    "Incorrect",
    "LearnerError",
    "LearnerTimeout",
    "NotAttempted",
    "Outcome",
    "Question",
    "ValueQuestion",
    "advising",
    "call_learner",
    "close_to",
    "compare",
    "describe_type",
    "fmt",
    "is_negated",
    "is_not_finite",
    "is_placeholder",
    "is_whole_multiple",
    "matches",
    "ratio",
    "times",
    "unwrap",
]
