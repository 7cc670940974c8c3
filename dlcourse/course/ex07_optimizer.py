"""Checks for exercises/07_optimizer.ipynb: the MSE gradient, an SGD step, steps and epochs."""

from __future__ import annotations

import math

import numpy as np

from dlcourse.course import probes
from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ProbeQuestion,
    ValueQuestion,
    advising,
    case_results,
    close_to,
    compare,
    describe_type,
    fmt,
    is_negated,
    is_whole_multiple,
    times,
    unwrap,
)

N_TRAIN = 1437  # samples in dl.datasets.load_digits()'s training split


def _flat(x) -> np.ndarray:
    """Numbers of an answer (an array, a Tensor, or a tuple of them) as one 1-D float array."""
    if isinstance(x, (tuple, list)):
        return np.concatenate([_flat(v) for v in x]) if x else np.zeros(0)
    return np.asarray(unwrap(x), dtype=float).ravel()


# -- q1: the gradient of the MSE of a linear unit ---------------------------------------------
def mse_gradient(x, y, w, b):
    error = x @ w + b - y              # (n,): prediction minus target
    grad_w = 2 * x.T @ error / len(y)  # (d,)
    grad_b = 2 * np.mean(error)        # a number
    return grad_w, grad_b


def _gradient_case(rng):
    n, d = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    return {"x": rng.normal(size=(n, d)).round(1), "y": rng.normal(0, 2, n).round(1),
            "w": rng.normal(size=d).round(1), "b": round(float(rng.normal()), 1)}


