"""Tensor basics: construction, dtypes, accumulation of gradients, no_grad, graph walks."""

import numpy as np
import pytest

import dlcourse as dl


def test_numbers_and_lists_become_float64_and_float32_stays_float32():
    assert dl.Tensor(3).dtype == np.float64
    assert dl.Tensor([[1, 2], [3, 4]]).shape == (2, 2)
    assert dl.Tensor(np.ones(3, np.float32)).dtype == np.float32
    assert dl.Tensor([1, 2], dtype="float32").dtype == np.float32
    w = dl.Tensor(np.ones(2, np.float32), requires_grad=True)
    (w * 2).sum().backward()
    assert w.grad.dtype == np.float32


def test_backward_accumulates_until_zero_grad():
    w = dl.Tensor([1.0, 2.0], requires_grad=True)
    for expected in ([2.0, 4.0], [4.0, 8.0]):
        (w * w).sum().backward()
        np.testing.assert_allclose(w.grad, expected)
    opt = dl.SGD([w], learning_rate=0.1)
    opt.zero_grad()
    assert w.grad is None


def test_a_value_used_twice_gets_both_contributions():
    x = dl.Tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == pytest.approx(7.0)


def test_intermediate_tensors_get_their_gradient_for_lessons_to_show():
    x = dl.Tensor([1.0, -2.0], requires_grad=True)
    h = dl.relu(x)
    (h * 3).sum().backward()
    np.testing.assert_allclose(h.grad, [3.0, 3.0])
    np.testing.assert_allclose(x.grad, [3.0, 0.0])


def test_no_grad_records_nothing():
    w = dl.Tensor([1.0], requires_grad=True)
    with dl.no_grad():
        assert not dl.is_grad_enabled()
        out = w * 2
    assert dl.is_grad_enabled()
    assert not out.requires_grad and out._parents == ()
    with pytest.raises(RuntimeError, match="no_grad"):
        out.backward()


def test_backward_on_a_non_scalar_needs_a_gradient():
    w = dl.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*\.sum\(\)"):
        (w * 2).backward()
    (w * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(w.grad, [2.0, 20.0])
    with pytest.raises(ValueError, match=r"grad must have shape \(2,\)"):
        (w * 2).backward(np.ones(3))


def test_deep_graphs_do_not_hit_the_recursion_limit():
    x = dl.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**5000)


def test_detach_and_numpy_interop():
    w = dl.Tensor([1.0, 2.0], requires_grad=True)
    assert not w.detach().requires_grad
    assert np.asarray(w).tolist() == [1.0, 2.0]
    assert float(dl.Tensor(2.5)) == 2.5 and dl.Tensor([4.0]).item() == 4.0
    assert "requires_grad=True" in repr(w)


@pytest.mark.parametrize("bad,message", [
    ("abc", "got the string 'abc'"),
    ([1, "a"], "must contain numbers, got str 'a'"),
    ([[1, 2], [3]], "list or array of numbers"),
    ([1 + 2j], "real numbers"),
])
def test_strings_and_ragged_lists_get_a_clear_error(bad, message):
    with pytest.raises(TypeError, match=message):
        dl.Tensor(bad)
