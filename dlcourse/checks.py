"""Argument checks shared across the library: a clear error that says what was expected and what
came, instead of a numpy traceback later on.

One rule decides the exception: a value of the wrong kind (a string or a float where a whole
number is wanted, a bool where a number is wanted, a method where its result is wanted) raises
``TypeError``; a value of the right kind outside what is allowed (0 layers, a negative learning
rate, an index past the end) raises ``ValueError``.
"""

from __future__ import annotations

import math

import numpy as np


def whole_number(value, what: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int, if it is a whole number (not a bool, not 2.0) within the bounds."""
    if maximum is not None:
        expected = (f"an integer of at most {maximum}" if minimum is None
                    else f"an integer in {minimum}..{maximum}")
    elif minimum is not None:
        expected = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
    else:
        expected = "a whole number"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be {expected} (an int), got {type(value).__name__} "
                        f"{value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{what} must be {expected}, got {value!r}")
    return int(value)


def positive_int(value, what: str, minimum: int = 1) -> int:
    """``value`` as an int, if it is a whole number of at least ``minimum``."""
    return whole_number(value, what, minimum=minimum)


def real_number(value, what: str) -> float:
    """``value`` as a float, if it is a real number (an int or a float, not a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a number, got {value!r}")
    return float(value)


def positive_number(value, what: str) -> float:
    """``value`` as a float, if it is a finite number above zero (a learning rate, say)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a positive number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive, finite number, got {value}")
    return float(value)


def finite_number(value, what: str, minimum: float | None = None) -> float:
    """``value`` as a float, if it is a finite number (and at least ``minimum``, if given)."""
    expected = ("a finite number" if minimum is None else
                "a non-negative number" if minimum == 0 else f"a number of at least {minimum:g}")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be {expected}, got {value!r}")
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise ValueError(f"{what} must be {expected}, got {value!r}")
    return float(value)


def float_dtype(dtype, what: str) -> np.dtype:
    """``dtype`` as a numpy floating dtype (``"float32"``, ``np.float64``...)."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{what} must be a floating dtype such as 'float32', got {dtype!r}"
        ) from None
    if resolved.kind != "f":
        raise TypeError(f"{what} must be a floating dtype such as 'float32', got {resolved}")
    return resolved


def number_in_range(value, what: str, low: float, high: float, include_low: bool = True,
                    include_high: bool = True) -> float:
    """``value`` as a float, if it is a number between ``low`` and ``high`` (each bound included
    unless told otherwise; use ``math.inf`` for no upper bound)."""
    number = real_number(value, what)
    above = number >= low if include_low else number > low
    below = number <= high if include_high else number < high
    if not (above and below):
        if include_low and include_high:
            raise ValueError(f"{what} must be between {low:g} and {high:g}, got {value!r}")
        interval = f"{'[' if include_low else '('}{low:g}, {high:g}{']' if include_high else ')'}"
        raise ValueError(f"{what} must be in {interval}, got {value!r}")
    return number


def one_of(value, what: str, choices) -> object:
    """``value`` itself, if it is one of ``choices``."""
    choices = tuple(choices)
    if isinstance(value, bool) or value not in choices:
        raise ValueError(f"unknown {what} {value!r}; expected one of "
                         f"{', '.join(map(repr, choices))}")
    return value


def not_a_method(value, what: str, hint: str) -> None:
    """Catch a bound method passed where its result was meant (``model.parameters``)."""
    if callable(value) and hasattr(value, "__self__") and not isinstance(value, type):
        raise TypeError(f"{what} got the method {value.__qualname__} itself, not its result: "
                        f"{hint}")
