"""Check backprop against central differences: (f(x + h) - f(x - h)) / 2h, one number at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dlcourse.tensor import Tensor, as_array


@dataclass
class InputCheck:
    """How well the gradient of one input agrees with its numerical estimate."""

    name: str
    shape: tuple[int, ...]
    max_relative_error: float
    analytic: np.ndarray
    numeric: np.ndarray
    passed: bool


class GradcheckReport:
    """Per-input relative errors; truthy when every input passed."""

    def __init__(self, inputs: Sequence[InputCheck], tolerance: float):
        self.inputs = list(inputs)
        self.tolerance = tolerance

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.inputs)

    @property
    def max_relative_error(self) -> float:
        return max((c.max_relative_error for c in self.inputs), default=0.0)

    def __bool__(self) -> bool:
        return self.passed

    def __getitem__(self, key: int | str) -> InputCheck:
        if isinstance(key, str):
            return next(c for c in self.inputs if c.name == key)
        return self.inputs[key]

    def __repr__(self) -> str:
        width = max(len(c.name) for c in self.inputs) if self.inputs else 5
        lines = [f"gradcheck: {'passed' if self.passed else 'FAILED'} "
                 f"(tolerance {self.tolerance:.0e} on the relative error)"]
        for c in self.inputs:
            mark = "ok" if c.passed else "WRONG"
            lines.append(f"  {c.name:<{width}}  shape {str(c.shape):<12} max relative error "
                         f"{c.max_relative_error:.1e}  {mark}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{c.name}</td><td>{c.shape}</td><td>{c.max_relative_error:.1e}</td>"
            f"<td style='color:{'green' if c.passed else 'red'}'>"
            f"{'ok' if c.passed else 'WRONG'}</td></tr>"
            for c in self.inputs
        )
        verdict = "passed" if self.passed else "FAILED"
        return (f"<b>gradcheck {verdict}</b> (tolerance {self.tolerance:.0e})"
                "<table><tr><th>input</th><th>shape</th><th>max relative error</th><th></th></tr>"
                f"{rows}</table>")


def relative_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| / max(|a|, |b|), elementwise.

    Entries under a thousandth of the largest are measured against that thousandth instead: their
    numerical estimate carries the rounding error of the whole sum, which would swamp a tiny
    denominator without meaning the gradient is wrong. 0 where everything is (almost) zero.
    """
    scale = np.maximum(np.abs(a), np.abs(b))
    floor = max(1e-3 * float(scale.max(initial=0.0)), 1e-12)
    return np.abs(a - b) / np.maximum(scale, floor)


def gradcheck(fn: Callable[..., Tensor], *inputs, eps: float = 1e-6, tolerance: float = 1e-6,
              names: Sequence[str] | None = None, seed: int = 0) -> GradcheckReport:
    """Compare ``backward()`` with central differences for every input of ``fn``.

    ``fn(*tensors)`` must return a Tensor. If it is not a single number, it is reduced to one by a
    fixed random weighting, so every output element is checked. Works on float64 copies; the
    caller's tensors are not changed. A correct gradient shows a relative error around 1e-7 or less.
    """
    if not inputs:
        raise ValueError("gradcheck needs at least one input tensor to check")
    names = list(names) if names else [getattr(t, "name", None) or f"input {i}"
                                       for i, t in enumerate(inputs)]
    if len(names) != len(inputs):
        raise ValueError(f"gradcheck got {len(names)} names for {len(inputs)} inputs")
    values = [as_array(t, f"gradcheck {name}", np.float64).copy() for t, name in zip(inputs, names)]

    probe = fn(*[Tensor(v) for v in values])
    if not isinstance(probe, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(probe).__name__}")
    weights = np.random.default_rng(seed).normal(size=probe.shape)

    def scalar(tensors):
        out = fn(*tensors)
        return (out * weights).sum() if out.size != 1 else out.sum()

    leaves = [Tensor(v, requires_grad=True) for v in values]
    scalar(leaves).backward()

    checks = []
    for leaf, value, name in zip(leaves, values, names):
        analytic = leaf.grad if leaf.grad is not None else np.zeros_like(value)
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + eps
            up = scalar([Tensor(v) for v in values]).item()
            value[index] = original - eps
            down = scalar([Tensor(v) for v in values]).item()
            value[index] = original
            numeric[index] = (up - down) / (2 * eps)
        error = float(relative_error(analytic, numeric).max()) if value.size else 0.0
        checks.append(InputCheck(name, value.shape, error, analytic, numeric, error <= tolerance))
    return GradcheckReport(checks, tolerance)
