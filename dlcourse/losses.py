"""Loss functions: one number that says how far predictions are from the truth.

All take ``(y_true, y_pred)`` in that order and return a single-number Tensor: the mean over the
batch. The cross-entropies are stable at the extremes: given probabilities made by ``softmax`` or
``sigmoid`` they work from the scores (logits) underneath, and with ``from_logits=True`` they take
the scores directly; other probabilities are clipped to [1e-7, 1 - 1e-7] before the log.
"""

from __future__ import annotations

import numpy as np

from dlcourse import ops
from dlcourse.tensor import Tensor, as_array

EPSILON = 1e-7


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


def _check_probabilities(p: np.ndarray, loss: str) -> None:
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError(
            f"{loss} expects probabilities in [0, 1], got values from {np.nanmin(p):.4g} to "
            f"{np.nanmax(p):.4g}{' and NaN' if np.isnan(p).any() else ''}; "
            "if these are scores (logits), pass from_logits=True"
        )


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
    if y_pred._logits is not None and y_pred.op == "softmax" and not from_logits:
        logits, axis = y_pred._logits
        return _nll_from_logits(y_true, logits, axis)
    if from_logits:
        return _nll_from_logits(y_true, y_pred, -1)
    _check_probabilities(y_pred.data, "categorical_crossentropy")
    return _nll_from_probs(y_true, y_pred)


def _labels(y_true, n_classes: int, batch: int) -> np.ndarray:
    labels = np.asarray(y_true)
    whole = labels.dtype.kind == "f" and np.all(np.isfinite(labels) & (labels == labels.round()))
    if whole:
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"sparse_categorical_crossentropy expects integer class labels, got dtype "
            f"{labels.dtype}; for one-hot targets use categorical_crossentropy"
        )
    labels = labels.reshape(-1) if labels.ndim == 2 and labels.shape[1] == 1 else labels
    if labels.shape != (batch,):
        raise ValueError(
            f"sparse_categorical_crossentropy expects labels of shape ({batch},), "
            f"got {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)][0]
        raise ValueError(
            f"sparse_categorical_crossentropy expects labels in 0..{n_classes - 1}, got {bad}"
        )
    return labels


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Cross-entropy for integer labels: mean over the batch of -log(y_pred[i, label_i])."""
    y_pred = ops.tensor(y_pred, "sparse_categorical_crossentropy y_pred")
    if y_pred.ndim != 2 or y_pred.shape[0] == 0:
        raise ValueError(
            "sparse_categorical_crossentropy expects y_pred of shape (batch, classes), got "
            f"{y_pred.shape}"
        )
    labels = _labels(y_true, y_pred.shape[1], y_pred.shape[0])
    if from_logits:
        return _sparse_nll_from_logits(labels, y_pred)
    if y_pred._logits is not None and y_pred.op == "softmax" and y_pred._logits[1] in (-1, 1):
        return _sparse_nll_from_logits(labels, y_pred._logits[0])
    one_hot = np.zeros(y_pred.shape, y_pred.dtype)
    one_hot[np.arange(len(labels)), labels] = 1
    return categorical_crossentropy(one_hot, y_pred)


def _sparse_nll_from_logits(labels: np.ndarray, logits: Tensor) -> Tensor:
    """mean over the batch of -log_softmax(logits)[i, label_i]: the one-hot sum without the
    one-hot matrix (the training loop's loss, so it is worth the few extra lines)."""
    log_p = ops.log_softmax_array(logits.data, axis=1)
    rows, n = np.arange(len(labels)), len(labels)
    value = -log_p[rows, labels].sum() / n

    def backward(g):
        grad = np.exp(log_p)
        grad[rows, labels] -= 1
        return (grad * (g / n),)

    return Tensor._from_op(np.asarray(value, log_p.dtype), (logits,), backward, "crossentropy")


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """Cross-entropy for yes/no targets: mean of -(y log p + (1 - y) log(1 - p))."""
    y_true, y_pred = _pair(y_true, y_pred, "binary_crossentropy")
    if y_pred._logits is not None and y_pred.op == "sigmoid" and not from_logits:
        y_pred, from_logits = y_pred._logits[0], True
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
