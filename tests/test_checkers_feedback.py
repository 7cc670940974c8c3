"""Feedback a beginner can act on: the mistakes the course sees most get a message that says what
to change, not only that something differs."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.course import ex03_layers as ex03
from dlcourse.course import ex04_activation_functions as ex04
from dlcourse.course import ex10_full_training_loop as ex10
from dlcourse.grading import (
    CORRECT,
    ERROR,
    INCORRECT,
    FunctionQuestion,
    Incorrect,
    LearnerError,
    ValueQuestion,
    compare,
)
from dlcourse.grading.mistakes import on_error


def message(question, answer, status=INCORRECT) -> str:
    outcome = question.evaluate(answer)
    assert outcome.status == status, (outcome.status, outcome.message)
    return outcome.message


# -- types: a list is not an array, a Tensor is not a number ---------------------------------------
def test_a_list_where_an_array_is_expected_is_refused_with_how_to_convert():
    with pytest.raises(Incorrect, match=r"expected a numpy array of shape \(2,\), but got a list"):
        compare(np.array([1.0, 2.0]), [1.0, 2.0])
    with pytest.raises(Incorrect, match=r"np\.array\("):
        compare(np.array([1.0, 2.0]), (1.0, 2.0))
    q = FunctionQuestion("t", lambda x: 2 * x, lambda rng: (rng.normal(size=3),))
    assert "got a list" in message(q, lambda x: [2 * v for v in x])
    assert q.evaluate(lambda x: 2 * x).status == CORRECT


def test_a_list_is_fine_where_the_question_asks_for_a_list():
    compare([3.0, 1.0], [3.0, 1.0])
    compare([3.0, 1.0], (3, 1))
    compare([3.0, 1.0], np.array([3.0, 1.0]))


def test_a_tensor_where_a_number_is_expected_is_refused_with_item():
    with pytest.raises(Incorrect) as info:
        compare(2.0, dl.Tensor(2.0))
    assert "got a Tensor" in str(info.value) and ".item()" in str(info.value)
    q = ValueQuestion("t", 0.5)
    assert ".item()" in message(q, dl.mse(np.array([1.0]), np.array([1.0 + 0.5 ** 0.5])))
    assert q.evaluate(0.5).status == CORRECT


def test_a_tensor_is_fine_where_an_array_is_expected():
    compare(np.array([1.0, 2.0]), dl.Tensor([1.0, 2.0]))


# -- advice on errors ------------------------------------------------------------------------------
def test_on_error_adds_advice_to_a_matching_learner_error_only():
    q = on_error(FunctionQuestion("t", lambda x: x + 1, lambda rng: (rng.normal(size=2),)),
                 (r"KeyError", "Look the name up with .get()."))
    assert message(q, lambda x: {}["a"], ERROR).endswith("Look the name up with .get().")
    divides_by_zero = lambda x: 1 / 0  # noqa: E731 (its source line shows in the message)
    assert not message(q, divides_by_zero, ERROR).endswith(".get().")
    with pytest.raises(TypeError, match="pair"):
        on_error(FunctionQuestion("u", abs, lambda rng: (1.0,)), ("only a pattern",))
    assert issubclass(LearnerError, Exception)


def test_ex03_transposed_weights_are_named():
    text = message(ex03.q1, lambda x, W, b: x @ W.T + b)
    assert "W.T" in text and "transposed" in text


def test_ex04_np_max_gets_a_hint_about_np_maximum_and_only_the_learners_lines():
    text = message(ex04.q1, lambda z: np.max(0, z), ERROR)
    assert "np.maximum(0, z)" in text
    assert "_wrapreduction" not in text and "in <lambda>" in text
    assert "np.maximum(0, z)" in message(ex04.q1, lambda z: max(0, z), ERROR)


def test_ex10_argmax_over_the_wrong_axis_says_which_axis():
    text = message(ex10.q1, lambda y, p: np.mean(np.argmax(p, axis=0) == y), ERROR)
    assert "axis=1" in text and "per *row*" in text
