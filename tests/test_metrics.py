"""confusion_matrix and the label reading behind it (numpy only)."""

import numpy as np
import pytest

from dlcourse.metrics import class_labels, confusion_matrix


def test_rows_are_true_classes_and_columns_predictions():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2], n_classes=3)
    expected = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(matrix, expected)


def test_counts_sum_to_n_and_diagonal_counts_correct(rng):
    y_true = rng.integers(0, 10, size=200)
    y_pred = np.where(rng.random(200) < 0.8, y_true, rng.integers(0, 10, size=200))
    matrix = confusion_matrix(y_true, y_pred, n_classes=10)
    assert matrix.sum() == 200
    assert np.trace(matrix) == (y_true == y_pred).sum()
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(y_true, minlength=10))


def test_probabilities_and_one_hot_are_read_by_their_largest_entry():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    one_hot = np.eye(2)[[0, 1, 1]]
    np.testing.assert_array_equal(confusion_matrix(one_hot, probabilities), [[1, 0], [1, 1]])


def test_n_classes_defaults_to_the_largest_label_plus_one():
    assert confusion_matrix([0, 3], [0, 0]).shape == (4, 4)


def test_whole_floats_are_labels():
    np.testing.assert_array_equal(class_labels(np.array([1.0, 2.0]), "y"), [1, 2])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "n_classes", "error", "message"),
    [
        ([0, 1], [0], None, ValueError, "2 targets and 1 predictions"),
        ([0, 5], [0, 1], 3, ValueError, "n_classes=3 but a label 5"),
        ([0, -1], [0, 1], None, ValueError, ">= 0"),
        ([0.5, 1.0], [0, 1], None, TypeError, "whole numbers"),
        (["a", "b"], [0, 1], None, TypeError, "numbers"),
        ([0, 1], [0, 1], 2.5, TypeError, "whole number"),
        (np.zeros((2, 2, 2)), [0, 1], None, ValueError, "shape"),
    ],
)
def test_bad_input_is_named(y_true, y_pred, n_classes, error, message):
    with pytest.raises(error, match=message):
        confusion_matrix(y_true, y_pred, n_classes)
