"""The one linear problem three explorers share: fit y = w x + b to (x, y) by mean squared error.

Lessons 01 (linear unit), 07 (SGD stepper) and 08 (learning rate) all look at the same MSE bowl
over (w, b). Its loss, gradient, Hessian, minimum and contour grid have closed forms in five
means of the data, computed here once for all three. Numbers only: no widgets, no matplotlib.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np


def as_data(x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float arrays of one shape (n,), n >= 2, with two different x values."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.shape != x.shape or x.size < 2:
        raise ValueError(f"a linear problem needs x and y of the same shape (n,) with n >= 2, "
                         f"got {x.shape} and {y.shape}")
    if np.ptp(x) == 0:
        raise ValueError("a linear problem needs at least two different x values")
    return x, y


@dataclass(frozen=True, eq=False)
class LinearProblem:
    """Fit ``y = w x + b`` to (x, y) by MSE: a quadratic bowl in (w, b), all in closed form."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self):
        x, y = as_data(self.x, self.y)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @functools.cached_property
    def moments(self) -> tuple[float, float, float, float, float]:
        """Means of x, x², y, x·y and y² over the data: the loss depends on nothing else."""
        x, y = self.x, self.y
        return (float(x.mean()), float((x * x).mean()), float(y.mean()), float((x * y).mean()),
                float((y * y).mean()))

    @property
    def n(self) -> int:
        return len(self.x)

    @functools.cached_property
    def hessian(self) -> np.ndarray:
        """Second derivatives of the MSE in (w, b): 2 [[mean x², mean x], [mean x, 1]]."""
        mx, mxx = self.moments[:2]
        return 2.0 * np.array([[mxx, mx], [mx, 1.0]])

    @functools.cached_property
    def eigenvalues(self) -> np.ndarray:
        """Curvatures of the bowl along its two axes, smallest first."""
        return np.linalg.eigvalsh(self.hessian)

    @property
    def stable_limit(self) -> float:
        """Full-batch gradient descent converges for rates below 2 / λ_max and diverges above."""
        return 2.0 / float(self.eigenvalues[-1])

    @property
    def smooth_limit(self) -> float:
        """Above 1 / λ_max each step overshoots the steepest direction: the path zigzags."""
        return 1.0 / float(self.eigenvalues[-1])

    @property
    def best_rate(self) -> float:
        """The fixed rate that shrinks the slowest error fastest: 2 / (λ_min + λ_max)."""
        return 2.0 / float(self.eigenvalues.sum())

    @functools.cached_property
    def minimum(self) -> tuple[float, float]:
        """The (w, b) with the lowest loss (least squares)."""
        mx, _, my, mxy, _ = self.moments
        w, b = np.linalg.solve(self.hessian / 2.0, [mxy, my])
        return float(w), float(b)

    @property
    def min_loss(self) -> float:
        return float(self.loss(*self.minimum))

    def loss(self, w, b):
        """MSE of the whole dataset at (w, b); w and b may be arrays (a grid, a path)."""
        mx, mxx, my, mxy, myy = self.moments
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            return w * w * mxx + 2 * w * b * mx + b * b - 2 * w * mxy - 2 * b * my + myy

    def gradient(self, w: float, b: float) -> tuple[float, float]:
        """(dL/dw, dL/db) of the whole-data MSE: 2 mean((w x + b - y) x), 2 mean(w x + b - y)."""
        mx, mxx, my, mxy, _ = self.moments
        return 2 * (w * mxx + b * mx - mxy), 2 * (w * mx + b - my)

    def predict(self, w: float, b: float) -> np.ndarray:
        """The unit's output ``w x + b`` at every data point."""
        return w * self.x + b

    def loss_grid(self, w_range: tuple[float, float], b_range: tuple[float, float],
                  size: int = 120):
        """(W, B, L): the loss on a size x size grid, for contour plots."""
        W, B = np.meshgrid(np.linspace(*w_range, size), np.linspace(*b_range, size))
        return W, B, self.loss(W, B)
