"""Every atomic operation: forward value against numpy, and backward against central differences
(gradcheck), over random shapes that include numpy broadcasting."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl
from dlcourse import ops

SETTINGS = settings(max_examples=25, deadline=None)


def shapes(min_dims=0, max_dims=3):
    return st.lists(st.integers(1, 4), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def broadcastable_pair(draw):
    """Two shapes numpy can broadcast together: some axes of one set to 1 or dropped."""
    full = draw(shapes(1, 3))
    other = [1 if draw(st.booleans()) else n for n in full]
    drop = draw(st.integers(0, len(full)))
    other = tuple(other[drop:])
    return (full, other) if draw(st.booleans()) else (other, full)


def values(shape, seed, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from_zero(shape, seed):
    v = values(shape, seed, 0.5, 2.0)
    return v * np.where(np.random.default_rng(seed + 1).random(shape) < 0.5, -1, 1)


def assert_gradients(fn, *arrays):
    report = dl.gradcheck(fn, *arrays)
    assert report.passed, report


@SETTINGS
@given(broadcastable_pair(), st.integers(0, 1000))
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_binary_ops_forward_and_backward_with_broadcasting(name, pair, seed):
    a, b = values(pair[0], seed), away_from_zero(pair[1], seed + 7)
    fn = getattr(ops, name)
    expected = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}[name](a, b)
    np.testing.assert_allclose(fn(a, b).data, expected)
    assert_gradients(fn, a, b)


def test_operators_match_the_ops_and_accept_plain_numbers_on_either_side():
    a = dl.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    out = (2 + a) * 3 - a / 2 - (1 - a) + (6 / (a + 10)) + (-a) ** 2
    out.sum().backward()
    x = a.data
    expected = (2 + x) * 3 - x / 2 - (1 - x) + 6 / (x + 10) + x**2
    np.testing.assert_allclose(out.data, expected)
    np.testing.assert_allclose(a.grad, 3 - 0.5 + 1 - 6 / (x + 10) ** 2 + 2 * x)


def test_ndarray_on_the_left_still_builds_a_tensor():
    a = dl.Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([3.0, 4.0]) * a
    assert isinstance(out, dl.Tensor)
    out.sum().backward()
    np.testing.assert_allclose(a.grad, [3.0, 4.0])


@SETTINGS
@given(shapes(0, 3), st.integers(0, 1000), st.sampled_from([2, 3, 0.5, -1]))
def test_power(shape, seed, exponent):
    a = values(shape, seed, 0.5, 2.0)
    np.testing.assert_allclose(ops.power(a, exponent).data, a**exponent)
    assert_gradients(lambda t: t**exponent, a)


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 3),
       st.integers(0, 1000))
def test_dot_matrix_shapes_and_batches(n, k, m, batch, seed):
    a_shape = (batch, n, k) if batch else (n, k)
    a, b = values(a_shape, seed), values((k, m), seed + 1)
    np.testing.assert_allclose(dl.dot(a, b).data, a @ b)
    assert_gradients(dl.dot, a, b)


@pytest.mark.parametrize("a_shape,b_shape", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
                                             ((2, 2, 3), (3,)), ((3,), (2, 3, 4)),
                                             ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5))])
def test_dot_vectors_and_batched_matrices(a_shape, b_shape):
    a, b = values(a_shape, 1), values(b_shape, 2)
    np.testing.assert_allclose(dl.dot(a, b).data, a @ b)
    assert_gradients(dl.dot, a, b)


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 4), st.integers(0, 1000))
def test_linear_is_x_at_w_plus_b(batch, n_in, n_out, seed):
    x, W, b = values((batch, n_in), seed), values((n_in, n_out), seed + 1), values(n_out, seed + 2)
    np.testing.assert_allclose(dl.linear(x, W, b).data, x @ W + b)
    assert_gradients(dl.linear, x, W, b)


@SETTINGS
@given(shapes(1, 3), st.integers(0, 1000), st.booleans(), st.data())
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_reductions(name, shape, seed, keepdims, data):
    a = values(shape, seed)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    fn = getattr(ops, name)
    np.testing.assert_allclose(fn(a, axis, keepdims).data,
                               getattr(np, name)(a, axis=axis, keepdims=keepdims))
    assert_gradients(lambda t: fn(t, axis, keepdims), a)


@SETTINGS
@given(shapes(1, 3), st.integers(0, 1000))
@pytest.mark.parametrize("name,reference", [
    ("exp", np.exp), ("sigmoid", lambda v: 1 / (1 + np.exp(-v))), ("tanh", np.tanh),
])
def test_smooth_elementwise(name, reference, shape, seed):
    a = values(shape, seed)
    np.testing.assert_allclose(getattr(dl, name)(a).data, reference(a))
    assert_gradients(getattr(dl, name), a)


@SETTINGS
@given(shapes(1, 3), st.integers(0, 1000))
@pytest.mark.parametrize("name,reference", [("relu", lambda v: np.maximum(v, 0)),
                                            ("abs", np.abs), ("log", lambda v: np.log(np.abs(v)))])
def test_elementwise_with_a_kink_or_pole_away_from_it(name, reference, shape, seed):
    a = away_from_zero(shape, seed)
    if name == "log":
        a = np.abs(a)
    np.testing.assert_allclose(getattr(dl, name)(a).data, reference(a))
    assert_gradients(getattr(dl, name), a)


@SETTINGS
@given(shapes(1, 3), st.integers(0, 1000), st.data())
def test_softmax_and_log_softmax(shape, seed, data):
    a = values(shape, seed, -3, 3)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    expected = np.exp(a) / np.exp(a).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(dl.softmax(a, axis=axis).data, expected)
    np.testing.assert_allclose(dl.log_softmax(a, axis=axis).data, np.log(expected))
    assert_gradients(lambda t: dl.softmax(t, axis=axis), a)
    assert_gradients(lambda t: dl.log_softmax(t, axis=axis), a)


def test_reshape_transpose_and_indexing():
    a = values((2, 3), 0)
    assert_gradients(lambda t: t.reshape(3, 2) @ t, a)
    assert_gradients(lambda t: t.T @ t, a)
    assert_gradients(lambda t: t[np.array([0, 1, 1]), np.array([2, 0, 0])] * 3, a)
    assert_gradients(lambda t: t[:, 1:], a)


@pytest.mark.parametrize("big", [1e4, -1e4, 800.0])
def test_activations_stay_finite_at_extreme_inputs(big):
    x = dl.Tensor([[big, -big, 0.0]], requires_grad=True)
    for fn in (dl.sigmoid, dl.softmax, dl.log_softmax, dl.tanh):
        out = fn(x)
        assert np.all(np.isfinite(out.data)), fn.__name__
        out.sum().backward()
        assert np.all(np.isfinite(x.grad)), fn.__name__
        x.grad = None
    np.testing.assert_allclose(dl.softmax(x).data.sum(), 1.0)
    np.testing.assert_allclose(dl.sigmoid([big]).data, [1.0 if big > 0 else 0.0])


def test_gradcheck_reports_a_wrong_gradient():
    def wrong_square(t):
        return dl.Tensor._from_op(t.data**2, (t,), lambda g: (g * t.data,), "bad")  # missing 2

    report = dl.gradcheck(wrong_square, values((3,), 0), names=["x"])
    assert not report.passed and not report
    assert report["x"].max_relative_error > 0.1
    assert "WRONG" in repr(report) and "x" in repr(report)
    assert "FAILED" in report._repr_html_()


def test_gradcheck_report_reads_well_when_it_passes():
    report = dl.gradcheck(lambda w, b: (w * 3 + b).sum(), [1.0, 2.0], 0.5, names=["w", "b"])
    assert report.passed and report.max_relative_error < 1e-7
    text = repr(report)
    assert text.startswith("gradcheck: passed") and "w " in text and "ok" in text
