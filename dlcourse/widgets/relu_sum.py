"""Explorer: a curve built from a sum of ReLU units (lesson 04).

Each unit is a rectified linear unit of one input, ``max(0, w*x + b)``: flat on one side of its
kink at ``x = -b/w``, a ramp on the other. A weighted sum of ``n`` of them, plus a bias, is a
network with one hidden layer of ``n`` ReLU units and a linear output. Here units are added one
at a time, each where it lowers the error most, and the output weights are the least-squares
best: each setting has exactly one answer, and adding a unit never makes the fit worse.

    fit = fit_relu_sum(8, target="sine")
    fit.error, fit.bends          # RMS error, where the sum bends
    show_relu_sum(n_units=5)      # in a notebook: sliders and the figure
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from dlcourse.checks import one_of, whole_number
from dlcourse.widgets.explorer import Explorer

X_RANGE = (-3.0, 3.0)
MAX_UNITS = 30
N_POINTS = 241
N_CANDIDATES = 60

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(2.0 * x),
    "bumps": lambda x: (np.exp(-3.0 * (x - 1.2) ** 2) - 0.8 * np.exp(-6.0 * (x + 0.8) ** 2)
                        + 0.15 * x),
    "step": lambda x: np.tanh(4.0 * x),
}


@dataclass(frozen=True)
class ReluSumFit:
    """The numbers the explorer draws for one setting.

    Unit ``i`` computes ``max(0, w[i] * x + b[i])`` and contributes ``weights[i]`` times that;
    ``fitted`` is ``bias + contributions.sum(axis=0)``.
    """

    x: np.ndarray              # (n_points,)
    target: np.ndarray         # (n_points,)
    w: np.ndarray              # (n_units,) hidden weights, +1 or -1
    b: np.ndarray              # (n_units,) hidden biases
    weights: np.ndarray        # (n_units,) output weights, least squares
    bias: float                # output bias
    contributions: np.ndarray  # (n_units, n_points)
    fitted: np.ndarray         # (n_points,)
    error: float               # root-mean-square of fitted - target

    @property
    def n_units(self) -> int:
        return len(self.w)

    @property
    def kinks(self) -> np.ndarray:
        """Where each unit's ramp starts: x = -b / w."""
        return -self.b / self.w

    @property
    def bends(self) -> np.ndarray:
        """x positions strictly inside the window where the fitted curve changes slope."""
        lo, hi = self.x[0], self.x[-1]
        scale = max(1.0, float(np.abs(self.weights).max()))
        inside = (self.kinks > lo) & (self.kinks < hi) & (np.abs(self.weights) > 1e-9 * scale)
        return np.sort(self.kinks[inside])


def _check_units(n_units) -> int:
    return whole_number(n_units, "n_units", 1, MAX_UNITS)


def _check_target(target) -> str:
    return one_of(target, "target", TARGETS)


