"""The same computations in PyTorch, as a reference (skipped when torch is not installed:
`pip install torch==2.13.0` into the venv to run them)."""

import numpy as np
import pytest

import dlcourse as dl

torch = pytest.importorskip("torch", reason="PyTorch is an optional reference")


def both(array):
    """A dlcourse leaf and a torch leaf holding the same float64 numbers."""
    return (dl.Tensor(array.copy(), requires_grad=True),
            torch.tensor(array.copy(), dtype=torch.float64, requires_grad=True))


def test_the_outline_formula_matches_pytorch_value_and_gradients():
    rng = np.random.default_rng(7)
    inputs, labels = rng.normal(size=(16, 8)), rng.integers(0, 5, 16)
    arrays = [rng.normal(size=(8, 12)), rng.normal(size=12), rng.normal(size=(12, 5)),
              rng.normal(size=5)]
    ours, theirs = zip(*(both(a) for a in arrays))
    W1, b1, W2, b2 = ours
    loss = dl.sparse_categorical_crossentropy(
        labels, dl.softmax(dl.dot(dl.relu(dl.dot(inputs, W1) + b1), W2) + b2))
    loss.backward()
    tW1, tb1, tW2, tb2 = theirs
    x = torch.tensor(inputs)
    logits = torch.relu(x @ tW1 + tb1) @ tW2 + tb2
    reference = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    reference.backward()
    assert loss.item() == pytest.approx(reference.item(), rel=1e-12)
    for mine, ref in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["mse", "mae", "binary_crossentropy"])
def test_losses_match_pytorch(name):
    rng = np.random.default_rng(3)
    target = rng.random((6, 3)) if name != "binary_crossentropy" else rng.integers(0, 2, (6, 3))
    prediction = rng.random((6, 3)) * 0.9 + 0.05
    mine, ref = both(prediction)
    ours = getattr(dl, name)(target.astype(float), mine)
    reference = {"mse": torch.nn.functional.mse_loss, "mae": torch.nn.functional.l1_loss,
                 "binary_crossentropy": torch.nn.functional.binary_cross_entropy}[name](
        ref, torch.tensor(target, dtype=torch.float64))
    ours.backward()
    reference.backward()
    assert ours.item() == pytest.approx(reference.item(), rel=1e-10)
    np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_sgd_with_momentum_follows_pytorch():
    start = np.array([1.5, -2.0, 0.5])
    mine, ref = both(start)
    ours = dl.SGD([mine], learning_rate=0.1, momentum=0.9)
    theirs = torch.optim.SGD([ref], lr=0.1, momentum=0.9)
    for _ in range(10):
        ours.zero_grad()
        theirs.zero_grad()
        (mine * mine * mine).sum().backward()
        (ref**3).sum().backward()
        ours.step()
        theirs.step()
    np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=1e-12)
