"""Lesson 00's explorer: follow one digit image through a trained network, layer by layer.

The model (:func:`layer_outputs`, :func:`digit_pass`) is numbers only: the image, what each
hidden layer makes of it, and the output probabilities. The view (:func:`show_digit_pass`)
draws them left to right (image, one heat strip per hidden layer, a bar per class) and moves to
another test digit with a slider, or to the next digit the network gets wrong with a button.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

import dlcourse as dl
from dlcourse.checks import whole_number
from dlcourse.metrics import class_labels
from dlcourse.widgets.explorer import Explorer

RIGHT_COLOR = "#2ca02c"
WRONG_COLOR = "#d62728"
OTHER_COLOR = "#9ecae1"


@dataclass(frozen=True)
class DigitPass:
    """One digit on its way through the network."""

    index: int
    image: np.ndarray  # the input, as a square image when it is one
    label: int | None  # the true class, when known
    hidden: list[np.ndarray]  # each hidden layer's activations, first to last
    probabilities: np.ndarray  # the output: one probability per class, summing to 1
    prediction: int


def _check_inputs(model, x) -> np.ndarray:
    if not callable(model):
        raise TypeError(f"the digit explorer expects a model to call on a batch, got {model!r}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"the digit explorer expects x of shape (n, features), got {x.shape}")
    return x


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def layer_outputs(model, x) -> list[np.ndarray]:
    """The output of each layer that has parameters (with any activation after it) on batch x.

    For ``Sequential([Dense(64, 32, activation="relu"), Dense(32, 10, activation="softmax")])``
    that is the hidden activations, shape (batch, 32), then the probabilities, (batch, 10). The
    last entry is always probabilities: scores (logits) are passed through a softmax.
    """
    x = _check_inputs(model, x)
    layers = getattr(model, "layers", [model])
    outputs: list[np.ndarray] = []
    with dl.no_grad():
        current = x
        for layer in layers:
            current = layer(current)
            values = np.asarray(getattr(current, "data", current), dtype=float)
            has_parameters = bool(getattr(layer, "parameters", list)())
            if has_parameters or not outputs:
                outputs.append(values)
            else:
                outputs[-1] = values  # an activation layer: it finishes the previous layer
    last = outputs[-1]
    if last.ndim != 2:
        raise ValueError(f"the digit explorer expects the model to output (batch, classes), "
                         f"got {last.shape}")
    if np.any(last < 0) or not np.allclose(last.sum(axis=1), 1.0, atol=1e-6):
        outputs[-1] = _softmax(last)
    return outputs


def _as_image(row: np.ndarray) -> np.ndarray:
    side = int(round(np.sqrt(row.size)))
    return row.reshape(side, side) if side * side == row.size else row.reshape(1, -1)


def _labels(y, n: int) -> np.ndarray | None:
    if y is None:
        return None
    y = class_labels(y, "the digit explorer's labels y", scores=False)
    if y.shape != (n,):
        raise ValueError(f"the digit explorer expects labels y of shape ({n},), got {y.shape}")
    return y


def _pass(outputs: list[np.ndarray], x: np.ndarray, y: np.ndarray | None, index: int) -> DigitPass:
    probabilities = outputs[-1][index]
    return DigitPass(index=index, image=_as_image(x[index]),
                     label=None if y is None else int(y[index]),
                     hidden=[layer[index] for layer in outputs[:-1]],
                     probabilities=probabilities, prediction=int(np.argmax(probabilities)))


def _index(index, n: int) -> int:
    return whole_number(index, "the digit explorer's index", 0, n - 1)


def digit_pass(model, x, y=None, index: int = 0) -> DigitPass:
    """Run test digit ``x[index]`` through ``model`` and keep every layer's output."""
    x = _check_inputs(model, x)
    index = _index(index, len(x))
    y = _labels(y, len(x))
    batch = slice(index, index + 1)
    outputs = layer_outputs(model, x[batch])
    one = _pass(outputs, x[batch], None if y is None else y[batch], 0)
    return replace(one, index=index)


