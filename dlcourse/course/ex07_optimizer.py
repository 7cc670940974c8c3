"""Checks for exercises/07_optimizer.ipynb: a cross-entropy gradient, an SGD step, steps, epochs."""

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
    unwrap,
)
from dlcourse.grading.mistakes import known_mistakes

N_TRAIN = 1437  # samples in dl.datasets.load_digits()'s training split


def _flat(x) -> np.ndarray:
    """Numbers of an answer (an array, a Tensor, or a tuple of them) as one 1-D float array."""
    if isinstance(x, (tuple, list)):
        return np.concatenate([_flat(v) for v in x]) if x else np.zeros(0)
    return np.asarray(unwrap(x), dtype=float).ravel()


# -- the MSE gradient of a linear unit (q4 takes one step with it) --------------------------------
def mse_gradient(x, y, w, b):
    error = x @ w + b - y              # (n,): prediction minus target
    grad_w = 2 * x.T @ error / len(y)  # (d,)
    grad_b = 2 * np.mean(error)        # a number
    return grad_w, grad_b


# -- q1: the gradient of a sigmoid unit's cross-entropy, derived ---------------------------------
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _bce(x, y, w, b) -> float:
    p = _sigmoid(x @ w + b)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_gradient(x, y, w, b):
    """The reference is numerical: central differences of the loss, one parameter at a time."""
    h = 1e-6
    w = np.asarray(w, dtype=float)
    grad_w = np.zeros_like(w)
    for i in range(len(w)):
        step = np.zeros_like(w)
        step[i] = h
        grad_w[i] = (_bce(x, y, w + step, b) - _bce(x, y, w - step, b)) / (2 * h)
    grad_b = (_bce(x, y, w, b + h) - _bce(x, y, w, b - h)) / (2 * h)
    return grad_w, grad_b


def _gradient_case(rng):
    n, d = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    return {"x": rng.normal(size=(n, d)).round(1), "y": rng.integers(0, 2, n).astype(float),
            "w": rng.normal(size=d).round(1), "b": round(float(rng.normal()), 1)}


def _two_items(expected, got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(f"expected two things, `grad_w, grad_b`, but got {describe_type(got)}: "
                        f"{fmt(got)}")
    for name, e, g in zip(("grad_w", "grad_b"), expected, got, strict=True):
        compare(e, g, what=name, rtol=1e-4, atol=1e-6)


def _bce_mistakes(args: dict) -> list:
    x, y = args["x"], args["y"]
    n, z = len(y), x @ args["w"] + args["b"]
    p = _sigmoid(z)
    return [
        ((x.T @ (z - y) / n, np.mean(z - y)),
         "You used the unit's raw output z = x @ w + b where its probability p = sigmoid(z) "
         "belongs: the error is p - y."),
        ((x.T @ ((p - y) * p * (1 - p)) / n, np.mean((p - y) * p * (1 - p))),
         "You multiplied by sigmoid's slope p (1 - p) once too often: cross-entropy's "
         "derivative with respect to p, (p - y) / (p (1 - p)), divides it away again."),
        ((2 * x.T @ (p - y) / n, 2 * np.mean(p - y)),
         "Your gradients are twice too large: the factor 2 belongs to the square in the MSE; "
         "cross-entropy has no square."),
    ]


q1 = known_mistakes(FunctionQuestion(
    "q1", bce_gradient, _gradient_case,
    examples=[{"x": np.array([[1.0], [2.0], [-1.0]]), "y": np.array([1.0, 0.0, 1.0]),
               "w": np.array([0.5]), "b": 0.0}],
    compare=advising(
        (is_negated, "Both gradients have the wrong sign: with p the predicted probability, "
         "the error is `p - y`, and the gradient points uphill, towards a larger loss."),
        (lambda e, g: is_whole_multiple(e, g, smallest=3),
         "Your gradients are a whole number of times too large: divide by the number of samples, "
         "since the loss is a mean."),
        base=_two_items,
    ),
    points=2,
    correct_message="Right, and it matches the numerical gradient. Compare it with the MSE's: "
                    "the same shape, x.T @ error / n, with p - y as the error and no factor 2.",
    hints=["Chain rule for one sample: dL/dw = dL/dp · dp/dz · dz/dw. The three pieces: "
           "dL/dp = -(y/p - (1 - y)/(1 - p)), dp/dz = p (1 - p), dz/dw = x.",
           "Multiply the first two and simplify: -(y (1 - p) - (1 - y) p) = p - y. So for one "
           "sample dL/dw = (p - y) x and dL/db = p - y; then take the mean over the batch.",
           "`p = 1 / (1 + np.exp(-(x @ w + b)))`, then `grad_w = x.T @ (p - y) / len(y)` and "
           "`grad_b = np.mean(p - y)`."],
    solution="def bce_gradient(x, y, w, b):\n"
             "    p = 1 / (1 + np.exp(-(x @ w + b)))\n"
             "    return x.T @ (p - y) / len(y), np.mean(p - y)",
), _bce_mistakes)


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
