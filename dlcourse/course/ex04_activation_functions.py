"""Checks for exercise 04, activation functions: ReLU, and why layers without one collapse."""

from __future__ import annotations

import numpy as np

from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ValueQuestion,
    compare,
    describe_type,
    fmt,
    matches,
)
from dlcourse.grading.mistakes import on_error


# -- q1: the rectifier ----------------------------------------------------------------------------
def _relu(z):
    return np.maximum(0.0, z)


def _relu_cases(rng):
    shape = tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(1, 3))))
    return {"z": rng.uniform(-3, 3, size=shape).round(1)}


q1 = on_error(FunctionQuestion(
    "q1", _relu, _relu_cases,
    examples=[{"z": np.array([-2.0, -0.5, 0.0, 0.5, 2.0])}],
    points=2,
    hints=["Negative numbers become 0; zero and positive numbers stay as they are.",
           "`np.maximum(0, z)` compares element by element. (Python's `max` and `np.max` do "
           "something else: they look for the largest value.)"],
    solution="def relu(z):\n    return np.maximum(0, z)",
), (r"scalar index|AxisError|axis",
    "Did you write `np.max(0, z)`? `np.max` looks for the largest value *inside* one array (its "
    "second argument is an axis). To compare 0 with every entry of z, use `np.maximum(0, z)`."),
   (r"truth value of an array",
    "Python's `max(0, z)` and `if z > 0` work on one number at a time; z is an array. Use "
    "`np.maximum(0, z)`, which compares element by element."))

# -- q2: two layers collapse into one -------------------------------------------------------------


def _collapse(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2 + b2


def _collapse_cases(rng):
    n_in, n_hidden, n_out = (int(n) for n in rng.integers(2, 5, size=3))
    return {"W1": rng.normal(0, 1, size=(n_in, n_hidden)).round(1),
            "b1": rng.uniform(-2, 2, size=n_hidden).round(1),
            "W2": rng.normal(0, 1, size=(n_hidden, n_out)).round(1),
            "b2": rng.uniform(-2, 2, size=n_out).round(1)}


def _compare_pair(expected, got):
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Incorrect(f"expected a pair `W, b`, but got {describe_type(got)}: {fmt(got)}")
    compare(expected[0], got[0], what="W")
    compare(expected[1], got[1], what="b")


q2 = FunctionQuestion(
    "q2", _collapse, _collapse_cases,
    # Square matrices first, so that multiplying in the wrong order gives wrong numbers.
    examples=[{"W1": np.array([[1.0, 2.0], [0.0, 1.0]]), "b1": np.array([1.0, -1.0]),
               "W2": np.array([[2.0, 0.0], [1.0, 3.0]]), "b2": np.array([0.5, 0.5])}],
    compare=_compare_pair,
    points=2,
    hints=["Expand (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2).",
           "Order matters for matrix products: W1 comes first because x meets W1 first.",
           "b1 passes through the second layer too, so it is multiplied by W2 before b2 is "
           "added. Return both: `return W, b`."],
    solution="def collapse(W1, b1, W2, b2):\n    return W1 @ W2, b1 @ W2 + b2",
)

# -- q3: a rectified linear unit on given inputs --------------------------------------------------
Q3_X = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
Q3_W, Q3_B = -2.0, 1.0


def _compare_q3(expected, got):
    if matches(Q3_W * Q3_X + Q3_B, got):
        raise Incorrect("These are the outputs of the linear part, w * x + b. The unit then "
                        "applies the rectifier to them.")
    if matches(Q3_W * np.maximum(0, Q3_X) + Q3_B, got):
        raise Incorrect("The rectifier goes on the unit's output, max(0, w * x + b), not on "
                        "the input x.")
    if matches(np.minimum(0, Q3_W * Q3_X + Q3_B), got):
        raise Incorrect("You kept the negative outputs and zeroed the positive ones: that is "
                        "min, the rectifier is max(0, ...).")
    compare(expected, got)


q3 = ValueQuestion(
    "q3", np.maximum(0, Q3_W * Q3_X + Q3_B), compare=_compare_q3,
    hints=["First w * x + b for every x, then replace the negative results by 0."],
    solution="y = relu(-2.0 * x + 1.0)   # [3., 1., 0., 0., 0.]",
)

# -- q4: where the unit bends ---------------------------------------------------------------------


def _compare_q4(expected, got):
    if matches(-expected, got):
        raise Incorrect("Check the sign: at the bend w * x + b = 0, so x = -b / w.")
    if matches(-Q3_W / Q3_B, got) or matches(Q3_W / Q3_B, got):
        raise Incorrect("That fraction is upside down: from w * x + b = 0, x = -b / w.")
    compare(expected, got)


q4 = ValueQuestion(
    "q4", -Q3_B / Q3_W, compare=_compare_q4,
    hints=["The output of max(0, w * x + b) bends where w * x + b changes sign.",
           "Solve w * x + b = 0 for x."],
    solution="bend = -1.0 / -2.0   # x = -b / w = 0.5",
)

# -- q5: which activation stops the collapse ------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "f(z) = 3 z", "b": "f(z) = z + 1", "c": "f(z) = max(0, z)", "d": "f(z) = -z"},
    answer="c",
    explanations={
        "a": "3 z is linear: multiplying by 3 can be folded into the next layer's weights, so "
             "the two layers still collapse into one.",
        "b": "z + 1 only shifts: the 1 is absorbed into the next layer's bias, and the layers "
             "still collapse into one.",
        "c": "Right: max(0, z) bends at 0, and no single dense layer can reproduce that bend, "
             "so the layers no longer collapse.",
        "d": "-z is linear (a weight of -1): it folds into the next layer's weights.",
    },
    hints=["Three of these have a straight-line graph. Which one does not?"],
)

exercise = Exercise("04_activation_functions", [q1, q2, q3, q4, q5])
