"""No silent wrong answers: each edge where the library used to hand back a wrong number, a bare
numpy error or nothing at all now gives PyTorch's result or a clear dlcourse error."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl

SETTINGS = settings(max_examples=25, deadline=None)


# 1. no 0/0 in any backward ------------------------------------------------------------------------
def test_x_to_the_power_0_has_slope_0_at_0():
    x = dl.Tensor([0.0, 2.0, -3.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


# Where PyTorch's gradient at 0 is a finite number, ours is the same number.
AT_ZERO = [
    ("x**0", lambda x: x**0, 0.0), ("x**1", lambda x: x**1, 1.0), ("x**2", lambda x: x**2, 0.0),
    ("x**3", lambda x: x**3, 0.0), ("abs", dl.abs, 0.0), ("relu", dl.relu, 0.0),
    ("sigmoid", dl.sigmoid, 0.25), ("tanh", dl.tanh, 1.0), ("exp", dl.exp, 1.0),
    ("x * x", lambda x: x * x, 0.0), ("max", lambda x: x.max(), 1.0),
    ("softmax", lambda x: dl.softmax(x.reshape(1, 1))[0, 0], 0.0),
    ("mean", lambda x: x.mean(), 1.0),
]


@pytest.mark.parametrize("name,fn,slope", AT_ZERO, ids=[a[0] for a in AT_ZERO])
def test_every_op_has_pytorchs_finite_slope_at_zero(name, fn, slope):
    x = dl.Tensor(0.0, requires_grad=True)
    fn(x).sum().backward()
    assert x.grad == slope


# 2. empty axes, a number summed over axis 0, batched matmul --------------------------------------
@pytest.mark.parametrize("shape,axis", [((3, 0), -1), ((0, 4), -1), ((0, 4), 0), ((2, 0, 3), 1)])
@pytest.mark.parametrize("fn", [dl.softmax, dl.log_softmax])
def test_softmax_over_an_empty_axis_is_empty_as_in_pytorch(fn, shape, axis):
    x = dl.Tensor(np.zeros(shape), requires_grad=True)
    out = fn(x, axis=axis)
    assert out.shape == shape
    out.sum().backward()
    assert x.grad.shape == shape


def test_softmax_axis_out_of_range_is_a_dlcourse_error():
    with pytest.raises(ValueError, match=r"softmax axis 2 is out of range .* shape \(2, 3\)"):
        dl.softmax(np.ones((2, 3)), axis=2)


@pytest.mark.parametrize("axis", [0, -1, (0,)])
def test_a_single_number_sums_over_axis_0_as_in_pytorch(axis):
    x = dl.Tensor(3.0, requires_grad=True)
    s = x.sum(axis)
    assert s.shape == () and s.item() == 3.0
    s.backward()
    assert x.grad == 1.0
    assert dl.Tensor(3.0).mean(axis).item() == 3.0


def test_a_single_number_has_no_axis_1():
    with pytest.raises(ValueError, match="axis 1 is out of range for a tensor with 0 axes"):
        dl.Tensor(1.0).sum(1)


def test_batched_matmul_with_batch_axes_that_do_not_broadcast_is_a_dlcourse_error():
    with pytest.raises(ValueError, match=r"batch axes \(2,\) and \(3,\) that do not broadcast"):
        dl.Tensor(np.ones((2, 3, 4))) @ dl.Tensor(np.ones((3, 4, 5)))


@SETTINGS
@given(st.sampled_from([((2, 3, 4), (1, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)),
                        ((2, 3, 4), (4,))]), st.integers(0, 2**32 - 1))
def test_batched_matmul_that_broadcasts_matches_numpy_and_gradchecks(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    np.testing.assert_allclose((dl.Tensor(a) @ b).data, a @ b)
    assert dl.gradcheck(lambda s, t: s @ t, a, b)  # every output entry, randomly weighted


# 6. .grad arrays, one dtype per layer, 0-d data --------------------------------------------------
def test_a_float32_layer_computes_in_float32_from_float64_inputs():
    layer = dl.Dense(4, 3, seed=0, dtype="float32")
    out = layer(np.ones((2, 4)))
    assert out.dtype == np.float32
    out.sum().backward()
    assert layer.W.grad.dtype == np.float32 and layer.b.grad.dtype == np.float32


def test_the_parameters_are_the_one_source_of_a_layers_dtype():
    model = dl.Sequential([dl.Dense(4, 3, seed=0), dl.ReLU(), dl.Dense(3, 2, seed=1)])
    assert model.dtype == np.float64
    model.layers[0].W.data = model.layers[0].W.data.astype(np.float32)
    model.layers[0].b.data = model.layers[0].b.data.astype(np.float32)
    assert model.layers[0].dtype == np.float32
    assert model.layers[0](np.ones((2, 4))).dtype == np.float32
    model.to(np.float32)
    assert model(np.ones((2, 4))).dtype == np.float32
    assert "dtype" not in vars(model.layers[0])


@SETTINGS
@given(st.sampled_from([(3,), (2, 3), (1,), ()]), st.sampled_from(["float32", "float64"]))
def test_gradients_of_broadcast_operands_are_separate_writable_arrays(shape, dtype):
    a = dl.Tensor(np.ones(shape, dtype), requires_grad=True)
    b = dl.Tensor(np.ones((4, 2, 3), dtype), requires_grad=True)
    (a * 2.0 + b).sum().backward()
    for t in (a, b):
        assert t.grad.shape == t.shape and t.grad.dtype == t.dtype and t.grad.flags.writeable
        assert not np.shares_memory(t.grad, a.grad if t is b else b.grad)
    a.grad *= 0


def test_np_asarray_of_a_single_number_tensor():
    x = dl.Tensor(3.0)
    for result in (x**2, x.sum(), x * 2, dl.exp(x)):
        assert type(result.data) is np.ndarray and np.asarray(result).ndim == 0


# 7. arguments in the wrong order -----------------------------------------------------------------
PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
ONE_HOT = np.eye(3)[[0, 1]]


def test_categorical_crossentropy_with_the_arguments_swapped_says_so():
    with pytest.raises(ValueError, match=r"takes \(y_true, y_pred\) in that order.*swap"):
        dl.categorical_crossentropy(PROBS, ONE_HOT)


def test_binary_crossentropy_with_the_arguments_swapped_says_so():
    with pytest.raises(ValueError, match=r"takes \(y_true, y_pred\) in that order"):
        dl.binary_crossentropy(np.array([0.9, 0.2, 0.7]), np.array([1.0, 0.0, 1.0]))


def test_predictions_that_are_not_probabilities_point_to_from_logits():
    scores = np.maximum(np.random.default_rng(0).normal(size=(4, 3)), 0) + 0.1
    scores /= scores.max() * 1.01  # in [0, 1], but rows do not sum to 1: ReLU outputs
    for loss, target in [(dl.sparse_categorical_crossentropy, [0, 1, 2, 0]),
                         (dl.categorical_crossentropy, np.eye(3)[[0, 1, 2, 0]])]:
        with pytest.raises(ValueError, match="summing to 1.*from_logits=True"):
            loss(target, scores)
        assert np.isfinite(loss(target, scores, from_logits=True).item())


def test_targets_that_are_not_labels_or_one_hot_are_named():
    with pytest.raises(ValueError, match=r"y_true to be one-hot rows"):
        dl.categorical_crossentropy(np.array([[2.0, 0, 0]]), np.array([[0.5, 0.3, 0.2]]))
    with pytest.raises(ValueError, match=r"y_true to be labels 0 or 1.*got 3"):
        dl.binary_crossentropy([3.0, 0.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="for one-hot targets use categorical_crossentropy"):
        dl.sparse_categorical_crossentropy(ONE_HOT, PROBS)


def test_accuracy_with_the_arguments_swapped_says_so():
    with pytest.raises(ValueError, match=r"accuracy takes \(y_true, y_pred\)"):
        dl.accuracy(PROBS, [0, 1])
    assert dl.accuracy([0, 1], PROBS) == 1.0
    assert dl.accuracy([0, 2, 2], np.array([0, 1, 2])) == pytest.approx(2 / 3)  # labels


def test_right_order_and_soft_targets_still_pass():
    assert dl.categorical_crossentropy(ONE_HOT, PROBS).item() > 0
    assert dl.categorical_crossentropy(PROBS, PROBS).item() > 0  # soft targets are targets
    assert dl.binary_crossentropy([1.0, 0.0], [0.9, 0.2]).item() > 0


# 8. an exploding loss stops fit ------------------------------------------------------------------
def test_fit_stops_a_loss_that_explodes_and_names_the_learning_rate():
    (x, y), _ = dl.datasets.load_digits()
    dl.manual_seed(0)
    model = dl.Sequential([dl.Dense(64, 32, activation="relu"),
                           dl.Dense(32, 10, activation="softmax")])
    with pytest.raises(dl.TrainingDiverged, match=r"exploded to .* learning rate \(100\)"):
        dl.fit(model, x, y, optimizer=dl.SGD(model.parameters(), learning_rate=100), epochs=3,
               verbose=0, seed=0)


def test_fit_at_a_good_learning_rate_does_not_stop():
    (x, y), _ = dl.datasets.load_digits()
    dl.manual_seed(0)
    model = dl.Sequential([dl.Dense(64, 32, activation="relu"),
                           dl.Dense(32, 10, activation="softmax")])
    history = dl.fit(model, x, y, optimizer=dl.SGD(model.parameters(), learning_rate=1.0),
                     epochs=2, verbose=0, seed=0)
    assert history["loss"][-1] < history["loss"][0]


# 9. clearer errors -------------------------------------------------------------------------------
def test_sgd_given_the_method_instead_of_its_result():
    model = dl.Sequential([dl.Dense(2, 3)])
    with pytest.raises(TypeError, match=r"the method .*parameters itself.*model.parameters\(\)"):
        dl.SGD(model.parameters)
    with pytest.raises(TypeError, match=r"got the model itself"):
        dl.SGD(model)
    with pytest.raises(TypeError, match=r"single Tensor: write SGD\(\[w\]\)"):
        dl.SGD(model.layers[0].W)
