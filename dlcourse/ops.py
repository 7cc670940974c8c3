"""Atomic operations. Each one computes its result and says, right beside it, how a gradient
flowing back into the result splits into gradients for its inputs (its local derivative)."""

from __future__ import annotations

import numpy as np

from dlcourse.tensor import Tensor, as_array


def tensor(value, name: str = "input") -> Tensor:
    """``value`` as a Tensor (Tensors pass through; numbers, lists and arrays are wrapped)."""
    return value if isinstance(value, Tensor) else Tensor(as_array(value, name))


def _pair(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors; a plain number takes the other operand's dtype (so float32
    stays float32 when multiplied by 2)."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and np.ndim(b) == 0:
        return a, Tensor(as_array(b, "operand", a.dtype))
    if isinstance(b, Tensor) and not isinstance(a, Tensor) and np.ndim(a) == 0:
        return Tensor(as_array(a, "operand", b.dtype)), b
    return tensor(a), tensor(b)


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes numpy broadcasting added or stretched, back to ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _broadcast_check(a: Tensor, b: Tensor, symbol: str) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"cannot combine shapes {a.shape} {symbol} {b.shape}: each axis must match or be 1 "
            "(numpy broadcasting)"
        ) from None


# -- arithmetic ---------------------------------------------------------------------------------
def add(a, b) -> Tensor:
    a, b = _pair(a, b)
    _broadcast_check(a, b, "+")

    def backward(g):
        return unbroadcast(g, a.shape), unbroadcast(g, b.shape)

    return Tensor._from_op(a.data + b.data, (a, b), backward, "+")


def sub(a, b) -> Tensor:
    a, b = _pair(a, b)
    _broadcast_check(a, b, "-")

    def backward(g):
        return unbroadcast(g, a.shape), unbroadcast(-g, b.shape)

    return Tensor._from_op(a.data - b.data, (a, b), backward, "-")


def mul(a, b) -> Tensor:
    a, b = _pair(a, b)
    _broadcast_check(a, b, "*")

    def backward(g):
        return unbroadcast(g * b.data, a.shape), unbroadcast(g * a.data, b.shape)

    return Tensor._from_op(a.data * b.data, (a, b), backward, "*")


def div(a, b) -> Tensor:
    a, b = _pair(a, b)
    _broadcast_check(a, b, "/")

    def backward(g):
        return (unbroadcast(g / b.data, a.shape),
                unbroadcast(-g * a.data / (b.data * b.data), b.shape))

    return Tensor._from_op(a.data / b.data, (a, b), backward, "/")


def neg(a) -> Tensor:
    a = tensor(a)
    return Tensor._from_op(-a.data, (a,), lambda g: (-g,), "neg")


def power(a, exponent) -> Tensor:
    """``a ** exponent`` for a constant number ``exponent``."""
    a = tensor(a)
    if isinstance(exponent, Tensor) or np.ndim(exponent) != 0:
        raise TypeError(f"** takes a constant number as exponent, got {type(exponent).__name__}")
    p = float(exponent)

    def backward(g):
        if p == 0:  # a**0 is the constant 1: its slope is 0 everywhere, at a = 0 too (not 0/0)
            return (np.zeros_like(a.data),)
        with np.errstate(divide="ignore", invalid="ignore"):  # inf or nan, as in PyTorch
            return (g * p * a.data ** (p - 1),)

    with np.errstate(divide="ignore", invalid="ignore"):
        out = a.data**p
    return Tensor._from_op(out, (a,), backward, f"**{exponent:g}")


def dot(a, b) -> Tensor:
    """Matrix product ``a @ b`` (vectors and batches of matrices too, as ``np.matmul``)."""
    a, b = tensor(a), tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"dot needs arrays with at least one axis, got shapes {a.shape} and {b.shape}"
        )
    if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
        inner = b.shape[0 if b.ndim == 1 else -2]
        raise ValueError(
            f"dot: shapes {a.shape} and {b.shape} do not line up: the last axis of the first "
            f"({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} axis "
            f"of the second ({inner})"
        )
    batch_a, batch_b = a.shape[:-2], b.shape[:-2]
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise ValueError(
            f"dot: shapes {a.shape} and {b.shape} have batch axes {batch_a} and {batch_b} that do "
            "not broadcast (each must match or be 1)"
        ) from None

    def backward(g):
        av, bv = a.data, b.data
        if av.ndim == 1 and bv.ndim == 1:  # inner product: g is a number
            return g * bv, g * av
        if bv.ndim == 1:  # (..., n) @ (n,) -> (...)
            return np.multiply.outer(g, bv), np.tensordot(g, av, axes=g.ndim)
        if av.ndim == 1:  # (n,) @ (..., n, m) -> (..., m)
            ga = (bv @ g[..., None])[..., 0]
            return unbroadcast(ga, av.shape), unbroadcast(av[:, None] * g[..., None, :], bv.shape)
        ga = unbroadcast(g @ np.swapaxes(bv, -1, -2), av.shape) if a.requires_grad else None
        gb = unbroadcast(np.swapaxes(av, -1, -2) @ g, bv.shape) if b.requires_grad else None
        return ga, gb

    return Tensor._from_op(a.data @ b.data, (a, b), backward, "dot")


