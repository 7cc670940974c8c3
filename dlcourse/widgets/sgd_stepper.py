"""SGD one step at a time: a linear unit y = w x + b fitted to a noisy line, press by press.

Pure model: :class:`SGDStepper` holds a ``dl.LinearUnit``, an ``dl.SGD`` optimizer and the data.
Every :meth:`SGDStepper.step` does what the lesson says SGD does: sample a minibatch, predict,
measure the MSE on it, get the gradient with ``loss.backward()``, and move (w, b) against it.
It returns a :class:`StepRecord` with every number the view shows.

Thin view: :func:`show_sgd_stepper` shows the data with the minibatch highlighted, the path of
(w, b) over the loss contours with the last step drawn as an arrow, and the loss curve, with
"step", "run 10 steps" and "reset" buttons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dlcourse.checks import positive_number
from dlcourse.datasets import noisy_line
from dlcourse.layers import LinearUnit
from dlcourse.losses import mse
from dlcourse.optim import SGD
from dlcourse.widgets.explorer import Explorer, status_box
from dlcourse.widgets.linear_problem import LinearProblem

#: Where (w, b) starts: clearly wrong, so the first steps are big and easy to see.
START = (-1.0, -1.0)


@dataclass(frozen=True)
class StepRecord:
    """One step of SGD: the minibatch, its loss and gradient, and the move it caused."""

    step: int             # 1 for the first step
    epoch: int            # 1 for the first pass over the data
    batch: np.ndarray     # indices of the samples in the minibatch
    w_before: float
    b_before: float
    loss: float           # MSE on the minibatch, before the update
    grad_w: float         # dL/dw on the minibatch
    grad_b: float         # dL/db on the minibatch
    w_after: float
    b_after: float
    full_loss: float      # MSE on all the data, after the update


class SGDStepper:
    """Minibatch SGD on a linear unit, advanced one step at a time.

    Each epoch visits every sample once, in a new order drawn from ``seed``; it is cut into
    ``ceil(n / batch_size)`` minibatches (the last one may be smaller).
    """

    def __init__(self, x=None, y=None, learning_rate: float = 0.1, batch_size: int = 10,
                 start: tuple[float, float] = START, seed: int = 0):
        if x is None and y is None:
            x, y = noisy_line()
        elif x is None or y is None:
            raise ValueError("SGDStepper needs both x and y (or neither, for noisy_line())")
        self.x = np.asarray(x, dtype=float).reshape(-1)
        self.y = np.asarray(y, dtype=float).reshape(-1)
        if len(self.x) != len(self.y) or len(self.x) == 0:
            raise ValueError(f"SGDStepper expects x and y of the same non-zero length, got "
                             f"{len(self.x)} and {len(self.y)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or not 1 <= batch_size <= len(self.x):
            raise ValueError(f"batch_size must be an integer from 1 to {len(self.x)}, "
                             f"got {batch_size!r}")
        self.learning_rate = float(learning_rate)
        self.batch_size = int(batch_size)
        self.problem = LinearProblem(self.x, self.y)
        self.start = (float(start[0]), float(start[1]))
        self.seed = seed
        self.reset()

    @property
    def n(self) -> int:
        return len(self.x)

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.n / self.batch_size)

    @property
    def w(self) -> float:
        return float(self.unit.w.data[0])

    @property
    def b(self) -> float:
        return float(self.unit.b.data)

    def reset(self) -> None:
        """Back to the starting (w, b), no steps taken, the same sequence of minibatches."""
        self.unit = LinearUnit(1, w=[self.start[0]], b=self.start[1])
        self.optimizer = SGD(self.unit.parameters(), learning_rate=self.learning_rate)
        self._rng = np.random.default_rng(self.seed)
        self._order = np.empty(0, dtype=int)
        self.history: list[StepRecord] = []

    def next_batch(self) -> tuple[int, np.ndarray]:
        """(epoch, indices) of the minibatch the next step will use."""
        done = len(self.history)
        position = done % self.steps_per_epoch
        if position == 0 and len(self._order) <= done // self.steps_per_epoch * self.n:
            self._order = np.concatenate([self._order, self._rng.permutation(self.n)])
        epoch = done // self.steps_per_epoch
        begin = epoch * self.n + position * self.batch_size
        end = min(begin + self.batch_size, (epoch + 1) * self.n)
        return epoch + 1, self._order[begin:end]

    def step(self) -> StepRecord:
        """Sample a minibatch, predict, measure the loss, backpropagate, update w and b."""
        epoch, batch = self.next_batch()
        w_before, b_before = self.w, self.b
        self.optimizer.zero_grad()
        loss = mse(self.y[batch], self.unit(self.x[batch]))
        loss.backward()
        grad_w, grad_b = float(self.unit.w.grad[0]), float(self.unit.b.grad)
        self.optimizer.step()
        record = StepRecord(len(self.history) + 1, epoch, batch, w_before, b_before,
                            float(loss.data), grad_w, grad_b, self.w, self.b,
                            float(self.full_loss(self.w, self.b)))
        self.history.append(record)
        return record

    def run(self, steps: int = 10) -> list[StepRecord]:
        return [self.step() for _ in range(steps)]

    def full_loss(self, w, b):
        """MSE of the line (w, b) on all the data; w and b may be arrays of the same shape."""
        return self.problem.loss(w, b)

    def path(self) -> tuple[np.ndarray, np.ndarray]:
        """(w values, b values): the start and the point after every step."""
        w = [self.start[0]] + [r.w_after for r in self.history]
        b = [self.start[1]] + [r.b_after for r in self.history]
        return np.array(w), np.array(b)

    def loss_grid(self, w_range=(-2.0, 5.5), b_range=(-2.5, 5.0), size: int = 100):
        return self.problem.loss_grid(w_range, b_range, size)


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------

W_RANGE, B_RANGE = (-2.0, 5.5), (-2.5, 5.0)
BATCH_COLOR, LINE_COLOR, STEP_COLOR = "#ff7f0e", "#1f4e9c", "#e3120b"


class SGDStepperExplorer(Explorer):
    """Buttons ``step_button``, ``run_button``, ``reset_button``, the ``batch_size`` slider, the
    ``readout`` (the live status line with the last step's numbers), ``image``, ``box`` and the
    ``stepper`` model.
    """

    TITLE = "SGD stepper"
    PARAMS = ("learning_rate", "batch_size")
    FIGSIZE = (10.4, 3.7)

    def __init__(self, learning_rate: float = 0.1, batch_size: int = 10, seed: int = 0):
        self._data = noisy_line()
        self.seed = seed
        super().__init__(learning_rate=learning_rate, batch_size=batch_size)
        self.batch_size = self.controls["batch_size"]
        self.readout = self.status
        self.image = self.view.image

    @property
    def stepper(self) -> SGDStepper:
        return self.state

    # -- driving it ------------------------------------------------------------------------------

    def step(self) -> StepRecord:
        record = self.state.step()
        self.refresh()
        return record

    def run(self, steps: int = 10) -> list[StepRecord]:
        records = self.state.run(steps)
        self.refresh()
        return records

    def reset(self) -> None:
        self.state.reset()
        self.refresh()

    def check(self, params: dict) -> dict:
        """learning_rate > 0 and batch_size from 1 to n; the model starts over when they change."""
        n = len(self._data[0])
        rate = positive_number(params.get("learning_rate", 0.1), "learning_rate")
        batch = params.get("batch_size", 10)
        if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) \
                or not 1 <= batch <= n:
            raise ValueError(f"batch_size must be an integer from 1 to {n}, got {batch!r}")
        return {"learning_rate": rate, "batch_size": int(batch)}

    def compute(self, params) -> SGDStepper:
        return SGDStepper(*self._data, learning_rate=params["learning_rate"],
                          batch_size=params["batch_size"], seed=self.seed)

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {"batch_size": widgets.IntSlider(value=self.params["batch_size"], min=1,
                                                max=len(self._data[0]),
                                                description="batch size",
                                                style={"description_width": "initial"})}

    def extra_rows(self) -> list:
        import ipywidgets as widgets

        from dlcourse.widgets.controls import controls_row

        self.step_button = widgets.Button(description="step", button_style="primary",
                                          tooltip="one minibatch: predict, measure, adjust")
        self.run_button = widgets.Button(description="run 10 steps",
                                         tooltip="ten steps at once")
        self.reset_button = widgets.Button(description="reset", tooltip="back to the start")
        self.step_button.on_click(lambda _: self.step())
        self.run_button.on_click(lambda _: self.run(10))
        self.reset_button.on_click(lambda _: self.reset())
        return [controls_row([self.step_button, self.run_button, self.reset_button])]

    def describe(self, s: SGDStepper) -> str:
        best_w, best_b = s.problem.minimum
        head = (f"SGD on a linear unit y = w x + b, learning rate {s.learning_rate:g}, "
                f"minibatches of {s.batch_size} from {s.n} points. ")
        if not s.history:
            return head + (f"No step taken yet: w = {s.w:.3f}, b = {s.b:.3f}; the best line has "
                           f"w = {best_w:.3f}, b = {best_b:.3f}.")
        r = s.history[-1]
        return head + (f"After step {r.step} (epoch {r.epoch}): the minibatch loss was "
                       f"{r.loss:.3f}, the gradient (dL/dw, dL/db) = ({r.grad_w:.3f}, "
                       f"{r.grad_b:.3f}), so (w, b) moved from ({r.w_before:.3f}, "
                       f"{r.b_before:.3f}) to ({r.w_after:.3f}, {r.b_after:.3f}); the loss on "
                       f"all data is now {r.full_loss:.3f}. The best line has w = {best_w:.3f}, "
                       f"b = {best_b:.3f}.")

    def status_html(self, s: SGDStepper) -> str:
        return status_box(self._readout_html(s), color="#1f4e9c")

    # -- drawing ---------------------------------------------------------------------------------

    def build(self, fig) -> list:
        from matplotlib.colors import LogNorm

        s = self.compute(self.params)
        ax_data, ax_surface, ax_loss = fig.subplots(1, 3, width_ratios=[1, 1, 1.1])

        ax_data.scatter(s.x, s.y, s=14, color="#9a9a9a", label="all data", zorder=2)
        batch = ax_data.scatter([], [], s=46, color=BATCH_COLOR, edgecolor="black", lw=0.6,
                                zorder=3, label="this minibatch")
        xs = np.array([s.x.min() - 0.2, s.x.max() + 0.2])
        line, = ax_data.plot(xs, xs * 0, color=LINE_COLOR, lw=2.2, label="y = w x + b", zorder=4)
        ax_data.set(xlim=xs, ylim=(s.y.min() - 1.5, s.y.max() + 1.5), xlabel="x", ylabel="y",
                    title="the data and the current line")
        ax_data.legend(loc="upper left", fontsize=8, framealpha=0.85)

        W, B, L = s.loss_grid(W_RANGE, B_RANGE, 100)
        levels = np.geomspace(L.min(), L.max(), 14)
        ax_surface.contourf(W, B, L, levels=levels, norm=LogNorm(), cmap="viridis")
        ax_surface.contour(W, B, L, levels=levels[::2], colors="white", linewidths=0.4, alpha=0.5)
        ax_surface.plot(*s.problem.minimum, marker="*", ms=14, color="#ffd700", mec="black",
                        ls="none", zorder=5)
        ax_surface.plot(*s.start, "s", ms=8, color="white", mec="black", zorder=5)
        path, = ax_surface.plot([], [], "-o", ms=3, lw=1.2, color="white", zorder=4)
        arrow = ax_surface.annotate(
            "", xy=s.start, xytext=s.start, zorder=6,
            arrowprops={"arrowstyle": "-|>", "color": STEP_COLOR, "lw": 2.2, "mutation_scale": 16})
        grad_text = ax_surface.text(
            0.03, 0.97, "", transform=ax_surface.transAxes, ha="left", va="top", fontsize=9,
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "none", "alpha": 0.85})
        ax_surface.set(xlim=W_RANGE, ylim=B_RANGE, xlabel="weight w", ylabel="bias b",
                       title="(w, b) on the loss surface")

        batch_dots, = ax_loss.plot([], [], "o", ms=4, color=BATCH_COLOR,
                                   label="loss on the minibatch")
        full_line, = ax_loss.plot([], [], "-o", ms=3, lw=2, color=LINE_COLOR,
                                  label="loss on all data")
        ax_loss.set_yscale("log")
        start_loss = float(s.full_loss(*s.start))
        ax_loss.set_ylim(0.3, start_loss * 4)
        ax_loss.set_xlim(0, 20)
        ax_loss.set(xlabel="step", ylabel="MSE (log scale)", title="loss after each step")
        ax_loss.grid(True, alpha=0.3)
        ax_loss.legend(loc="upper right", fontsize=8, framealpha=0.85)

        self._ax_loss = ax_loss
        self._batch, self._line, self._path, self._arrow = batch, line, path, arrow
        self._grad_text, self._batch_dots, self._full_line = grad_text, batch_dots, full_line
        self._xs = xs
        return [batch, line, path, arrow, grad_text, batch_dots, full_line]

    def draw(self, s: SGDStepper) -> None:
        last = s.history[-1] if s.history else None
        self._line.set_ydata(s.w * self._xs + s.b)
        batch = last.batch if last else np.empty(0, dtype=int)
        self._batch.set_offsets(np.column_stack([s.x[batch], s.y[batch]]))
        self._path.set_data(*s.path())
        self._arrow.set_visible(last is not None)
        self._grad_text.set_visible(last is not None)
        if last:
            self._arrow.xy = (last.w_after, last.b_after)
            self._arrow.set_position((last.w_before, last.b_before))
            self._grad_text.set_text(f"∂L/∂w = {last.grad_w:+.2f}\n∂L/∂b = {last.grad_b:+.2f}\n"
                                     f"step = −{s.learning_rate:g} × gradient")
        steps = np.arange(1, len(s.history) + 1)
        self._batch_dots.set_data(steps, [r.loss for r in s.history])
        self._full_line.set_data(np.r_[0, steps],
                                 [float(s.full_loss(*s.start))] + [r.full_loss for r in s.history])
        right = max(20, 20 * math.ceil(len(s.history) / 20))
        if self._ax_loss.get_xlim()[1] != right:  # the step axis is background: redraw it
            self._ax_loss.set_xlim(0, right)
            if self.view is not None:
                self.view.recapture()

    def _readout_html(self, s: SGDStepper) -> str:
        if not s.history:
            return (f"<div>w = {s.w:.3f}, b = {s.b:.3f}. "
                    f"{s.steps_per_epoch} steps of {s.batch_size} samples make one epoch of "
                    f"{s.n}. Press <b>step</b>.</div>")
        r = s.history[-1]
        lr = s.learning_rate
        return (
            f"<div><b>step {r.step}</b> (epoch {r.epoch}, "
            f"minibatch {(r.step - 1) % s.steps_per_epoch + 1} of {s.steps_per_epoch}, "
            f"{len(r.batch)} samples): loss on the minibatch <b>{r.loss:.3f}</b>; "
            f"∂L/∂w = {r.grad_w:.3f}, ∂L/∂b = {r.grad_b:.3f}<br>"
            f"w ← {r.w_before:.3f} − {lr:g} × ({r.grad_w:.3f}) = <b>{r.w_after:.3f}</b>; &nbsp; "
            f"b ← {r.b_before:.3f} − {lr:g} × ({r.grad_b:.3f}) = <b>{r.b_after:.3f}</b>; &nbsp; "
            f"loss on all data now {r.full_loss:.3f}</div>")


def show_sgd_stepper(learning_rate: float = 0.1, batch_size: int = 10, seed: int = 0,
                     display: bool = True) -> SGDStepperExplorer:
    """Show the SGD stepper on ``dl.datasets.noisy_line()``; returns it (``.step()`` drives it)."""
    explorer = SGDStepperExplorer(learning_rate, batch_size, seed)
    if display:
        explorer.show()
    return explorer
