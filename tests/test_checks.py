"""The shared argument checks: what they accept, and the errors they give."""

import numpy as np
import pytest

from dlcourse.checks import positive_int, positive_number


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
