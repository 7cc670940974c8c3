"""Figures the lessons share: training curves (after or during training), digit galleries and
confusion matrices, and :func:`describe`, the one way to give any figure a text alternative.
Imports matplotlib, so ``import dlcourse`` does not import this module.

Importing it in a notebook sets up every figure the course shows (see :func:`setup_notebook`):
static figures are rendered at twice the pixels of their shown size (sharp on high-DPI
screens), and a described figure is shown as an ``<img>`` with its description as alt text.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from dlcourse.metrics import class_labels, confusion_matrix
from dlcourse.widgets.view import PIXEL_RATIO, css_width, image_html, new_figure, png_bytes

TRAIN_STYLE = {"color": "tab:blue", "linestyle": "-", "marker": "o", "markersize": 3}
VAL_STYLE = {"color": "tab:orange", "linestyle": "--", "marker": "o", "markersize": 3}
MISTAKE_COLOR = "tab:red"


# -- text alternatives ----------------------------------------------------------------------------
#: Where a figure keeps its description (an attribute: it travels with the figure).
DESCRIPTION_ATTRIBUTE = "dlcourse_description"


def describe(fig, text: str) -> None:
    """Give ``fig`` a text alternative: what it shows, in a sentence or two, for screen readers.

        fig, ax = plt.subplots()
        ax.plot(x, y)
        plots.describe(fig, "A line rising from (0, 1) to (3, 7): y = 2x + 1.")

    In JupyterLab, Notebook 7 and VS Code the figure is then shown as an image whose alt text
    is ``text`` (the screen reader reads it; it is also what shows if the image cannot). Works
    for pyplot figures (shown at the end of the cell, as usual) and for ``Figure`` objects
    passed to ``display``. ``fig`` may also be an Axes (its figure is described).
    """
    from matplotlib.figure import Figure

    fig = getattr(fig, "figure", fig) if not isinstance(fig, Figure) else fig
    if not isinstance(fig, Figure):
        raise TypeError(f"describe expects a matplotlib Figure (or Axes), got "
                        f"{type(fig).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"describe expects a non-empty description of the figure, got {text!r}")
    setattr(fig, DESCRIPTION_ATTRIBUTE, text.strip())


def description(fig) -> str | None:
    """The text alternative given to ``fig`` by :func:`describe`, or None."""
    return getattr(fig, DESCRIPTION_ATTRIBUTE, None)


def figure_html(fig) -> str | None:
    """A described figure as ``<img alt=...>`` at twice the pixels of its shown size; None for
    a figure without a description (the frontend then shows the plain PNG)."""
    text = description(fig)
    if text is None:
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi * PIXEL_RATIO, bbox_inches="tight",
                facecolor=fig.get_facecolor())
    return image_html(buffer.getvalue(), text)


def setup_notebook(shell=None) -> bool:
    """In an IPython kernel: sharp static figures (2x pixels) and alt text for described ones.

    Called when this module is imported; returns False (and does nothing) outside IPython.
    """
    from matplotlib.figure import Figure

    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = shell or get_ipython()
    if shell is None:
        return False
    with contextlib.suppress(ImportError, ValueError):
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    shell.display_formatter.formatters["text/html"].for_type(Figure, figure_html)
    return True


# -- training curves ------------------------------------------------------------------------------
def _as_history_dict(history) -> dict[str, list[float]]:
    """``History.history`` or a plain ``{"loss": [...], ...}``, checked."""
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise TypeError(
            "expected a History (from dl.fit) or a dict like {'loss': [...]}, got "
            f"{type(history).__name__}"
        )
    if not data:
        raise ValueError("the history is empty: train for at least one epoch first")
    result = {}
    for key, values in data.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
            raise TypeError(f"history[{key!r}] must be a list of numbers, got {values!r:.60}")
        result[str(key)] = [float(v) for v in values]
    return result


def _panels(keys) -> list[str]:
    """One panel per measured quantity, training and validation together: loss first."""
    bases = []
    for key in keys:
        base = key.removeprefix("val_")
        if base not in bases:
            bases.append(base)
    return sorted(bases, key=lambda b: (b != "loss", bases.index(b)))


def _style_panel(ax, base: str) -> None:
    ax.set_xlabel("epoch")
    ax.set_ylabel(base)
    ax.set_title(base)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


def plot_history(history, ax=None) -> list:
    """Training curves from ``dl.fit``'s History (or a dict of per-epoch lists).

    One panel per quantity (loss, accuracy, ...), validation curves dashed beside the training
    ones. ``ax`` may be one Axes (the first panel, usually the loss, is drawn on it) or a sequence
    of Axes (one per panel). Returns the list of Axes drawn on.
    """
    data = _as_history_dict(history)
    panels = _panels(data)
    if ax is None:
        _, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.2), dpi=80,
                               layout="constrained", squeeze=False)
        axes = list(axes[0])
    elif isinstance(ax, (Sequence, np.ndarray)):
        axes = list(np.ravel(ax))
        if len(axes) < len(panels):
            raise ValueError(
                f"plot_history needs {len(panels)} Axes for the panels {panels}, got {len(axes)}"
            )
    else:
        axes, panels = [ax], panels[:1]
    for base, panel in zip(panels, axes):
        for key, style, label in ((base, TRAIN_STYLE, "training"),
                                  (f"val_{base}", VAL_STYLE, "validation")):
            if key in data:
                epochs = np.arange(1, len(data[key]) + 1)
                panel.plot(epochs, data[key], label=label, **style)
        _style_panel(panel, base)
        panel.legend(fontsize=8)
    return axes[: len(panels)]


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class LivePlot:
    """A ``fit`` callback that redraws the loss and accuracy curves in place after every epoch.

        live = LivePlot(epochs=20)
        dl.fit(model, x, y, ..., epochs=20, callbacks=[live])

    In a notebook the figure appears under the cell and is replaced in place (one output, one
    figure, the final curves stay as a static image). Outside a notebook nothing is shown, but
    ``live.fig`` and ``live.history`` are still kept up to date. It can also be called by hand
    from your own loop: ``live(epoch, {"loss": ..., "accuracy": ...})``.

    Parameters
    ----------
    epochs : the planned number of epochs: fixes the x axis and makes sure the last epoch is drawn.
    every : redraw every this many epochs.
    min_interval : seconds to wait at least between two redraws, so drawing never slows fast
        training down much; the first epoch and (with ``epochs``) the last are always drawn.
        Without ``epochs`` it is not applied (the last epoch would be unknown).
    display : True to show, False never, None (default) to show only inside a notebook.
    """

    def __init__(self, epochs: int | None = None, every: int = 1, min_interval: float = 0.3,
                 display: bool | None = None):
        for value, what in ((epochs, "epochs"), (every, "every")):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"LivePlot {what} must be a positive integer, got {value!r}")
        if isinstance(min_interval, bool) or not isinstance(min_interval, (int, float)) or not (
                min_interval >= 0):
            raise ValueError(f"LivePlot min_interval must be seconds >= 0, got {min_interval!r}")
        self.epochs = epochs
        self.every = every
        self.min_interval = float(min_interval) if epochs else 0.0
        self._last_draw = -math.inf
        self.display = _in_notebook() if display is None else bool(display)
        self.fig = new_figure(8.4, 3.2)
        self.history: dict[str, list[float]] = {}
        self.axes: dict[str, object] = {}
        self.lines: dict[str, object] = {}
        self.n_draws = 0
        self._handle = None
        self._status = self.fig.suptitle("waiting for the first epoch", fontsize=10)

    def __call__(self, epoch: int, logs: Mapping[str, float]) -> None:
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"LivePlot expects epoch to be an integer >= 0, got {epoch!r}")
        if not isinstance(logs, Mapping):
            raise TypeError(
                f"LivePlot expects logs as a dict like {{'loss': 0.3}}, got {logs!r:.60}"
            )
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        if set(_panels(self.history)) != set(self.axes):
            self._build_axes()
        for key, values in self.history.items():
            self.lines[key].set_data(np.arange(1, len(values) + 1), values)
        for ax in self.axes.values():
            ax.relim()
            ax.autoscale_view()
            if self.epochs:
                ax.set_xlim(0.5, self.epochs + 0.5)
        last = ", ".join(f"{k} {v[-1]:.3f}" for k, v in self.history.items())
        total = f"/{self.epochs}" if self.epochs else ""
        self._status.set_text(f"epoch {epoch + 1}{total}: {last}")
        last = bool(self.epochs) and epoch + 1 >= self.epochs
        due = (epoch + 1) % self.every == 0
        rested = time.perf_counter() - self._last_draw >= self.min_interval
        if last or (due and rested):
            self.redraw()

    def _build_axes(self) -> None:
        """(Re)make one panel per quantity on the same figure, e.g. when a new metric appears."""
        for ax in self.axes.values():
            ax.remove()
        panels = _panels(self.history)
        grid = self.fig.add_gridspec(1, len(panels))
        self.axes = {base: self.fig.add_subplot(grid[0, i]) for i, base in enumerate(panels)}
        self.lines = {}
        for base, ax in self.axes.items():
            for key, style, label in ((base, TRAIN_STYLE, "training"),
                                      (f"val_{base}", VAL_STYLE, "validation")):
                if key in self.history:
                    (self.lines[key],) = ax.plot([], [], label=label, **style)
            _style_panel(ax, base)
            ax.legend(fontsize=8, loc="best")

    def redraw(self) -> None:
        """Render the figure and, in a notebook, replace the image under the cell."""
        self.n_draws += 1
        self._last_draw = time.perf_counter()
        if not self.display:
            return
        from IPython.display import display

        png = png_bytes(self.fig)
        alt = f"Training curves, one panel per quantity. {self.status}"
        bundle = {"image/png": png, "text/html": image_html(png, alt),
                  "text/plain": f"<LivePlot: {self.status}>"}
        metadata = {"image/png": {"width": css_width(self.fig)}}  # a 2x bitmap
        if self._handle is None:
            self._handle = display(bundle, raw=True, metadata=metadata, display_id=True)
        else:
            self._handle.update(bundle, raw=True, metadata=metadata)

    @property
    def status(self) -> str:
        return self._status.get_text()

    def _repr_png_(self) -> tuple[bytes, dict]:
        return png_bytes(self.fig), {"width": css_width(self.fig)}


# -- digits ---------------------------------------------------------------------------------------
def _images(images, image_shape) -> np.ndarray:
    array = np.asarray(getattr(images, "data", images), dtype=float)
    if array.ndim == 3:
        return array
    if array.ndim != 2:
        raise ValueError(
            f"images must have shape (n, pixels) or (n, height, width), got {array.shape}"
        )
    if image_shape is None:
        side = math.isqrt(array.shape[1])
        if side * side != array.shape[1]:
            raise ValueError(
                f"images have {array.shape[1]} pixels, which is not a square: pass image_shape"
            )
        image_shape = (side, side)
    if math.prod(image_shape) != array.shape[1]:
        raise ValueError(f"image_shape {image_shape} does not hold {array.shape[1]} pixels")
    return array.reshape(len(array), *image_shape)


def show_digit_gallery(images, labels, predictions=None, max_images: int = 32, ncols: int = 8,
                       image_shape: tuple[int, int] | None = None, title: str | None = None):
    """A grid of digit images titled by their label, or by the prediction when one is given.

    Wrong predictions get a red frame and a red title ``"7 (true 9)"``. ``predictions`` may be
    labels or per-class probabilities. Shows the first ``max_images``; returns the Figure.
    """
    pictures = _images(images, image_shape)
    truth = class_labels(labels, "labels")
    if len(truth) != len(pictures):
        raise ValueError(f"show_digit_gallery got {len(pictures)} images but {len(truth)} labels")
    guess = None
    if predictions is not None:
        guess = class_labels(predictions, "predictions")
        if len(guess) != len(pictures):
            raise ValueError(
                f"show_digit_gallery got {len(pictures)} images but {len(guess)} predictions"
            )
    if isinstance(max_images, bool) or not isinstance(max_images, int) or max_images < 1:
        raise ValueError(f"max_images must be a positive integer, got {max_images!r}")
    count = min(len(pictures), max_images)
    if count == 0:
        raise ValueError("show_digit_gallery got no images to show")
    ncols = max(1, min(ncols, count))
    nrows = math.ceil(count / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.05 * ncols + 0.2, 1.2 * nrows + 0.5),
                             dpi=80, squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.ravel()):
        if i >= count:
            ax.axis("off")
            continue
        ax.imshow(pictures[i], cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        wrong = guess is not None and guess[i] != truth[i]
        text = str(truth[i]) if guess is None else (
            f"{guess[i]} (true {truth[i]})" if wrong else str(guess[i]))
        ax.set_title(text, fontsize=9, color=MISTAKE_COLOR if wrong else "black",
                     fontweight="bold" if wrong else "normal")
        for spine in ax.spines.values():
            spine.set_color(MISTAKE_COLOR if wrong else "#bbbbbb")
            spine.set_linewidth(3 if wrong else 0.8)
    if title is None:
        if guess is None:
            title = f"{count} digits and their labels"
        else:
            n_wrong = int((guess[:count] != truth[:count]).sum())
            title = f"predictions: {n_wrong} of {count} wrong (in red)"
    fig.suptitle(title, fontsize=10)
    return fig


def plot_confusion_matrix(y_true, y_pred, ax=None, n_classes: int | None = None):
    """How often each true class (rows) was predicted as each class (columns), counts written in.

    The diagonal holds the correct predictions; everything off it is a mistake. Returns the Axes.
    """
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    k, total = len(matrix), int(matrix.sum())
    if ax is None:
        _, ax = plt.subplots(figsize=(0.42 * k + 2.2, 0.42 * k + 1.6), dpi=80,
                             layout="constrained")
    ax.imshow(matrix, cmap="Blues", vmin=0)
    dark = matrix.max() / 2 if total else 1
    for t in range(k):
        for p in range(k):
            count = int(matrix[t, p])
            color = "white" if count > dark else ("black" if count else "#b0b0b0")
            weight = "bold" if count and t != p else "normal"
            ax.text(p, t, str(count), ha="center", va="center", fontsize=8, color=color,
                    fontweight=weight)
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    correct = int(np.trace(matrix))
    share = f", {correct / total:.1%} correct" if total else ""
    ax.set_title(f"confusion matrix ({total} samples{share})", fontsize=10)
    return ax


setup_notebook()