class DigitPassExplorer(Explorer):
    """A test-digit slider (and a "next mistake" button) over image, hidden layers and output."""

    TITLE = "digit explorer"
    PARAMS = ("index",)
    FIGSIZE = (9.0, 3.8)

    def __init__(self, model, x, y=None, index: int = 0):
        self.x = _check_inputs(model, x)
        self.y = _labels(y, len(self.x))
        self.model = model
        self.outputs = layer_outputs(model, self.x)  # every test digit at once: moves are lookups
        self.predictions = self.outputs[-1].argmax(axis=1)
        super().__init__(index=index)
        self.slider = self.controls["index"]

    @property
    def current(self) -> DigitPass:
        return self.state

    def check(self, params: dict) -> dict:
        return {"index": _index(params.get("index", 0), len(self.x))}

    def compute(self, params) -> DigitPass:
        return _pass(self.outputs, self.x, self.y, params["index"])

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {"index": widgets.IntSlider(value=self.params["index"], min=0,
                                           max=len(self.x) - 1, description="test digit",
                                           continuous_update=True)}

    def extra_rows(self) -> list:
        import ipywidgets as widgets

        self.next_mistake = widgets.Button(description="next mistake",
                                           disabled=self.y is None,
                                           tooltip="jump to the next digit the network gets wrong")
        self.next_mistake.on_click(lambda _: self.show_next_mistake())
        return [self.next_mistake]

    def describe(self, current: DigitPass) -> str:
        label = "" if current.label is None else f", true label {current.label}"
        verdict = ("" if current.label is None else
                   " (right)" if current.prediction == current.label else " (wrong)")
        layers = "; ".join(f"hidden layer {k + 1}: {int((h > 0).sum())} of {h.size} units active"
                           for k, h in enumerate(current.hidden))
        top = np.argsort(current.probabilities)[::-1][:2]
        return (f"Test digit #{current.index}{label}, shown as a {current.image.shape[0]} by "
                f"{current.image.shape[1]} image; {layers}. Output: predicts {current.prediction}"
                f"{verdict} with probability {current.probabilities[top[0]]:.0%}; next most "
                f"likely {top[1]} ({current.probabilities[top[1]]:.0%}).")

    def build(self, fig) -> list:
        self.fig = fig
        self._draw_once()
        return self._moving

    @property
    def mistakes(self) -> np.ndarray:
        """Indices of the test digits the network classifies wrongly."""
        if self.y is None:
            return np.array([], dtype=int)
        return np.flatnonzero(self.predictions != self.y)

    def _draw_once(self) -> None:
        from matplotlib.patches import ConnectionPatch

        hidden = self.outputs[:-1]
        ratios = [3.0] + [0.6] * len(hidden) + [3.2]
        axes = self.fig.subplots(1, len(ratios), width_ratios=ratios)
        image_ax, strip_axes, prob_ax = axes[0], axes[1:-1], axes[-1]
        current = self.compute(self.params)

        self.image = image_ax.imshow(current.image, cmap="gray_r", vmin=self.x.min(),
                                     vmax=self.x.max(), interpolation="nearest")
        image_ax.set_title(f"input: {self.x.shape[1]} pixels", fontsize=10)
        image_ax.set_xticks([])
        image_ax.set_yticks([])

        self.strips = []
        for k, (ax, layer) in enumerate(zip(strip_axes, hidden, strict=True)):
            top = float(np.percentile(layer, 99)) or 1.0  # one colour scale for all digits
            strip = ax.imshow(current.hidden[k][:, None], cmap="magma", vmin=0.0, vmax=top,
                              aspect="auto", interpolation="nearest")
            ax.set_title(f"hidden {k + 1}\n{layer.shape[1]} units", fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
            self.strips.append(strip)

        n_classes = self.outputs[-1].shape[1]
        self.bars = prob_ax.barh(np.arange(n_classes), current.probabilities, color=OTHER_COLOR,
                                 height=0.7)
        prob_ax.set_yticks(np.arange(n_classes))
        prob_ax.invert_yaxis()
        prob_ax.yaxis.tick_right()  # class labels on the right leave the left edge to the arrow
        prob_ax.yaxis.set_label_position("right")
        prob_ax.set_xlim(0, 1.0)
        prob_ax.set_xlabel("probability")
        prob_ax.set_ylabel("class")
        prob_ax.grid(axis="x", alpha=0.3)
        prob_ax.set_axisbelow(True)
        self.output_title = prob_ax.set_title("", fontsize=10)
        self.heading = self.fig.suptitle("", fontsize=11)

        arrows = []
        for left, right in zip(axes[:-1], axes[1:], strict=True):
            arrows.append(ConnectionPatch((1.0, 0.5), (0.0, 0.5), "axes fraction",
                                          "axes fraction", axesA=left, axesB=right,
                                          arrowstyle="-|>", color="#888888", lw=1.2,
                                          mutation_scale=12))
            self.fig.add_artist(arrows[-1])
        # Spines go after the images, which would otherwise paint over them.
        spines = [spine for ax in axes for spine in ax.spines.values()]
        self._moving = [self.image, *self.strips, *spines, *self.bars, self.output_title,
                        self.heading, *arrows]

    def draw(self, current: DigitPass) -> None:
        self.image.set_data(current.image)
        for strip, values in zip(self.strips, current.hidden, strict=True):
            strip.set_data(values[:, None])
        right = current.label is None or current.prediction == current.label
        for k, (bar, p) in enumerate(zip(self.bars, current.probabilities, strict=True)):
            bar.set_width(p)
            if k == current.prediction:
                bar.set_color(RIGHT_COLOR if right else WRONG_COLOR)
            elif k == current.label:
                bar.set_color("#ff7f0e")  # the true class, missed
            else:
                bar.set_color(OTHER_COLOR)
        confidence = current.probabilities[current.prediction]
        self.output_title.set_text(f"output: predicts {current.prediction} "
                                   f"({confidence:.0%})")
        label = "" if current.label is None else f", true label {current.label}"
        verdict = "" if current.label is None else ("  ✓" if right else "  ✗ wrong")
        self.heading.set_text(f"test digit #{current.index}{label}{verdict}")

    def show_next_mistake(self) -> DigitPass:
        """Jump to the next wrongly classified digit after the current one (wrapping around)."""
        mistakes = self.mistakes
        if mistakes.size == 0:
            return self.current
        later = mistakes[mistakes > self.current.index]
        return self.update(index=int(later[0] if later.size else mistakes[0]))


def show_digit_pass(model, x_test, y_test=None, index: int = 0) -> DigitPassExplorer:
    """Display the explorer for ``model`` over the test digits ``x_test`` (labels optional)."""
    explorer = DigitPassExplorer(model, x_test, y_test, index=index)
    explorer.show()
    return explorer
