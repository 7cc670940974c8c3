"""Plain data between processes: tagged JSON plus numpy arrays, never pickle.

What a learner's code produced crosses from the learner's process to the judge as *plain data*:
None, bools, ints, floats, strings, numpy arrays and scalars, lists, tuples and dicts of them.
Array-backed objects (a Tensor: anything with a ``.data`` ndarray) keep their type name and
arrive as a ``Wrapped`` stand-in; any other object arrives as an ``Opaque`` stand-in holding its
type name and a bounded ``repr``. The stand-ins carry what a verdict needs for its messages
(``describe_type`` and ``fmt`` read them like the originals) and nothing that can run code.

``dump(value, path)`` writes one ``.npz`` file: the JSON document as bytes, each array beside it;
``load(path)`` reads it with ``allow_pickle=False``, so loading a file a learner could have
written runs nothing of theirs. ``encode``/``decode`` do the same in memory.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

MAX_DEPTH = 32
MAX_ITEMS = 100_000  # containers and dict entries in one document
MAX_BYTES = 256 * 2**20  # array data in one document
MAX_REPR = 300
_ARRAY_KINDS = "biufcUS"  # no object, void or datetime arrays: they can hold anything
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}$")


class PlainDataError(ValueError):
    """The data is not plain (or too large) to cross between processes."""


class Wrapped:
    """An array-backed object (e.g. a Tensor) as the judge sees it: ``.data`` and a type name."""

    def __init__(self, data: np.ndarray, grad=None, requires_grad=None):
        self.data = data
        self.grad = grad
        self.requires_grad = requires_grad

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


class Opaque:
    """Any other object: only its type name and a bounded ``repr`` cross over."""

    def __init__(self, type_name: str, text: str):
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__


class OpaqueCallable(Opaque):
    """An opaque object that was callable (a function, a model): calling it here is refused."""

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self.type_name} came from the learner's process and cannot run here")


_CLASSES: dict[tuple, type] = {}


def _standin(base: type, type_name: str) -> type:
    """A subclass of ``base`` named like the learner's type, so messages name it."""
    name = type_name if _NAME.match(type_name or "") else "object"
    key = (base, name)
    if key not in _CLASSES:
        _CLASSES[key] = type(name, (base,), {"__module__": __name__})
    return _CLASSES[key]


# -- encoding ------------------------------------------------------------------------------------
class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}
        self.items = 0
        self.nbytes = 0

    def array(self, a: np.ndarray) -> str:
        if a.dtype.kind not in _ARRAY_KINDS:
            raise PlainDataError(f"arrays of dtype {a.dtype} are not plain data")
        self.nbytes += a.nbytes
        if self.nbytes > MAX_BYTES:
            raise PlainDataError(f"more than {MAX_BYTES // 2**20} MB of array data")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a if a.flags.c_contiguous else a.copy(order="C")
        return key

    def __call__(self, x, depth: int = 0):
        self.items += 1
        if depth > MAX_DEPTH:
            raise PlainDataError(f"nested deeper than {MAX_DEPTH} levels")
        if self.items > MAX_ITEMS:
            raise PlainDataError(f"more than {MAX_ITEMS} items")
        if x is None or x is ...:
            return {"t": "none" if x is None else "ellipsis"}
        if type(x) is bool:
            return {"t": "bool", "v": x}
        if type(x) is int:
            return {"t": "int", "v": str(x)}  # as text: no precision lost, no size limit in JSON
        if type(x) is float:
            return {"t": "float", "v": repr(x)}
        if type(x) is str:
            return {"t": "str", "v": x}
        if type(x) is complex:
            return {"t": "complex", "v": [repr(x.real), repr(x.imag)]}
        if isinstance(x, np.ndarray) and type(x) is np.ndarray and x.dtype.kind in _ARRAY_KINDS:
            return {"t": "ndarray", "a": self.array(x)}
        if isinstance(x, np.generic) and x.dtype.kind in _ARRAY_KINDS:
            return {"t": "npscalar", "a": self.array(np.asarray(x))}
        if type(x) in (list, tuple):
            return {"t": type(x).__name__, "v": [self(v, depth + 1) for v in x]}
        if type(x) is dict:
            return {"t": "dict", "v": [[self(k, depth + 1), self(v, depth + 1)]
                                       for k, v in x.items()]}
        data = _array_inside(x)
        if data is not None:
            return {"t": "wrapped", "type": type(x).__name__, "a": self.array(data),
                    "grad": self(_plain_grad(x), depth + 1),
                    "requires_grad": _safe_bool(x, "requires_grad")}
        return {"t": "opaque", "type": _type_name(x), "repr": bounded_repr(x),
                "callable": _callable(x)}


