"""Tensor: an ndarray that remembers how it was made, and reverse-mode backprop over that record.

Every operation (see ``ops.py``) returns a new Tensor holding its result, its parents and a rule
that turns the gradient of the output into gradients for each parent. ``backward()`` walks that
graph once, from the output back to the inputs, and applies the chain rule at every node.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections.abc import Callable, Iterator, Sequence

import numpy as np

_grad_enabled = True
_creation = itertools.count()  # numbers tensors in the order they are made (see backward)


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Evaluate without recording the graph (for prediction, evaluation and speed)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    return _grad_enabled


def as_array(value, name: str = "input", dtype=None) -> np.ndarray:
    """Turn numbers, lists or arrays into a float ndarray, or say clearly why not.

    float32 and float64 arrays keep their dtype; everything numeric else becomes float64.
    """
    if type(value) is np.ndarray and dtype is None and value.dtype.char in "fd":
        return value  # already a float32 or float64 array: nothing to check
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be numbers, got the string {value!r}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{name} must be a number, list or array of numbers: {error}") from None
    if array.dtype.kind in "USO":
        bad = _first_non_number(value)
        raise TypeError(
            f"{name} must contain numbers, got {type(bad).__name__} {bad!r}"
            if bad is not None
            else f"{name} must contain numbers, got dtype {array.dtype}"
        )
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must be real numbers, got complex values")
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    return array


def _first_non_number(value):
    """The first entry of a (nested) list that is not a number, or None."""
    if isinstance(value, (list, tuple, np.ndarray)):
        for item in value:
            bad = _first_non_number(item)
            if bad is not None:
                return bad
        return None
    return None if isinstance(value, (int, float, np.number, bool)) else value


class Tensor:
    """An n-dimensional array of floats that can compute gradients.

    Parameters
    ----------
    data : number, list or ndarray
    requires_grad : bool
        If True, ``backward()`` fills ``.grad`` for this tensor.
    dtype : optional numpy dtype, e.g. ``"float32"``.
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "op", "name", "_made_by",
                 "_id")
    __array_priority__ = 1000  # so that ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = as_array(data, name or "Tensor data", dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Callable | None = None
        self.op = ""
        self.name = name
        self._made_by = None  # (activation, its input, axis) for softmax and sigmoid outputs
        self._id = next(_creation)

    # -- construction used by ops ------------------------------------------------------------
    @classmethod
    def _from_op(cls, data: np.ndarray, parents: Sequence[Tensor], backward: Callable, op: str):
        """The result of an operation: records parents and the local backward rule if needed."""
        out = cls.__new__(cls)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out.name = None
        out.op = op
        out._made_by = None
        out._id = next(_creation)
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        if _grad_enabled:
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad = True
                    out._parents = tuple(parents)
                    out._backward = backward
                    break
        return out

    # -- array-like conveniences -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return self.data.item()

    def detach(self) -> Tensor:
        """The same numbers, cut off from the graph."""
        return Tensor(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{grad})"

    # -- backprop ----------------------------------------------------------------------------
    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Fill ``.grad`` of every tensor this one depends on (that requires grad).

        Gradients accumulate, as in PyTorch: call ``optimizer.zero_grad()`` (or set ``.grad =
        None``) between steps. ``grad`` is the gradient of some final scalar with respect to this
        tensor; it defaults to 1 and may be left out only for a single-number tensor.

        The graph is freed afterwards: a second ``backward()`` through it raises, unless the
        first was ``backward(retain_graph=True)``. To accumulate, run the forward pass again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() needs a tensor that depends on something with requires_grad=True; "
                "this one does not (was it computed under no_grad(), or from plain arrays?)"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a single number (e.g. a loss), got a "
                    f"tensor of shape {self.shape}; reduce it with .sum() or .mean() first"
                )
            grad = np.ones_like(self.data)
        else:
            grad = as_array(grad, "grad", self.data.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward() grad must have shape {self.shape}, got {grad.shape}")

        if self._backward is None:  # backward() on a leaf itself
            _add_to_leaf(self, grad)
            return
        # Newest tensor first: a tensor is always newer than its parents, so when one comes off
        # the queue every gradient flowing into it has arrived (summed in ``grads``).
        grads = {id(self): grad}
        queue = [(-self._id, self)]
        while queue:
            node = heapq.heappop(queue)[1]
            g = grads.pop(id(node))
            node.grad = g if node.grad is None else node.grad + g
            backward = node._backward
            if not retain_graph:
                node._backward = _freed
            for parent, pg in zip(node._parents, backward(g)):  # the chain rule, one op at a time
                if pg is None or not parent.requires_grad:
                    continue
                if parent._backward is None:  # a leaf passes nothing on: add its gradient now
                    _add_to_leaf(parent, pg)
                    continue
                key = id(parent)
                if key in grads:
                    grads[key] = grads[key] + pg
                else:
                    grads[key] = pg
                    heapq.heappush(queue, (-parent._id, parent))

    # -- operators (defined in ops.py, attached at import) -------------------------------------
    def __add__(self, other): return _ops.add(self, other)
    def __radd__(self, other): return _ops.add(other, self)
    def __sub__(self, other): return _ops.sub(self, other)
    def __rsub__(self, other): return _ops.sub(other, self)
    def __mul__(self, other): return _ops.mul(self, other)
    def __rmul__(self, other): return _ops.mul(other, self)
    def __truediv__(self, other): return _ops.div(self, other)
    def __rtruediv__(self, other): return _ops.div(other, self)
    def __matmul__(self, other): return _ops.dot(self, other)
    def __rmatmul__(self, other): return _ops.dot(other, self)
    def __pow__(self, exponent): return _ops.power(self, exponent)
    def __neg__(self): return _ops.neg(self)
    def __getitem__(self, index): return _ops.getitem(self, index)

    # -- comparisons: element-wise boolean arrays, with no gradient (like numpy and PyTorch) ---
    def __eq__(self, other): return _compare(np.equal, self, other)
    def __ne__(self, other): return _compare(np.not_equal, self, other)
    def __lt__(self, other): return _compare(np.less, self, other)
    def __le__(self, other): return _compare(np.less_equal, self, other)
    def __gt__(self, other): return _compare(np.greater, self, other)
    def __ge__(self, other): return _compare(np.greater_equal, self, other)
    __hash__ = object.__hash__  # tensors stay usable as dict keys and in sets (by identity)

    # -- the library's functions as methods, as in PyTorch --------------------------------------
    def exp(self) -> Tensor: return _ops.exp(self)
    def log(self) -> Tensor: return _ops.log(self)
    def sqrt(self) -> Tensor: return _ops.sqrt(self)
    def abs(self) -> Tensor: return _ops.abs(self)
    def relu(self) -> Tensor: return _ops.relu(self)
    def sigmoid(self) -> Tensor: return _ops.sigmoid(self)
    def tanh(self) -> Tensor: return _ops.tanh(self)
    def softmax(self, axis: int = -1) -> Tensor: return _ops.softmax(self, axis)
    def log_softmax(self, axis: int = -1) -> Tensor: return _ops.log_softmax(self, axis)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        return _ops.max(self, axis, keepdims)

    def argmax(self, axis=None) -> np.ndarray:
        """Index of the largest entry (along ``axis``): integers, with no gradient."""
        return np.asarray(self.data.argmax(axis=axis))

    def transpose(self, *axes) -> Tensor:
        """Axes reversed, or put in the order ``axes`` (as ``np.transpose``)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        return _ops.mean(self, axis, keepdims)

    def reshape(self, *shape) -> Tensor:
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    @property
    def T(self) -> Tensor:
        return _ops.transpose(self)


def _compare(compare, a: Tensor, b):
    if b is None:
        return NotImplemented
    return np.asarray(compare(a.data, b.data if isinstance(b, Tensor) else np.asarray(b)))


def graph_nodes(root: Tensor, constants: bool = False) -> list[Tensor]:
    """Tensors that lead to ``root``, each after all its parents (iterative: deep graphs are fine).

    Only those that need a gradient, unless ``constants`` (for drawing the whole graph).
    """
    order, seen = [], {id(root)}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if (constants or parent.requires_grad) and id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _add_to_leaf(leaf: Tensor, g: np.ndarray) -> None:
    """Accumulate into a leaf's ``.grad``: its own writable array, in its own dtype."""
    if leaf.grad is None:
        leaf.grad = np.array(g, dtype=leaf.data.dtype)
    else:
        leaf.grad += g


def _freed(g):
    raise RuntimeError(
        "backward() went through this graph a second time, but the first backward() freed it. "
        "Either run the forward pass again (gradients add up across passes), or call the first "
        "one as backward(retain_graph=True)"
    )


from dlcourse import ops as _ops  # noqa: E402  (ops needs Tensor defined first)
