"""Recognising known wrong answers, so that a check can say which mistake was made.

A *rule* is a pair ``(predicate, advice)``: ``predicate(expected, got)`` is true when the wrong
answer ``got`` looks like one particular mistake, and ``advice`` tells the learner how to fix it.
``advising(*rules)`` turns rules into a compare function for a question::

    q = ValueQuestion("q1", 2.5, compare=advising(
        (is_negated, "Check the sign."),
        (close_to(5.0), "You forgot to halve it."),
    ))

For a checker written by hand, ``matches(wrong, got)`` says whether the learner gave exactly a
known wrong answer. The predicates below describe mistakes met in several exercises: a sign
flipped, a sum where a mean was meant, a factor forgotten, a log of 0. ``on_error`` does the same
for errors the learner's code raises (``np.max(0, z)``, a broadcast of the wrong axis, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from .compare import compare, unwrap
from .outcome import Incorrect
from .sandbox import LearnerError

Predicate = Callable[[object, object], object]  # (expected, got) -> truthy when the mistake fits

_ZERO = 1e-12  # an expected entry this small carries no factor
_TOLERANCE = 1e-6  # relative: how exactly a factor must hold
_ROUNDNESS = 1e-4  # how close to a whole number a factor computed from rounded inputs may be


def matches(wrong, got) -> bool:
    """True when ``got`` is the known wrong answer ``wrong``: ``compare`` finds no difference."""
    try:
        compare(wrong, got)
    except Incorrect:
        return False
    return True


def advising(*rules: tuple[Predicate, str], base: Callable = compare) -> Callable:
    """A compare function: ``base(expected, got)``, with advice added when a mistake fits.

    When ``base`` raises ``Incorrect``, the advice of the first rule whose predicate holds goes on
    a new line after its message. A predicate that raises on an answer it cannot read (a string,
    a ragged list, ...) simply does not apply.
    """
    if not callable(base):
        raise TypeError(f"advising: base must be a compare function, but got {base!r}")
    for rule in rules:
        if not (isinstance(rule, tuple) and len(rule) == 2 and callable(rule[0])
                and isinstance(rule[1], str)):
            raise TypeError(f"advising: each rule must be a pair (predicate, advice text), "
                            f"but got {rule!r}")

    def check(expected, got):
        try:
            base(expected, got)
        except Incorrect as exc:
            advice = next((text for fits, text in rules if _applies(fits, expected, got)), "")
            raise Incorrect(f"{exc}\n{advice}".rstrip()) from None

    return check


def _applies(predicate: Predicate, expected, got) -> bool:
    try:
        return bool(predicate(expected, got))
    except Exception:  # learners' answers can be anything; an unreadable one fits no mistake
        return False


# -- predicates on the factor between an answer and the expected one -----------------------------
def ratio(expected, got) -> float | None:
    """The constant factor ``r`` with ``got == r * expected``, entry by entry, or None.

    Both are read as numbers of the same shape: arrays, Tensors and numbers as they are, a tuple or
    list of them (such as ``grad_w, grad_b``) part by part. None when the shapes differ, an
    answer is not numeric or not finite, or the entries do not share one factor. Entries where
    ``expected`` is 0 say nothing about the factor and are skipped.
    """
    numbers = _numbers_side_by_side(expected, got)
    if numbers is None:
        return None
    e, g = numbers
    keep = np.abs(e) > _ZERO
    if not keep.any() or not np.all(np.isfinite(g)):
        return None
    ratios = g[keep] / e[keep]
    return float(ratios[0]) if np.allclose(ratios, ratios[0], rtol=_TOLERANCE) else None


def _numbers_side_by_side(expected, got) -> tuple[np.ndarray, np.ndarray] | None:
    """The numbers of ``expected`` and ``got`` as flat float arrays; None if shapes differ."""
    if (isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list))
            and len(expected) == len(got)):
        parts = [_numbers_side_by_side(e, g) for e, g in zip(expected, got, strict=True)]
        if any(part is None for part in parts):
            return None
        if not parts:
            return np.zeros(0), np.zeros(0)
        return np.concatenate([e for e, _ in parts]), np.concatenate([g for _, g in parts])
    try:
        e = np.asarray(unwrap(expected), dtype=float)
        g = np.asarray(unwrap(got), dtype=float)
    except (TypeError, ValueError):
        return None
    return (e.ravel(), g.ravel()) if e.shape == g.shape else None


def times(factor: float) -> Predicate:
    """A predicate: ``got`` is ``factor`` times ``expected`` (e.g. ``times(0.5)``: half of it)."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.number)):
        raise TypeError(f"times: factor must be a number, but got {factor!r}")

    def fits(expected, got) -> bool:
        r = ratio(expected, got)
        return r is not None and bool(np.isclose(r, factor, rtol=_TOLERANCE))

    fits.__name__ = f"times({factor})"
    return fits


