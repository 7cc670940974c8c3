"""Explorer: the full training loop, live, on the bundled digits (lesson 10).

Pure model: :class:`TrainingRun` is lesson 10's loop (shuffle, then for each minibatch: forward,
loss, backward, update) on a two-layer digit network, advanced a few batches at a time. Every
epoch it measures loss and accuracy on the training digits and on a validation split held out
of them (the test digits stay untouched, for the very end); it keeps each batch's loss and knows
the validation digits the network currently gets wrong. The same seed gives the same run however
it is sliced into pieces.

Thin view: :func:`show_training_loop` has width, learning-rate, batch-size and epoch controls,
play / pause / step / restart buttons, the loss and accuracy curves and a few current mistakes.
While playing it trains in slices of about 40 ms, one per turn of the kernel's event loop, so
the notebook stays responsive.

    run = TrainingRun(width=64, learning_rate=0.05, batch_size=32, epochs=10)
    run.run_epoch()              # one more epoch
    run.history["val_accuracy"]  # measured after each epoch (and before the first)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from dlcourse.checks import number_in_range, positive_int, positive_number, whole_number
from dlcourse.widgets.explorer import Explorer, status_box

WIDTHS = (4, 8, 16, 32, 64, 128)
BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128, 256)
RATE_RANGE = (1e-3, 1.0)
#: The learning-rate slider's stops: a log scale in round numbers (1, 2, 5 a decade), so the
#: slider shows and announces 0.05, not 0.0501 or its exponent.
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
MAX_EPOCHS = 50
MOMENTUM = 0.9  # as lesson 10's dl.fit uses
#: Training digits held out for validation, as lesson 10 does: the first 300 of a seeded shuffle.
VALIDATION_SIZE = 300
#: How long one slice of training may hold the kernel while playing (seconds).
SLICE_SECONDS = 0.04


@dataclass(frozen=True)
class Split:
    """Training and validation digits (the validation part held out of the training set)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def digits_split(seed: int = 0) -> Split:
    """The bundled training digits with 300 of them held out for validation: the first 300 of a
    shuffle drawn from ``seed`` (with seed 0, lesson 10's validation set)."""
    from dlcourse.datasets import load_digits

    (x, y), _ = load_digits()
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:VALIDATION_SIZE], order[VALIDATION_SIZE:]
    return Split(x[train], y[train], x[val], y[val])


def check_settings(width, learning_rate, batch_size, epochs) -> tuple[int, float, int, int]:
    """The four settings, validated: a clear error names what was expected and what came."""
    width = whole_number(width, "width (hidden units)", 1, max(WIDTHS))
    learning_rate = positive_number(learning_rate, "learning_rate")
    learning_rate = number_in_range(learning_rate, "learning_rate", *RATE_RANGE)
    batch_size = whole_number(batch_size, "batch_size", 1, max(BATCH_SIZES))
    epochs = whole_number(epochs, "epochs", 1, MAX_EPOCHS)
    return width, learning_rate, batch_size, epochs


