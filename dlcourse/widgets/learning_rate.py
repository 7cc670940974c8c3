"""The learning-rate explorer: gradient descent on a linear unit, one slider for the step size.

Pure model (numpy only): :func:`make_problem` fixes a seeded dataset for ``y = w x + b`` and knows
its MSE loss surface, its Hessian and the stable limit ``2 / largest eigenvalue``;
:func:`descend` runs (minibatch) gradient descent from a fixed start and returns the
:class:`Descent`: the path of (w, b), the loss after every step, whether and when it diverged,
and a one-line status. The gradients are the closed form of the MSE of a linear unit (the same
numbers ``loss.backward()`` gives, checked in the tests), vectorised so that a few hundred steps
take about a millisecond.

Thin view: :func:`show_learning_rate_explorer` draws the path over the loss contours, the loss
curve and a learning-rate ruler with the stable limit marked, and redraws them in place when a
control moves.
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass

import numpy as np

from dlcourse.checks import number_in_range, one_of, positive_int, positive_number, whole_number
from dlcourse.datasets import noisy_line
from dlcourse.widgets.explorer import Explorer, status_box
from dlcourse.widgets.linear_problem import LinearProblem

__all__ = ["LinearProblem", "Descent", "descend", "make_problem", "presets", "snap_rate",
           "show_learning_rate_explorer", "LearningRateExplorer"]

#: Where every descent starts: far enough from the minimum that the path has somewhere to go.
START = (2.5, 4.0)
#: A run has diverged once its loss exceeds this many times the loss at the start (or is NaN/inf).
DIVERGENCE_FACTOR = 1e6
#: A run has converged once its loss is within this fraction of the lowest possible loss.
CONVERGED_TOLERANCE = 0.02
#: Presets as multiples of the stable limit 2 / λ_max ("good" is the best rate, see presets()).
PRESET_FRACTIONS = {"too small": 1 / 40, "too large": 0.985, "diverging": 1.15}
#: The learning-rate slider moves in steps of this much in log10 (1.023x a step).
RATE_STEP = 0.01
#: Statuses a descent can end in (the first word of :attr:`Descent.status`).
STATUSES = ("diverged", "unstable", "converged", "still descending", "bouncing")


def snap_rate(rate: float) -> float:
    """The learning rate on the slider's grid nearest to ``rate`` (10 to a power in steps of
    ``RATE_STEP``): what the slider can show exactly, so it never sends back a different one."""
    return float(10.0 ** (round(math.log10(rate) / RATE_STEP) * RATE_STEP))


def presets(problem: LinearProblem) -> dict[str, float]:
    """Learning rates for the regimes the lesson names, on the slider's grid.

    "too small" crawls (1/40 of the stable limit); "good" is the best fixed rate for this bowl,
    2 / (λ_min + λ_max), which shrinks the slowest direction fastest; "too large" sits just
    under the stable limit 2 / λ_max, where each step overshoots the steep direction by almost
    as much as it corrects, so the zigzag dies out slowly; "diverging" is above the limit.
    """
    limit = problem.stable_limit
    rates = {"too small": limit * PRESET_FRACTIONS["too small"], "good": problem.best_rate,
             "too large": limit * PRESET_FRACTIONS["too large"],
             "diverging": limit * PRESET_FRACTIONS["diverging"]}
    return {name: snap_rate(rate) for name, rate in rates.items()}


@functools.lru_cache(maxsize=4)
def make_problem(n: int = 100, seed: int = 0) -> LinearProblem:
    """The explorer's fixed dataset: ``n`` points around y = 2x + 1 with x in [-0.5, 3.5].

    The inputs are not centred on zero (like most raw data), which stretches the loss bowl into
    a long narrow valley: the shape that makes the learning rate matter.
    """
    x, y = noisy_line(n=n, slope=2.0, intercept=4.0, noise=0.5, seed=seed)
    x = x + 1.5  # shift the inputs: the line becomes y = 2x + 1
    x.flags.writeable = False
    y.flags.writeable = False
    return LinearProblem(x, y)


@dataclass(frozen=True)
class Descent:
    """One run of gradient descent: what the explorer draws.

    ``w``, ``b`` and ``loss`` hold the start and then one entry per step taken (a diverged run
    stops at the step where it diverged). ``loss`` is measured on the whole dataset.
    """

    learning_rate: float
    steps: int
    batch_size: int
    w: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    diverged: bool
    diverged_at: int | None
    zigzag: bool
    status: str
    message: str

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])


def descend(learning_rate: float, steps: int = 100, batch_size: int | None = None,
            problem: LinearProblem | None = None, start: tuple[float, float] = START,
            seed: int = 0) -> Descent:
    """Run ``steps`` steps of minibatch gradient descent on ``problem`` (the default dataset).

    ``batch_size=None`` (or the dataset size) is full-batch gradient descent: deterministic and
    smooth. Smaller batches follow the gradient of a random batch at every step (each epoch visits
    the samples in a new seeded order), which makes the path noisy.
    """
    problem = problem or make_problem()
    learning_rate = positive_number(learning_rate, "learning_rate")
    steps = positive_int(steps, "steps")
    batch_size = problem.n if batch_size is None else positive_int(batch_size, "batch_size")
    if batch_size > problem.n:
        raise ValueError(f"batch_size must be at most the {problem.n} samples, got {batch_size}")
    return _descend(problem, learning_rate, steps, batch_size, tuple(map(float, start)), seed)


@functools.lru_cache(maxsize=256)
def _descend(problem: LinearProblem, lr: float, steps: int, batch_size: int,
             start: tuple[float, float], seed: int) -> Descent:
    mx, mxx, my, mxy = (m.tolist() for m in _batch_moments(problem, steps, batch_size, seed))
    w = np.empty(steps + 1)
    b = np.empty(steps + 1)
    w[0], b[0] = start
    limit = DIVERGENCE_FACTOR * float(problem.loss(*start))
    ax, axx, ay, axy, ayy = problem.moments
    wk, bk = start
    taken, diverged_at = steps, None
    for k in range(steps):  # plain floats: each step is a handful of multiplications
        grad_w = 2.0 * (wk * mxx[k] + bk * mx[k] - mxy[k])
        grad_b = 2.0 * (wk * mx[k] + bk - my[k])
        wk, bk = wk - lr * grad_w, bk - lr * grad_b
        w[k + 1], b[k + 1] = wk, bk
        value = wk * wk * axx + 2 * wk * bk * ax + bk * bk - 2 * wk * axy - 2 * bk * ay + ayy
        if not value <= limit:  # also catches NaN (inf - inf)
            taken, diverged_at = k + 1, k + 1
            break
    w, b = w[: taken + 1], b[: taken + 1]
    loss = problem.loss(w, b)
    zigzag = _zigzags(w, b)
    status, message = _verdict(problem, lr, batch_size, steps, loss, diverged_at, zigzag)
    for array in (w, b, loss):
        array.flags.writeable = False
    return Descent(lr, steps, batch_size, w, b, loss, diverged_at is not None, diverged_at,
                   zigzag, status, message)


def _batch_moments(problem: LinearProblem, steps: int, batch_size: int, seed: int):
    """Per-step means of x, x², y and x·y over the minibatch that step sees."""
    n = problem.n
    if batch_size == n:
        return tuple(np.full(steps, m) for m in problem.moments[:4])
    per_epoch = math.ceil(n / batch_size)
    epochs = math.ceil(steps / per_epoch)
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((epochs, n)), axis=1)  # one shuffle per epoch
    x, y = problem.x[order].ravel(), problem.y[order].ravel()
    starts = (np.arange(epochs)[:, None] * n + np.arange(0, n, batch_size)).ravel()
    counts = np.diff(np.append(starts, epochs * n))[:steps]  # the last batch of an epoch is short
    sums = [np.add.reduceat(v, starts)[:steps] for v in (x, x * x, y, x * y)]
    return tuple(s / counts for s in sums)


def _zigzags(w: np.ndarray, b: np.ndarray, look: int = 12) -> bool:
    """True when most of the first steps reverse the direction of the step before."""
    dw, db = np.diff(w[: look + 1]), np.diff(b[: look + 1])
    if len(dw) < 3:
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        turns = dw[1:] * dw[:-1] + db[1:] * db[:-1]
    return bool(np.mean(turns < 0) > 0.5)


def _verdict(problem: LinearProblem, lr: float, batch_size: int, steps: int, loss: np.ndarray,
             diverged_at: int | None, zigzag: bool) -> tuple[str, str]:
    """The status word and a sentence a learner can act on."""
    limit = problem.stable_limit
    if diverged_at is not None:
        why = (f"the learning rate {lr:.3g} is above the stable limit {limit:.3g}" if lr > limit
               else f"minibatches of {batch_size} are less stable than the full batch")
        return "diverged", (f"diverged at step {diverged_at}: the loss grew past a million times "
                            f"its start; {why}")
    best, first = problem.min_loss, float(loss[0])
    noisy = batch_size < problem.n
    # A minibatch run's loss jitters from step to step: judge it by its recent average.
    last = float(loss[-max(2, len(loss) // 10):].mean() if noisy else loss[-1])
    if not last < first:
        return "unstable", (f"unstable: after {steps} steps the loss is {last:.3g}, higher than "
                            f"at the start ({first:.3g}); lower the learning rate")
    shape = "; the path zigzags across the valley" if zigzag else ""
    if last - best <= max(CONVERGED_TOLERANCE * best, 1e-4 * (first - best)):
        return "converged", (f"converged: in {steps} steps the loss fell from {first:.3g} to "
                             f"{'about ' if noisy else ''}{last:.3g} (lowest possible "
                             f"{best:.3g}){shape}")
    if noisy and not _still_falling(loss):
        return "bouncing", (f"bouncing: the loss stays near {last:.3g} (lowest possible "
                            f"{best:.3g}): each minibatch pulls (w, b) its own way; a smaller "
                            "learning rate or larger batches settle lower")
    if zigzag and lr > problem.best_rate:
        return "still descending", (
            f"still descending: the loss is {last:.3g} after {steps} steps (lowest possible "
            f"{best:.3g}); the path zigzags across the valley, each step overshooting almost as "
            f"much as it corrects: a smaller learning rate would settle sooner")
    return "still descending", (f"still descending: the loss is {last:.3g} after {steps} steps "
                                f"(lowest possible {best:.3g}); a larger learning rate or more "
                                f"steps would get further{shape}")


def _still_falling(loss: np.ndarray) -> bool:
    """Is the loss over the last fifth of the run clearly lower than over the fifth before?

    "Clearly" means by more than twice the noise of the difference, so that minibatch noise
    alone does not count as progress.
    """
    window = max(2, len(loss) // 5)
    earlier, recent = loss[-2 * window : -window], loss[-window:]
    if len(earlier) < 2:
        return True
    noise = np.sqrt(earlier.var() / len(earlier) + recent.var() / len(recent))
    return bool(earlier.mean() - recent.mean() > 2 * noise)


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------

#: Range of the learning-rate slider, as powers of ten.
RATE_EXPONENTS = (-3.0, 0.0)
STEPS_RANGE = (10, 500)
#: The part of the (w, b) plane the contour panel shows.
W_RANGE, B_RANGE = (-2.5, 5.0), (-1.5, 6.5)
PATH_COLOR, DIVERGED_COLOR, LOSS_COLOR = "#ffffff", "#e3120b", "#1f4e9c"
STATUS_COLORS = {"diverged": "#b00020", "unstable": "#b00020", "converged": "#1b7f3b",
                 "still descending": "#8a5a00", "bouncing": "#8a5a00"}


class LearningRateExplorer(Explorer):
    """The controls, the figure and ``update(**params)``; built by ``show_learning_rate_explorer``.

    Attributes: ``learning_rate`` (FloatLogSlider), ``steps`` and ``batch_size`` (IntSlider),
    ``preset_buttons`` (name -> Button), ``status`` (the live status line), ``image`` (the
    figure's Image widget), ``box`` (the whole widget), ``descent`` (the :class:`Descent` shown).
    """

    TITLE = "learning-rate explorer"
    PARAMS = ("learning_rate", "steps", "batch_size")
    FIGSIZE = (9.6, 5.0)

    def __init__(self, learning_rate: float | None = None, steps: int = 100,
                 batch_size: int | None = None, problem: LinearProblem | None = None):
        self.problem = problem or make_problem()
        self.presets = presets(self.problem)
        super().__init__(learning_rate=learning_rate, steps=steps, batch_size=batch_size)
        self.learning_rate = self.controls["learning_rate"]
        self.steps = self.controls["steps"]
        self.batch_size = self.controls["batch_size"]
        self.image = self.view.image

    @property
    def descent(self) -> Descent:
        return self.state

    def check(self, params: dict) -> dict:
        lr = params.get("learning_rate")
        lr = self.presets["good"] if lr is None else positive_number(lr, "learning_rate")
        low, high = (10.0 ** e for e in RATE_EXPONENTS)
        lr = min(number_in_range(lr, "learning_rate", low, high * (1 + 1e-9)), high)
        steps = whole_number(params.get("steps", 100), "steps", *STEPS_RANGE)
        batch = params.get("batch_size")
        batch = self.problem.n if batch is None else whole_number(batch, "batch_size", 1,
                                                                  self.problem.n)
        return {"learning_rate": lr, "steps": steps, "batch_size": batch}

    def compute(self, params) -> Descent:
        return descend(params["learning_rate"], params["steps"], params["batch_size"],
                       problem=self.problem)

    def control_value(self, name: str, value):
        return snap_rate(value) if name == "learning_rate" and value else value

    def cached_artists(self) -> dict:
        # The step axis follows the steps slider only: drawn once per number of steps.
        return {self._ax_loss.xaxis: self._ax_loss.get_xlim}

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        low, high = RATE_EXPONENTS
        p = self.params
        wide = {"description_width": "initial"}
        return {
            "learning_rate": widgets.FloatLogSlider(
                value=self.control_value("learning_rate", p["learning_rate"]), base=10,
                min=low, max=high, step=RATE_STEP, description="learning rate",
                readout_format=".3g", continuous_update=True, style=wide,
                layout=widgets.Layout(width="400px")),
            "steps": widgets.IntSlider(value=p["steps"], min=STEPS_RANGE[0],
                                       max=STEPS_RANGE[1], step=10, description="steps",
                                       continuous_update=True),
            "batch_size": widgets.IntSlider(value=p["batch_size"], min=1, max=self.problem.n,
                                            description="batch size", continuous_update=True,
                                            style=wide),
        }

    def extra_rows(self) -> list:
        import ipywidgets as widgets

        from dlcourse.widgets.controls import controls_row

        self.preset_buttons = {
            name: widgets.Button(description=name, tooltip=f"set the learning rate to {lr:.3g}",
                                 layout=widgets.Layout(width="auto"))
            for name, lr in self.presets.items()}
        for name, button in self.preset_buttons.items():
            button.on_click(lambda _, name=name: self.apply_preset(name))
        limit = widgets.HTML(
            f"<span>&nbsp; stable limit (full batch): 2 / &lambda;<sub>max"
            f"</sub> = 2 / {self.problem.eigenvalues[-1]:.3g} = "
            f"<b>{self.problem.stable_limit:.3g}</b></span>")
        return [controls_row([widgets.Label("presets:"), *self.preset_buttons.values(), limit])]

    def apply_preset(self, name: str) -> Descent:
        """Move the learning-rate slider to a preset ("too small", "good", "too large", ...)."""
        one_of(name, "preset", self.presets)
        return self.update(learning_rate=self.presets[name])

    def describe(self, d: Descent) -> str:
        w_min, b_min = self.problem.minimum
        batch = ("the full batch" if d.batch_size == self.problem.n
                 else f"minibatches of {d.batch_size}")
        where = ("" if d.diverged else
                 f" After the last step (w, b) = ({d.w[-1]:.3g}, {d.b[-1]:.3g}); the minimum is "
                 f"at ({w_min:.3g}, {b_min:.3g}).")
        return (f"Gradient descent with learning rate {d.learning_rate:.3g}, {d.steps} steps, "
                f"{batch}, from (w, b) = {START}. {d.message[0].upper()}{d.message[1:]}."
                f"{where} Stable limit 2/λmax = {self.problem.stable_limit:.3g}.")

    def status_html(self, d: Descent) -> str:
        rest = html.escape(d.message[len(d.status):])
        return status_box(f"<b>{d.status}</b>{rest}", color=STATUS_COLORS[d.status],
                          text=STATUS_COLORS[d.status])

    # -- drawing ---------------------------------------------------------------------------------

    def build(self, fig) -> list:
        from matplotlib.colors import LogNorm

        problem = self.problem
        grid = fig.add_gridspec(2, 2, height_ratios=[5.4, 1], width_ratios=[1, 1.05])
        ax_path, ax_loss = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        ax_rate = fig.add_subplot(grid[1, :])
        self._ax_loss = ax_loss

        # Left: the loss surface (drawn once) and the path over it.
        W, B, L = problem.loss_grid(W_RANGE, B_RANGE, 160)
        levels = np.geomspace(problem.min_loss, L.max(), 16)
        ax_path.contourf(W, B, L, levels=levels, norm=LogNorm(), cmap="viridis", extend="max")
        ax_path.contour(W, B, L, levels=levels[::3], colors="white", linewidths=0.4, alpha=0.5)
        ax_path.plot(*problem.minimum, marker="*", ms=15, color="#ffd700", mec="black", mew=0.8,
                     ls="none", zorder=5, label="minimum")
        ax_path.plot(*START, marker="s", ms=7, color="white", mec="black", ls="none", zorder=5,
                     label="start")
        ghost_path, = ax_path.plot([], [], "-", lw=1.2, color="#c8c8c8", alpha=0.7, zorder=3)
        path, = ax_path.plot([], [], "-o", ms=2.5, lw=1.4, color=PATH_COLOR, zorder=4)
        end, = ax_path.plot([], [], "o", ms=9, color="#ff8c1a", mec="black", ls="none", zorder=6,
                            label="after the last step")
        path_banner = ax_path.text(
            0.5, 0.96, "", transform=ax_path.transAxes, ha="center", va="top", fontsize=13,
            fontweight="bold", color=DIVERGED_COLOR, zorder=7,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": DIVERGED_COLOR, "alpha": 0.92})
        ax_path.set(xlim=W_RANGE, ylim=B_RANGE, xlabel="weight w", ylabel="bias b",
                    title="path of (w, b) over the loss surface")
        ax_path.legend(loc="lower left", fontsize=8, framealpha=0.85)

        # Right: the loss after each step, on a log scale.
        ghost_loss, = ax_loss.plot([], [], lw=1.5, color="#b5b5b5", label="previous setting")
        loss_line, = ax_loss.plot([], [], lw=2, color=LOSS_COLOR, label="this setting")
        ax_loss.axhline(problem.min_loss, color="gray", ls="--", lw=1)
        ax_loss.text(0.985, problem.min_loss * 0.92, "lowest possible loss", color="gray",
                     fontsize=8, ha="right", va="top", transform=ax_loss.get_yaxis_transform())
        loss_marker = ax_loss.axvline(0, color=DIVERGED_COLOR, ls="--", lw=1.5)
        loss_banner = ax_loss.text(1, problem.min_loss * 3, "", color=DIVERGED_COLOR,
                                   fontsize=11, fontweight="bold", va="bottom")
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(problem.min_loss * 0.6, float(problem.loss(*START)) * 30)
        ax_loss.legend(loc="upper right", fontsize=8, framealpha=0.85)
        ax_loss.set(xlabel="step", ylabel="loss (MSE, log scale)",
                    title=f"loss on all {problem.n} points after each step")
        ax_loss.grid(True, which="major", alpha=0.3)

        # Bottom: where the learning rate sits relative to the limits the Hessian sets.
        low, high = (10.0 ** e for e in RATE_EXPONENTS)
        smooth, stable = problem.smooth_limit, problem.stable_limit
        zones = ((low, smooth, "#d9f0d3", "smooth descent"),
                 (smooth, stable, "#fee8c8", "zigzag"),
                 (stable, high, "#fcd5d5", f"diverges (above 2/λmax = {stable:.3g})"))
        for left, right, color, label in zones:
            ax_rate.axvspan(left, right, color=color, zorder=0)
            ax_rate.text(math.sqrt(left * right), 0.45, label, ha="center", va="center",
                         fontsize=8.5, color="#333", zorder=6,
                         bbox={"boxstyle": "square,pad=0.1", "fc": color, "ec": "none"})
        ax_rate.axvline(stable, color=DIVERGED_COLOR, lw=1.2, zorder=1)
        rate_marker, = ax_rate.plot([], [], marker="v", ms=12, color="black", ls="none",
                                    clip_on=False, zorder=7)
        rate_line = ax_rate.axvline(low, color="black", lw=1.5, zorder=5)
        ax_rate.set_xscale("log")
        ax_rate.set(xlim=(low, high), ylim=(0, 1), yticks=[], xlabel="learning rate (log scale)")
        title = fig.suptitle("", fontsize=11)

        self._path, self._end, self._path_banner = path, end, path_banner
        self._loss_line, self._loss_marker, self._loss_banner = loss_line, loss_marker, loss_banner
        self._rate_marker, self._rate_line, self._title = rate_marker, rate_line, title
        self._ghost_path, self._ghost_loss = ghost_path, ghost_loss
        # The step axis follows the steps slider, so it is redrawn with the moving artists
        # (a few milliseconds) instead of being baked into the background.
        return [ax_loss.xaxis, ghost_path, ghost_loss, path, end, path_banner,
                loss_line, loss_marker, loss_banner, rate_line, rate_marker, title]

    def draw(self, d: Descent) -> None:
        previous = self.state if self.state is not d else None
        if previous is not None:  # the setting before this one, in grey, for comparison
            shown = _visible_part(previous.w, previous.b) if previous.diverged else None
            self._ghost_path.set_data(previous.w[:shown], previous.b[:shown])
            self._ghost_loss.set_data(np.arange(len(previous.loss)),
                                      np.minimum(previous.loss, 1e30))
        self._ax_loss.set_xlim(0, d.steps)
        color = DIVERGED_COLOR if d.diverged else PATH_COLOR
        shown = _visible_part(d.w, d.b) if d.diverged else len(d.w)
        self._path.set_data(d.w[:shown], d.b[:shown])
        self._path.set_color(color)
        self._end.set_data(d.w[-1:], d.b[-1:])
        self._end.set_visible(not d.diverged)
        self._loss_line.set_data(np.arange(len(d.loss)), np.minimum(d.loss, 1e30))
        self._loss_line.set_color(DIVERGED_COLOR if d.diverged else LOSS_COLOR)
        banner = f"diverged at step {d.diverged_at}" if d.diverged else ""
        for artist in (self._path_banner, self._loss_marker, self._loss_banner):
            artist.set_visible(d.diverged)
        self._path_banner.set_text(banner)
        if d.diverged:
            self._loss_marker.set_xdata([d.diverged_at, d.diverged_at])
            on_right = d.diverged_at > 0.6 * d.steps
            offset = (-1 if on_right else 1) * 0.015 * d.steps
            self._loss_banner.set_position((d.diverged_at + offset, self.problem.min_loss * 3))
            self._loss_banner.set_ha("right" if on_right else "left")
            self._loss_banner.set_va("bottom")
            self._loss_banner.set_text(banner)
        self._rate_marker.set_data([d.learning_rate], [1.0])
        self._rate_line.set_xdata([d.learning_rate, d.learning_rate])
        batch = ("full batch" if d.batch_size == self.problem.n
                 else f"minibatches of {d.batch_size}")
        self._title.set_text(f"learning rate {d.learning_rate:.3g}   ·   {d.steps} steps   ·   "
                             f"{batch}   ·   {d.status}")
        self._title.set_color(STATUS_COLORS[d.status])


def _visible_part(w: np.ndarray, b: np.ndarray) -> int:
    """How many points of the path to draw: up to the first one outside the panel.

    A diverging path jumps ever further out; its later segments would only criss-cross the
    panel, so the drawing stops once the path has left it.
    """
    with np.errstate(invalid="ignore"):
        outside = ~((w >= W_RANGE[0]) & (w <= W_RANGE[1]) & (b >= B_RANGE[0]) & (b <= B_RANGE[1]))
    return int(np.argmax(outside)) + 1 if outside.any() else len(w)


def show_learning_rate_explorer(learning_rate: float | None = None, steps: int = 100,
                                batch_size: int | None = None,
                                display: bool = True) -> LearningRateExplorer:
    """Show the learning-rate explorer and return it (``update(learning_rate=0.2)`` drives it).

    Defaults: the "good" preset, 100 steps, the full batch (a deterministic, smooth path).
    """
    explorer = LearningRateExplorer(learning_rate, steps, batch_size)
    if display:
        explorer.show()
    return explorer
