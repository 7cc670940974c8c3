"""Layers: the linear unit, the dense layer, activations, and a stack of them (Sequential)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from dlcourse import ops
from dlcourse.checks import positive_int
from dlcourse.module import Module
from dlcourse.seeding import generator
from dlcourse.tensor import Tensor, as_array, no_grad

Layer = Module  # the name the first lessons use for "something with parameters you can call"


def _inputs(x, name: str, n_inputs: int, dtype) -> Tensor:
    """A batch of inputs of shape (batch, n_inputs) in the parameters' dtype, or a clear error.

    Inputs that need no gradient are cast to ``dtype``, so a float32 model computes in float32.
    """
    if type(x) is not Tensor:
        x = ops.tensor(x, f"{name} inputs")
    shape = x.data.shape
    if len(shape) != 2 or shape[1] != n_inputs:
        hint = "; for a single sample use x.reshape(1, -1)" if shape == (n_inputs,) else ""
        raise ValueError(f"{name} expects inputs of shape (batch, {n_inputs}), got {shape}{hint}")
    if x.data.dtype != dtype and not x.requires_grad:
        x = Tensor(x.data, dtype=dtype)
    return x


def _float_dtype(dtype, layer: str) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{layer} dtype must be a numpy float dtype such as 'float32', "
                        f"got {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"{layer} dtype must be a float dtype such as 'float32', got {dtype}")
    return dtype


def _parameter(value, shape: tuple, what: str, dtype) -> Tensor:
    array = as_array(value, what, dtype)
    if array.shape != shape:
        raise ValueError(f"{what} must have shape {shape}, got {array.shape}")
    return Tensor(array.copy(), requires_grad=True, name=what)


class LinearUnit(Module):
    """One neuron with no activation: y = w·x + b.

    ``w`` has shape (n_inputs,) and ``b`` is a single number. Called on a batch ``x`` of shape
    (batch, n_inputs) it returns shape (batch,); with one input, ``x`` may also be shape (batch,).
    """

    def __init__(self, n_inputs: int, w=None, b=None, seed: int | None = None,
                 dtype="float64"):
        self.n_inputs = positive_int(n_inputs, "LinearUnit n_inputs")
        dtype = _float_dtype(dtype, "LinearUnit")
        if w is None:
            w = generator(seed).normal(0.0, 1.0 / np.sqrt(self.n_inputs), self.n_inputs)
        w = np.ravel(as_array(w, "LinearUnit w"))
        self.w = _parameter(w, (self.n_inputs,), "w", dtype)
        self.b = _parameter(0.0 if b is None else b, (), "b", dtype)

    def forward(self, x) -> Tensor:
        x = ops.tensor(x, "LinearUnit inputs")
        if x.ndim == 1 and self.n_inputs == 1:
            x = ops.reshape(x, (-1, 1))
        x = _inputs(x, "LinearUnit", self.n_inputs, self.w.data.dtype)
        return ops.dot(x, self.w) + self.b

    def __repr__(self) -> str:
        return f"LinearUnit(n_inputs={self.n_inputs})"


class ReLU(Module):
    """max(0, x), element by element."""

    def forward(self, x) -> Tensor:
        return ops.relu(x)

    def __repr__(self) -> str:
        return "ReLU()"


class Sigmoid(Module):
    """1 / (1 + exp(-x)): squashes any number into (0, 1)."""

    def forward(self, x) -> Tensor:
        return ops.sigmoid(x)

    def __repr__(self) -> str:
        return "Sigmoid()"


class Softmax(Module):
    """Turns a row of scores into probabilities that sum to 1."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x) -> Tensor:
        return ops.softmax(x, axis=self.axis)

    def __repr__(self) -> str:
        return "Softmax()"


ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "sigmoid": Sigmoid, "softmax": Softmax,
}


