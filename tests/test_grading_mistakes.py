"""Recognising known wrong answers: matches, advising, and the shared predicates."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.grading import (
    Incorrect,
    advising,
    close_to,
    compare,
    is_negated,
    is_not_finite,
    is_whole_multiple,
    matches,
    ratio,
    times,
)


class FakeTensor:
    """Duck-typed stand-in for dlcourse.Tensor: the grading package must not need the library."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=float)


def message_of(check, expected, got) -> str:
    with pytest.raises(Incorrect) as info:
        check(expected, got)
    return str(info.value)


# -- matches --------------------------------------------------------------------------------------
def test_matches_a_known_wrong_answer_in_any_numeric_form():
    assert matches([1.0, 3.0], np.array([1.0, 3.0]))
    assert matches(64, 64)
    assert matches(np.array([2.0, -1.0]), FakeTensor([2.0, -1.0]))


def test_matches_nothing_else():
    assert not matches([1.0, 3.0], [3.0, 1.0])
    assert not matches(64, 65)
    assert not matches(np.zeros(3), np.zeros((3, 1)))
    assert not matches(1.0, "1.0")


# -- advising -------------------------------------------------------------------------------------
def test_advising_is_silent_when_the_answer_is_right():
    check = advising((is_negated, "Check the sign."))
    check(2.5, 2.5)
    check(np.array([1.0, 2.0]), FakeTensor([1.0, 2.0]))


def test_advising_adds_the_advice_of_the_mistake_that_fits():
    check = advising((is_negated, "Check the sign."), (close_to(5.0), "Halve it."))
    plain = message_of(compare, 2.5, -2.5)
    assert message_of(check, 2.5, -2.5) == f"{plain}\nCheck the sign."
    assert message_of(check, 2.5, 5.0).endswith("\nHalve it.")


def test_advising_uses_the_first_rule_that_fits():
    check = advising((close_to(5.0), "first"), (is_whole_multiple, "second"))
    assert message_of(check, 2.5, 5.0).endswith("\nfirst")
    assert message_of(check, 2.5, 7.5).endswith("\nsecond")


def test_advising_keeps_the_plain_message_when_no_mistake_fits():
    check = advising((is_negated, "Check the sign."))
    assert message_of(check, 2.5, 3.0) == message_of(compare, 2.5, 3.0)


def test_a_predicate_that_raises_on_a_strange_answer_simply_does_not_apply():
    def breaks(expected, got):
        raise RuntimeError("cannot read this answer")

    check = advising(
        (breaks, "never shown"),
        (lambda e, g: float(g) > e, "too large"),  # float("a string") raises ValueError
        (lambda e, g: True, "the fallback"),
    )
    assert message_of(check, 2.5, "a string").endswith("\nthe fallback")
    assert "never shown" not in message_of(check, 2.5, 3.0)
    assert message_of(check, 2.5, 3.0).endswith("\ntoo large")


def test_advising_wraps_another_compare_function():
    def loose(expected, got):
        compare(expected, got, rtol=1e-2)

    check = advising((is_negated, "Check the sign."), base=loose)
    check(100.0, 100.5)
    assert message_of(check, 100.0, -100.0).endswith("\nCheck the sign.")


def test_advising_rejects_rules_that_are_not_predicate_advice_pairs():
    with pytest.raises(TypeError, match=r"pair \(predicate, advice text\), but got 'oops'"):
        advising("oops")
    with pytest.raises(TypeError, match="but got \\(<function"):
        advising((is_negated, 3))
    with pytest.raises(TypeError, match="base must be a compare function, but got 1"):
        advising((is_negated, "sign"), base=1)


# -- ratio and the predicates built on it ---------------------------------------------------------
def test_ratio_finds_the_constant_factor_entry_by_entry():
    assert ratio(2.0, 6.0) == pytest.approx(3.0)
    assert ratio(np.array([1.0, -2.0]), FakeTensor([-0.5, 1.0])) == pytest.approx(-0.5)
    assert ratio([1.0, 2.0], [4.0, 8.0]) == pytest.approx(4.0)


