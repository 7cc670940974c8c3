"""Compare a learner's value with the expected one and say precisely what differs.

``compare(expected, got)`` returns quietly when they match and raises ``Incorrect`` otherwise,
checking in the order a learner can act on: the type first, then the shape, then the values.
Objects with a ``.data`` ndarray (the course's Tensor) are compared through that array where an
array is expected, by duck typing, so this module does not import the library it grades. Where a
plain number is expected a Tensor is refused, and where a numpy array is expected a list is
refused, each with how to convert it: both would break the learner's next step.
"""

from __future__ import annotations

import numbers

import numpy as np

from .outcome import Incorrect

_MAX_REPR = 300


def unwrap(x):
    """Return the ndarray inside a Tensor-like object, or ``x`` itself."""
    if isinstance(x, (np.ndarray, np.generic)):  # ndarray.data is a memoryview: keep the array
        return x
    try:
        data = getattr(x, "data", None)
    except Exception:  # a learner object whose property raises is simply not Tensor-like
        return x
    return data if isinstance(data, (np.ndarray, np.generic)) else x


def fmt(x) -> str:
    """A short, readable rendering of a value for messages."""
    inner = unwrap(x)
    if inner is not x:
        return f"{type(x).__name__}({fmt(inner)})"
    if isinstance(x, np.ndarray) and x.ndim == 1 and x.size <= 20 and x.dtype.kind in "biuf":
        return "[" + ", ".join(fmt(v) for v in x.tolist()) + "]"  # no column padding
    if isinstance(x, np.ndarray):
        text = np.array2string(x, precision=4, threshold=20, edgeitems=3, separator=", ")
        return text if x.dtype.kind in "biufc" else f"array({text}, dtype={x.dtype})"
    if isinstance(x, (np.integer, np.bool_)):
        return repr(x.item())
    if isinstance(x, (float, np.floating)):
        text = f"{float(x):.6g}"
        return text if any(c in text for c in ".eni") else text + ".0"
    if isinstance(x, (list, tuple)) and _numeric(x) and len(x) > 20:
        return fmt(np.asarray(x)) + f" ({type(x).__name__})"
    text = repr(x)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def describe_type(x) -> str:
    """'a list', 'an int', 'a numpy array of dtype float64', 'None', ..."""
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        return f"a numpy array of dtype {x.dtype}"
    if unwrap(x) is not x:
        return f"a {type(x).__name__} holding {describe_type(unwrap(x))}"
    name = type(x).__name__
    if callable(x) and not isinstance(x, type):
        name = "function"
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _is_bool(x) -> bool:
    return isinstance(x, (bool, np.bool_))


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real | np.number) and not _is_bool(x)


def _is_shape(x) -> bool:
    return isinstance(x, tuple) and all(
        isinstance(v, numbers.Integral) and not _is_bool(v) for v in x
    )


def _numeric(x) -> bool:
    try:
        return np.asarray(x).dtype.kind in "biuf"
    except Exception:
        return False


def compare(expected, got, *, rtol: float = 1e-5, atol: float = 1e-8, what: str = "") -> None:
    """Raise ``Incorrect`` naming the first difference (type, shape, values); else return."""
    expected, original, got = unwrap(expected), got, unwrap(got)
    where = f"In {what}: " if what else ""

    def fail(message: str):
        raise Incorrect(where + message)

    if expected is None:
        if got is not None:
            fail(f"expected None, but got {describe_type(original)}: {fmt(original)}")
    elif _is_bool(expected):
        if not _is_bool(got):
            fail(f"expected True or False, but got {describe_type(original)}: {fmt(original)}")
        if bool(expected) != bool(got):
            fail(f"expected {bool(expected)}, but got {bool(got)}")
    elif isinstance(expected, str):
        if not isinstance(got, str):
            fail(f"expected a string, but got {describe_type(original)}: {fmt(original)}")
        if expected != got:
            fail(f"expected {expected!r}, but got {got!r}")
    elif isinstance(expected, dict):
        _compare_dict(expected, got, original, rtol, atol, what, fail)
    elif _is_shape(expected):
        _compare_shape(expected, got, original, fail)
    elif _is_number(expected) or (isinstance(expected, np.ndarray) and expected.ndim == 0):
        _require_plain_number(original, fail)
        _compare_scalar(expected, got, original, rtol, atol, fail)
    elif isinstance(expected, np.ndarray) or (
        isinstance(expected, list) and expected and _numeric(expected)
    ):
        if isinstance(expected, np.ndarray):
            _require_array(expected, original, fail)
        _compare_array(np.asarray(expected), got, original, rtol, atol, fail)
    elif isinstance(expected, (list, tuple)):
        _compare_sequence(expected, got, original, rtol, atol, what, fail)
    else:
        try:
            same = bool(expected == got)
        except Exception:
            same = False
        if not same:
            fail(f"expected {fmt(expected)}, but got {fmt(original)}")


def _compare_dict(expected, got, original, rtol, atol, what, fail) -> None:
    if not isinstance(got, dict):
        fail(f"expected a dict, but got {describe_type(original)}")
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing or extra:
        fail(f"expected keys {sorted(map(repr, expected))}, but got {sorted(map(repr, got))}")
    for key in expected:
        compare(expected[key], got[key], rtol=rtol, atol=atol, what=_join(what, f"[{key!r}]"))