def _activation(activation) -> Module | None:
    if activation is None or activation == "linear":
        return None
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; expected one of "
                f"{sorted(ACTIVATIONS) + ['linear', None]}"
            )
        return ACTIVATIONS[activation]()
    if isinstance(activation, type):
        raise TypeError(f"activation must be a layer, not the class {activation.__name__}: "
                        f"write {activation.__name__}() with brackets, or a name such as 'relu'")
    if isinstance(activation, Module):
        return activation
    if callable(activation):
        return _FunctionLayer(activation)
    raise TypeError(f"activation must be a name, a layer or a function, got {activation!r}")


class _FunctionLayer(Module):
    def __init__(self, fn):
        self.fn = fn

    def forward(self, x) -> Tensor:
        return self.fn(x)

    def __repr__(self) -> str:
        return getattr(self.fn, "__name__", "activation")


class Dense(Module):
    """A layer of ``n_units`` linear units sharing the same inputs: activation(x @ W + b).

    ``W`` has shape (n_inputs, n_units): column j holds the weights of unit j. Weights start
    random (He initialisation, suited to ReLU), seeded by ``seed``; biases start at zero.
    """

    def __init__(self, n_inputs: int, n_units: int, activation=None, seed: int | None = None,
                 dtype="float64"):
        self.n_inputs = positive_int(n_inputs, "Dense n_inputs")
        self.n_units = positive_int(n_units, "Dense n_units")
        dtype = _float_dtype(dtype, "Dense")
        scale = np.sqrt(2.0 / self.n_inputs)
        W = generator(seed).normal(0.0, scale, (self.n_inputs, self.n_units))
        self.W = Tensor(W, requires_grad=True, dtype=dtype, name="W")
        self.b = Tensor(np.zeros(self.n_units), requires_grad=True, dtype=dtype, name="b")
        self.activation = _activation(activation)

    def forward(self, x) -> Tensor:
        x = _inputs(x, "Dense", self.n_inputs, self.W.data.dtype)
        z = ops.linear(x, self.W, self.b)
        return z if self.activation is None else self.activation(z)

    def __repr__(self) -> str:
        act = f", activation={self.activation!r}" if self.activation else ""
        return f"Dense({self.n_inputs}, {self.n_units}{act})"


class Sequential(Module):
    """Layers applied one after another: the output of each is the input of the next."""

    def __init__(self, layers: Sequence[Module]):
        if isinstance(layers, Module) or not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential takes a list of layers, e.g. Sequential([Dense(2, 3), "
                            f"ReLU()]), got {layers!r:.80}")
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential needs at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if isinstance(layer, type):
                raise TypeError(
                    f"Sequential layer {i} is the class {layer.__name__}, not a layer: write "
                    f"{layer.__name__}() with brackets to make one"
                )
            if not callable(layer):
                raise TypeError(f"Sequential layer {i} must be a layer, got {layer!r:.80}")
        self.layers = layers

    def forward(self, x) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def summary(self) -> None:
        """Print each layer with its output shape and parameter count, like Keras."""
        print(self.summary_text())

    def summary_text(self) -> str:
        n_in = getattr(self.layers[0], "n_inputs", None)
        rows, x = [], (np.zeros((1, n_in)) if n_in is not None else None)
        for layer in self.layers:
            shape = "?"
            if x is not None:
                with no_grad():
                    x = layer(x).data
                shape = "(None, " + ", ".join(str(n) for n in x.shape[1:]) + ")"
            count = sum(p.size for p in getattr(layer, "parameters", list)())
            rows.append((repr(layer), shape, f"{count:,}"))
        header = ("Layer", "Output shape", "Params")
        widths = [max(len(r[i]) for r in rows + [header]) + 2 for i in range(3)]
        line = "-" * sum(widths)

        def fmt(r):
            return "".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()

        total = sum(p.size for p in self.parameters())
        return "\n".join([fmt(header), line, *map(fmt, rows), line, f"Total params: {total:,}"])

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner}\n])"