class TrainingRun:
    """A digit network in training: ``Dense(64, width, relu)`` then ``Dense(width, 10, softmax)``,
    SGD with momentum 0.9 on the sparse cross-entropy, shuffled minibatches.

    ``history`` has one entry per measurement, taken before training and after every epoch:
    ``epoch``, ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``. ``batch_epochs`` and
    ``batch_losses`` hold every batch's loss at its place in time (2.5 = half-way through the
    third epoch).
    """

    def __init__(self, width: int = 64, learning_rate: float = 0.05, batch_size: int = 32,
                 epochs: int = 20, seed: int = 0, split: Split | None = None):
        import dlcourse as dl

        self.width, self.learning_rate, self.batch_size, self.epochs = check_settings(
            width, learning_rate, batch_size, epochs)
        self.seed = positive_int(seed, "seed", minimum=0)
        self.split = split or digits_split(self.seed)
        self.model = dl.Sequential([
            dl.Dense(64, self.width, activation="relu", seed=self.seed),
            dl.Dense(self.width, 10, activation="softmax", seed=self.seed + 1)])
        self.optimizer = dl.SGD(self.model.parameters(), learning_rate=self.learning_rate,
                                momentum=MOMENTUM)
        self._rng = np.random.default_rng(self.seed)
        self._order = self._rng.permutation(len(self.split.x_train))
        self.batches_done = 0  # within the current epoch
        self.epoch = 0         # epochs finished
        self.diverged_at: float | None = None
        self.history: dict[str, list[float]] = {k: [] for k in ("epoch", "loss", "accuracy",
                                                                "val_loss", "val_accuracy")}
        self.batch_epochs: list[float] = []
        self.batch_losses: list[float] = []
        self._predictions = None
        self._measure()

    # -- where it is -----------------------------------------------------------------------------
    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(len(self.split.x_train) / self.batch_size)

    @property
    def batches_trained(self) -> int:
        return self.epoch * self.batches_per_epoch + self.batches_done

    @property
    def progress(self) -> float:
        """Epochs done, with the current epoch's fraction: 2.5 is half-way through epoch 3."""
        return self.epoch + self.batches_done / self.batches_per_epoch

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def done(self) -> bool:
        """Finished all its epochs, or stopped because the loss was no longer a number."""
        return self.diverged or self.epoch >= self.epochs

    def mistakes(self, count: int = 8) -> tuple[np.ndarray, np.ndarray]:
        """(indices, predicted labels) of up to ``count`` validation digits predicted wrongly."""
        count = positive_int(count, "count")
        wrong = np.flatnonzero(self._predictions != self.split.y_val)
        return wrong[:count], self._predictions[wrong[:count]]

    @property
    def n_mistakes(self) -> int:
        return int((self._predictions != self.split.y_val).sum())

    # -- training --------------------------------------------------------------------------------
    def train_batches(self, n: int) -> int:
        """Train up to ``n`` minibatches (fewer once done); return how many were trained."""
        from dlcourse.losses import sparse_categorical_crossentropy
        from dlcourse.training import train_step

        n = positive_int(n, "n", minimum=0)
        trained = 0
        x, y = self.split.x_train, self.split.y_train
        while trained < n and not self.done:
            start = self.batches_done * self.batch_size
            batch = self._order[start:start + self.batch_size]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss = train_step(self.model, x[batch], y[batch],
                                  sparse_categorical_crossentropy, self.optimizer)
            trained += 1
            self.batches_done += 1
            self.batch_epochs.append(self.epoch + self.batches_done / self.batches_per_epoch)
            self.batch_losses.append(loss)
            if not math.isfinite(loss):
                self.diverged_at = self.batch_epochs[-1]
                break
            if self.batches_done == self.batches_per_epoch:
                self.epoch += 1
                self.batches_done = 0
                self._order = self._rng.permutation(len(x))
                self._measure()
        return trained

    def train_for(self, seconds: float) -> int:
        """Train whole minibatches for about ``seconds`` (at least one unless done)."""
        deadline = time.perf_counter() + positive_number(seconds, "seconds")
        trained = 0
        while not self.done:
            trained += self.train_batches(1)
            if time.perf_counter() >= deadline:
                break
        return trained

    def run_epoch(self) -> int:
        """Train to the end of the current epoch; return the batches trained."""
        return self.train_batches(self.batches_per_epoch - self.batches_done)

    def _measure(self) -> None:
        from dlcourse.training import evaluate, predict

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            train = evaluate(self.model, self.split.x_train, self.split.y_train)
            val = evaluate(self.model, self.split.x_val, self.split.y_val)
            self._predictions = predict(self.model, self.split.x_val).argmax(axis=1)
        for key, value in (("epoch", self.epoch), ("loss", train["loss"]),
                           ("accuracy", train["accuracy"]), ("val_loss", val["loss"]),
                           ("val_accuracy", val["accuracy"])):
            self.history[key].append(float(value))


