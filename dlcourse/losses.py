"""Loss functions: one number that says how far predictions are from the truth.

All take ``(y_true, y_pred)`` in that order and return a single-number Tensor: the mean over the
batch. The cross-entropies are stable at the extremes: given probabilities made by ``softmax`` or
``sigmoid`` they work from the scores (logits) underneath (``ops.logits_behind``), and with
``from_logits=True`` they take the scores directly; other probabilities are clipped to
[1e-7, 1 - 1e-7] before the log. They refuse what cannot be right: targets that are not labels
or one-hot rows, predictions that are not probabilities (rows summing to 1 for the categorical
ones), and the two arguments swapped.
"""

from __future__ import annotations

import numpy as np

from dlcourse import ops
from dlcourse.metrics import check_order, class_labels
from dlcourse.tensor import Tensor, as_array

EPSILON = 1e-7
ROW_SUM_TOLERANCE = 1e-2  # probabilities rounded for display still pass; scores do not


def _pair(y_true, y_pred, loss: str) -> tuple[np.ndarray, Tensor]:
    """Targets as an array shaped like the predictions, or a clear error."""
    y_pred = ops.tensor(y_pred, f"{loss} y_pred")
    y_true = as_array(y_true, f"{loss} y_true", y_pred.dtype)
    if y_true.shape != y_pred.shape:
        if y_pred.shape == y_true.shape + (1,) or y_true.shape == y_pred.shape + (1,):
            y_true = y_true.reshape(y_pred.shape)  # (n,) against (n, 1): the same targets
        else:
            raise ValueError(
                f"{loss} expects y_true and y_pred of the same shape, got y_true {y_true.shape} "
                f"and y_pred {y_pred.shape}"
            )
    if y_pred.size == 0:
        raise ValueError(f"{loss} got empty predictions (shape {y_pred.shape})")
    return y_true, y_pred


def mse(y_true, y_pred) -> Tensor:
    """Mean squared error: mean((y_pred - y_true)**2)."""
    y_true, y_pred = _pair(y_true, y_pred, "mse")
    diff = y_pred - y_true
    return (diff * diff).mean()


def mae(y_true, y_pred) -> Tensor:
    """Mean absolute error: mean(|y_pred - y_true|)."""
    y_true, y_pred = _pair(y_true, y_pred, "mae")
    return ops.abs(y_pred - y_true).mean()


def _check_probabilities(p: np.ndarray, loss: str, rows_sum_to_one: bool = False) -> None:
    """Predictions must be probabilities; scores get pointed to ``from_logits=True``."""
    hint = "if these are scores (logits), pass from_logits=True"
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError(
            f"{loss} expects probabilities in [0, 1], got values from {np.nanmin(p):.4g} to "
            f"{np.nanmax(p):.4g}{' and NaN' if np.isnan(p).any() else ''}; {hint}"
        )
    if rows_sum_to_one:
        sums = p.sum(axis=-1)
        if np.abs(sums - 1).max() > ROW_SUM_TOLERANCE:
            raise ValueError(
                f"{loss} expects each row of y_pred to be probabilities summing to 1 (softmax "
                f"outputs), got row sums from {sums.min():.4g} to {sums.max():.4g}; {hint}"
            )


def _check_targets(t: np.ndarray, loss: str, expected: str) -> None:
    """Targets must lie in [0, 1] (and, for one-hot ones, rows summing to 1)."""
    bad = (t < 0) | (t > 1) | np.isnan(t)
    if bad.any():
        raise ValueError(f"{loss} expects y_true to be {expected}, got {t[bad][0]:.4g}")
    if expected.startswith("one-hot") and np.abs(t.sum(axis=-1) - 1).max() > ROW_SUM_TOLERANCE:
        raise ValueError(f"{loss} expects y_true to be {expected}, got rows such as "
                         f"{np.round(t[np.abs(t.sum(axis=-1) - 1).argmax()], 4).tolist()}")


def _nll_from_probs(targets: np.ndarray, y_pred: Tensor) -> Tensor:
    """mean over the batch of -sum(targets * log(p)), with p clipped away from 0 and 1."""
    p = np.clip(y_pred.data, EPSILON, 1 - EPSILON)
    n = y_pred.shape[0]
    value = -(targets * np.log(p)).sum() / n

    def backward(g):
        return (-g * targets / (p * n),)

    return Tensor._from_op(np.asarray(value, y_pred.dtype), (y_pred,), backward, "crossentropy")