def _units(kinks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(w, b) of units bending at ``kinks``, each ramp pointing towards the nearer edge.

    A unit bending at the left edge points right: over the window it is a plain ramp.
    """
    lo, hi = X_RANGE
    w = np.where((kinks <= (lo + hi) / 2) & (kinks > lo), -1.0, 1.0)
    return w, -w * kinks


@cache
def _greedy_kinks(target: str) -> tuple[float, ...]:
    """Kinks in the order a greedy search adds them, each where it lowers the error most.

    Forward selection by orthogonal least squares over ``N_CANDIDATES`` evenly spaced kinks:
    the units chosen for n are those for n - 1 plus one, so the error never grows with n.
    """
    lo, hi = X_RANGE
    candidates = np.linspace(lo, hi, N_CANDIDATES + 1)[:-1]
    w, b = _units(candidates)
    x = np.linspace(lo, hi, N_POINTS)
    columns = np.maximum(0.0, np.outer(w, x) + b[:, None])       # (candidates, points)
    basis = np.ones((1, N_POINTS)) / np.sqrt(N_POINTS)           # the output bias
    residual = TARGETS[target](x)
    residual = residual - residual.mean()
    available = np.ones(len(candidates), bool)
    chosen = []
    for _ in range(MAX_UNITS):
        projected = columns - (columns @ basis.T) @ basis
        norms = np.einsum("ij,ij->i", projected, projected)
        usable = available & (norms > 1e-9)
        gain = np.where(usable, (projected @ residual) ** 2 / np.where(usable, norms, 1), -1)
        best = int(np.argmax(gain))
        direction = projected[best] / np.sqrt(norms[best])
        basis = np.vstack([basis, direction])
        residual = residual - (direction @ residual) * direction
        available[best] = False
        chosen.append(float(candidates[best]))
    return tuple(chosen)


def hidden_units(n_units: int, target: str = "sine") -> tuple[np.ndarray, np.ndarray]:
    """Weights and biases of the ``n_units`` ReLU units used for ``target``.

    Units are added one at a time, each bending where it helps the fit most (a greedy search
    over evenly spaced kinks); every unit points towards the nearer edge of the window so its
    ramp stays short and its contribution easy to see.
    """
    n_units = _check_units(n_units)
    kinks = np.array(_greedy_kinks(_check_target(target))[:n_units])
    return _units(kinks)


def fit_relu_sum(n_units: int, target: str = "sine") -> ReluSumFit:
    """The least-squares sum of ``n_units`` ReLU units (plus a bias) that best fits ``target``."""
    target = _check_target(target)
    w, b = hidden_units(n_units, target)
    x = np.linspace(*X_RANGE, N_POINTS)
    y = TARGETS[target](x)
    units = np.maximum(0.0, np.outer(w, x) + b[:, None])        # (n_units, n_points)
    design = np.column_stack([units.T, np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    weights, bias = coef[:-1], float(coef[-1])
    contributions = weights[:, None] * units
    fitted = bias + contributions.sum(axis=0)
    error = float(np.sqrt(np.mean((fitted - y) ** 2)))
    return ReluSumFit(x, y, w, b, weights, bias, contributions, fitted, error)


def error_curve(target: str = "sine", max_units: int = MAX_UNITS) -> np.ndarray:
    """RMS error of the best sum of n units, for n = 1 .. max_units."""
    return np.array([fit_relu_sum(n, target).error for n in range(1, _check_units(max_units) + 1)])


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------


class ReluSumExplorer(Explorer):
    """Sliders for the number of units and the target, and one figure redrawn in place.

    Left: the target (grey), each unit's contribution (faint), their sum (bold) with its bends
    marked. Right: the fit error against the number of units, the current setting circled.
    """

    TITLE = "ReLU sum explorer"
    PARAMS = ("n_units", "target")
    FIGSIZE = (9.0, 3.8)

    def __init__(self, n_units: int = 5, target: str = "sine"):
        super().__init__(n_units=n_units, target=target)
        self.units_slider = self.controls["n_units"]
        self.target_menu = self.controls["target"]

    @property
    def n_units(self) -> int:
        return self.params["n_units"]

    @property
    def target(self) -> str:
        return self.params["target"]

    @property
    def fit(self) -> ReluSumFit:
        return self.state

    def check(self, params: dict) -> dict:
        return {"n_units": _check_units(params.get("n_units", 5)),
                "target": _check_target(params.get("target", "sine"))}

    def compute(self, params) -> ReluSumFit:
        return fit_relu_sum(params["n_units"], params["target"])

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {"n_units": widgets.IntSlider(value=self.n_units, min=1, max=MAX_UNITS,
                                             description="units", continuous_update=True),
                "target": widgets.Dropdown(options=sorted(TARGETS), value=self.target,
                                           description="target")}

    def describe(self, fit: ReluSumFit) -> str:
        bends = ", ".join(f"{x:.2f}" for x in fit.bends) or "none"
        unit_word = "unit" if fit.n_units == 1 else "units"
        return (f"Left: the {self.target} target curve for x from {X_RANGE[0]:g} to "
                f"{X_RANGE[1]:g}, the shares of {fit.n_units} ReLU {unit_word} and their sum, "
                f"which bends at x = {bends}; RMS error {fit.error:.3f}. Right: the RMS error "
                f"falls from {self.errors[0]:.3f} with 1 unit to {self.errors[-1]:.3f} with "
                f"{MAX_UNITS}.")

    def build(self, fig) -> list:
        self.fig = fig
        self._build_axes()
        # A change of target rescales both y axes (and moves the zero line), so those are
        # redrawn with the curves (and the frame the curves run into); the x axes, labels and
        # legend are a cached background.
        return [self.zero_line, self.ax.yaxis, *self.unit_lines, self.target_line, self.sum_line,
                self.bend_marks, *self.ax.spines.values(), self.title, self.err_ax.yaxis,
                self.err_line, self.err_mark]

    def _build_axes(self) -> None:
        from matplotlib.ticker import FuncFormatter, NullLocator

        ax, err_ax = self.fig.subplots(1, 2, width_ratios=[1.6, 1])
        self.ax, self.err_ax = ax, err_ax
        self.unit_lines = [ax.plot([], [], color="tab:orange", lw=1, alpha=0.45)[0]
                           for _ in range(MAX_UNITS)]
        self.unit_lines[0].set_label("each unit's share (weight × ReLU)")
        (self.target_line,) = ax.plot([], [], color="0.55", lw=5, alpha=0.5, label="target")
        (self.sum_line,) = ax.plot([], [], color="tab:blue", lw=2.5, label="sum of units")
        (self.bend_marks,) = ax.plot([], [], "o", ms=4, color="tab:blue", label="bends")
        self.zero_line = ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        ax.set_xlim(*X_RANGE)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        self.fig.legend(loc="outside lower center", ncols=4, fontsize=9, frameon=False)
        self.title = ax.set_title("")

        n = np.arange(1, MAX_UNITS + 1)
        (self.err_line,) = err_ax.semilogy(n, np.ones(MAX_UNITS), ".-", color="0.4", lw=1)
        (self.err_mark,) = err_ax.plot([], [], "o", ms=10, mfc="none", mec="tab:red", mew=2)
        err_ax.set_xlabel("number of ReLU units")
        err_ax.set_ylabel("RMS error of the fit")
        err_ax.set_xlim(0, MAX_UNITS + 1)
        err_ax.grid(True, alpha=0.3)
        # plain labels and no minor ticks: mathtext labels of a log axis cost ~20 ms a redraw
        err_ax.yaxis.set_minor_locator(NullLocator())
        err_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        err_ax.set_title("more units, smaller error", fontsize=10)
        self._drawn_target = None

    def draw(self, fit: ReluSumFit) -> None:
        target = self.target  # the parameters are set before the state is drawn
        if self._drawn_target != target:
            self.target_line.set_data(fit.x, fit.target)
            lo, hi = fit.target.min(), fit.target.max()
            pad = 0.35 * (hi - lo)
            self.ax.set_ylim(lo - pad, hi + pad)
            self.errors = error_curve(target)
            self.err_line.set_ydata(self.errors)
            self.err_ax.set_ylim(self.errors.min() / 2, self.errors.max() * 2)
            self._drawn_target = target
        for i, line in enumerate(self.unit_lines):
            visible = i < fit.n_units
            line.set_visible(visible)
            if visible:
                line.set_data(fit.x, fit.contributions[i])
        self.sum_line.set_data(fit.x, fit.fitted)
        bends = fit.bends
        self.bend_marks.set_data(bends, np.interp(bends, fit.x, fit.fitted))
        self.err_mark.set_data([fit.n_units], [fit.error])
        unit_word = "unit" if fit.n_units == 1 else "units"
        self.title.set_text(f"{fit.n_units} ReLU {unit_word}, {len(bends)} bends: "
                            f"RMS error {fit.error:.3f}")


def show_relu_sum(n_units: int = 5, target: str = "sine", display: bool = True) -> ReluSumExplorer:
    """Show the ReLU-sum explorer and return it (``.update(n_units=12)`` drives it from code)."""
    explorer = ReluSumExplorer(n_units, target)
    if display:
        explorer.show()
    return explorer
