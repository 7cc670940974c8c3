"""Lesson 01's explorer: choose a weight and a bias, see the line, its residuals and its error.

The model (:func:`fit_line`, :func:`mse_grid`, :func:`least_squares`) is numbers only. The view
(:func:`show_linear_unit`) draws the data with the unit's line and the residuals on the left, the
error as a contour map over (w, b) on the right, and moves both as the sliders move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import dlcourse as dl
from dlcourse.checks import number_in_range
from dlcourse.widgets.explorer import Explorer
from dlcourse.widgets.linear_problem import LinearProblem, as_data


@dataclass(frozen=True)
class LineFit:
    """What the explorer draws for one choice of weight ``w`` and bias ``b``."""

    w: float
    b: float
    x_line: np.ndarray  # the line's two end points, spanning the data
    y_line: np.ndarray
    y_pred: np.ndarray  # the unit's output for every data point
    residuals: np.ndarray  # y - y_pred: the vertical gaps drawn as segments
    mse: float


def fit_line(x, y, w: float, b: float) -> LineFit:
    """Run a one-input :class:`dlcourse.LinearUnit` with weight ``w`` and bias ``b`` on ``x``."""
    x, y = as_data(x, y)
    unit = dl.LinearUnit(1, w=[w], b=b)
    with dl.no_grad():
        y_pred = unit(x).data
    x_line = np.array([x.min(), x.max()])
    residuals = y - y_pred
    return LineFit(float(w), float(b), x_line, w * x_line + b, y_pred, residuals,
                   float(np.mean(residuals**2)))


def least_squares(x, y) -> tuple[float, float]:
    """The (w, b) with the smallest mean squared error: where learning should end up."""
    return LinearProblem(*as_data(x, y)).minimum


def mse_grid(x, y, ws, bs) -> np.ndarray:
    """MSE for every pair: entry [i, j] is the error with bias ``bs[i]`` and weight ``ws[j]``."""
    W, B = np.meshgrid(np.asarray(ws, float), np.asarray(bs, float))
    return LinearProblem(*as_data(x, y)).loss(W, B)


def _range(center: float, half_width: float = 5.0) -> tuple[float, float]:
    return float(np.floor(center - half_width)), float(np.ceil(center + half_width))


class LinearUnitExplorer(Explorer):
    """Sliders for w and b over one figure: the fitted line (left) and the error map (right)."""

    TITLE = "linear unit explorer"
    PARAMS = ("w", "b")
    FIGSIZE = (9.0, 4.0)

    def __init__(self, x, y, w: float = 1.0, b: float = 0.0):
        self.x, self.y = as_data(x, y)
        self.best = least_squares(self.x, self.y)
        self.w_range, self.b_range = _range(self.best[0]), _range(self.best[1])
        super().__init__(w=w, b=b)
        self.w_slider, self.b_slider = self.controls["w"], self.controls["b"]

    @property
    def fit(self) -> LineFit:
        return self.state

    def check(self, params: dict) -> dict:
        checked = {}
        for name, (low, high) in (("w", self.w_range), ("b", self.b_range)):
            value = params.get(name, 1.0 if name == "w" else 0.0)
            checked[name] = number_in_range(value, name, low, high)
        return checked

    def compute(self, params) -> LineFit:
        return fit_line(self.x, self.y, params["w"], params["b"])

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {name: widgets.FloatSlider(value=self.params[name], min=low, max=high, step=0.05,
                                          description=label, continuous_update=True)
                for name, label, (low, high) in (("w", "weight w", self.w_range),
                                                 ("b", "bias b", self.b_range))}

    def describe(self, fit: LineFit) -> str:
        best_w, best_b = self.best
        return (f"Left: {len(self.x)} data points and the unit's line y = {fit.w:.2f} x "
                f"{'-' if fit.b < 0 else '+'} {abs(fit.b):.2f}, with the vertical gaps to each "
                f"point; its mean squared error is {fit.mse:.2f}. Right: the error for every "
                f"(w, b) as a contour map, lowest ({self.best_mse:.2f}) at w = {best_w:.2f}, "
                f"b = {best_b:.2f}; a dot marks your (w, b).")

    def build(self, fig) -> list:
        from matplotlib.collections import LineCollection

        w_range, b_range = self.w_range, self.b_range
        left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
        self.points = left.scatter(self.x, self.y, s=18, color="#1f77b4", zorder=3, label="data")
        self.residual_lines = LineCollection([], colors="#7f7f7f", linewidths=1.0,
                                             linestyles=":", zorder=2, label="residuals")
        left.add_collection(self.residual_lines)
        (self.line,) = left.plot([], [], color="#d62728", lw=2.2, zorder=4, label="unit's line")
        pad = 0.15 * np.ptp(self.y)
        left.set_ylim(self.y.min() - pad, self.y.max() + pad)
        left.set_xlim(self.x.min() - 0.2, self.x.max() + 0.2)
        left.set_xlabel("input x")
        left.set_ylabel("output y")
        self.legends = [left.legend(loc="upper left", fontsize=9, framealpha=0.9)]
        left.grid(alpha=0.3)
        self.fit_title = left.set_title("", fontsize=11)

        ws = np.linspace(*w_range, 121)
        bs = np.linspace(*b_range, 121)
        grid = mse_grid(self.x, self.y, ws, bs)
        self.best_mse = float(mse_grid(self.x, self.y, [self.best[0]], [self.best[1]])[0, 0])
        levels = np.geomspace(grid.min() * 1.05, grid.max(), 14)
        right.contourf(ws, bs, grid, levels=levels, cmap="Blues_r", alpha=0.85)
        right.contour(ws, bs, grid, levels=levels, colors="white", linewidths=0.5)
        right.plot(*self.best, marker="*", ms=14, color="gold", mec="black", ls="none",
                   label="lowest error")
        (self.marker,) = right.plot([], [], "o", ms=9, color="#d62728", mec="white",
                                    label="your (w, b)")
        right.set_xlabel("weight w")
        right.set_ylabel("bias b")
        right.set_title("error (MSE) for every (w, b)", fontsize=11)
        self.legends.append(right.legend(loc="upper left", fontsize=9, framealpha=0.9))
        return [self.residual_lines, self.points, self.line, self.marker, self.fit_title,
                *self.legends]

    def draw(self, fit: LineFit) -> None:
        self.line.set_data(fit.x_line, fit.y_line)
        self.residual_lines.set_segments(
            np.stack([np.stack([self.x, self.y], 1), np.stack([self.x, fit.y_pred], 1)], 1))
        self.marker.set_data([fit.w], [fit.b])
        sign = "-" if fit.b < 0 else "+"
        self.fit_title.set_text(f"y = {fit.w:.2f} x {sign} {abs(fit.b):.2f}     "
                                f"MSE = {fit.mse:.2f}")


def show_linear_unit(x=None, y=None, w: float = 1.0, b: float = 0.0) -> LinearUnitExplorer:
    """Display the explorer (on ``dl.datasets.noisy_line()`` unless x, y are given)."""
    if x is None and y is None:
        x, y = dl.datasets.noisy_line()
    explorer = LinearUnitExplorer(x, y, w=w, b=b)
    explorer.show()
    return explorer
