"""Checks for exercises/06_loss_functions.ipynb: MSE, MAE, cross-entropy, choosing a loss, and
the MAE's gradient."""

from __future__ import annotations

import numpy as np

from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    ValueQuestion,
    advising,
    close_to,
    is_negated,
    is_not_finite,
    is_whole_multiple,
    unwrap,
)
from dlcourse.grading.mistakes import known_mistakes

EPSILON = 1e-7


# -- a mistake every loss can show -------------------------------------------------------------
SUMMED = (is_whole_multiple, "Your answer is a whole number of times too large: did you add up the "
          "errors of the samples instead of taking their mean?")


# -- q1: mean squared error ---------------------------------------------------------------------
def mse(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def _regression_case(rng):
    n = int(rng.integers(3, 7))
    y_true = rng.normal(0, 2, n).round(1)
    return {"y_true": y_true, "y_pred": (y_true + rng.normal(0, 1.5, n)).round(1)}


q1 = FunctionQuestion(
    "q1", mse, _regression_case,
    examples=[{"y_true": np.array([1.0, 2.0, 3.0]), "y_pred": np.array([1.0, 2.0, 5.0])}],
    compare=advising(
        SUMMED,
        (lambda e, g: np.isclose(float(unwrap(g)) ** 2, float(unwrap(e))),
         "Your answer is the square root of the MSE (the RMSE): leave the mean of the squares "
         "as it is."),
    ),
    hints=["The error of each sample is `y_pred - y_true`; square it, element by element.",
           "`np.mean(...)` of the squared errors. Squaring comes before averaging."],
)


# -- q2: mean absolute error --------------------------------------------------------------------
def mae(y_true, y_pred):
    return np.mean(np.abs(y_true - y_pred))


q2 = FunctionQuestion(
    "q2", mae, _regression_case,
    examples=[{"y_true": np.array([1.0, 2.0, 3.0]), "y_pred": np.array([2.0, 2.0, 1.0])}],
    compare=advising(
        SUMMED,
        (lambda e, g: float(unwrap(g)) < float(unwrap(e)) - 1e-9,
         "Your answer is too small. Averaged as they are, errors of opposite signs cancel out: "
         "take the absolute value of every error before averaging."),
    ),
    hints=["`np.abs` makes every error positive.",
           "`np.mean(np.abs(y_pred - y_true))`: absolute values first, then the mean."],
)


# -- q3: binary cross-entropy, clipped ----------------------------------------------------------
def binary_crossentropy(y_true, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def _binary_case(rng):
    n = int(rng.integers(4, 8))
    p = rng.uniform(0.02, 0.98, n).round(2)
    p[rng.integers(n)] = float(rng.integers(2))  # a certain answer: 0.0 or 1.0
    return {"y_true": rng.integers(0, 2, n).astype(float), "p": p}


q3 = FunctionQuestion(
    "q3", binary_crossentropy, _binary_case,
    examples=[{"y_true": np.array([1.0, 0.0, 1.0, 0.0, 1.0]),
               "p": np.array([0.9, 0.2, 0.0, 1.0, 1.0])}],
    compare=advising(
        (is_not_finite, "Your loss is inf or nan: `log(0)` is minus infinity. Clip the "
         "probabilities to [1e-7, 1 - 1e-7] with `np.clip` before taking any log."),
        (is_negated, "Your answer has the wrong sign: the log of a probability is negative, so the "
         "loss is minus the mean."),
        SUMMED,
    ),
    hints=["For one sample: `-(y * log(p) + (1 - y) * log(1 - p))`. Only one of the two terms "
           "counts, because y is 0 or 1.",
           "Clip first: `p = np.clip(p, 1e-7, 1 - 1e-7)`, so that no log ever sees 0.",
           "Then the mean over the samples, with a minus sign in front."],
)


# -- q4: categorical cross-entropy on a small batch ---------------------------------------------
Q4_LABELS = np.array([2, 0, 1, 1])
Q4_PROBABILITIES = np.array([[0.1, 0.2, 0.7],
                             [0.5, 0.3, 0.2],
                             [0.2, 0.6, 0.2],
                             [0.3, 0.3, 0.4]])


def _cce_value() -> float:
    return float(-np.mean(np.log(Q4_PROBABILITIES[np.arange(4), Q4_LABELS])))


q4 = ValueQuestion(
    "q4", _cce_value,
    compare=advising(
        (is_negated, "Your answer has the wrong sign: the loss is *minus* the mean "
         "log-probability."),
        SUMMED,
        (close_to(-np.log(Q4_PROBABILITIES).mean()),
         "You averaged the log of every probability. Only the probability of the true class of "
         "each sample counts: `probabilities[i, labels[i]]`."),
    ),
    hints=["For each sample, pick the probability given to its true class: sample 0 has label 2, "
           "so its probability is 0.7.",
           "`probabilities[np.arange(4), labels]` picks all four at once; then "
           "`-np.mean(np.log(...))`."],
    solution="loss_value = -np.mean(np.log(probabilities[np.arange(4), labels]))\n"
             "# or: dl.sparse_categorical_crossentropy(labels, probabilities).item()",
)


# -- q5 and q6: choosing a loss -----------------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "1 output unit, no activation, MSE on the class number 0 to 4",
     "b": "5 output units, softmax, categorical cross-entropy",
     "c": "1 output unit, sigmoid, binary cross-entropy",
     "d": "5 output units, no activation, MAE against the one-hot labels"},
    answer="b",
    explanations={
        "a": "Class numbers are names, not quantities: MSE would call a 'pear' (3) predicted as a "
             "'plum' (4) a smaller mistake than one predicted as an 'apple' (0).",
        "b": "One probability per kind of fruit, summing to 1, and cross-entropy charges -log of "
             "the probability given to the true kind.",
        "c": "One sigmoid unit answers a single yes/no question; here there are five classes.",
        "d": "Without softmax the outputs are not probabilities, and MAE gives no stronger push "
             "for a confident wrong answer than for a hesitant one.",
    },
    hints=["Classification into several classes: the network should output one probability per "
           "class."],
)