def _array_inside(x):
    try:
        data = getattr(x, "data", None)
    except Exception:
        return None
    if type(data) is np.ndarray and data.dtype.kind in _ARRAY_KINDS:
        return data
    if isinstance(data, np.generic) and data.dtype.kind in _ARRAY_KINDS:
        return np.asarray(data)
    return None


def _plain_grad(x):
    try:
        grad = getattr(x, "grad", None)
    except Exception:
        return None
    return grad if type(grad) is np.ndarray and grad.dtype.kind in "biuf" else None


def _safe_bool(x, name: str):
    try:
        value = getattr(x, name, None)
    except Exception:
        return None
    return value if type(value) is bool else None


def _callable(x) -> bool:
    try:
        return bool(callable(x))
    except Exception:
        return False


def _type_name(x) -> str:
    try:
        return str(type(x).__name__)[:64]
    except Exception:
        return "object"


def bounded_repr(x, limit: int = MAX_REPR) -> str:
    """``repr(x)``, cut to ``limit`` characters; a failing ``__repr__`` gives a neutral text."""
    try:
        text = repr(x)
        text = text if isinstance(text, str) else object.__repr__(x)
    except Exception:
        text = f"<{_type_name(x)} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def encode(value) -> tuple[dict, dict[str, np.ndarray]]:
    """``value`` as a JSON-ready document and the arrays it refers to."""
    enc = _Encoder()
    doc = enc(value)
    return doc, enc.arrays


# -- decoding ------------------------------------------------------------------------------------
def decode(doc, arrays) -> object:
    """The value ``encode`` described; stand-ins for wrapped and opaque objects."""
    counter = [0]

    def array(key) -> np.ndarray:
        a = arrays[str(key)]
        if not isinstance(a, np.ndarray) or a.dtype.kind not in _ARRAY_KINDS:
            raise PlainDataError(f"array {key!r} is not plain data")
        return a

    def walk(node, depth=0):
        counter[0] += 1
        if depth > MAX_DEPTH or counter[0] > 4 * MAX_ITEMS:
            raise PlainDataError("document too deep or too large")
        if not isinstance(node, dict):
            raise PlainDataError(f"unexpected node {type(node).__name__}")
        t = node.get("t")
        if t == "none":
            return None
        if t == "ellipsis":
            return ...
        if t == "bool":
            return bool(node["v"])
        if t == "int":
            return int(str(node["v"]))
        if t == "float":
            return float(str(node["v"]))
        if t == "str":
            return str(node["v"])
        if t == "complex":
            return complex(float(node["v"][0]), float(node["v"][1]))
        if t == "ndarray":
            return array(node["a"])
        if t == "npscalar":
            return array(node["a"])[()]
        if t in ("list", "tuple"):
            items = [walk(v, depth + 1) for v in node["v"]]
            return items if t == "list" else tuple(items)
        if t == "dict":
            return {_hashable(walk(k, depth + 1)): walk(v, depth + 1) for k, v in node["v"]}
        if t == "wrapped":
            cls = _standin(Wrapped, str(node.get("type")))
            grad = walk(node.get("grad", {"t": "none"}), depth + 1)
            rg = node.get("requires_grad")
            return cls(array(node["a"]), grad if isinstance(grad, np.ndarray) else None,
                       rg if isinstance(rg, bool) else None)
        if t == "opaque":
            base = OpaqueCallable if node.get("callable") is True else Opaque
            name = str(node.get("type"))[:64]
            return _standin(base, name)(name, str(node.get("repr", ""))[:MAX_REPR])
        raise PlainDataError(f"unknown tag {t!r}")

    return walk(doc)


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        raise PlainDataError("a dict key is not hashable") from None
    return key


# -- files ---------------------------------------------------------------------------------------
def dump(value, path: str | os.PathLike) -> None:
    """Write ``value`` to ``path`` (an ``.npz``) atomically: a temporary file, then rename."""
    doc, arrays = encode(value)
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, __json__=np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load(path: str | os.PathLike, max_bytes: int = 2 * MAX_BYTES):
    """Read what ``dump`` wrote; nothing in the file is unpickled or executed."""
    size = os.path.getsize(path)
    if size > max_bytes:
        raise PlainDataError(f"{path} is {size} bytes, more than {max_bytes}")
    with np.load(path, allow_pickle=False) as files:
        arrays = {k: files[k] for k in files.files}
    raw = arrays.pop("__json__", None)
    if raw is None or raw.dtype != np.uint8:
        raise PlainDataError(f"{path} holds no plain-data document")
    return decode(json.loads(raw.tobytes().decode("utf-8"), parse_constant=_no_constant),
                  arrays)


def _no_constant(name: str):
    raise PlainDataError(f"unexpected JSON constant {name}")
