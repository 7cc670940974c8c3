"""Each kind of bad input gets an error that says what was expected and what came."""

import numpy as np
import pytest

import dlcourse as dl


def model():
    return dl.Sequential([dl.Dense(3, 4, activation="relu"), dl.Dense(4, 2, activation="softmax")])


def test_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"Dense expects inputs of shape \(batch, 3\), got \(5, 4"):
        dl.Dense(3, 2)(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"expects 3 features per sample.*got x of shape \(5, 4\)"):
        m = model()
        dl.fit(m, np.ones((5, 4)), np.zeros(5, int), optimizer=dl.SGD(m.parameters()), verbose=0)


def test_shape_mismatch_in_ops_and_losses():
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2, 3\) do not line up"):
        dl.dot(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"cannot combine shapes \(2, 3\) \+ \(4,\)"):
        dl.Tensor(np.ones((2, 3))) + np.ones(4)
    with pytest.raises(ValueError, match=r"y_true \(3,\) and y_pred \(4,\)"):
        dl.mse(np.ones(3), np.ones(4))


def test_labels_out_of_range_or_not_integers():
    probs = np.full((3, 2), 0.5)
    with pytest.raises(ValueError, match=r"labels in 0\.\.1, got 2"):
        dl.sparse_categorical_crossentropy([0, 1, 2], probs)
    with pytest.raises(ValueError, match=r"labels in 0\.\.1, got -1"):
        dl.sparse_categorical_crossentropy([0, -1, 1], probs)
    with pytest.raises(TypeError, match="integer class labels"):
        dl.sparse_categorical_crossentropy([0.5, 1, 0], probs)
    with pytest.raises(ValueError, match=r"labels of shape \(3,\), got \(2,\)"):
        dl.sparse_categorical_crossentropy([0, 1], probs)


def test_probabilities_out_of_range_suggest_from_logits():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*from_logits=True"):
        dl.categorical_crossentropy([[0, 1]], [[3.0, -1.0]])
    with pytest.raises(ValueError, match="probabilities"):
        dl.binary_crossentropy([1.0], [1.5])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_inputs(bad):
    x = np.ones((4, 3))
    x[2, 1] = bad
    m = model()
    with pytest.raises(ValueError, match=r"fit: x must be finite numbers, got 1 NaN or infinite "
                                         r"value\(s\) \(first at index \(2, 1\)\)"):
        dl.fit(m, x, np.zeros(4, int), optimizer=dl.SGD(m.parameters()), verbose=0)
    with pytest.raises(ValueError, match="predict: x must be finite"):
        dl.predict(m, x)


def test_empty_data():
    m = model()
    with pytest.raises(ValueError, match=r"x must hold at least one sample, got shape \(0, 3\)"):
        dl.fit(m, np.ones((0, 3)), np.zeros(0, int), optimizer=dl.SGD(m.parameters()))
    with pytest.raises(ValueError, match="empty"):
        dl.mse([], [])


def test_mismatched_sample_counts():
    m = model()
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        dl.fit(m, np.ones((4, 3)), np.zeros(3, int), optimizer=dl.SGD(m.parameters()))


def test_strings_where_numbers_belong():
    with pytest.raises(TypeError, match="must contain numbers, got str 'x'"):
        dl.Dense(3, 2)([[1.0, "x", 2.0]])
    with pytest.raises(TypeError, match="got the string"):
        dl.mse("1 2 3", [1.0, 2.0, 3.0])
    m = model()
    with pytest.raises(TypeError, match="must be a positive number, got '0.1'"):
        dl.SGD(m.parameters(), learning_rate="0.1")


@pytest.mark.parametrize("call,message", [
    (lambda: dl.Dense(0, 3), "Dense n_inputs must be a positive integer, got 0"),
    (lambda: dl.Dense(3, 2.5), r"Dense n_units must be a positive integer \(an int\), got float"),
    (lambda: dl.Dense(3, 2, activation="tanhh"), "unknown activation 'tanhh'"),
    (lambda: dl.LinearUnit(2, w=[1.0]), r"w must have shape \(2,\), got \(1,\)"),
    (lambda: dl.Sequential([]), "at least one layer"),
])
def test_bad_layer_arguments(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


@pytest.mark.parametrize("kwargs,message", [
    ({"epochs": 0}, "epochs must be a positive integer, got 0"),
    ({"batch_size": -1}, "batch_size must be a positive integer, got -1"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"metrics": ["precision"]}, "unknown metric 'precision'"),
])
def test_bad_fit_arguments(kwargs, message):
    m = model()
    args = {"optimizer": dl.SGD(m.parameters()), "verbose": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        dl.fit(m, np.ones((4, 3)), np.zeros(4, int), **args)
