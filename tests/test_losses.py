"""Losses: values against their formulas, gradients, stability at the extremes, and the outline's
formula written literally."""

import numpy as np
import pytest

import dlcourse as dl

rng = np.random.default_rng(0)
Y_REG, P_REG = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
LABELS = np.array([0, 2, 1, 2, 0])
ONE_HOT = np.eye(3)[LABELS]
LOGITS = rng.normal(size=(5, 3))
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
Y_BIN = np.array([1.0, 0.0, 1.0, 1.0])
Z_BIN = np.array([0.3, -1.2, 2.0, -0.4])
P_BIN = 1 / (1 + np.exp(-Z_BIN))


def test_regression_losses_match_their_formulas():
    assert dl.mse(Y_REG, P_REG).item() == pytest.approx(((P_REG - Y_REG) ** 2).mean())
    assert dl.mae(Y_REG, P_REG).item() == pytest.approx(np.abs(P_REG - Y_REG).mean())


def test_classification_losses_match_their_formulas():
    expected = -np.log(PROBS[np.arange(5), LABELS]).mean()
    assert dl.categorical_crossentropy(ONE_HOT, PROBS).item() == pytest.approx(expected)
    assert dl.sparse_categorical_crossentropy(LABELS, PROBS).item() == pytest.approx(expected)
    for loss, target in ((dl.categorical_crossentropy, ONE_HOT),
                         (dl.sparse_categorical_crossentropy, LABELS)):
        assert loss(target, LOGITS, from_logits=True).item() == pytest.approx(expected)
        assert loss(target, dl.softmax(LOGITS)).item() == pytest.approx(expected)
    bce = -(Y_BIN * np.log(P_BIN) + (1 - Y_BIN) * np.log(1 - P_BIN)).mean()
    assert dl.binary_crossentropy(Y_BIN, P_BIN).item() == pytest.approx(bce)
    assert dl.binary_crossentropy(Y_BIN, Z_BIN, from_logits=True).item() == pytest.approx(bce)
    assert dl.binary_crossentropy(Y_BIN, dl.sigmoid(Z_BIN)).item() == pytest.approx(bce)


@pytest.mark.parametrize("loss,y_true,y_pred,kwargs", [
    (dl.mse, Y_REG, P_REG, {}),
    (dl.mae, Y_REG, P_REG, {}),
    (dl.categorical_crossentropy, ONE_HOT, PROBS, {}),
    (dl.categorical_crossentropy, ONE_HOT, LOGITS, {"from_logits": True}),
    (dl.sparse_categorical_crossentropy, LABELS, PROBS, {}),
    (dl.sparse_categorical_crossentropy, LABELS, LOGITS, {"from_logits": True}),
    (dl.binary_crossentropy, Y_BIN, P_BIN, {}),
    (dl.binary_crossentropy, Y_BIN, Z_BIN, {"from_logits": True}),
], ids=lambda v: getattr(v, "__name__", None) or (str(v) if isinstance(v, dict) else ""))
def test_loss_gradients(loss, y_true, y_pred, kwargs):
    assert dl.gradcheck(lambda p: loss(y_true, p, **kwargs), y_pred)


@pytest.mark.parametrize("loss,target", [(dl.categorical_crossentropy, ONE_HOT),
                                         (dl.sparse_categorical_crossentropy, LABELS)])
def test_cross_entropy_through_softmax_gradients(loss, target):
    assert dl.gradcheck(lambda z: loss(target, dl.softmax(z)), LOGITS)


def test_binary_crossentropy_through_sigmoid_gradients():
    assert dl.gradcheck(lambda z: dl.binary_crossentropy(Y_BIN, dl.sigmoid(z)), Z_BIN)


def test_outline_formula_written_literally_has_the_right_four_gradients():
    r = np.random.default_rng(42)
    inputs, y_true = r.normal(size=(8, 5)), np.eye(4)[r.integers(0, 4, 8)]
    W1 = dl.Tensor(r.normal(size=(5, 6)), requires_grad=True)
    b1 = dl.Tensor(r.normal(size=6) * 0.1, requires_grad=True)
    W2 = dl.Tensor(r.normal(size=(6, 4)), requires_grad=True)
    b2 = dl.Tensor(r.normal(size=4) * 0.1, requires_grad=True)

    def loss_value(W1, b1, W2, b2):
        return dl.categorical_crossentropy(
            y_true, dl.softmax(dl.dot(dl.relu(dl.dot(inputs, W1) + b1), W2) + b2))

    loss_value(W1, b1, W2, b2).backward()
    assert all(t.grad is not None for t in (W1, b1, W2, b2))
    report = dl.gradcheck(loss_value, W1, b1, W2, b2, names=["W1", "b1", "W2", "b2"])
    assert report.passed, report
    for name, tensor in zip(["W1", "b1", "W2", "b2"], [W1, b1, W2, b2]):
        np.testing.assert_allclose(report[name].analytic, tensor.grad)
        assert report[name].max_relative_error < 1e-6


@pytest.mark.parametrize("big", [1e4, 1e2, 50.0])
def test_cross_entropies_are_finite_at_extreme_logits(big):
    z = dl.Tensor([[big, -big, 0.0], [-big, big, 0.0]], requires_grad=True)
    for loss in (lambda: dl.sparse_categorical_crossentropy([1, 1], dl.softmax(z)),
                 lambda: dl.sparse_categorical_crossentropy([1, 1], z, from_logits=True)):
        value = loss()
        value.backward()
        assert value.item() == pytest.approx(big)  # half the rows are wrong by `big`
        assert np.all(np.isfinite(z.grad))
        np.testing.assert_allclose(z.grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)
        z.grad = None
    s = dl.Tensor([big, -big], requires_grad=True)
    value = dl.binary_crossentropy([0.0, 1.0], dl.sigmoid(s))
    value.backward()
    assert value.item() == pytest.approx(big)
    np.testing.assert_allclose(s.grad, [0.5, -0.5])


def test_cross_entropies_are_finite_at_probabilities_of_exactly_0_and_1():
    p = dl.Tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    for value in (dl.categorical_crossentropy([[0, 1], [0, 1]], p),
                  dl.sparse_categorical_crossentropy([1, 1], p),
                  dl.binary_crossentropy([[0, 1], [0, 1]], p)):
        value.backward()
        assert np.isfinite(value.item()) and value.item() > 5  # confidently wrong costs a lot
        assert np.all(np.isfinite(p.grad))
        p.grad = None
    perfect = dl.binary_crossentropy([1.0, 0.0], [1.0, 0.0]).item()
    assert 0 <= perfect < 1e-6


def test_a_column_of_predictions_meets_a_flat_target():
    y_pred = np.array([[1.0], [2.0], [3.0]])
    assert dl.mse([1.0, 2.0, 4.0], y_pred).item() == pytest.approx(1 / 3)
