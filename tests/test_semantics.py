"""The PyTorch habits the library keeps: one seeded generator, a graph freed by backward(),
element-wise comparisons, Tensor methods, dl.tensor, and the Module base class."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dlcourse as dl

SETTINGS = settings(max_examples=25, deadline=None)


# -- one generator, seeded by manual_seed ---------------------------------------------------------
def test_two_layers_built_without_a_seed_never_start_identical():
    a, b = dl.Dense(64, 64), dl.Dense(64, 64)
    assert not np.array_equal(a.W.data, b.W.data)
    assert not np.array_equal(dl.LinearUnit(5).w.data, dl.LinearUnit(5).w.data)


def test_manual_seed_makes_the_draws_repeatable():
    dl.manual_seed(7)
    first = [dl.Dense(3, 4).W.data, dl.LinearUnit(3).w.data]
    dl.manual_seed(7)
    second = [dl.Dense(3, 4).W.data, dl.LinearUnit(3).w.data]
    for one, two in zip(first, second):
        np.testing.assert_array_equal(one, two)
    dl.manual_seed(8)
    assert not np.array_equal(dl.Dense(3, 4).W.data, first[0])


def test_an_explicit_seed_wins_over_the_shared_generator():
    dl.manual_seed(0)
    fixed = dl.Dense(3, 4, seed=5).W.data
    dl.manual_seed(123)
    np.testing.assert_array_equal(dl.Dense(3, 4, seed=5).W.data, fixed)


@pytest.mark.parametrize("seed,error", [(1.5, TypeError), ("0", TypeError), (-1, ValueError)])
def test_manual_seed_wants_a_whole_number(seed, error):
    with pytest.raises(error, match="manual_seed seed"):
        dl.manual_seed(seed)


# -- backward() frees the graph -------------------------------------------------------------------
def test_a_second_backward_through_the_same_graph_raises():
    x = dl.Tensor(3.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()
    assert x.grad == 6.0  # not doubled


def test_a_graph_shared_by_a_second_loss_is_freed_too():
    x = dl.Tensor([1.0, 2.0], requires_grad=True)
    h = dl.relu(x * 3)
    h.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        (h * h).sum().backward()


def test_retain_graph_keeps_it_for_one_more_backward():
    x = dl.Tensor(3.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 12.0
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_gradients_add_up_across_separate_forward_passes():
    w = dl.Tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, 3 * 2 * w.data)


def test_every_leaf_gets_its_own_writable_grad_in_its_own_dtype():
    a = dl.Tensor(np.ones(3), requires_grad=True)
    b = dl.Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad *= 0.5  # writable
    np.testing.assert_array_equal(b.grad, np.ones(3))
    w = dl.Tensor(np.ones(3, np.float32), requires_grad=True)
    (w * np.arange(3.0)).sum().backward()  # a float64 constant
    assert w.grad.dtype == np.float32
    s = dl.Tensor(2.0, requires_grad=True)
    (s * np.ones((4, 3))).sum().backward()  # the gradient arrives as a broadcast view
    assert s.grad.shape == () and s.grad.flags.writeable and s.grad == 12.0


def test_a_number_tensor_holds_an_ndarray():
    x = dl.Tensor(3.0, requires_grad=True)
    y = (x**2).sum()
    assert type(y.data) is np.ndarray and np.asarray(y).shape == ()
    assert np.asarray(x ** 2) == 9.0


# -- comparisons ----------------------------------------------------------------------------------
@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_comparisons_are_element_wise_boolean_arrays(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(-2, 3, (3, 4)).astype(float), rng.integers(-2, 3, (4,)).astype(float)
    t, u = dl.Tensor(a, requires_grad=True), dl.Tensor(b)
    for got, expected in [(t == u, a == b), (t != u, a != b), (t < u, a < b), (t <= b, a <= b),
                          (t > u, a > b), (t >= 0, a >= 0), (b < t, b < a), (1.0 == t, a == 1)]:
        assert isinstance(got, np.ndarray) and got.dtype == bool
        np.testing.assert_array_equal(got, expected)


def test_tensors_still_work_as_dict_keys_and_compare_to_none_by_identity():
    t = dl.Tensor([1.0, 2.0])
    assert {t: 1}[t] == 1 and t in {t}
    assert (t == None) is False and (t != None) is True  # noqa: E711 (what is being tested)


# -- Tensor methods -------------------------------------------------------------------------------
METHODS = [
    ("exp", lambda t: t.exp(), np.exp),
    ("log", lambda t: t.log(), np.log),
    ("sqrt", lambda t: t.sqrt(), np.sqrt),
    ("abs", lambda t: t.abs(), np.abs),
    ("relu", lambda t: t.relu(), lambda a: np.maximum(a, 0)),
    ("sigmoid", lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    ("tanh", lambda t: t.tanh(), np.tanh),
    ("softmax", lambda t: t.softmax(0), lambda a: np.exp(a) / np.exp(a).sum(0)),
    ("max", lambda t: t.max(1), lambda a: a.max(1)),
    ("max all", lambda t: t.max(), lambda a: a.max()),
    ("transpose", lambda t: t.transpose(1, 0, 2), lambda a: a.transpose(1, 0, 2)),
    ("transpose reversed", lambda t: t.transpose(), lambda a: a.transpose()),
]


@pytest.mark.parametrize("name,method,reference", METHODS, ids=[m[0] for m in METHODS])
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_each_method_matches_numpy_and_its_gradient_checks(name, method, reference, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, (2, 3, 4)) * rng.choice([-1, 1], (2, 3, 4))
    if name in ("log", "sqrt"):
        a = np.abs(a)
    np.testing.assert_allclose(method(dl.Tensor(a)).data, reference(a), rtol=1e-12)
    assert dl.gradcheck(lambda t: method(t).sum() if name != "softmax" else
                        (method(t) * np.arange(a.size).reshape(a.shape)).sum(), a)


def test_argmax_gives_integer_indices_without_gradient():
    t = dl.Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 1.0]], requires_grad=True)
    np.testing.assert_array_equal(t.argmax(1), [1, 0])
    assert t.argmax() == 3


def test_max_shares_the_gradient_between_ties():
    t = dl.Tensor([2.0, 5.0, 5.0, 1.0], requires_grad=True)
    t.max().backward()
    np.testing.assert_array_equal(t.grad, [0, 0.5, 0.5, 0])


def test_dl_tanh_is_an_op_with_its_gradient():
    x = dl.Tensor([-30.0, -1.0, 0.0, 2.0], requires_grad=True)
    dl.tanh(x).sum().backward()
    np.testing.assert_allclose(x.grad, 1 - np.tanh(x.data) ** 2)


# -- dl.tensor ------------------------------------------------------------------------------------
def test_dl_tensor_is_the_pytorch_style_constructor():
    data = np.array([1.0, 2.0])
    t = dl.tensor(data, requires_grad=True)
    assert isinstance(t, dl.Tensor) and t.requires_grad
    data[0] = 99.0
    assert t.data[0] == 1.0  # a copy, as torch.tensor makes
    assert dl.tensor([1, 2], dtype="float32").dtype == np.float32


# -- Module ---------------------------------------------------------------------------------------
class TwoLayers(dl.Module):
    def __init__(self):
        self.hidden = dl.Dense(4, 8, activation="relu", seed=0)
        self.out = dl.Dense(8, 3, seed=1)
        self.scale = dl.Tensor(1.0, requires_grad=True)
        self.not_learned = dl.Tensor(np.ones(3))

    def forward(self, x):
        return self.out(self.hidden(x)) * self.scale


class Nested(dl.Module):
    def __init__(self):
        self.blocks = [TwoLayers(), dl.Sequential([dl.Dense(3, 2, seed=2)])]
        self.shared = self.blocks[0].out  # the same layer twice: its parameters once

    def forward(self, x):
        return self.blocks[1](self.blocks[0](x))


def test_module_parameters_are_found_in_attributes_nested_and_each_once():
    model = TwoLayers()
    assert [p.shape for p in model.parameters()] == [(4, 8), (8,), (8, 3), (3,), ()]
    nested = Nested()
    assert len(nested.parameters()) == 7
    assert len({id(p) for p in nested.parameters()}) == 7
    assert nested(np.ones((5, 4))).shape == (5, 2)


def test_module_zero_grad_and_to_dtype():
    model = Nested()
    dl.mse(np.zeros((5, 2)), model(np.ones((5, 4)))).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.to("float32") is model
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    out = model(np.ones((5, 4)))  # float64 inputs: computed in the parameters' float32
    assert out.dtype == np.float32
    dl.mse(np.zeros((5, 2)), out).backward()
    assert {p.grad.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    with pytest.raises(TypeError, match="floating-point dtype"):
        model.to("int32")


def test_layers_and_sequential_are_modules():
    for layer in (dl.Dense(2, 3), dl.LinearUnit(2), dl.ReLU(), dl.Sigmoid(), dl.Softmax(),
                  dl.Sequential([dl.ReLU()])):
        assert isinstance(layer, dl.Module)


def test_a_module_without_forward_says_so():
    class Empty(dl.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        Empty()(np.ones(2))


def test_sequential_refuses_a_layer_class_when_it_is_built():
    with pytest.raises(TypeError, match=r"layer 1 is the class ReLU, not a layer: write ReLU\(\)"):
        dl.Sequential([dl.Dense(2, 3), dl.ReLU])
    with pytest.raises(TypeError, match=r"not the class Sigmoid"):
        dl.Dense(2, 3, activation=dl.Sigmoid)
