"""Measures of a classifier's predictions, in numpy only (the plots draw them)."""

from __future__ import annotations

import numpy as np


def class_labels(values, what: str) -> np.ndarray:
    """Integer class labels from labels, one-hot rows or per-class scores (read by the largest).

    ``values`` of shape (n,) must hold whole numbers >= 0; shape (n, classes) is read row by row
    as the class with the largest entry.
    """
    array = np.asarray(getattr(values, "data", values))
    if array.dtype.kind not in "iufb":
        raise TypeError(f"{what} must be class labels (numbers), got dtype {array.dtype}")
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{what} must be labels of shape (n,) or scores of shape (n, classes), "
            f"got shape {array.shape}"
        )
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError(f"{what} must be whole-number class labels, got {array[:5]}...")
        array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{what} must be class labels >= 0, got {array.min()}")
    return array.astype(np.int64)


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts of (true class, predicted class) pairs: ``matrix[t, p]``.

    Rows are the true classes, columns the predicted ones, so the diagonal holds the correct
    predictions and ``matrix.sum() == n``. ``y_pred`` may be labels or per-class probabilities.
    ``n_classes`` defaults to one more than the largest label seen.

    >>> confusion_matrix([0, 1, 1], [0, 1, 0], n_classes=2)
    array([[1, 0],
           [1, 1]])
    """
    true = class_labels(y_true, "y_true")
    pred = class_labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"confusion_matrix expects as many predictions as targets, got {true.shape[0]} "
            f"targets and {pred.shape[0]} predictions"
        )
    seen = int(max(true.max(initial=-1), pred.max(initial=-1))) + 1
    if n_classes is None:
        n_classes = seen
    elif isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be a whole number, got {n_classes!r}")
    elif n_classes < seen:
        raise ValueError(
            f"confusion_matrix got n_classes={n_classes} but a label {seen - 1} "
            f"(labels must lie in 0..{n_classes - 1})"
        )
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (true, pred), 1)
    return matrix