def is_negated(expected, got) -> bool:
    """``got`` is ``-expected``: the sign is wrong and nothing else."""
    return times(-1.0)(expected, got)


def is_whole_multiple(expected, got, smallest: int = 2) -> bool:
    """``got`` is 2, 3, ... times ``expected``: typically a sum taken where a mean was meant.

    ``smallest`` raises the least multiple that counts, for questions where a factor of 2 means
    another mistake.
    """
    r = ratio(expected, got)
    # Compare the rounded factor with ``smallest``: a float ratio of 1.9999999 is a factor of 2.
    return r is not None and round(r) >= smallest and abs(r - round(r)) < _ROUNDNESS


# -- predicates on the answer alone ---------------------------------------------------------------
def close_to(value: float) -> Predicate:
    """A predicate: ``got`` is one number, close to ``value`` (a known wrong result)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"close_to: value must be a number, but got {value!r}")

    def fits(expected, got) -> bool:
        try:
            return bool(np.isclose(float(unwrap(got)), value))
        except (TypeError, ValueError):
            return False

    fits.__name__ = f"close_to({value})"
    return fits


def is_not_finite(expected, got) -> bool:
    """``got`` holds an inf or a nan: typically the log of 0, or an overflow."""
    try:
        g = np.asarray(unwrap(got))
    except (TypeError, ValueError):
        return False
    return g.dtype.kind in "biuf" and not np.all(np.isfinite(g))


# -- advice on errors the learner's code raised ---------------------------------------------------
def on_error(question, *rules: tuple[str, str]):
    """Give ``question`` advice for learner errors: ``(pattern, advice)`` pairs, first match wins.

    ``pattern`` is a regular expression searched in the first line of the error message
    (exception name and text); the advice goes on a new line after the message. It is added on
    the judge's side, in ``verdict``, where a learner error recorded in another process is raised
    again, so graded notebooks get the same advice as ``check``. Returns the question::

        q1 = on_error(FunctionQuestion(...), (r"scalar index", "Use np.maximum, not np.max."))
    """
    for rule in rules:
        if not (isinstance(rule, tuple) and len(rule) == 2
                and all(isinstance(part, str) for part in rule)):
            raise TypeError(f"on_error: each rule must be a pair (pattern, advice text), "
                            f"but got {rule!r}")
    compiled = [(re.compile(pattern), advice) for pattern, advice in rules]
    verdict = question.verdict

    def advised(inputs, observed):
        try:
            return verdict(inputs, observed)
        except LearnerError as exc:
            first_line = exc.message.split("\n", 1)[0]
            advice = next((text for pattern, text in compiled if pattern.search(first_line)), "")
            if not advice:
                raise
            raise LearnerError(f"{exc.message}\n{advice}") from None

    question.verdict = advised
    return question


# -- advice that needs the inputs: known wrong answers computed from them -------------------------
def known_mistakes(question, mistakes: Callable[[dict], list]):
    """Name known wrong answers of a ``FunctionQuestion``, computed from each case's inputs.

    ``mistakes(args)`` returns ``[(wrong_result, advice), ...]`` for one set of arguments (as
    the dict the question names them in); when the learner's result fails the comparison and
    ``matches`` one of them, its advice goes after the message. Returns the question.
    """
    compare_one = question._compare_one

    def advised(expected, got, args, after):
        try:
            compare_one(expected, got, args, after)
        except Incorrect as exc:
            try:
                candidates = mistakes(args)
            except Exception:  # an input the mistakes cannot be computed for: no advice
                candidates = []
            advice = next((text for wrong, text in candidates if matches(wrong, got)), "")
            if not advice or advice in str(exc):
                raise
            raise Incorrect(f"{exc}\n{advice}") from None

    question._compare_one = advised
    return question
