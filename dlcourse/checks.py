"""Argument checks shared across the library: a clear error that says what was expected and what
came, instead of a numpy traceback later on."""

from __future__ import annotations

import math

import numpy as np


def positive_int(value, what: str, minimum: int = 1) -> int:
    """``value`` as an int, if it is a whole number of at least ``minimum`` (booleans are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        expected = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{what} must be {expected}, got {value!r}")
    return int(value)


def positive_number(value, what: str) -> float:
    """``value`` as a float, if it is a finite number above zero (a learning rate, say)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{what} must be a positive number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive, finite number, got {value}")
    return float(value)
