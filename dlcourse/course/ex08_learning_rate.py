"""Checks for exercises/08_learning_rate.ipynb: gradient descent, divergence, the range test."""

from __future__ import annotations

from functools import partial

import numpy as np

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
    if isinstance(got, (list, tuple)):  # a list of Tensors or numbers is fine too
        got = [unwrap(v) for v in got]
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


# -- q2: which learning rate diverges? ----------------------------------------------------------
q2 = ChoiceQuestion(
    "q2", {"a": 0.05, "b": 0.3, "c": 0.7, "d": 0.75, "e": 1.0}, answer="d",
    explanations={
        "a": "0.05 converges smoothly, if slowly at first.",
        "b": "0.3 converges quickly: each step overshoots a little less than the last.",
        "c": "0.7 bounces from one side of the valley to the other, but every bounce is a little "
             "smaller than the one before, so the loss still falls (slowly). The limit for this "
             "data is about 0.71.",
        "d": "0.75 is just past the limit of about 0.71: every step overshoots by more than it "
             "corrects, so the error grows by about 10% per step and the loss explodes. Between "
             "converging and diverging there is a sharp edge, not a gentle slope.",
        "e": "1.0 diverges, fast; but it is not the smallest rate that does.",
    },
    hints=["Run your `descend` with each rate and compare the last loss with the first.",
           "`for lr in [0.05, 0.3, 0.7, 0.75, 1.0]: losses = descend(x, y, lr, 100); "
           "print(lr, losses[0], losses[-1])`"],
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


# -- q5: a loss curve that falls too slowly -----------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "increase the learning rate, e.g. ten times",
     "b": "decrease the learning rate, e.g. ten times",
     "c": "keep it: a loss that falls steadily is a sign of a good learning rate",
     "d": "switch the loss from MSE to MAE"},
    answer="a",
    explanations={
        "a": "A smooth, straight, slow descent means each step is far smaller than it could be. "
             "Try a larger rate and watch for bouncing; back off if it appears.",
        "b": "Smaller steps would make the slow descent slower still.",
        "c": "It will get there, but a hundred times later than it needs to.",
        "d": "The loss decides what the network should learn, not how fast it learns it; the step "
             "size is the learning rate's job.",
    },
    hints=["Is each step too big (bouncing, exploding) or too small (barely moving)?"],
)

exercise = Exercise("08_learning_rate", [q1, q2, q3, q4, q5])