# -- q6: the gradient of the MAE, derived and checked numerically ------------------------------
def _mae_value(y_true, y_pred) -> float:
    return float(np.mean(np.abs(y_true - y_pred)))


def mae_gradient(y_true, y_pred):
    """The reference is numerical: central differences of the MAE, one prediction at a time."""
    h = 1e-6
    grad = np.zeros_like(y_pred, dtype=float)
    for i in range(len(y_pred)):
        up, down = y_pred.astype(float), y_pred.astype(float)
        up[i] += h
        down[i] -= h
        grad[i] = (_mae_value(y_true, up) - _mae_value(y_true, down)) / (2 * h)
    return grad


def _gradient_case(rng):
    n = int(rng.integers(3, 7))
    y_true = rng.normal(0, 2, n).round(1)
    offsets = rng.choice([-1, 1], n) * rng.uniform(0.2, 3.0, n)  # never exactly on the kink
    return {"y_true": y_true, "y_pred": (y_true + offsets).round(1)}


def _mae_mistakes(args: dict) -> list:
    error, n = args["y_pred"] - args["y_true"], len(args["y_true"])
    return [
        (2 * error / n, "That is the MSE's gradient, 2 (y_pred - y_true) / n. The slope of "
                        "|e| is not e: it is +1 where e > 0 and -1 where e < 0, whatever e's "
                        "size (`np.sign`)."),
        (np.abs(error) / n, "That is each sample's share of the loss, |e| / n, not its slope. "
                            "How fast does |e| change when e moves a little?"),
        (np.sign(error), "The loss is a *mean*: each prediction's effect on it is divided by "
                         "the number of samples n."),
    ]


q6 = known_mistakes(FunctionQuestion(
    "q6", mae_gradient, _gradient_case,
    examples=[{"y_true": np.array([1.0, 2.0, 3.0, 4.0]),
               "y_pred": np.array([2.0, 1.5, 3.5, 0.0])}],
    atol=1e-6,
    compare=advising(
        (is_negated, "Your gradient has the wrong sign: raising a prediction that is already "
         "too high makes the loss *larger*, so the gradient there is positive."),
    ),
    points=2,
    correct_message="Right, and it matches the numerical gradient (central differences). Every "
                    "sample pulls with the same strength, 1/n, however far off it is: that is "
                    "why a few huge errors cannot drag an MAE fit, while the MSE's gradient grows "
                    "with the error.",
    hints=["Take one sample: its term in the loss is |y_pred_i - y_true_i| / n. Only that "
           "term changes when y_pred_i moves.",
           "|e| is the line -e for e < 0 and e for e > 0: its slope is -1 or +1. numpy's "
           "`np.sign(e)` gives exactly that.",
           "`np.sign(y_pred - y_true) / len(y_true)`."],
    solution="def mae_gradient(y_true, y_pred):\n"
             "    return np.sign(y_pred - y_true) / len(y_true)",
), _mae_mistakes)

exercise = Exercise("06_loss_functions", [q1, q2, q3, q4, q5, q6])