def linear(x, W, b) -> Tensor:
    """``x @ W + b`` for a batch ``x`` of shape (batch, n_in) in one step (what Dense computes)."""
    x, W, b = tensor(x), tensor(W), tensor(b)

    def backward(g):
        # Inputs rarely need a gradient, and theirs costs as much as the forward pass: skip it.
        gx = g @ W.data.T if x.requires_grad else None
        return gx, x.data.T @ g, g.sum(axis=0)

    return Tensor._from_op(x.data @ W.data + b.data, (x, W, b), backward, "linear")


# -- reductions and shape -------------------------------------------------------------------------
def _normalise_axis(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` as a tuple of non-negative axes. A single number has one axis to offer, as in
    PyTorch: ``Tensor(1.).sum(0)`` (or ``-1``) is the number itself."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    for ax in axes:
        if isinstance(ax, bool) or not isinstance(ax, (int, np.integer)):
            raise TypeError(f"axis must be a whole number or a tuple of them, got {ax!r}")
        if not -(ndim or 1) <= ax < (ndim or 1):
            raise ValueError(f"axis {ax} is out of range for a tensor with {ndim} axes")
    if ndim == 0:
        return ()
    return tuple(ax % ndim for ax in axes)


def sum(a, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 (mirrors numpy)
    a = tensor(a)
    axes = _normalise_axis(axis, a.ndim)

    def backward(g):
        if not keepdims:
            g = np.expand_dims(g, axes)
        return (np.broadcast_to(g, a.shape),)

    return Tensor._from_op(a.data.sum(axis=axes, keepdims=keepdims), (a,), backward, "sum")


def mean(a, axis=None, keepdims: bool = False) -> Tensor:
    a = tensor(a)
    axes = _normalise_axis(axis, a.ndim)
    count = int(np.prod([a.shape[ax] for ax in axes])) if a.ndim else 1
    if count == 0:
        raise ValueError(f"mean of an empty tensor (shape {a.shape}) is undefined")

    def backward(g):
        if not keepdims:
            g = np.expand_dims(g, axes)
        return (np.broadcast_to(g / count, a.shape),)

    return Tensor._from_op(a.data.mean(axis=axes, keepdims=keepdims), (a,), backward, "mean")


def reshape(a, shape) -> Tensor:
    a = tensor(a)
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"cannot reshape a tensor of shape {a.shape} into {shape}") from None
    return Tensor._from_op(out, (a,), lambda g: (g.reshape(a.shape),), "reshape")


def transpose(a, axes=None) -> Tensor:
    """Axes reversed (``a.T``), or put in the order ``axes``; the gradient goes back through
    the inverse order."""
    a = tensor(a)
    if axes is None:
        return Tensor._from_op(a.data.T, (a,), lambda g: (g.T,), "T")
    axes = tuple(axes)
    if sorted(ax % (a.ndim or 1) for ax in axes) != list(range(a.ndim)):
        raise ValueError(f"transpose needs an order of all {a.ndim} axes, got {axes}")
    inverse = tuple(np.argsort([ax % a.ndim for ax in axes]))
    return Tensor._from_op(a.data.transpose(axes), (a,), lambda g: (g.transpose(inverse),),
                           "transpose")


def max(a, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 (mirrors numpy)
    """Largest entry (along ``axis``). Its gradient goes to the entries that are the largest,
    shared equally between ties (as PyTorch's ``amax``)."""
    a = tensor(a)
    axes = _normalise_axis(axis, a.ndim)
    if a.size == 0:
        raise ValueError(f"max of an empty tensor (shape {a.shape}) is undefined")
    out = a.data.max(axis=axes, keepdims=True)
    is_max = a.data == out
    share = is_max / is_max.sum(axis=axes, keepdims=True)

    def backward(g):
        if not keepdims:
            g = np.expand_dims(g, axes)
        return (g * share,)

    value = out if keepdims else out.reshape([n for i, n in enumerate(a.shape) if i not in axes])
    return Tensor._from_op(value, (a,), backward, "max")


def getitem(a, index) -> Tensor:
    a = tensor(a)
    if isinstance(index, Tensor):
        index = index.data

    def backward(g):
        full = np.zeros_like(a.data)
        np.add.at(full, index, g)
        return (full,)

    return Tensor._from_op(a.data[index], (a,), backward, "index")


# -- elementwise functions -------------------------------------------------------------------------
def exp(a) -> Tensor:
    a = tensor(a)
    with np.errstate(over="ignore"):
        out = np.exp(a.data)
    return Tensor._from_op(out, (a,), lambda g: (g * out,), "exp")


def log(a) -> Tensor:
    a = tensor(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(a.data)
    return Tensor._from_op(out, (a,), lambda g: (g / a.data,), "log")


def sqrt(a) -> Tensor:
    a = tensor(a)
    with np.errstate(invalid="ignore"):
        out = np.sqrt(a.data)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):  # infinitely steep at 0, as in PyTorch
            return (g * 0.5 / out,)

    return Tensor._from_op(out, (a,), backward, "sqrt")


def abs(a) -> Tensor:  # noqa: A001 (mirrors numpy)
    a = tensor(a)
    return Tensor._from_op(np.abs(a.data), (a,), lambda g: (g * np.sign(a.data),), "abs")


def relu(a) -> Tensor:
    """max(0, a): the rectifier. Its derivative is 1 where a > 0 and 0 elsewhere."""
    a = tensor(a)
    out = np.maximum(a.data, 0)
    return Tensor._from_op(out, (a,), lambda g: (g * (a.data > 0),), "relu")


def sigmoid(a) -> Tensor:
    """1 / (1 + exp(-a)), computed without overflow for large |a|."""
    a = tensor(a)
    e = np.exp(-np.abs(a.data))
    out = np.where(a.data >= 0, 1 / (1 + e), e / (1 + e))
    result = Tensor._from_op(out, (a,), lambda g: (g * out * (1 - out),), "sigmoid")
    result._made_by = (sigmoid, a, None)  # see logits_behind
    return result


def tanh(a) -> Tensor:
    a = tensor(a)
    out = np.tanh(a.data)
    return Tensor._from_op(out, (a,), lambda g: (g * (1 - out * out),), "tanh")


def softmax(a, axis: int = -1) -> Tensor:
    """exp(a) / sum(exp(a)) along ``axis``; shifting by the max keeps exp from overflowing."""
    a = tensor(a)
    _check_axis(a, axis, "softmax")
    if a.size == 0:  # nothing to normalise: an empty result, as in PyTorch
        return Tensor._from_op(a.data.copy(), (a,), lambda g: (np.zeros_like(a.data),), "softmax")
    shifted = a.data - a.data.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g):
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    result = Tensor._from_op(out, (a,), backward, "softmax")
    result._made_by = (softmax, a, axis % a.ndim)  # see logits_behind
    return result


def logits_behind(probabilities: Tensor, activation) -> Tensor | None:
    """The scores (logits) that ``probabilities`` was computed from by ``activation`` (``softmax``
    over the last axis, or ``sigmoid``), or None if it was made some other way.

    The cross-entropy losses use this shortcut: from the logits, log(softmax(z)) is computed
    without ever taking the log of a rounded-to-zero probability, and the gradient is the exact
    (p - y) / batch. The result is the same loss; only its numerical accuracy improves.
    """
    made_by = getattr(probabilities, "_made_by", None)
    if made_by is None or made_by[0] is not activation:
        return None
    _, logits, axis = made_by
    if activation is softmax and axis != logits.ndim - 1:
        return None
    return logits


def _check_axis(a: Tensor, axis, name: str) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name} axis must be a whole number, got {axis!r}")
    if not -a.ndim <= axis < a.ndim:
        raise ValueError(f"{name} axis {axis} is out of range for a tensor of shape {a.shape}")


def log_softmax_array(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(z)) on a plain array: shift by the max, so exp never overflows."""
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax(a, axis: int = -1) -> Tensor:
    """log(softmax(a)) without ever taking the log of 0."""
    a = tensor(a)
    _check_axis(a, axis, "log_softmax")
    if a.size == 0:
        return Tensor._from_op(a.data.copy(), (a,), lambda g: (np.zeros_like(a.data),),
                               "log_softmax")
    out = log_softmax_array(a.data, axis)

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return Tensor._from_op(out, (a,), backward, "log_softmax")