def _compare_shape(expected, got, original, fail) -> None:
    if not isinstance(got, tuple):
        fail(f"expected a tuple such as {expected}, but got {describe_type(original)}: "
             f"{fmt(original)}")
    if len(got) != len(expected) or any(
        not isinstance(v, numbers.Integral) or _is_bool(v) or v != e
        for v, e in zip(got, expected, strict=False)
    ):
        fail(f"expected {expected}, but got {fmt(got)}")


def _require_plain_number(original, fail) -> None:
    """A Tensor is not a number: say how to take the number out."""
    if unwrap(original) is not original:
        fail(f"expected a plain number, but got {describe_type(original)}: {fmt(original)}. "
             "Take the number out of it with `.item()` (e.g. `return loss.item()`).")


def _require_array(expected, original, fail) -> None:
    """A list or tuple is not an array: numpy's arithmetic does not work on lists."""
    if isinstance(original, (list, tuple)):
        kind = type(original).__name__
        fail(f"expected a numpy array of shape {expected.shape}, but got a {kind}: "
             f"{fmt(original)}. Convert it with `np.array(...)`, or compute with numpy "
             "operations on arrays from the start (a loop that appends to a list needs "
             "`np.array(values)` at the end).")


def _compare_scalar(expected, got, original, rtol, atol, fail) -> None:
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, np.ndarray):
        fail(f"expected a single number, but got an array of shape {got.shape}: {fmt(got)}")
    if not _is_number(got):
        fail(f"expected a number, but got {describe_type(original)}: {fmt(original)}")
    expected = np.asarray(expected)[()]
    if isinstance(expected, numbers.Integral) and not isinstance(got, numbers.Integral):
        fail(f"expected an integer, but got {describe_type(got)}: {fmt(got)}")
    if np.isnan(got) and not np.isnan(expected):
        fail(f"expected {fmt(expected)}, but got nan")
    if not np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        fail(f"expected {fmt(expected)}, but got {fmt(got)}")


def _compare_array(expected, got, original, rtol, atol, fail) -> None:
    if _is_number(got) or _is_bool(got):
        got = np.asarray(got)
    if not isinstance(got, (np.ndarray, list, tuple)):
        fail(f"expected an array of shape {expected.shape}, but got {describe_type(original)}: "
             f"{fmt(original)}")
    try:
        arr = np.asarray(got)
    except Exception:
        arr = np.asarray(None)
    if arr.dtype.kind not in "biuf":
        fail(f"expected an array of numbers, but got {describe_type(original)}: {fmt(original)}")
    _compare_dtype(expected, arr, fail)
    if arr.shape != expected.shape:
        fail(f"expected shape {expected.shape}, but got shape {arr.shape}"
             f"{_shape_hint(expected.shape, arr.shape)}")
    _compare_values(expected, arr, rtol, atol, fail)


def _compare_dtype(expected, arr, fail) -> None:
    kind = expected.dtype.kind
    if kind == "b" and arr.dtype.kind != "b":
        fail(f"expected an array of True/False values, but got dtype {arr.dtype}")
    if kind in "iu" and arr.dtype.kind not in "iu":
        fail(f"expected an array of integers, but got dtype {arr.dtype}")
    if kind in "iuf" and arr.dtype.kind == "b":
        fail(f"expected an array of numbers, but got True/False values (dtype {arr.dtype})")


def _shape_hint(expected, got) -> str:
    if len(got) >= 2 and got == expected[::-1]:
        return " (transposed?)"
    if tuple(d for d in got if d != 1) == tuple(d for d in expected if d != 1):
        return " (an extra or missing axis of length 1?)"
    return ""


def _compare_values(expected, arr, rtol, atol, fail) -> None:
    expected_f = expected.astype(float)
    arr_f = arr.astype(float)
    bad_nan = np.isnan(arr_f) & ~np.isnan(expected_f)
    if bad_nan.any():
        index = _index(np.argwhere(bad_nan)[0])
        fail(f"got nan at index {index} where {fmt(expected_f[index])} was expected "
             f"({int(bad_nan.sum())} nan value(s) in all)\nexpected: {fmt(expected)}\n"
             f"got:      {fmt(arr)}")
    wrong = ~np.isclose(arr_f, expected_f, rtol=rtol, atol=atol, equal_nan=True)
    if wrong.any():
        index = _index(np.argwhere(wrong)[0])
        count = f"{int(wrong.sum())} of {wrong.size} values differ"
        at = f"; at index {index} expected {fmt(expected_f[index])} but got {fmt(arr_f[index])}"
        fail(f"{count}{at if arr.ndim else ''}\nexpected: {fmt(expected)}\ngot:      {fmt(arr)}")


def _index(position) -> tuple | int:
    position = tuple(int(i) for i in position)
    return position[0] if len(position) == 1 else position


def _compare_sequence(expected, got, original, rtol, atol, what, fail) -> None:
    kind = type(expected).__name__
    if not isinstance(got, (list, tuple)):
        fail(f"expected a {kind} of {len(expected)} items, but got {describe_type(original)}")
    if len(got) != len(expected):
        fail(f"expected a {kind} of {len(expected)} items, but got {len(got)} items")
    for i, (e, g) in enumerate(zip(expected, got, strict=True)):
        compare(e, g, rtol=rtol, atol=atol, what=_join(what, f"[{i}]"))


def _join(what: str, part: str) -> str:
    return f"{what or 'the result'}{part}"
