"""Checks for exercises/08_learning_rate.ipynb: gradient descent, the edge of divergence found by
experiment and derived on paper, the range test."""

from __future__ import annotations

from functools import partial

import numpy as np

import dlcourse as dl
from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    ValueQuestion,
    advising,
    close_to,
    compare,
    unwrap,
)


# -- q1: gradient descent on a line, recording the loss ------------------------------------------
def descend(x, y, learning_rate, steps):
    w, b = 0.0, 0.0
    losses = []
    for _ in range(steps):
        error = w * x + b - y
        losses.append(np.mean(error**2))  # the loss before this step's update
        w -= learning_rate * 2 * np.mean(error * x)
        b -= learning_rate * 2 * np.mean(error)
    return np.array(losses)


def _descent_case(rng):
    n = int(rng.integers(5, 11))
    x = rng.uniform(-2, 2, n).round(2)
    y = (rng.normal(0, 2) * x + rng.normal(0, 2) + rng.normal(0, 0.5, n)).round(2)
    return {"x": x, "y": y, "learning_rate": float(rng.choice([0.01, 0.05, 0.1, 0.3])),
            "steps": int(rng.integers(3, 8))}


def _losses(expected, got) -> None:
    compare(expected, got)


def _loss_array(got) -> np.ndarray:
    return np.asarray([unwrap(v) for v in got] if isinstance(got, (list, tuple)) else unwrap(got),
                      dtype=float)


def _shifted(expected, got) -> bool:
    g = _loss_array(got)
    return g.shape == expected.shape and np.allclose(g[:-1], expected[1:])


def _grows(expected, got) -> bool:
    g = _loss_array(got)
    return g.shape == expected.shape and g[-1] > g[0] and expected[-1] < expected[0]


q1 = FunctionQuestion(
    "q1", descend, _descent_case,
    examples=[{"x": np.array([0.0, 1.0, 2.0]), "y": np.array([1.0, 3.0, 5.0]),
               "learning_rate": 0.1, "steps": 3}],
    compare=advising(
        (_shifted, "Your losses are one step late: record the loss *before* the update of each "
         "step (the first entry is the loss at w = 0, b = 0)."),
        (_grows, "Your loss grows where it should fall: move w and b *against* their gradients "
         "(`w -= learning_rate * grad_w`)."),
        base=_losses,
    ),
    hints=["Start from `w, b = 0.0, 0.0` and an empty list. Each step: `error = w * x + b - y`, "
           "append `np.mean(error**2)`, then update.",
           "The gradients of the MSE: `grad_w = 2 * np.mean(error * x)` and "
           "`grad_b = 2 * np.mean(error)`. Compute both before changing either.",
           "Return `np.array(losses)`: `steps` numbers, the first one the loss at w = b = 0."],
)


# -- q2: find the edge by experiment --------------------------------------------------------------
def stable_limit() -> float:
    """The largest stable learning rate of full-batch descent on the MSE of a line fitted to
    ``dl.datasets.noisy_line(n=50, seed=0)``: 2 / the largest curvature of the loss."""
    x, _ = dl.datasets.noisy_line(n=50, seed=0)
    curvature = 2 / len(x) * np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), len(x)]])
    return float(2 / np.linalg.eigvalsh(curvature).max())


def _between(low: float, high: float):
    def fits(expected, got) -> bool:
        return low <= float(unwrap(got)) <= high
    return fits


q2 = ValueQuestion(
    "q2", stable_limit,
    compare=advising(
        (_between(0.0, 0.36), "That rate still converges comfortably: the edge is higher. Keep "
         "raising the rate until the loss after many steps ends above where it started."),
        (_between(0.36, 0.7002), "Close, but that rate still converges. Narrow the interval "
         "further: the edge lies between the largest rate that converges and the smallest that "
         "diverges."),
        (_between(0.7289, 1.1), "That rate diverges: the edge is lower. Narrow the interval "
         "further, e.g. by bisection."),
        (_between(1.1, 1e9), "Far past the edge: with that rate the loss explodes within a few "
         "steps."),
        base=partial(compare, rtol=0.02),
    ),
    points=2,
    correct_message="Right: up to about 0.7145 every bounce shrinks, past it every bounce grows. "
                    "For a loss shaped like a bowl the edge is 2 / (the bowl's steepest "
                    "curvature); question 3 derives it for the simplest bowl.",
    hints=["A test for one rate: run `descend(x, y, lr, 1000)` and see whether the last loss "
           "is larger than the first (or not finite).",
           "Bisection: start with `low, high = 0.05, 1.0` (converges, diverges). Try the middle; "
           "if it diverges it becomes the new `high`, otherwise the new `low`. Twenty rounds pin "
           "the edge down to a few digits.",
           "0.70 converges and 0.75 diverges: the edge is in between."],
    solution=("low, high = 0.05, 1.0   # a rate that converges, one that diverges\n"
              "for _ in range(20):\n"
              "    middle = (low + high) / 2\n"
              "    losses = descend(x, y, middle, 1000)\n"
              "    if not np.isfinite(losses[-1]) or losses[-1] > losses[0]:\n"
              "        high = middle\n"
              "    else:\n"
              "        low = middle\n"
              "edge = (low + high) / 2   # about 0.7145"),
)


# -- q3: the limit for a one-weight bowl --------------------------------------------------------
q3 = ValueQuestion(
    "q3", 0.2,
    compare=advising(
        (close_to(0.1), "At 0.1 a single step lands exactly on the minimum: that is the fastest "
         "rate, not yet the limit. Larger rates overshoot, but still converge while the "
         "overshoot shrinks."),
        (close_to(0.4), "The derivative of 5w² is 10w, not 5w."),
        base=partial(compare, rtol=1e-3),
    ),
    hints=["The gradient of L(w) = 5w² is 10w, so one step gives "
           "`w_new = w - lr * 10 * w = (1 - 10 * lr) * w`.",
           "Each step multiplies w by (1 - 10 lr). Gradient descent diverges when that factor "
           "is larger than 1 in size: |1 - 10 lr| > 1."],
    solution="limit = 0.2   # w_new = (1 - 10 lr) w, and |1 - 10 lr| > 1 once lr > 0.2",
)


# -- q4: reading the range test -----------------------------------------------------------------
q4 = ChoiceQuestion(
    "q4",
    {"a": "the rate where the smoothed loss is lowest, just before it shoots up",
     "b": "about ten times smaller than that rate, where the loss is still falling steeply",
     "c": "the smallest rate tried, where the curve is flat: it is the safest",
     "d": "the rate where the loss shoots up: training will be fastest there"},
    answer="b",
    explanations={
        "a": "At the lowest point the rate is already at the edge: a few steps further right "
             "the loss shoots up. Trained there, the loss would bounce or explode.",
        "b": "The steep part of the fall is where steps are big enough to make fast progress and "
             "still small enough to be stable. A tenth of the rate at the lowest point is a "
             "common rule of thumb.",
        "c": "Where the curve is flat, the rate is so small that nothing happens: training would "
             "take forever.",
        "d": "Where the loss shoots up, training diverges.",
    },
    hints=["Look for the part of the curve where the loss falls fastest, and stay clear of the "
           "cliff on the right."],
)


exercise = Exercise("08_learning_rate", [q1, q2, q3, q4])