def _two_items(expected, got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(f"expected two things, `grad_w, grad_b`, but got {describe_type(got)}: "
                        f"{fmt(got)}")
    for name, e, g in zip(("grad_w", "grad_b"), expected, got, strict=True):
        compare(e, g, what=name)


q1 = FunctionQuestion(
    "q1", mse_gradient, _gradient_case,
    examples=[{"x": np.array([[1.0], [2.0], [3.0]]), "y": np.array([3.0, 5.0, 7.0]),
               "w": np.array([1.0]), "b": 0.0}],
    compare=advising(
        (is_negated, "Both gradients have the wrong sign: the error is `prediction - y`, and "
         "the gradient points uphill, towards a larger loss."),
        (times(0.5), "Your gradients are half the right size: the derivative of `e**2` is "
         "`2 * e`."),
        # Summing over n samples instead of averaging multiplies by n, and every case has n >= 3.
        (lambda e, g: is_whole_multiple(e, g, smallest=3),
         "Your gradients are a whole number of times too large: divide by the number of samples, "
         "since the loss is a mean."),
        base=_two_items,
    ),
    hints=["With `error = x @ w + b - y`, the loss is `mean(error**2)`; the chain rule gives "
           "`dL/d error_i = 2 * error_i / n`.",
           "`error_i` changes with `w` as `x[i]` and with `b` as 1. So `grad_w = 2 * x.T @ error "
           "/ n` and `grad_b = 2 * error.mean()`.",
           "Or let dlcourse do it: make `w` and `b` Tensors with `requires_grad=True`, compute "
           "`dl.mse(y, dl.dot(x, w) + b)`, call `.backward()` and return `w.grad, b.grad`."],
)


# -- q2: an SGD step, in place ------------------------------------------------------------------
def sgd_step(parameters, learning_rate):
    for p in parameters:
        p.data -= learning_rate * p.grad


def _step_cases(rng):
    cases = []
    for shapes, lr in [([(2,), ()], 0.1), ([(3, 2), (2,)], 0.01), ([(2, 2), (2,), ()], 0.5)]:
        before = [rng.normal(size=s).round(2) for s in shapes]
        grads = [rng.normal(size=s).round(2) for s in shapes]
        cases.append({"before": before, "grads": grads, "lr": lr})
    return cases


def _step_verdict(inputs, observed) -> None:
    """How the parameters' data moved under the learner's ``sgd_step``, case by case."""
    for case, after in case_results(inputs, observed):
        before, grads, lr = case["before"], case["grads"], case["lr"]
        _compare_step(before, grads, lr, after, probes.step_label(case))


def _compare_step(before, grads, lr, after, label) -> None:
    def same(values):
        return all(np.allclose(a, v) for a, v in zip(after, values, strict=True))

    if same(before):
        raise Incorrect(
            f"For {label}:\nthe parameters did not change. Update each Tensor's data in "
            "place, `p.data -= learning_rate * p.grad`; `p = p - ...` only rebinds the "
            "loop variable.")
    if same([v + lr * g for v, g in zip(before, grads, strict=True)]):
        raise Incorrect(f"For {label}:\nthe parameters moved *along* the gradient, uphill. "
                        "Subtract `learning_rate * p.grad` instead of adding it.")
    if same([v - g for v, g in zip(before, grads, strict=True)]):
        raise Incorrect(f"For {label}:\nthe step ignores the learning rate: multiply the "
                        "gradient by `learning_rate`.")
    for i, (v, g, a) in enumerate(zip(before, grads, after, strict=True)):
        try:
            compare(v - lr * g, a)
        except Incorrect as exc:
            raise Incorrect(f"For {label}:\nparameter {i} after the step: {exc}") from None


q2 = ProbeQuestion(
    "q2", observe=probes.sgd_step_results, cases=_step_cases, verdict=_step_verdict, seed=7,
    solution="def sgd_step(parameters, learning_rate):\n    for p in parameters:\n"
             "        p.data -= learning_rate * p.grad",
    hints=["Each parameter is a Tensor: its values are in `p.data`, its gradient in `p.grad`.",
           "In a loop over the parameters: `p.data -= learning_rate * p.grad` (minus: downhill)."],
)


# -- q3: how many updates? ----------------------------------------------------------------------
Q3_BATCH_SIZE, Q3_EPOCHS = 64, 3
Q3_ANSWER = Q3_EPOCHS * math.ceil(N_TRAIN / Q3_BATCH_SIZE)


q3 = ValueQuestion(
    "q3", Q3_ANSWER,
    compare=advising(
        (lambda e, g: not float(unwrap(g)).is_integer(),
         "The number of updates is a whole number: one per batch, and the last batch of an epoch "
         "may be smaller than the others."),
        (close_to(Q3_EPOCHS * (N_TRAIN // Q3_BATCH_SIZE)),
         "Close: the last batch of each epoch holds fewer samples, but it is still a batch and "
         "still gives one update. Round up (`math.ceil`)."),
        (close_to(math.ceil(N_TRAIN / Q3_BATCH_SIZE)), "That is one epoch; there are three."),
        (close_to(Q3_EPOCHS * N_TRAIN),
         "That counts samples: the optimizer updates once per batch."),
    ),
    hints=["One update per batch. How many batches of 64 does it take to cover all the training "
           "samples once?",
           "`math.ceil(len(x_train) / 64)` batches per epoch, times the number of epochs."],
    solution="n_updates = 3 * math.ceil(len(x_train) / 64)   # 3 * 23 = 69",
)


# -- q4: one step by hand -----------------------------------------------------------------------
Q4_X = np.array([1.0, 2.0, 3.0])
Q4_Y = np.array([3.0, 5.0, 7.0])
Q4_W, Q4_B, Q4_LEARNING_RATE = 0.5, 0.0, 0.1


def _after_one_step(sign=1.0) -> tuple[float, float]:
    grad_w, grad_b = mse_gradient(Q4_X.reshape(-1, 1), Q4_Y, np.array([Q4_W]), Q4_B)
    return (Q4_W - sign * Q4_LEARNING_RATE * float(grad_w[0]),
            Q4_B - sign * Q4_LEARNING_RATE * float(grad_b))


def _two_numbers(expected, got) -> None:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(f"expected two numbers, `w_new, b_new`, but got {describe_type(got)}: "
                        f"{fmt(got)}")
    for name, e, g in zip(["w_new", "b_new"], expected, got, strict=True):
        values = np.asarray(unwrap(g))
        if values.dtype.kind not in "biuf" or values.size != 1:
            raise Incorrect(f"expected {name} to be one number, but got {fmt(g)}")
        compare(e, float(values.ravel()[0]), what=name)


q4 = ValueQuestion(
    "q4", lambda: _after_one_step(),
    compare=advising(
        (lambda e, g: np.allclose(_flat(g), _after_one_step(sign=-1.0)),
         "You stepped uphill: the new value is the old one *minus* the learning rate times the "
         "gradient."),
        base=_two_numbers,
    ),
    hints=["First the gradient (your `mse_gradient` from question 1 works): the predictions are "
           "0.5, 1.0, 1.5, so the errors are -2.5, -4.0, -5.5.",
           "`grad_w = 2 * mean(error * x) = -18` and `grad_b = 2 * mean(error) = -8`; then "
           "`w - 0.1 * grad_w` and `b - 0.1 * grad_b`."],
    solution="grad_w, grad_b = mse_gradient(x.reshape(-1, 1), y, np.array([w]), b)\n"
             "w_new, b_new = w - learning_rate * grad_w[0], b - learning_rate * grad_b"
             "   # 2.3 and 0.8",
)


# -- q5: why minibatches ------------------------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "The gradient of a minibatch is exact, while the gradient of the whole training set "
          "is only an estimate.",
     "b": "Each step is far cheaper, and the minibatch gradient still points roughly downhill, "
          "so many cheap, slightly noisy steps make faster progress than a few exact ones.",
     "c": "With minibatches no learning rate is needed.",
     "d": "The network sees fewer samples in total, so it cannot overfit."},
    answer="b",
    explanations={
        "a": "It is the other way round: a minibatch gives a noisy estimate of the gradient over "
             "all the data. That noise is what 'stochastic' refers to.",
        "b": "That is the trade SGD makes: a noisy but cheap estimate of the direction, many times "
             "per epoch.",
        "c": "Every SGD step still multiplies the gradient by a learning rate.",
        "d": "Over an epoch every sample is still used once; minibatches change how often the "
             "weights move, not how much data the network sees.",
    },
    hints=["Compare the cost of one step and the quality of its direction, for a batch of 32 and "
           "for all 1,437 training samples."],
)

exercise = Exercise("07_optimizer", [q1, q2, q3, q4, q5])
