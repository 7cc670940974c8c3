"""SGD: the update rule, momentum, and its argument checks."""

import numpy as np
import pytest

import dlcourse as dl


def test_step_moves_against_the_gradient_by_learning_rate():
    w = dl.Tensor([1.0, -2.0], requires_grad=True)
    opt = dl.SGD([w], learning_rate=0.1)
    (w * w).sum().backward()  # grad = 2w
    opt.step()
    np.testing.assert_allclose(w.data, [1.0 - 0.2, -2.0 + 0.4])


def test_parameters_without_gradient_are_left_alone():
    a, b = dl.Tensor([1.0], requires_grad=True), dl.Tensor([5.0], requires_grad=True)
    opt = dl.SGD([a, b], learning_rate=1.0)
    (a * 3).sum().backward()
    opt.step()
    assert a.data[0] == pytest.approx(-2.0) and b.data[0] == 5.0


def test_momentum_accumulates_velocity():
    w = dl.Tensor([0.0], requires_grad=True)
    opt = dl.SGD([w], learning_rate=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        (w * 1.0).sum().backward()  # constant gradient 1
        opt.step()
    assert w.data[0] == pytest.approx(-0.1 + (-0.09 - 0.1))


def test_sgd_minimises_a_quadratic():
    w = dl.Tensor([5.0, -3.0], requires_grad=True)
    opt = dl.SGD([w], learning_rate=0.1)
    for _ in range(200):
        opt.zero_grad()
        ((w - np.array([1.0, 2.0])) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.data, [1.0, 2.0], atol=1e-6)


@pytest.mark.parametrize("rate,error,message", [
    (0, ValueError, "positive, finite number, got 0"),
    (-0.1, ValueError, "got -0.1"),
    (float("nan"), ValueError, "got nan"),
    (float("inf"), ValueError, "got inf"),
    ("0.1", TypeError, "positive number, got '0.1'"),
])
def test_bad_learning_rates_are_refused(rate, error, message):
    with pytest.raises(error, match=message):
        dl.SGD([dl.Tensor([1.0], requires_grad=True)], learning_rate=rate)


def test_parameters_must_be_trainable_tensors():
    with pytest.raises(ValueError, match="no parameters"):
        dl.SGD([], learning_rate=0.1)
    with pytest.raises(TypeError, match="requires_grad=True"):
        dl.SGD([dl.Tensor([1.0])], learning_rate=0.1)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        dl.SGD([dl.Tensor([1.0], requires_grad=True)], momentum=1.5)
