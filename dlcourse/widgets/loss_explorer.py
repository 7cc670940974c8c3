"""Explorer: one outlier against mean squared and mean absolute error (lesson 06).

A dozen points lie near a line; one more point, the outlier, can be dragged up and down with a
slider. The explorer fits the best line under each loss: under MSE by least squares (closed
form), under MAE exactly, by trying every line through two of the points (a best MAE line always
passes through at least two of them). Squaring makes a far point count enormously, so the MSE
line swings towards the outlier; the MAE line barely notices it.

    fits = fit_lines(outlier_y=15.0)
    fits.mse_line, fits.mae_line       # (slope, intercept) of each best line
    show_loss_explorer()               # in a notebook
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlcourse.checks import number_in_range, one_of
from dlcourse.widgets.explorer import Explorer

N_POINTS = 12
SLOPE, INTERCEPT = 0.5, 1.0
OUTLIER_X = 9.0
OUTLIER_RANGE = (-10.0, 25.0)
X_LIMITS = (-0.5, 10.5)


def base_points() -> tuple[np.ndarray, np.ndarray]:
    """The well-behaved points: y = 0.5 x + 1 plus a little seeded noise, x from 0 to 10."""
    rng = np.random.default_rng(0)
    x = np.linspace(0.0, 10.0, N_POINTS)
    return x, SLOPE * x + INTERCEPT + rng.normal(0.0, 0.5, N_POINTS)


def fit_mse_line(x, y) -> tuple[float, float]:
    """(slope, intercept) minimising mean((y - slope*x - intercept)**2): least squares."""
    slope, intercept = np.polyfit(np.asarray(x, float), np.asarray(y, float), 1)
    return float(slope), float(intercept)


def fit_mae_line(x, y) -> tuple[float, float]:
    """(slope, intercept) minimising mean(|y - slope*x - intercept|), found exactly.

    Some best line always passes through two of the points (the problem is a linear program and
    its corners are such lines), so trying every pair finds it; ties go to the first pair.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    i, j = np.triu_indices(len(x), k=1)
    keep = x[i] != x[j]
    i, j = i[keep], j[keep]
    if i.size == 0:
        raise ValueError("fit_mae_line needs at least two points with different x")
    slopes = (y[j] - y[i]) / (x[j] - x[i])
    intercepts = y[i] - slopes * x[i]
    costs = np.abs(y[None, :] - slopes[:, None] * x[None, :] - intercepts[:, None]).sum(axis=1)
    best = int(np.argmin(costs))
    return float(slopes[best]), float(intercepts[best])


@dataclass(frozen=True)
class LossFits:
    """What the explorer draws for one position of the outlier."""

    x: np.ndarray                   # all points; the outlier is the last one
    y: np.ndarray
    mse_line: tuple[float, float]   # (slope, intercept)
    mae_line: tuple[float, float]
    mse: float                      # mean squared error of the MSE line
    mae: float                      # mean absolute error of the MAE line

    def predict(self, which: str, x) -> np.ndarray:
        """Values of the "mse" or "mae" line at ``x``."""
        one_of(which, "which", ("mse", "mae"))
        slope, intercept = self.mse_line if which == "mse" else self.mae_line
        return slope * np.asarray(x, float) + intercept


def _check_outlier(outlier_y) -> float:
    return number_in_range(outlier_y, "outlier_y", *OUTLIER_RANGE)


def fit_lines(outlier_y: float = 15.0) -> LossFits:
    """Best lines under MSE and under MAE with the outlier at (9, ``outlier_y``)."""
    outlier_y = _check_outlier(outlier_y)
    bx, by = base_points()
    x, y = np.append(bx, OUTLIER_X), np.append(by, outlier_y)
    mse_line, mae_line = fit_mse_line(x, y), fit_mae_line(x, y)
    squared = (y - (mse_line[0] * x + mse_line[1])) ** 2
    absolute = np.abs(y - (mae_line[0] * x + mae_line[1]))
    return LossFits(x, y, mse_line, mae_line, float(squared.mean()), float(absolute.mean()))


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------

MSE_COLOR, MAE_COLOR, OUTLIER_COLOR = "tab:red", "tab:blue", "tab:orange"


