"""Measures of a classifier's predictions, in numpy only (the plots draw them)."""

from __future__ import annotations

import numpy as np


def class_labels(values, what: str, n_classes: int | None = None, scores: bool = True
                 ) -> np.ndarray:
    """Integer class labels, read the one way the whole library reads them.

    Shape (n,) or (n, 1): whole numbers >= 0 (ints, or floats such as 3.0). Shape (n, classes):
    with ``scores=True`` (predictions) the class with the largest entry of each row; with
    ``scores=False`` (targets) the rows must be one-hot. ``n_classes`` bounds the labels.
    Tensors are read through their data. The digit explorer, the losses, ``accuracy`` and
    ``confusion_matrix`` all call this.
    """
    array = np.asarray(getattr(values, "data", values))
    if array.dtype.kind not in "iufb":
        raise TypeError(f"{what} must be class labels (numbers), got dtype {array.dtype}")
    if array.ndim == 2 and array.shape[1] > 1:
        if not scores and not is_one_hot(array):
            raise ValueError(f"{what} must be class labels of shape (n,) or one-hot rows, got "
                             f"rows such as {np.round(array[0], 4).tolist()}")
        array = array.argmax(axis=1)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{what} must be labels of shape (n,) or scores of shape (n, classes), "
            f"got shape {array.shape}"
        )
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            bad = array[~np.isfinite(array) | (array != np.round(array))][0]
            raise TypeError(f"{what} must be integer class labels (whole numbers), got {bad:.4g}")
    top = np.inf if n_classes is None else n_classes - 1
    if array.size and (array.min() < 0 or array.max() > top):
        outside = (array < 0) | (array > top)
        expected = ">= 0" if n_classes is None else f"in 0..{n_classes - 1}"
        raise ValueError(f"{what} must be class labels {expected}, got {array[outside][0]:g}")
    return array.astype(np.int64, copy=False)


def is_one_hot(array: np.ndarray) -> bool:
    """True if every row holds zeros and a single one."""
    array = np.asarray(array)
    return bool(array.ndim == 2 and np.isin(array, (0, 1)).all() and (array.sum(axis=1) == 1).all())


def looks_like_labels(values) -> bool:
    """True for whole numbers >= 0, or one-hot rows: what targets look like (not predictions)."""
    array = np.asarray(getattr(values, "data", values))
    if array.dtype.kind not in "iufb" or array.size == 0:
        return False
    if array.ndim == 2 and array.shape[1] > 1:
        return is_one_hot(array)
    if array.dtype.kind in "iub":
        return bool(array.min() >= 0)
    return bool(np.isfinite(array).all() and (array == np.round(array)).all() and array.min() >= 0)


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


def check_order(y_true, y_pred, where: str) -> None:
    """Catch ``(y_pred, y_true)`` passed where ``(y_true, y_pred)`` is meant: targets that are not
    labels (nor one-hot rows) beside predictions that are."""
    if getattr(y_true, "dtype", None) is not None and y_true.dtype.kind in "iu":
        return  # integers are labels (negative ones are reported by class_labels)
    if not looks_like_labels(y_true) and looks_like_labels(y_pred):
        raise ValueError(
            f"{where} takes (y_true, y_pred) in that order, but y_true looks like predictions "
            "and y_pred like labels or one-hot targets: swap the two arguments"
        )
