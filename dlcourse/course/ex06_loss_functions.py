"""Checks for exercises/06_loss_functions.ipynb: MSE, MAE, cross-entropy, and choosing a loss."""

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

q6 = ChoiceQuestion(
    "q6",
    {"a": "MSE", "b": "MAE", "c": "binary cross-entropy", "d": "categorical cross-entropy"},
    answer="b",
    explanations={
        "a": "Squaring makes the few wildly wrong records dominate the loss: the fit would be "
             "dragged towards them.",
        "b": "MAE charges each error by its size, so a handful of huge errors cannot outweigh all "
             "the ordinary samples: it behaves like a median.",
        "c": "Cross-entropies are for probabilities of classes; a delivery time is a quantity.",
        "d": "Cross-entropies are for probabilities of classes; a delivery time is a quantity.",
    },
    hints=["It is a regression (the answer is a number). Which regression loss is least "
           "disturbed by a few huge errors?"],
)

exercise = Exercise("06_loss_functions", [q1, q2, q3, q4, q5, q6])