def test_ratio_reads_a_tuple_of_differently_shaped_parts():
    expected = (np.array([1.0, 2.0]), 3.0)
    assert ratio(expected, (np.array([-1.0, -2.0]), -3.0)) == pytest.approx(-1.0)
    assert ratio(expected, [FakeTensor([2.0, 4.0]), FakeTensor(6.0)]) == pytest.approx(2.0)


def test_ratio_skips_entries_where_the_expected_value_is_zero():
    assert ratio(np.array([0.0, 2.0]), np.array([0.0, 4.0])) == pytest.approx(2.0)
    assert ratio(np.array([0.0, 0.0]), np.array([1.0, 1.0])) is None


@pytest.mark.parametrize("got", [
    np.array([2.0, 5.0]),             # no single factor
    np.array([[2.0], [4.0]]),         # another shape
    [2.0],                            # another length
    np.array([np.inf, 4.0]),          # not finite
    np.array([np.nan, 4.0]),
    "2, 4",                           # not numbers
    None,
    {"a": 1},
    (np.array([2.0]), 4.0),           # a tuple where an array was expected
])
def test_ratio_is_none_when_there_is_no_factor(got):
    assert ratio(np.array([1.0, 2.0]), got) is None


def test_ratio_of_a_number_against_a_one_entry_array_is_none():
    assert ratio(2.0, np.array([4.0])) is None
    assert ratio(2.0, [4.0]) is None


def test_times_recognises_one_factor_only():
    half = times(0.5)
    assert half(np.array([2.0, 4.0]), np.array([1.0, 2.0]))
    assert not half(np.array([2.0, 4.0]), np.array([4.0, 8.0]))
    assert not half(np.array([2.0, 4.0]), "1, 2")
    with pytest.raises(TypeError, match="factor must be a number, but got '2'"):
        times("2")


def test_is_negated():
    assert is_negated(np.array([1.0, -2.0]), np.array([-1.0, 2.0]))
    assert is_negated(0.7, FakeTensor(-0.7))
    assert not is_negated(np.array([1.0, -2.0]), np.array([1.0, -2.0]))
    assert not is_negated(np.array([1.0, -2.0]), np.array([-1.0, -2.0]))
    assert not is_negated(1.0, None)


def test_is_whole_multiple_sees_a_sum_where_a_mean_was_meant():
    values = np.array([0.3, 1.7, 2.2])
    mean = values.mean()
    assert is_whole_multiple(mean, values.sum())
    assert is_whole_multiple(0.1, 0.3)  # 0.3 / 0.1 is not exactly 3 in floating point
    assert not is_whole_multiple(mean, 2.5 * mean)
    assert not is_whole_multiple(mean, mean)
    assert not is_whole_multiple(mean, -3 * mean)


def test_is_whole_multiple_can_start_higher():
    assert is_whole_multiple(1.5, 3.0)
    assert not is_whole_multiple(1.5, 3.0, smallest=3)
    assert is_whole_multiple(1.5, 4.5, smallest=3)


# -- predicates on the answer alone ---------------------------------------------------------------
def test_close_to_a_known_wrong_number():
    twelve = close_to(12.0)
    assert twelve(24.0, 12.0)
    assert twelve(24.0, FakeTensor(12.000000001))
    assert not twelve(24.0, 12.1)
    assert not twelve(24.0, "twelve")
    assert not twelve(24.0, np.array([12.0, 12.0]))
    with pytest.raises(TypeError, match="value must be a number, but got None"):
        close_to(None)


def test_is_not_finite():
    assert is_not_finite(0.5, np.inf)
    assert is_not_finite(0.5, FakeTensor([0.1, np.nan]))
    assert not is_not_finite(0.5, 0.7)
    assert not is_not_finite(0.5, "inf?")
    assert not is_not_finite(0.5, None)