class LossExplorer(Explorer):
    """A slider for the outlier's height; left the two best lines, right their slopes."""

    TITLE = "loss explorer"
    PARAMS = ("outlier_y",)
    FIGSIZE = (9.0, 4.0)

    def __init__(self, outlier_y: float = 15.0):
        super().__init__(outlier_y=outlier_y)
        self.outlier_slider = self.controls["outlier_y"]

    @property
    def outlier_y(self) -> float:
        return self.params["outlier_y"]

    @property
    def fits(self) -> LossFits:
        return self.state

    def check(self, params: dict) -> dict:
        return {"outlier_y": _check_outlier(params.get("outlier_y", 15.0))}

    def compute(self, params) -> LossFits:
        return fit_lines(params["outlier_y"])

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {"outlier_y": widgets.FloatSlider(value=self.outlier_y, min=OUTLIER_RANGE[0],
                                                 max=OUTLIER_RANGE[1], step=0.5,
                                                 description="outlier y",
                                                 continuous_update=True)}

    def describe(self, fits: LossFits) -> str:
        return (f"Left: {N_POINTS} points near a line and one outlier at x = {OUTLIER_X:g}, "
                f"y = {fits.y[-1]:g}. The best line under MSE is "
                f"{_equation(fits.mse_line)}; the best line under MAE is "
                f"{_equation(fits.mae_line)}. Right: the slope of each best line for every "
                f"height of the outlier; the clean data's slope is {SLOPE:g}.")

    def build(self, fig) -> list:
        self.fig = fig
        self._build_axes()
        # Only the outlier, the two lines, their slopes and the numbers move; the points and
        # the frame are listed too because the lines pass under them. The rest is a cached
        # background.
        return [self.points, self.outlier, self.mse_line, self.mae_line,
                *self.ax.spines.values(), self.values, self.slope_marks]

    def _build_axes(self) -> None:
        self.ax, self.slope_ax = self.fig.subplots(1, 2, width_ratios=[1.5, 1])
        ax = self.ax
        bx, by = base_points()
        self.points = ax.scatter(bx, by, s=30, color="0.25", zorder=3, label="data")
        (self.outlier,) = ax.plot([], [], "o", ms=11, color=OUTLIER_COLOR, mec="black",
                                  zorder=4, label="outlier (slider)")
        line_x = np.array(X_LIMITS)
        (self.mse_line,) = ax.plot(line_x, line_x, color=MSE_COLOR, lw=2.2,
                                   label="best line under MSE")
        (self.mae_line,) = ax.plot(line_x, line_x, color=MAE_COLOR, lw=2.2, ls="--",
                                   label="best line under MAE")
        ax.set_xlim(*X_LIMITS)
        ax.set_ylim(OUTLIER_RANGE[0] - 1, OUTLIER_RANGE[1] + 1)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        self.values = ax.set_title("", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9)

        heights = np.linspace(*OUTLIER_RANGE, 71)
        slopes = np.array([[f.mse_line[0], f.mae_line[0]] for f in map(fit_lines, heights)])
        self.slope_ax.plot(heights, slopes[:, 0], color=MSE_COLOR, lw=2, label="MSE line")
        self.slope_ax.plot(heights, slopes[:, 1], color=MAE_COLOR, lw=2, ls="--",
                           label="MAE line")
        (self.slope_marks,) = self.slope_ax.plot([], [], "o", ms=8, mfc="none", mec="black",
                                                 mew=1.5, zorder=2.5)  # above the dotted line
        self.slope_ax.axhline(SLOPE, color="0.5", lw=1, ls=":")
        self.slope_ax.text(OUTLIER_RANGE[1], SLOPE - 0.04, "slope of the clean data",
                           fontsize=8, color="0.3", ha="right", va="top")
        self.slope_ax.set_xlabel("outlier y")
        self.slope_ax.set_ylabel("slope of the best line")
        self.slope_ax.set_title("slope of each best line", fontsize=10)
        self.slope_ax.grid(True, alpha=0.3)
        self.slope_ax.legend(loc="upper left", fontsize=8)

    def draw(self, fits: LossFits) -> None:
        self.outlier.set_data([fits.x[-1]], [fits.y[-1]])
        line_x = np.array(X_LIMITS)
        self.mse_line.set_ydata(fits.predict("mse", line_x))
        self.mae_line.set_ydata(fits.predict("mae", line_x))
        mse_eq, mae_eq = _equation(fits.mse_line), _equation(fits.mae_line)
        self.values.set_text(f"best under MSE: {mse_eq}, its MSE = {fits.mse:.2f}\n"
                             f"best under MAE: {mae_eq}, its MAE = {fits.mae:.2f}")
        self.slope_marks.set_data([fits.y[-1]] * 2, [fits.mse_line[0], fits.mae_line[0]])


def _equation(line: tuple[float, float]) -> str:
    slope, intercept = line
    return f"y = {slope:.2f}x {'-' if intercept < 0 else '+'} {abs(intercept):.2f}"


def show_loss_explorer(outlier_y: float = 15.0, display: bool = True) -> LossExplorer:
    """Show the outlier explorer and return it (``.update(outlier_y=-5)`` drives it from code)."""
    explorer = LossExplorer(outlier_y)
    if display:
        explorer.show()
    return explorer
