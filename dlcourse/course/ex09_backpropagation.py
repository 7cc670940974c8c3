"""Checks for exercises/09_backpropagation.ipynb: the chain rule and backward rules by hand."""

from __future__ import annotations

import numpy as np

from dlcourse.grading import (
    Exercise,
    FunctionQuestion,
    Incorrect,
    ValueQuestion,
    advising,
    close_to,
    compare,
    describe_type,
    fmt,
    is_negated,
    is_whole_multiple,
    unwrap,
)


def _array(x) -> np.ndarray:
    return np.asarray(unwrap(x), dtype=float)


# -- q1: the chain rule on numbers --------------------------------------------------------------
q1 = ValueQuestion(
    "q1", 24.0,
    compare=advising(
        (close_to(12.0), "Almost: that is dy/du = 3u² only. The chain rule multiplies it by "
         "du/dx = 2."),
        (close_to(8.0), "That is y itself, (2 · 1.5 - 1)³ = 8. The question asks for its slope."),
    ),
    hints=["Write u = 2x - 1 and y = u³. At x = 1.5, u = 2.",
           "dy/du = 3u² = 12 and du/dx = 2; the chain rule multiplies them."],
    solution="dy_dx = 3 * (2 * 1.5 - 1) ** 2 * 2   # dy/du * du/dx = 12 * 2 = 24",
)


# -- q2: relu's backward rule -------------------------------------------------------------------
def relu_backward(a, grad_output):
    return grad_output * (a > 0)


def _relu_case(rng):
    shape = (int(rng.integers(2, 4)), int(rng.integers(2, 5)))
    a = rng.normal(size=shape).round(2)
    a[a == 0] = 0.5  # relu has no derivative at exactly 0; keep the question about the rule
    return {"a": a, "grad_output": rng.normal(size=shape).round(2)}


q2 = FunctionQuestion(
    "q2", relu_backward, _relu_case,
    examples=[{"a": np.array([[1.5, -2.0], [-0.5, 3.0]]),
               "grad_output": np.array([[0.1, 0.2], [-0.3, -0.4]])}],
    compare=advising(
        (lambda e, g: set(np.unique(_array(g))) <= {0.0, 1.0},
         "Your result holds only 0s and 1s: that is relu's local derivative. Multiply it by the "
         "gradient arriving from above, `grad_output`."),
        (lambda e, g: np.all(_array(g) >= 0) and np.any(_array(e) < 0),
         "Your result has no negative numbers: relu blocks the gradient where its *input* `a` was "
         "negative, and lets it through unchanged, sign and all, where `a` was positive."),
    ),
    hints=["relu passes its input through where it is positive and outputs 0 elsewhere, so its "
           "slope is 1 where `a > 0` and 0 elsewhere.",
           "Chain rule: `grad_output * (a > 0)`."],
)


# -- q3: the backward rule of a dense layer ----------------------------------------------------
def dense_backward(x, W, grad_z):
    grad_x = grad_z @ W.T
    grad_W = x.T @ grad_z
    grad_b = grad_z.sum(axis=0)
    return grad_x, grad_W, grad_b


def _dense_case(rng):
    n, d_in, d_out = [int(v) for v in rng.choice(np.arange(2, 7), size=3, replace=False)]
    return {"x": rng.normal(size=(n, d_in)).round(1), "W": rng.normal(size=(d_in, d_out)).round(1),
            "grad_z": rng.normal(size=(n, d_out)).round(1)}


DENSE_RULES = {
    "grad_x": "`grad_x = grad_z @ W.T`, shape (batch, n_inputs) like x",
    "grad_W": "`grad_W = x.T @ grad_z`, shape (n_inputs, n_units) like W",
    "grad_b": "`grad_b = grad_z.sum(axis=0)`, shape (n_units,) like b: b was added to every row, "
              "so every row's gradient reaches it",
}


def _averaged_rows(expected, got, n_rows: int) -> bool:
    try:
        return bool(np.allclose(_array(got) * n_rows, expected))
    except (TypeError, ValueError):
        return False


def _dense_compare(expected, got) -> None:
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Incorrect(f"expected three arrays, `grad_x, grad_W, grad_b`, but got "
                        f"{describe_type(got)}: {fmt(got)}")
    for (name, rule), e, g in zip(DENSE_RULES.items(), expected, got, strict=True):
        try:
            compare(e, g, what=name)
        except Incorrect as exc:
            extra = ""
            if name == "grad_b" and _averaged_rows(e, g, np.shape(expected[0])[0]):
                extra = "You took the mean over the rows; the bias gets their sum.\n"
            raise Incorrect(f"{exc}\n{extra}The rule: {rule}.") from None


q3 = FunctionQuestion(
    "q3", dense_backward, _dense_case,
    examples=[{"x": np.array([[1.0, 2.0], [0.0, 1.0], [-1.0, 1.0]]),
               "W": np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]),
               "grad_z": np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.0], [0.0, 1.0, 1.0]])}],
    compare=_dense_compare,
    hints=["Every gradient has the shape of the thing it belongs to: grad_x like x, grad_W like "
           "W, grad_b like b. Let the shapes tell you which matrix to transpose.",
           "`grad_x = grad_z @ W.T`, `grad_W = x.T @ grad_z`, and for the bias sum grad_z over the "
           "batch (`axis=0`)."],
)


# -- q4: softmax and cross-entropy together -----------------------------------------------------
def softmax_crossentropy_backward(logits, y_true):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True)
    return (p - y_true) / len(logits)


def _logits_case(rng):
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    return {"logits": rng.normal(0, 2, size=(n, k)).round(1),
            "y_true": np.eye(k)[rng.integers(0, k, n)]}


q4 = FunctionQuestion(
    "q4", softmax_crossentropy_backward, _logits_case,
    examples=[{"logits": np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
               "y_true": np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])}],
    compare=advising(
        (is_negated,
         "Your gradient has the wrong sign: it is `p - y_true`, probabilities minus targets."),
        (is_whole_multiple,
         "Your gradient is the batch size times too large: the loss is a mean over the samples, "
         "so divide by the number of rows."),
        (lambda e, g: not np.allclose(_array(g).sum(axis=1), 0),
         "Every row of this gradient should add up to 0 (probabilities and one-hot targets both "
         "sum to 1). Did you use the logits instead of the softmax probabilities?"),
    ),
    hints=["First the probabilities: `p = np.exp(logits)` divided by its row sums "
           "(subtract each row's max first so that exp cannot overflow).",
           "The gradient with respect to the logits is `(p - y_true) / n`, with n the number of "
           "rows."],
)


# -- q5: gradients accumulate -------------------------------------------------------------------
q5 = ValueQuestion(
    "q5", 12.0,
    compare=advising(
        (close_to(6.0), "6 is the derivative of x² at 3 for *one* backward pass. `backward()` "
         "adds to `.grad`, and it ran twice without a reset in between."),
        (close_to(9.0), "That is y; the question asks for x.grad."),
    ),
    hints=["The derivative of x * x at x = 3 is 6.",
           "`backward()` adds its result to whatever `.grad` already holds."],
    solution="grad_after_two = 12.0   # 6 + 6: backward() accumulates until the grad is reset",
)

exercise = Exercise("09_backpropagation", [q1, q2, q3, q4, q5])