def describe(run: TrainingRun) -> str:
    """The run in words: settings, where it is, the last measurements, the mistakes."""
    h = run.history
    head = (f"Training a digit network with {run.width} hidden units, learning rate "
            f"{run.learning_rate:.3g}, batches of {run.batch_size}, for {run.epochs} epochs "
            f"(SGD with momentum {MOMENTUM}). ")
    if run.diverged:
        return head + (f"Training stopped at epoch {run.diverged_at:.2f}: the loss stopped being "
                       f"a number, so the learning rate is too large for these settings.")
    where = ("Not trained yet." if run.progress == 0 else
             f"{'Finished' if run.done else 'At'} epoch {run.progress:.1f} of {run.epochs}.")
    return head + where + (
        f" After epoch {int(h['epoch'][-1])}: training loss {h['loss'][-1]:.3f}, accuracy "
        f"{h['accuracy'][-1]:.1%}; validation loss {h['val_loss'][-1]:.3f}, accuracy "
        f"{h['val_accuracy'][-1]:.1%}. {run.n_mistakes} of {len(run.split.y_val)} validation "
        "digits are misclassified.")


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------

TRAIN_COLOR, VAL_COLOR, BATCH_COLOR, WRONG_COLOR = "#1f77b4", "#d95f02", "#9ecae1", "#c0392b"
N_SHOWN_MISTAKES = 6
MOSAIC = (2, 3)        # rows and columns of mistakes
TITLE_ROWS = 4         # mosaic rows left free above each digit for its title
TILE = (8 + TITLE_ROWS + 1, 8 + 2)
LOSS_LIMITS = (1e-3, 1e2)
#: At most this many redraws a second while playing: the rest of the time trains.
REDRAW_INTERVAL = 0.25
#: Playing trains this many epochs a second (the default 20 epochs take 10 s to watch).
PLAY_EPOCHS_PER_SECOND = 2.0
#: How long a turn of play that had nothing to do waits before the next (seconds).
IDLE_WAIT = 0.02


