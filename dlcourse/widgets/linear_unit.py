"""Lesson 01's explorer: choose a weight and a bias, see the line, its residuals and its error.

The model (:func:`fit_line`, :func:`mse_grid`, :func:`least_squares`) is numbers only. The view
(:func:`show_linear_unit`) draws the data with the unit's line and the residuals on the left, the
error as a contour map over (w, b) on the right, and moves both as the sliders move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import dlcourse as dl
from dlcourse.widgets.controls import controls_row, debounced, quietly
from dlcourse.widgets.view import BlittedView, new_figure, show


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


def _data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.shape != x.shape or x.size < 2:
        raise ValueError(f"the linear-unit explorer expects x and y of the same shape (n,) with "
                         f"n >= 2, got {x.shape} and {y.shape}")
    return x, y


def fit_line(x, y, w: float, b: float) -> LineFit:
    """Run a one-input :class:`dlcourse.LinearUnit` with weight ``w`` and bias ``b`` on ``x``."""
    x, y = _data(x, y)
    unit = dl.LinearUnit(1, w=[w], b=b)
    with dl.no_grad():
        y_pred = unit(x).data
    x_line = np.array([x.min(), x.max()])
    residuals = y - y_pred
    return LineFit(float(w), float(b), x_line, w * x_line + b, y_pred, residuals,
                   float(np.mean(residuals**2)))


def least_squares(x, y) -> tuple[float, float]:
    """The (w, b) with the smallest mean squared error: where learning should end up."""
    x, y = _data(x, y)
    design = np.stack([x, np.ones_like(x)], axis=1)
    (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(w), float(b)


def mse_grid(x, y, ws, bs) -> np.ndarray:
    """MSE for every pair: entry [i, j] is the error with bias ``bs[i]`` and weight ``ws[j]``."""
    x, y = _data(x, y)
    ws, bs = np.asarray(ws, float), np.asarray(bs, float)
    pred = ws[None, :, None] * x[None, None, :] + bs[:, None, None]
    return np.mean((y - pred) ** 2, axis=-1)


def _range(center: float, half_width: float = 5.0) -> tuple[float, float]:
    return float(np.floor(center - half_width)), float(np.ceil(center + half_width))


class LinearUnitExplorer:
    """Sliders for w and b over one figure: the fitted line (left) and the error map (right)."""

    def __init__(self, x, y, w: float = 1.0, b: float = 0.0):
        import ipywidgets as widgets

        self.x, self.y = _data(x, y)
        self.best = least_squares(self.x, self.y)
        w_range, b_range = _range(self.best[0]), _range(self.best[1])
        self.w_slider = widgets.FloatSlider(value=w, min=w_range[0], max=w_range[1], step=0.05,
                                            description="weight w", continuous_update=True)
        self.b_slider = widgets.FloatSlider(value=b, min=b_range[0], max=b_range[1], step=0.05,
                                            description="bias b", continuous_update=True)
        self._syncing = False
        self.fit = fit_line(self.x, self.y, w, b)
        self.fig = new_figure(9.0, 4.0)
        self._draw_once(w_range, b_range)
        self.view = BlittedView(self.fig, [self.residual_lines, self.points, self.line,
                                           self.marker, self.fit_title, *self.legends])
        self.w_slider.observe(debounced(lambda c: self._moved(w=c["new"])), names="value")
        self.b_slider.observe(debounced(lambda c: self._moved(b=c["new"])), names="value")
        self.box = widgets.VBox([controls_row([self.w_slider, self.b_slider]), self.view.image])

    def _draw_once(self, w_range, b_range) -> None:
        from matplotlib.collections import LineCollection

        left, right = self.fig.subplots(1, 2, width_ratios=[1.25, 1])
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
        self._redraw_artists()

    def _redraw_artists(self) -> None:
        fit = self.fit
        self.line.set_data(fit.x_line, fit.y_line)
        self.residual_lines.set_segments(
            np.stack([np.stack([self.x, self.y], 1), np.stack([self.x, fit.y_pred], 1)], 1))
        self.marker.set_data([fit.w], [fit.b])
        sign = "-" if fit.b < 0 else "+"
        self.fit_title.set_text(f"y = {fit.w:.2f} x {sign} {abs(fit.b):.2f}     "
                                f"MSE = {fit.mse:.2f}")

    def _moved(self, **params) -> None:
        if not self._syncing:
            self.update(**params)

    def update(self, w: float | None = None, b: float | None = None) -> LineFit:
        """Set w and/or b (the sliders follow), recompute and redraw; returns the new fit."""
        w = self.fit.w if w is None else float(w)
        b = self.fit.b if b is None else float(b)
        with quietly(self):
            self.w_slider.value, self.b_slider.value = w, b
        self.fit = fit_line(self.x, self.y, w, b)
        self._redraw_artists()
        self.view.redraw()
        return self.fit


def show_linear_unit(x=None, y=None, w: float = 1.0, b: float = 0.0) -> LinearUnitExplorer:
    """Display the explorer (on ``dl.datasets.noisy_line()`` unless x, y are given)."""
    if x is None and y is None:
        x, y = dl.datasets.noisy_line()
    explorer = LinearUnitExplorer(x, y, w=w, b=b)
    show(explorer.box, explorer.fig, title="linear unit explorer")
    return explorer
