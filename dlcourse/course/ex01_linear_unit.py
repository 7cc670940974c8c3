"""Checks for exercise 01, the linear unit: y = w x + b, and the error of a line."""

from __future__ import annotations

import numpy as np

from dlcourse.course.cases import nonzero
from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ValueQuestion,
    compare,
    matches,
)


# -- q1: the unit as a function -------------------------------------------------------------------
def _linear_unit(x, w, b):
    return w * x + b


def _unit_cases(rng):
    x = rng.uniform(-3, 3, size=int(rng.integers(3, 7))).round(1)
    return {"x": x, "w": nonzero(rng), "b": nonzero(rng)}


q1 = FunctionQuestion(
    "q1", _linear_unit, _unit_cases,
    examples=[{"x": np.array([0.0, 1.0, 2.0]), "w": 2.0, "b": 1.0}],
    points=2,
    hints=["What reaches the unit is the input times its weight; the bias is added on top.",
           "numpy computes `w * x + b` for every element of the array `x` at once: no loop "
           "needed."],
    solution="def linear_unit(x, w, b):\n    return w * x + b",
)

# -- q2: outputs of one unit on given inputs ------------------------------------------------------
Q2_X = np.array([-2.0, 0.0, 2.0, 4.0, 6.0])
Q2_W, Q2_B = -0.5, 2.0


def _compare_q2(expected, got):
    if matches(-Q2_W * Q2_X + Q2_B, got):
        raise Incorrect("Your outputs grow with x, but the weight is negative (w = -0.5): "
                        "each step of x to the right should lower the output.")
    if matches(Q2_W * Q2_X, got):
        raise Incorrect("These are w * x alone: the bias b = 2 is missing.")
    compare(expected, got)


q2 = ValueQuestion(
    "q2", Q2_W * Q2_X + Q2_B, compare=_compare_q2,
    hints=["Use your `linear_unit` from question 1, or write `w * x + b` out.",
           "At x = 0 the output is the bias alone: the second value must be 2."],
    solution="y = linear_unit(x, -0.5, 2.0)   # [3., 2., 1., 0., -1.]",
)

# -- q3: read w and b off two outputs -------------------------------------------------------------


def _compare_q3(expected, got):
    if matches([1.0, 3.0], got):
        raise Incorrect("You have them the wrong way round: the answer is `[w, b]`, weight first.")
    if matches([3.5, 1.0], got) or matches([3.5, 0.0], got):
        raise Incorrect("7 / 2 = 3.5 would be the slope of a line through the origin. This unit "
                        "has a bias: the output rises from 1 to 7, by 6, while x goes from 0 to 2.")
    compare(expected, got)


q3 = ValueQuestion(
    "q3", [3.0, 1.0], compare=_compare_q3,
    hints=["At x = 0 the weight has nothing to multiply: the output there is b.",
           "The weight is the change of the output per unit of x: (7 - 1) / (2 - 0)."],
    solution="line = [3.0, 1.0]   # b = y(0) = 1, w = (7 - 1) / (2 - 0) = 3",
)

# -- q4: the mean squared error of a line ---------------------------------------------------------


def _line_error(x, y, w, b):
    return np.mean((y - (w * x + b)) ** 2)


def _error_cases(rng):
    n = int(rng.integers(4, 8))
    x = rng.uniform(-2, 2, size=n).round(1)
    y = (rng.normal(1.5, 1.0) * x + rng.normal(0.0, 1.0) + rng.normal(0, 0.5, size=n)).round(1)
    return {"x": x, "y": y, "w": nonzero(rng), "b": nonzero(rng)}


q4 = FunctionQuestion(
    "q4", _line_error, _error_cases,
    examples=[{"x": np.array([0.0, 1.0, 2.0]), "y": np.array([1.0, 2.0, 7.0]), "w": 2.0,
               "b": 1.0}],
    points=2,
    hints=["First the predictions `w * x + b`, then the residuals `y - predictions`.",
           "Square the residuals, then take their mean (`np.mean`), not their sum.",
           "`dl.mse(y, w * x + b).item()` computes the same number (`.item()` takes it out of "
           "the Tensor)."],
    solution="def line_error(x, y, w, b):\n    return np.mean((y - (w * x + b)) ** 2)",
)

# -- q5: what the bias does -----------------------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "It multiplies the input, so it sets how steep the line is.",
     "b": "It shifts the output up or down by the same amount whatever the input is.",
     "c": "It makes the unit nonlinear, so it can follow curves.",
     "d": "It is fixed when the unit is built and never changes during learning."},
    answer="b",
    explanations={
        "a": "That is the weight w: the slope of the line.",
        "b": "Right: b is added after the product w * x, so it moves the whole line up or down; "
             "it is the output when x = 0.",
        "c": "w * x + b is still a straight line; lesson 04 shows what bends it.",
        "d": "Learning changes both the weight and the bias.",
    },
    hints=["Set x = 0 in y = w * x + b. What is left?"],
)

exercise = Exercise("01_linear_unit", [q1, q2, q3, q4, q5])