class TrainingLoopExplorer(Explorer):
    """Settings as controls, play / pause / step / restart, the curves and current mistakes.

    Attributes: ``controls`` (width, learning_rate, batch_size, epochs), ``play``, ``pause``,
    ``step``, ``restart`` (Buttons); ``state`` is the :class:`TrainingRun` on display.
    """

    TITLE = "training loop explorer"
    PARAMS = ("width", "learning_rate", "batch_size", "epochs")
    FIGSIZE = (9.6, 3.9)

    def __init__(self, width: int = 64, learning_rate: float = 0.05, batch_size: int = 32,
                 epochs: int = 20, seed: int = 0):
        self.seed = seed
        self.split = digits_split(seed)
        self.playing = False
        self._tick_handle = None
        self._drawn_epochs = None
        self._behind = False  # trained since the last redraw
        self._pace = None  # (run, time, batches trained) when playing started
        self._last_draw = 0.0
        super().__init__(width=width, learning_rate=learning_rate, batch_size=batch_size,
                         epochs=epochs)

    @property
    def run(self) -> TrainingRun:
        return self.state

    # -- parameters and model --------------------------------------------------------------------
    def check(self, params: dict) -> dict:
        values = check_settings(params.get("width", 64), params.get("learning_rate", 0.05),
                                params.get("batch_size", 32), params.get("epochs", 20))
        return dict(zip(self.PARAMS, values, strict=True))

    def compute(self, params) -> TrainingRun:
        """A new run for new settings; only the number of epochs can change mid-run."""
        run = self.state
        if run is not None and (run.width, run.learning_rate, run.batch_size) == (
                params["width"], params["learning_rate"], params["batch_size"]):
            run.epochs = params["epochs"]
            return run
        return TrainingRun(params["width"], params["learning_rate"], params["batch_size"],
                           params["epochs"], seed=self.seed, split=self.split)

    def update(self, **params) -> TrainingRun:
        """Change settings (a new run starts, unless only ``epochs`` changed) and redraw."""
        before = self.state
        run = super().update(**params)
        if run is before:
            self.refresh()  # the same run, with a new number of epochs
        self._sync_buttons()
        return run

    # -- playing ---------------------------------------------------------------------------------
    def tick(self, seconds: float = SLICE_SECONDS) -> int:
        """One turn of play: the redraw, when one is due, or else a slice of at most about
        ``seconds`` of training, no further than the pace allows; return the batches trained.
        Never both: each turn stays short."""
        now = time.perf_counter()
        if self._behind and (self.run.done or now - self._last_draw >= REDRAW_INTERVAL):
            self.refresh()
            self._behind = False
            self._last_draw = time.perf_counter()
            if self.run.done:
                self.stop()
            return 0
        run = self.run
        if self._pace is None or self._pace[0] is not run:
            self._pace = (run, now, run.batches_trained)  # a new run: a new clock
        _, since, first = self._pace
        allowed = first + int((now - since) * PLAY_EPOCHS_PER_SECOND * run.batches_per_epoch)
        trained = 0
        deadline = now + seconds
        while run.batches_trained < allowed and not run.done:
            trained += run.train_batches(1)
            if time.perf_counter() >= deadline:
                break
        self._behind = self._behind or trained > 0 or run.done
        return trained

    def start(self) -> None:
        """Play: train slice after slice on the kernel's event loop, at
        ``PLAY_EPOCHS_PER_SECOND`` (so the curves can be watched growing), until the last
        epoch or a pause."""
        import asyncio

        if self.run.done:
            return
        self.playing = True
        self._pace = None
        self._sync_buttons()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script): train to the end at once
            self.run.train_batches(self.run.epochs * self.run.batches_per_epoch)
            self.refresh()
            self.stop()
            return

        def turn() -> None:
            self._tick_handle = None
            if not self.playing:
                return
            last_draw = self._last_draw
            busy = self.tick() > 0 or self._last_draw != last_draw  # trained, or redrew
            if self.playing:
                # widget events queued meanwhile (pause!) are handled before the next turn;
                # a turn with nothing to do (ahead of the pace) waits a little
                self._tick_handle = loop.call_later(0.0 if busy else IDLE_WAIT, turn)

        self._tick_handle = loop.call_soon(turn)

    def stop(self) -> None:
        """Pause (the run keeps its place, and the figure shows that place)."""
        self.playing = False
        if self._tick_handle is not None:
            self._tick_handle.cancel()
            self._tick_handle = None
        if self._behind:
            self.refresh()
            self._behind = False
            self._last_draw = time.perf_counter()
        self._sync_buttons()

    def step_epoch(self) -> TrainingRun:
        """Train one more epoch (up to the last) and redraw."""
        self.stop()
        self.run.run_epoch()
        self.refresh()
        self._sync_buttons()
        return self.run

    def restart_run(self) -> TrainingRun:
        """The same settings from the same starting weights."""
        self.stop()
        self.state = None  # so compute() builds a new run
        new = self.compute(self.params)
        self.state = None
        self.refresh(new)
        self._sync_buttons()
        return new

    def _sync_buttons(self) -> None:
        if not hasattr(self, "play"):
            return
        done = self.run.done
        self.play.disabled = self.playing or done
        self.pause.disabled = not self.playing
        self.step.disabled = done

    # -- controls --------------------------------------------------------------------------------
    def control_value(self, name: str, value):
        """The slider's stop for a learning rate set from code: the nearest on a log scale."""
        if name == "learning_rate":
            return min(RATES, key=lambda rate: abs(math.log(rate / value)))
        return value

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        p = self.params
        wide = {"description_width": "initial"}
        return {
            "width": widgets.SelectionSlider(options=WIDTHS, value=p["width"],
                                             description="hidden units", style=wide),
            "learning_rate": widgets.SelectionSlider(
                options=[(f"{rate:g}", rate) for rate in RATES],
                value=self.control_value("learning_rate", p["learning_rate"]),
                description="learning rate", style=wide),
            "batch_size": widgets.SelectionSlider(options=BATCH_SIZES, value=p["batch_size"],
                                                  description="batch size", style=wide),
            "epochs": widgets.IntSlider(value=p["epochs"], min=1, max=MAX_EPOCHS,
                                        description="epochs", style=wide),
        }

    def extra_rows(self) -> list:
        import ipywidgets as widgets

        from dlcourse.widgets.controls import controls_row

        self.play = widgets.Button(description="▶ play", button_style="primary",
                                   tooltip="train, a few batches at a time, until the last epoch")
        self.pause = widgets.Button(description="❚❚ pause", tooltip="stop where it is",
                                    disabled=True)
        self.step = widgets.Button(description="step one epoch", tooltip="train one more epoch")
        self.restart = widgets.Button(description="restart",
                                      tooltip="start again from the same random weights")
        self.play.on_click(lambda _: self.start())
        self.pause.on_click(lambda _: self.stop())
        self.step.on_click(lambda _: self.step_epoch())
        self.restart.on_click(lambda _: self.restart_run())
        return [controls_row([self.play, self.pause, self.step, self.restart])]

    def describe(self, run: TrainingRun) -> str:
        return describe(run)

    def status_html(self, run: TrainingRun) -> str:
        import html

        color = WRONG_COLOR if run.diverged else "#1b7f3b" if run.done else "#1f4e9c"
        return status_box(html.escape(describe(run)), color=color)

    # -- drawing ---------------------------------------------------------------------------------
    def build(self, fig) -> list:
        from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

        # Axes placed by hand: a constrained layout of this figure costs about a second
        fig.set_layout_engine("none")
        loss_ax = self.loss_ax = fig.add_axes((0.085, 0.14, 0.255, 0.77))
        acc_ax = self.acc_ax = fig.add_axes((0.41, 0.14, 0.265, 0.77))
        (self.batch_line,) = loss_ax.plot([], [], color=BATCH_COLOR, lw=0.8,
                                          label="each batch")
        (self.loss_line,) = loss_ax.plot([], [], "o-", ms=3, color=TRAIN_COLOR,
                                         label="training")
        (self.val_loss_line,) = loss_ax.plot([], [], "s--", ms=3, color=VAL_COLOR,
                                             label="validation")
        loss_ax.set_yscale("log")
        loss_ax.set_ylim(*LOSS_LIMITS)
        # plain labels and no minor ticks: mathtext labels of a log axis are slow to draw
        loss_ax.yaxis.set_minor_locator(NullLocator())
        loss_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        loss_ax.set(xlabel="epoch", ylabel="loss (log scale)")
        # the settings in the titles: the figure says what it shows (a saved copy too)
        self.loss_title = loss_ax.set_title("", fontsize=10)
        loss_ax.legend(fontsize=8, loc="upper right")
        (self.acc_line,) = acc_ax.plot([], [], "o-", ms=3, color=TRAIN_COLOR, label="training")
        (self.val_acc_line,) = acc_ax.plot([], [], "s--", ms=3, color=VAL_COLOR,
                                           label="validation")
        acc_ax.set_ylim(0, 1.02)
        acc_ax.set(xlabel="epoch", ylabel="accuracy")
        self.acc_title = acc_ax.set_title("", fontsize=10)
        acc_ax.legend(fontsize=8, loc="lower right")
        for ax in (loss_ax, acc_ax):
            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.now_lines = [ax.axvline(0, color="0.5", lw=1, ls=":") for ax in (loss_ax, acc_ax)]
        # The mistakes as one mosaic in one axes (six small axes would cost their layout time)
        mistakes_ax = self.mistakes_ax = fig.add_axes((0.7, 0.04, 0.29, 0.8))
        self.mosaic = mistakes_ax.imshow(_mosaic([]), cmap="gray_r", vmin=0, vmax=1,
                                         interpolation="nearest")
        mistakes_ax.set_axis_off()
        mistakes_ax.set_xlim(-1.0, MOSAIC[1] * TILE[1] - 1.0)  # room for the frames' edges
        from matplotlib.patches import Rectangle

        for k in range(N_SHOWN_MISTAKES):
            r, c = divmod(k, MOSAIC[1])
            mistakes_ax.add_patch(Rectangle((c * TILE[1] - 0.5, r * TILE[0] + TITLE_ROWS - 0.5),
                                            8, 8, fill=False, ec="0.4", lw=0.8, zorder=3))
        self.mistake_titles = [
            mistakes_ax.text(col * TILE[1] + 3.5, row * TILE[0] + TITLE_ROWS - 0.9, "",
                             ha="center", va="bottom", fontsize=9, color=WRONG_COLOR)
            for row in range(MOSAIC[0]) for col in range(MOSAIC[1])]
        self.mistakes_heading = mistakes_ax.set_title("", fontsize=10)
        self._set_epochs(self.params["epochs"])
        return [self.batch_line, self.loss_line, self.val_loss_line, self.acc_line,
                self.val_acc_line, *self.now_lines, self.mosaic, *self.mistake_titles,
                self.loss_title, self.acc_title,
                self.mistakes_heading]

    def _set_epochs(self, epochs: int) -> None:
        for ax in (self.loss_ax, self.acc_ax):
            ax.set_xlim(0, epochs)
        self._drawn_epochs = epochs

    def draw(self, run: TrainingRun) -> None:
        if run.epochs != self._drawn_epochs:
            self._set_epochs(run.epochs)
            if self.view is not None:
                self.view.recapture()  # the epoch axes are in the cached background
        h = run.history
        self.loss_title.set_text(f"loss: {run.width} hidden units, learning rate "
                                 f"{run.learning_rate:g}")
        self.acc_title.set_text(f"accuracy: batches of {run.batch_size}, {run.epochs} epochs")
        self.batch_line.set_data(run.batch_epochs, _on_scale(run.batch_losses))
        self.loss_line.set_data(h["epoch"], _on_scale(h["loss"]))
        self.val_loss_line.set_data(h["epoch"], _on_scale(h["val_loss"]))
        self.acc_line.set_data(h["epoch"], h["accuracy"])
        self.val_acc_line.set_data(h["epoch"], h["val_accuracy"])
        for line in self.now_lines:
            line.set_xdata([run.progress, run.progress])
        indices, predicted = run.mistakes(N_SHOWN_MISTAKES)
        self.mosaic.set_data(_mosaic(run.split.x_val[indices]))
        for k, title in enumerate(self.mistake_titles):
            title.set_text(f"{predicted[k]} (true {run.split.y_val[indices[k]]})"
                           if k < len(indices) else "")
        self.mistakes_heading.set_text(
            f"{run.n_mistakes} of {len(run.split.y_val)} validation digits wrong,\n"
            "e.g. these: prediction (true label)")