def _nll_from_logits(targets: np.ndarray, logits: Tensor, axis: int) -> Tensor:
    """mean over the batch of -sum(targets * log_softmax(logits)), as one step.

    Its gradient is the famous (softmax(logits) - targets) / batch (for targets that sum to 1).
    """
    z = logits.data
    log_p = ops.log_softmax_array(z, axis)
    n = z.shape[0]
    value = -(targets * log_p).sum() / n

    def backward(g):
        total = targets.sum(axis=axis, keepdims=True)
        return (g * (np.exp(log_p) * total - targets) / n,)

    return Tensor._from_op(np.asarray(value, z.dtype), (logits,), backward, "crossentropy")


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Cross-entropy for one-hot targets: mean over the batch of -sum(y_true * log(y_pred))."""
    y_true, y_pred = _pair(y_true, y_pred, "categorical_crossentropy")
    if y_pred.ndim != 2:
        raise ValueError(
            f"categorical_crossentropy expects y_pred of shape (batch, classes), got {y_pred.shape}"
        )
    check_order(y_true, y_pred, "categorical_crossentropy")
    _check_targets(y_true, "categorical_crossentropy",
                   "one-hot rows (or probabilities summing to 1)")
    logits = y_pred if from_logits else ops.logits_behind(y_pred, ops.softmax)
    if logits is not None:
        return _nll_from_logits(y_true, logits, -1)
    _check_probabilities(y_pred.data, "categorical_crossentropy", rows_sum_to_one=True)
    return _nll_from_probs(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Cross-entropy for integer labels: mean over the batch of -log(y_pred[i, label_i])."""
    name = "sparse_categorical_crossentropy"
    y_pred = ops.tensor(y_pred, f"{name} y_pred")
    if y_pred.ndim != 2 or y_pred.shape[0] == 0:
        swapped = " (the order is (y_true, y_pred))" if np.ndim(y_true) == 2 else ""
        raise ValueError(f"{name} expects y_pred of shape (batch, classes), got "
                         f"{y_pred.shape}{swapped}")
    if np.ndim(y_true) == 2 and np.shape(y_true)[1] > 1:
        raise ValueError(f"{name} expects y_true as integer labels of shape ({len(y_pred)},), "
                         f"got shape {np.shape(y_true)}; for one-hot targets use "
                         "categorical_crossentropy")
    check_order(y_true, y_pred, name)
    labels = class_labels(y_true, f"{name} y_true", n_classes=y_pred.shape[1], scores=False)
    if labels.shape != (len(y_pred),):
        raise ValueError(f"{name} expects labels of shape ({len(y_pred)},), got {labels.shape}")
    logits = y_pred if from_logits else ops.logits_behind(y_pred, ops.softmax)
    if logits is not None:
        return _sparse_nll_from_logits(labels, logits)
    _check_probabilities(y_pred.data, name, rows_sum_to_one=True)
    one_hot = np.zeros(y_pred.shape, y_pred.dtype)
    one_hot[np.arange(len(labels)), labels] = 1
    return categorical_crossentropy(one_hot, y_pred)


def _sparse_nll_from_logits(labels: np.ndarray, logits: Tensor) -> Tensor:
    """mean over the batch of -log_softmax(logits)[i, label_i]: the one-hot sum without the
    one-hot matrix (the training loop's loss, so it is worth the few extra lines)."""
    z = logits.data
    shifted = z - z.max(axis=1, keepdims=True)  # so exp never overflows
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows, n = np.arange(len(labels)), len(labels)
    value = (np.log(total).sum() - shifted[rows, labels].sum()) / n  # -log(e[i, y] / total[i])

    def backward(g):
        grad = e / total  # softmax(logits) - one_hot, over the batch
        grad[rows, labels] -= 1
        return (grad * (g / n),)

    return Tensor._from_op(np.asarray(value, z.dtype), (logits,), backward, "crossentropy")


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Cross-entropy for yes/no targets: mean of -(y log p + (1 - y) log(1 - p))."""
    y_true, y_pred = _pair(y_true, y_pred, "binary_crossentropy")
    check_order(y_true, y_pred, "binary_crossentropy")
    _check_targets(y_true, "binary_crossentropy", "labels 0 or 1 (or probabilities in [0, 1])")
    logits = None if from_logits else ops.logits_behind(y_pred, ops.sigmoid)
    if logits is not None:
        y_pred, from_logits = logits, True
    if from_logits:
        z = y_pred.data
        # log(1 + exp(-|z|)) never overflows; max(z, 0) - z*y completes the stable formula.
        value = (np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))).mean()
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))

        def backward(g):
            return (g * (p - y_true) / z.size,)

        return Tensor._from_op(np.asarray(value, z.dtype), (y_pred,), backward, "bce_logits")
    _check_probabilities(y_pred.data, "binary_crossentropy")
    p = np.clip(y_pred.data, EPSILON, 1 - EPSILON)
    value = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)).mean()

    def backward(g):
        return (g * (p - y_true) / (p * (1 - p) * p.size),)

    return Tensor._from_op(np.asarray(value, p.dtype), (y_pred,), backward, "bce")


LOSSES = {
    "mse": mse,
    "mae": mae,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}
