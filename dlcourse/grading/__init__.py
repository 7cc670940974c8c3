"""Graded exercises: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

An exercise module defines its questions and an ``Exercise``; a notebook imports them::

    from dlcourse.course.ex01_linear_unit import exercise, q1, q2
    exercise.setup()
    q1.check(linear)      # correct / incorrect (with why) / not attempted / error / timeout

See ``question.py`` for the question kinds and how each is split into ``inputs`` / ``observe`` /
``verdict`` (so that ``dlcourse grade`` can run the learner's half apart from the judge's),
``plain.py`` for the data that crosses between them, ``mistakes.py`` for advice on known wrong
answers, ``outcome.py`` for the outcomes and the record shown in a notebook.
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
from .observe import case_results, each_case, is_placeholder, require_function
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
from .question import ChoiceQuestion, FunctionQuestion, ProbeQuestion, Question, ValueQuestion
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
    "ProbeQuestion",
    "Question",
    "ValueQuestion",
    "advising",
    "call_learner",
    "case_results",
    "close_to",
    "compare",
    "describe_type",
    "each_case",
    "fmt",
    "is_negated",
    "is_not_finite",
    "is_placeholder",
    "is_whole_multiple",
    "matches",
    "ratio",
    "require_function",
    "times",
    "unwrap",
]