def _on_scale(losses) -> np.ndarray:
    """Losses clipped to the loss axis (a non-number drawn at its top)."""
    top = LOSS_LIMITS[1]
    return np.clip(np.nan_to_num(np.asarray(losses, float), nan=top, posinf=top), *LOSS_LIMITS)


def _mosaic(images) -> np.ndarray:
    """Up to ``N_SHOWN_MISTAKES`` 8x8 digits in a grid, with room above each for its title
    (blank places stay blank)."""
    rows, cols = MOSAIC
    out = np.full((rows * TILE[0], cols * TILE[1]), np.nan)
    for k in range(N_SHOWN_MISTAKES):
        r, c = divmod(k, cols)
        top, left = r * TILE[0] + TITLE_ROWS, c * TILE[1]
        out[top:top + 8, left:left + 8] = (np.asarray(images[k]).reshape(8, 8)
                                           if k < len(images) else 0.0)
    return out


def show_training_loop(width: int = 64, learning_rate: float = 0.05, batch_size: int = 32,
                       epochs: int = 20, seed: int = 0,
                       display: bool = True) -> TrainingLoopExplorer:
    """Show the training-loop explorer and return it (``.start()`` plays, ``.update(width=64)``
    changes a setting, ``.step_epoch()`` trains one epoch)."""
    explorer = TrainingLoopExplorer(width, learning_rate, batch_size, epochs, seed)
    if display:
        explorer.show()
    return explorer
