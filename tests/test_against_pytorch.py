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


# -- the edges issue 13 fixed: PyTorch's answer is the reference -----------------------------------
METHODS = [
    ("exp", lambda t: t.exp()), ("log", lambda t: t.abs().log()),
    ("sqrt", lambda t: t.abs().sqrt()),
    ("abs", lambda t: t.abs()), ("relu", lambda t: t.relu()), ("sigmoid", lambda t: t.sigmoid()),
    ("tanh", lambda t: t.tanh()), ("softmax", lambda t: t.softmax(1)),
    ("transpose", lambda t: t.transpose(2, 0, 1)),
]


@pytest.mark.parametrize("name,method", METHODS, ids=[m[0] for m in METHODS])
def test_tensor_methods_match_pytorch(name, method):
    rng = np.random.default_rng(11)
    array = rng.normal(size=(2, 3, 4))
    weights = rng.normal(size=method(dl.Tensor(array)).shape)
    mine, ref = both(array)
    (method(mine) * weights).sum().backward()
    if name == "transpose":
        theirs = ref.permute(2, 0, 1)
    elif name == "softmax":
        theirs = ref.softmax(1)
    else:
        theirs = method(ref)
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(method(dl.Tensor(array)).data, theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_max_with_ties_shares_the_gradient_as_pytorch_amax():
    array = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    mine, ref = both(array)
    mine.max(1).sum().backward()
    torch.amax(ref, 1).sum().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy())
    mine, ref = both(array)
    mine.max().backward()
    ref.max().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy())
    np.testing.assert_array_equal(dl.Tensor(array).argmax(1), ref.argmax(1).numpy())


@pytest.mark.parametrize("exponent", [0, 1, 2, 3, 0.5, -1])
def test_power_gradient_at_zero_matches_pytorch(exponent):
    mine, ref = both(np.array([0.0, 1.5]))
    (mine**exponent).sum().backward()
    (ref**exponent).sum().backward()
    np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("shape", [(3, 0), (0, 4)])
def test_softmax_of_an_empty_tensor_matches_pytorch(shape):
    assert dl.softmax(np.zeros(shape)).shape == tuple(torch.zeros(shape).softmax(-1).shape)
    assert dl.log_softmax(np.zeros(shape)).shape == tuple(torch.zeros(shape).log_softmax(-1).shape)


def test_a_single_number_summed_over_axis_0_matches_pytorch():
    assert dl.Tensor(1.0).sum(0).item() == torch.tensor(1.0).sum(0).item()
    assert dl.Tensor(1.0).sum(0).shape == tuple(torch.tensor(1.0).sum(0).shape)


def test_a_second_backward_raises_as_in_pytorch_and_retain_graph_allows_it():
    mine, ref = both(np.array([1.0, 2.0]))
    (ours := (mine * mine).sum()).backward(retain_graph=True)
    (theirs := (ref * ref).sum()).backward(retain_graph=True)
    ours.backward()
    theirs.backward()
    np.testing.assert_array_equal(mine.grad, ref.grad.numpy())
    ours2, theirs2 = (mine.exp()).sum(), (ref.exp()).sum()
    ours2.backward()
    theirs2.backward()
    with pytest.raises(RuntimeError):
        theirs2.backward()
    with pytest.raises(RuntimeError, match="second time"):
        ours2.backward()


def test_comparisons_are_element_wise_as_in_pytorch():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
    for op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        ours = getattr(dl.Tensor(a), op)(dl.Tensor(b))
        theirs = getattr(torch.tensor(a), op)(torch.tensor(b))
        np.testing.assert_array_equal(ours, theirs.numpy())
