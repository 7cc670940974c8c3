"""Layers: shapes, initialisation, parameters, gradients, summary."""

import numpy as np
import pytest

import dlcourse as dl


def test_linear_unit_is_w_dot_x_plus_b():
    unit = dl.LinearUnit(3, w=[1.0, -2.0, 0.5], b=4.0)
    x = np.array([[1.0, 1.0, 2.0], [0.0, 3.0, -2.0]])
    np.testing.assert_allclose(unit(x).data, x @ [1.0, -2.0, 0.5] + 4.0)
    assert unit.w.shape == (3,) and unit.b.shape == ()
    assert unit([[1.0, 1.0, 2.0]]).shape == (1,)


def test_linear_unit_with_one_input_takes_a_flat_batch():
    unit = dl.LinearUnit(1, w=[2.0], b=1.0)
    np.testing.assert_allclose(unit([0.0, 1.0, 2.0]).data, [1.0, 3.0, 5.0])


def test_dense_is_many_linear_units_sharing_inputs():
    layer = dl.Dense(4, 3, seed=1)
    x = np.random.default_rng(0).normal(size=(5, 4))
    out = layer(x).data
    for j in range(3):
        unit = dl.LinearUnit(4, w=layer.W.data[:, j], b=layer.b.data[j])
        np.testing.assert_allclose(out[:, j], unit(x).data)


def test_dense_initialisation_is_seeded_and_suits_relu():
    a, b, c = dl.Dense(200, 300, seed=0), dl.Dense(200, 300, seed=0), dl.Dense(200, 300, seed=1)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, c.W.data)
    assert a.W.data.std() == pytest.approx(np.sqrt(2 / 200), rel=0.05)  # He initialisation
    assert np.all(a.b.data == 0)


@pytest.mark.parametrize("activation,reference", [
    (None, lambda z: z), ("relu", lambda z: np.maximum(z, 0)),
    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
    ("softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
])
def test_dense_activations(activation, reference):
    layer = dl.Dense(3, 4, activation=activation, seed=2)
    x = np.random.default_rng(1).normal(size=(6, 3))
    np.testing.assert_allclose(layer(x).data, reference(x @ layer.W.data + layer.b.data))


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "softmax"])
def test_dense_gradients(activation):
    layer = dl.Dense(3, 4, activation=activation, seed=3)
    x = np.random.default_rng(2).normal(size=(5, 3))

    def forward(x, W, b):
        layer.W, layer.b = W, b
        return layer(x)

    assert dl.gradcheck(forward, x, layer.W.data, layer.b.data, names=["x", "W", "b"])


def test_sequential_gradients_through_every_parameter():
    model = dl.Sequential([dl.Dense(3, 5, activation="relu", seed=0), dl.Dense(5, 2, seed=1),
                           dl.Sigmoid()])
    x = np.random.default_rng(3).normal(size=(4, 3))
    params = model.parameters()
    assert [p.shape for p in params] == [(3, 5), (5,), (5, 2), (2,)]

    def forward(*tensors):
        for layer, (W, b) in zip(model.layers[:2], zip(tensors[::2], tensors[1::2])):
            layer.W, layer.b = W, b
        return model(x)

    assert dl.gradcheck(forward, *[p.data for p in params])


def test_activation_layers_have_no_parameters():
    for layer in (dl.ReLU(), dl.Sigmoid(), dl.Softmax()):
        assert layer.parameters() == []
    np.testing.assert_allclose(dl.ReLU()([-1.0, 2.0]).data, [0.0, 2.0])


def test_summary_lists_layers_output_shapes_and_parameter_counts(capsys):
    model = dl.Sequential([dl.Dense(64, 32, activation="relu"), dl.Dense(32, 10), dl.Softmax()])
    model.summary()
    text = capsys.readouterr().out
    assert "(None, 32)" in text and "(None, 10)" in text
    assert "2,080" in text and "330" in text and "Total params: 2,410" in text
    assert text.count("\n") == 7


def test_float32_layers_compute_in_float32():
    model = dl.Sequential([dl.Dense(4, 3, activation="relu", dtype="float32"),
                           dl.Dense(3, 2, dtype="float32")])
    out = model(np.ones((2, 4)))
    assert out.dtype == np.float32
    dl.sparse_categorical_crossentropy([0, 1], out, from_logits=True).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
