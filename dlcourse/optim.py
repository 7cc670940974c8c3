"""Stochastic gradient descent: move every parameter a little against its gradient."""

from __future__ import annotations

from collections.abc import Iterable

from dlcourse.checks import not_a_method, positive_number
from dlcourse.tensor import Tensor


class SGD:
    """Plain SGD, with optional momentum.

    ``step()`` does ``p -= learning_rate * p.grad`` for every parameter (with momentum ``m``:
    ``v = m * v - learning_rate * p.grad; p += v``). ``zero_grad()`` forgets the gradients, since
    ``backward()`` adds to them.
    """

    def __init__(self, parameters: Iterable[Tensor], learning_rate: float = 0.01,
                 momentum: float = 0.0):
        not_a_method(parameters, "SGD", "write SGD(model.parameters(), ...) with brackets")
        if isinstance(parameters, Tensor):
            raise TypeError("SGD takes a list of parameters, got a single Tensor: write SGD([w])")
        if callable(getattr(parameters, "parameters", None)):
            raise TypeError(f"SGD takes the model's parameters, got the model itself: write "
                            f"SGD(model.parameters(), ...), not SGD({type(parameters).__name__})")
        if not hasattr(parameters, "__iter__"):
            raise TypeError(f"SGD takes a list of parameters, got {parameters!r:.60}")
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("SGD got no parameters to optimise (an empty list)")
        for i, p in enumerate(self.parameters):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"SGD parameter {i} must be a Tensor with requires_grad=True, got {p!r:.60}"
                )
        self.learning_rate = positive_number(learning_rate, "learning_rate")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self._velocity = [None] * len(self.parameters)

    def step(self) -> None:
        lr, m = self.learning_rate, self.momentum
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue
            if m:
                v = self._velocity[i]
                v = -lr * p.grad if v is None else m * v - lr * p.grad
                self._velocity[i] = v
                p.data += v
            else:
                p.data -= lr * p.grad

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = None

    def __repr__(self) -> str:
        extra = f", momentum={self.momentum}" if self.momentum else ""
        return f"SGD(learning_rate={self.learning_rate}{extra})"
