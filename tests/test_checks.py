"""The shared argument checks: what they accept, and the errors they give."""

import math

import numpy as np
import pytest

from dlcourse.checks import (
    finite_number,
    float_dtype,
    not_a_method,
    number_in_range,
    positive_int,
    positive_number,
)


def test_positive_int_accepts_whole_numbers_at_or_above_the_minimum():
    assert positive_int(3, "n") == 3 and positive_int(np.int64(10), "steps", minimum=10) == 10


@pytest.mark.parametrize("value,minimum,error,message", [
    (0, 1, ValueError, "n must be a positive integer, got 0"),
    (9, 10, ValueError, "n must be an integer of at least 10, got 9"),
    (2.0, 1, TypeError, r"n must be a positive integer \(an int\), got float 2.0"),
    (True, 1, TypeError, r"n must be a positive integer \(an int\), got bool True"),
    ("3", 10, TypeError, r"n must be an integer of at least 10 \(an int\), got str '3'"),
])
def test_positive_int_refuses_the_rest(value, minimum, error, message):
    """The rule: the wrong kind of value is a TypeError, a value out of range a ValueError."""
    with pytest.raises(error, match=message):
        positive_int(value, "n", minimum=minimum)


def test_positive_number():
    assert positive_number(3, "rate") == 3.0 and positive_number(np.float32(0.5), "rate") == 0.5
    with pytest.raises(TypeError, match="rate must be a positive number, got '1'"):
        positive_number("1", "rate")
    for bad in (0, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="rate must be a positive, finite number"):
            positive_number(bad, "rate")


def test_finite_number_follows_the_rule():
    assert finite_number(2, "noise", minimum=0) == 2.0
    with pytest.raises(TypeError, match="noise must be a non-negative number, got '1'"):
        finite_number("1", "noise", minimum=0)
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="noise must be a non-negative number"):
            finite_number(bad, "noise", minimum=0)


def test_number_in_range_names_the_interval():
    assert number_in_range(0, "momentum", 0, 1, include_high=False) == 0.0
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1"):
        number_in_range(1, "momentum", 0, 1, include_high=False)
    with pytest.raises(ValueError, match=r"factor must be in \(1, inf\], got 1"):
        number_in_range(1, "factor", 1, math.inf, include_low=False)
    with pytest.raises(TypeError, match="momentum must be a number, got True"):
        number_in_range(True, "momentum", 0, 1)


def test_float_dtype():
    assert float_dtype("float32", "dtype") == np.float32
    for bad in ("int32", bool):
        with pytest.raises(TypeError, match="dtype must be a floating dtype"):
            float_dtype(bad, "dtype")
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        float_dtype("nonsense", "dtype")


def test_not_a_method_catches_the_method_passed_without_brackets():
    class Model:
        def parameters(self):
            return []

    with pytest.raises(TypeError, match=r"got the method .*parameters itself, not its result"):
        not_a_method(Model().parameters, "SGD", "call it")
    not_a_method(Model().parameters(), "SGD", "call it")
