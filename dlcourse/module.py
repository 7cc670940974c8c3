"""Module: the base class of layers and models, as in PyTorch.

A subclass sets its layers and parameter tensors as attributes in ``__init__`` and writes
``forward(x)``; calling the module calls ``forward``. ``parameters()`` finds every tensor that
requires grad among the attributes, in layers nested inside layers too, and in lists, tuples and
dicts of them::

    class TwoLayers(dl.Module):
        def __init__(self):
            self.hidden = dl.Dense(4, 8, activation="relu")
            self.out = dl.Dense(8, 3)

        def forward(self, x):
            return self.out(self.hidden(x))
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from dlcourse.tensor import Tensor


class Module:
    """Something that maps Tensors to a Tensor and may own parameters."""

    def forward(self, x) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, *inputs) -> Tensor:
        return self.forward(*inputs)

    def parameters(self) -> list[Tensor]:
        """Every tensor with requires_grad=True held by this module or the modules inside it,
        each once, in the order the attributes were set."""
        found, seen = [], set()
        for p in _tensors(vars(self).values()):
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                found.append(p)
        return found

    def modules(self) -> Iterator[Module]:
        """This module, then every module inside it (depth first)."""
        yield self
        for value in _walk(vars(self).values()):
            if isinstance(value, Module):
                yield from value.modules()

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``backward()`` adds to it)."""
        for p in self.parameters():
            p.grad = None

    def to(self, dtype) -> Module:
        """Convert every parameter to ``dtype`` (e.g. ``"float32"``), in place; returns the module.

        Inputs are cast to the parameters' dtype when the module is called, so the whole model
        computes in ``dtype`` afterwards.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"to() needs a floating-point dtype such as 'float32', got {dtype}")
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None if p.grad is None else p.grad.astype(dtype)
        return self

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the parameters (the one source of truth), or None without any."""
        params = self.parameters()
        return params[0].dtype if params else None


def _walk(values) -> Iterator:
    """Values, and the items of lists, tuples and dicts among them."""
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _walk(value)
        elif isinstance(value, dict):
            yield from _walk(value.values())
        else:
            yield value


def _tensors(values) -> Iterator[Tensor]:
    """The tensors among ``values``, and the parameters of any layer among them (a Module, or
    any object with a ``parameters()`` method, such as a learner's own layer class)."""
    for value in _walk(values):
        if isinstance(value, Tensor):
            yield value
        elif callable(getattr(value, "parameters", None)) and not isinstance(value, type):
            yield from value.parameters()
