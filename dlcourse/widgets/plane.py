"""Lesson 02's explorer: a unit with two inputs is a plane; move w0, w1 and b to fit the points.

The model (:func:`fit_plane`, :func:`least_squares_plane`) is numbers only. The view
(:func:`show_plane`) draws the points and the unit's plane in 3-D (points above the plane dark,
below it light, with their vertical gaps) and, beside it, predictions against true values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import dlcourse as dl
from dlcourse.widgets.explorer import Explorer

ABOVE_COLOR = "#08519c"
BELOW_COLOR = "#6baed6"
PLANE_COLOR = "#fd8d3c"


@dataclass(frozen=True)
class PlaneFit:
    """What the explorer draws for one choice of weights (w0, w1) and bias b."""

    w0: float
    w1: float
    b: float
    grid_x0: np.ndarray  # (g, g) grid over the inputs' range
    grid_x1: np.ndarray
    grid_z: np.ndarray  # the plane's height over that grid
    y_pred: np.ndarray  # (n,) the unit's output for every point
    residuals: np.ndarray  # (n,) y - y_pred: positive above the plane
    mse: float


def _data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != (x.shape[0],) or x.shape[0] < 3:
        raise ValueError(f"the plane explorer expects x of shape (n, 2) and y of shape (n,) with "
                         f"n >= 3, got {x.shape} and {y.shape}")
    return x, y


def plane_grid(x, size: int = 21) -> tuple[np.ndarray, np.ndarray]:
    """A ``size`` x ``size`` grid spanning the two inputs of ``x``."""
    x = np.asarray(x, dtype=float)
    return np.meshgrid(np.linspace(x[:, 0].min(), x[:, 0].max(), size),
                       np.linspace(x[:, 1].min(), x[:, 1].max(), size))


def fit_plane(x, y, w0: float, w1: float, b: float,
              grid: tuple[np.ndarray, np.ndarray] | None = None) -> PlaneFit:
    """Run a two-input :class:`dlcourse.LinearUnit` with weights (w0, w1) and bias b on ``x``."""
    x, y = _data(x, y)
    grid_x0, grid_x1 = plane_grid(x) if grid is None else grid
    unit = dl.LinearUnit(2, w=[w0, w1], b=b)
    with dl.no_grad():
        y_pred = unit(x).data
    grid_z = w0 * grid_x0 + w1 * grid_x1 + b
    residuals = y - y_pred
    return PlaneFit(float(w0), float(w1), float(b), grid_x0, grid_x1, grid_z, y_pred, residuals,
                    float(np.mean(residuals**2)))


def least_squares_plane(x, y) -> tuple[float, float, float]:
    """The (w0, w1, b) with the smallest mean squared error."""
    x, y = _data(x, y)
    design = np.column_stack([x, np.ones(len(x))])
    (w0, w1, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(w0), float(w1), float(b)


def surface_polygons(fit: PlaneFit) -> np.ndarray:
    """The plane as quadrilaterals, shape (cells, 4, 3), as ``Poly3DCollection.set_verts`` wants."""
    points = np.stack([fit.grid_x0, fit.grid_x1, fit.grid_z], axis=-1)
    corners = [points[:-1, :-1], points[:-1, 1:], points[1:, 1:], points[1:, :-1]]
    return np.stack(corners, axis=2).reshape(-1, 4, 3)


WEIGHT_RANGE = (-4.0, 4.0)


class PlaneExplorer(Explorer):
    """Sliders for w0, w1 and b over the plane in 3-D and a predicted-vs-true panel."""

    TITLE = "plane explorer"
    PARAMS = ("w0", "w1", "b")
    FIGSIZE = (9.0, 4.2)

    def __init__(self, x, y, w0: float = 0.0, w1: float = 0.0, b: float = 0.0):
        self.x, self.y = _data(x, y)
        self.best = least_squares_plane(self.x, self.y)
        self.grid = plane_grid(self.x)
        super().__init__(w0=w0, w1=w1, b=b)
        self.w0_slider, self.w1_slider = self.controls["w0"], self.controls["w1"]
        self.b_slider = self.controls["b"]

    @property
    def fit(self) -> PlaneFit:
        return self.state

    def check(self, params: dict) -> dict:
        low, high = WEIGHT_RANGE
        checked = {}
        for name in self.PARAMS:
            value = params.get(name, 0.0)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise TypeError(f"{name} must be a number, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value}")
            checked[name] = float(value)
        return checked

    def compute(self, params) -> PlaneFit:
        return fit_plane(self.x, self.y, params["w0"], params["w1"], params["b"], self.grid)

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {name: widgets.FloatSlider(value=self.params[name], min=WEIGHT_RANGE[0],
                                          max=WEIGHT_RANGE[1], step=0.05, description=label,
                                          continuous_update=True)
                for name, label in (("w0", "weight w0"), ("w1", "weight w1"), ("b", "bias b"))}

    def describe(self, fit: PlaneFit) -> str:
        above = int((fit.residuals >= 0).sum())
        w0, w1, b = self.best
        return (f"Left, in 3-D: {len(self.y)} points and the unit's plane y = {fit.w0:.2f} x0 "
                f"{'-' if fit.w1 < 0 else '+'} {abs(fit.w1):.2f} x1 "
                f"{'-' if fit.b < 0 else '+'} {abs(fit.b):.2f}; {above} points lie above it and "
                f"{len(self.y) - above} below. Right: the unit's output against the true y; "
                f"mean squared error {fit.mse:.2f}. The best plane has w0 = {w0:.2f}, "
                f"w1 = {w1:.2f}, b = {b:.2f}.")

    def build(self, fig) -> list:
        self.fig = fig
        self._draw_once()
        return self._moving

    def _draw_once(self) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator
        from mpl_toolkits.mplot3d.art3d import Line3DCollection

        grid_spec = self.fig.add_gridspec(1, 2, width_ratios=[1.5, 1])
        ax3d = self.fig.add_subplot(grid_spec[0], projection="3d", computed_zorder=False)
        side = self.fig.add_subplot(grid_spec[1])
        self.ax3d = ax3d
        fit = self.compute(self.params)

        # Drawing order fakes depth: points below the plane, the plane, then points above it.
        (self.below,) = ax3d.plot([], [], [], "o", ms=4, color=BELOW_COLOR, alpha=0.9,
                                  axlim_clip=True, zorder=1)
        self.surface = ax3d.plot_surface(fit.grid_x0, fit.grid_x1, fit.grid_z, color=PLANE_COLOR,
                                         alpha=0.45, edgecolor="#a63603", linewidth=0.3,
                                         shade=False, axlim_clip=True, zorder=2)
        self.gaps = Line3DCollection(self._gap_segments(), colors="#555555", linewidths=0.6,
                                     alpha=0.6, axlim_clip=True, zorder=3)
        ax3d.add_collection3d(self.gaps, autolim=False)
        (self.above,) = ax3d.plot([], [], [], "o", ms=4, color=ABOVE_COLOR, axlim_clip=True,
                                  zorder=4)
        pad = 0.1 * np.ptp(self.y)
        ax3d.set(xlim=(self.grid[0].min(), self.grid[0].max()),
                 ylim=(self.grid[1].min(), self.grid[1].max()),
                 zlim=(self.y.min() - pad, self.y.max() + pad))
        for axis in (ax3d.xaxis, ax3d.yaxis, ax3d.zaxis):
            axis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
        ax3d.tick_params(labelsize=8, pad=0)
        ax3d.set_box_aspect(None, zoom=1.05)
        ax3d.set_xlabel("$x_0$")
        ax3d.set_ylabel("$x_1$")
        ax3d.set_zlabel("$y$")
        ax3d.view_init(elev=22, azim=-130)
        self.equation = ax3d.set_title("", fontsize=11)

        low, high = self.y.min() - pad, self.y.max() + pad
        side.plot([low, high], [low, high], color="#999999", lw=1, ls="--",
                  label="perfect prediction")
        self.predicted = side.scatter(self.y, fit.y_pred, s=14, color=ABOVE_COLOR, alpha=0.85,
                                      zorder=3)
        side.set_xlim(low, high)
        side.set_ylim(low, high)
        side.set_aspect("equal")
        side.set_xlabel("true y")
        side.set_ylabel("unit's output")
        side.grid(alpha=0.3)
        self.error_title = side.set_title("", fontsize=11)
        handles = [Line2D([], [], ls="none", marker="o", ms=5, color=color, label=label)
                   for color, label in [(ABOVE_COLOR, "point above the plane"),
                                        (BELOW_COLOR, "point below the plane")]]
        self.legend = side.legend(handles=[*side.get_lines(), *handles], loc="upper left",
                                  fontsize=9, framealpha=0.9)
        self._moving = [self.below, self.surface, self.gaps, self.above, self.equation,
                        self.predicted, self.error_title, self.legend]

    def _gap_segments(self, fit: PlaneFit | None = None) -> np.ndarray:
        """Vertical segments from each point down (or up) to the plane, shape (n, 2, 3)."""
        x0, x1 = self.x[:, 0], self.x[:, 1]
        y_pred = self.y if fit is None else fit.y_pred
        return np.stack([np.column_stack([x0, x1, self.y]),
                         np.column_stack([x0, x1, y_pred])], axis=1)

    def draw(self, fit: PlaneFit) -> None:
        above = fit.residuals >= 0
        x0, x1, y = self.x[:, 0], self.x[:, 1], self.y
        self.below.set_data_3d(x0[~above], x1[~above], y[~above])
        self.above.set_data_3d(x0[above], x1[above], y[above])
        self.surface.set_verts(surface_polygons(fit))
        self.gaps.set_segments(self._gap_segments(fit))
        self.predicted.set_offsets(np.column_stack([self.y, fit.y_pred]))
        self.predicted.set_facecolor(np.where(above, ABOVE_COLOR, BELOW_COLOR))
        terms = f"y = {fit.w0:.2f} x₀ {'-' if fit.w1 < 0 else '+'} {abs(fit.w1):.2f} x₁ " \
                f"{'-' if fit.b < 0 else '+'} {abs(fit.b):.2f}"
        self.equation.set_text(terms)
        self.error_title.set_text(f"MSE = {fit.mse:.2f}")


def show_plane(x=None, y=None, w0: float = 0.0, w1: float = 0.0, b: float = 0.0) -> PlaneExplorer:
    """Display the explorer (on ``dl.datasets.plane()`` unless x, y are given)."""
    if x is None and y is None:
        x, y = dl.datasets.plane()
    explorer = PlaneExplorer(x, y, w0=w0, w1=w1, b=b)
    explorer.show()
    return explorer
