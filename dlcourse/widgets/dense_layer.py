"""Explorer: one dense layer, unit by unit and as a matrix product (lesson 03).

Pure model: :class:`DenseLayerState` holds a small batch ``x``, the layer's ``W`` and ``b``, the
chosen example and the chosen unit; it computes each unit's weighted sum for that example, term
by term, and the whole output ``x @ W + b``. :func:`with_unit` returns the state with one unit's
weights replaced: only that unit's column of the output changes.

Thin view: :func:`show_dense_layer` draws the layer as a diagram (inputs on the left, units on
the right, each connection coloured by what it adds to its unit's sum) beside the matrix view
``x @ W + b``, with controls to pick the example and to edit the chosen unit's weights and bias.

    state = dense_layer()                           # 5 examples, 3 inputs, 4 units, seeded
    state.sums                                      # each unit's weighted sum for example 0
    with_unit(state, 1, weights=[1, 0, 0]).outputs  # only column 1 differs
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dlcourse.checks import whole_number
from dlcourse.tensor import as_array
from dlcourse.widgets.controls import quietly
from dlcourse.widgets.explorer import Explorer

#: The range of the weight and bias sliders.
WEIGHT_RANGE = (-2.0, 2.0)


@dataclass(frozen=True)
class DenseLayerState:
    """A dense layer on a small batch, with one example and one unit singled out.

    ``W[i, j]`` is the weight from input ``i`` to unit ``j`` (column ``j`` is unit ``j``).
    """

    x: np.ndarray  # (batch, n_inputs)
    W: np.ndarray  # (n_inputs, n_units)
    b: np.ndarray  # (n_units,)
    example: int   # the row of x being followed
    unit: int      # the unit being edited

    @property
    def n_inputs(self) -> int:
        return self.W.shape[0]

    @property
    def n_units(self) -> int:
        return self.W.shape[1]

    @property
    def inputs(self) -> np.ndarray:
        """The chosen example: one row of ``x``."""
        return self.x[self.example]

    @property
    def terms(self) -> np.ndarray:
        """``terms[i, j] = x_i * W[i, j]``: what input ``i`` adds to unit ``j``'s sum."""
        return self.inputs[:, None] * self.W

    @property
    def sums(self) -> np.ndarray:
        """Each unit's weighted sum for the chosen example: ``terms.sum(0) + b``."""
        return self.terms.sum(axis=0) + self.b

    @property
    def outputs(self) -> np.ndarray:
        """The whole layer on the whole batch, ``x @ W + b``: shape (batch, n_units)."""
        return self.x @ self.W + self.b


def _matrix(value, name: str, ndim: int) -> np.ndarray:
    array = np.array(as_array(value, name, np.float64))
    if array.ndim != ndim or 0 in array.shape:
        expected = "(batch, n_inputs)" if name == "x" else "(n_inputs, n_units)"
        expected = expected if ndim == 2 else "(n_units,)"
        raise ValueError(f"dense layer explorer: {name} must have shape {expected}, "
                         f"got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"dense layer explorer: {name} must be finite numbers")
    return array


def _index(value, what: str, count: int) -> int:
    return whole_number(value, what, minimum=0, maximum=count - 1)


def dense_layer(x=None, W=None, b=None, example: int = 0, unit: int = 0,
                seed: int = 0) -> DenseLayerState:
    """A dense layer to explore; by default 5 examples of 3 inputs into 4 units, drawn from
    ``seed`` (weights and biases inside the sliders' range)."""
    rng = np.random.default_rng(seed)
    if x is None:
        x = np.round(rng.uniform(-1.0, 1.0, size=(5, 3)), 2)
    x = _matrix(x, "x", 2)
    if W is None:
        W = np.round(rng.uniform(-1.5, 1.5, size=(x.shape[1], 4)), 1)
    W = _matrix(W, "W", 2)
    if b is None:
        b = np.round(rng.uniform(-0.5, 0.5, size=W.shape[1]), 1)
    b = _matrix(b, "b", 1)
    if W.shape[0] != x.shape[1]:
        raise ValueError(f"dense layer explorer: x has {x.shape[1]} inputs per example, so W "
                         f"needs {x.shape[1]} rows, got W of shape {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"dense layer explorer: b needs one bias per unit, shape "
                         f"({W.shape[1]},), got {b.shape}")
    return DenseLayerState(x, W, b, _index(example, "example", len(x)),
                           _index(unit, "unit", W.shape[1]))


def with_unit(state: DenseLayerState, unit: int, weights=None, bias=None) -> DenseLayerState:
    """The state with unit ``unit``'s weights (column ``unit`` of W) and/or bias replaced."""
    unit = _index(unit, "unit", state.n_units)
    W, b = state.W, state.b
    if weights is not None:
        column = np.ravel(as_array(weights, "weights", np.float64))
        if column.shape != (state.n_inputs,) or not np.all(np.isfinite(column)):
            raise ValueError(f"unit {unit} needs {state.n_inputs} finite weights (one per "
                             f"input), got {np.shape(weights)}")
        W = W.copy()
        W[:, unit] = column
    if bias is not None:
        value = as_array(bias, "bias", np.float64)
        if value.ndim != 0 or not np.isfinite(value):
            raise ValueError(f"the bias of unit {unit} must be one finite number, got {bias!r}")
        b = b.copy()
        b[unit] = float(value)
    return replace(state, W=W, b=b, unit=unit)


def describe(state: DenseLayerState) -> str:
    """The state in words: what a screen reader announces after each change."""
    xs = ", ".join(f"{v:.2f}" for v in state.inputs)
    parts = []
    for j, total in enumerate(state.sums):
        terms = " + ".join(f"{state.inputs[i]:.2f}×{state.W[i, j]:.2f}"
                           for i in range(state.n_inputs))
        edited = " (being edited)" if j == state.unit else ""
        parts.append(f"unit {j}{edited}: {terms} + {state.b[j]:.2f} = {total:.2f}")
    batch, units = state.outputs.shape
    return (f"Example {state.example}: inputs {xs}. " + "; ".join(parts) + ". "
            f"Matrix view: x ({batch}×{state.n_inputs}) @ W ({state.n_inputs}×{units}) + b "
            f"gives y ({batch}×{units}); row {state.example} of y holds these {units} sums, "
            f"column {state.unit} holds unit {state.unit}'s output for every example.")


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------

CMAP = "RdBu_r"
#: Outputs beyond +-OUTPUT_LIMIT get the end colours of the scale.
OUTPUT_LIMIT = 4.0


class DenseLayerExplorer(Explorer):
    """Pick an example and edit one unit; the diagram and the matrix view follow.

    Controls: ``example`` and ``unit`` (IntSliders), ``weights`` (one FloatSlider per input) and
    ``bias`` (FloatSlider) for the unit being edited, ``reset`` (Button); ``state`` is the
    :class:`DenseLayerState` on display.
    """

    TITLE = "dense layer explorer"
    PARAMS = ("example", "unit", "weights", "bias")
    FIGSIZE = (9.6, 4.2)

    def __init__(self, state: DenseLayerState):
        self.initial = state
        super().__init__(example=state.example, unit=state.unit)
        self.example, self.unit = self.controls["example"], self.controls["unit"]

    def check(self, params: dict) -> dict:
        """The layer's full W and b stay in the parameters; ``weights`` and ``bias`` edit the
        chosen unit's share of them."""
        state = replace(self.initial, W=params.get("W", self.initial.W),
                        b=params.get("b", self.initial.b))
        example = _index(params.get("example", state.example), "example", len(state.x))
        state = with_unit(replace(state, example=example), params.get("unit", state.unit),
                          params.get("weights"), params.get("bias"))
        return {"example": state.example, "unit": state.unit, "W": state.W, "b": state.b}

    def compute(self, params) -> DenseLayerState:
        return replace(self.initial, **params)

    def update(self, **params) -> DenseLayerState:
        """Set ``example``, ``unit``, and the chosen unit's ``weights`` or ``bias``; redraw."""
        state = super().update(**params)
        with quietly(self):
            for i, slider in enumerate(self.weights):
                slider.value = float(np.clip(state.W[i, state.unit], *WEIGHT_RANGE))
            self.bias.value = float(np.clip(state.b[state.unit], *WEIGHT_RANGE))
        return state

    def reset_weights(self) -> DenseLayerState:
        """Every weight and bias back to where it started (the example and unit stay)."""
        self.params = {**self.params, "W": self.initial.W, "b": self.initial.b}
        return self.update()

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        wide = {"description_width": "initial"}
        return {
            "example": widgets.IntSlider(value=self.params["example"], min=0,
                                         max=len(self.initial.x) - 1,
                                         description="example (row of x)", style=wide),
            "unit": widgets.IntSlider(value=self.params["unit"], min=0,
                                      max=self.initial.n_units - 1,
                                      description="unit to edit", style=wide),
        }

    def extra_rows(self) -> list:
        import ipywidgets as widgets

        from dlcourse.widgets.controls import controls_row

        state, low, high = self.state, *WEIGHT_RANGE
        wide = {"description_width": "initial"}
        self.weights = [widgets.FloatSlider(value=state.W[i, state.unit], min=low, max=high,
                                            step=0.1, description=f"weight from x{i}",
                                            readout_format=".1f", style=wide)
                        for i in range(state.n_inputs)]
        self.bias = widgets.FloatSlider(value=state.b[state.unit], min=low, max=high, step=0.1,
                                        description="bias", readout_format=".1f", style=wide)
        self.reset = widgets.Button(description="reset weights",
                                    tooltip="put every weight and bias back where it started")

        def edited(change: dict) -> None:
            if not self._syncing:
                self.update(weights=[w.value for w in self.weights], bias=self.bias.value)

        for slider in (*self.weights, self.bias):
            slider.observe(edited, "value")
        self.reset.on_click(lambda _: self.reset_weights())
        return [controls_row([*self.weights, self.bias, self.reset])]

    def describe(self, state: DenseLayerState) -> str:
        return describe(state)

    # -- drawing ---------------------------------------------------------------------------------
    def build(self, fig) -> list:
        """Every artist once; ``draw`` only changes their data, colours and texts."""
        from matplotlib.colors import Normalize
        from matplotlib.patches import Rectangle

        fig.set_layout_engine("none")  # axes placed by hand below
        self.fig = fig
        state = self.initial
        batch, n_in, n_units = len(state.x), state.n_inputs, state.n_units
        # Fixed colour scales: editing one unit recolours its own column and nothing else.
        self.param_norm = Normalize(*WEIGHT_RANGE)
        self.out_norm = Normalize(-OUTPUT_LIMIT, OUTPUT_LIMIT)
        # Axes placed by hand (in inches, then figure fractions): every matrix cell the same
        # size, so the shapes of x, W, b and y can be compared by eye.
        fig_w, fig_h = self.fig.get_size_inches()
        cell = min(0.4, 5.2 / (n_in + 2 * n_units + 1.5), 2.6 / max(batch, n_in + 2.2))

        def place(left, bottom, cols, rows):
            return self.fig.add_axes((left / fig_w, bottom / fig_h, cols * cell / fig_w,
                                      rows * cell / fig_h))

        top = fig_h - 0.75
        ax = self.ax = self.fig.add_axes((0.0, 0.4 / fig_h, 3.2 / fig_w, (top + 0.2) / fig_h
                                          - 0.4 / fig_h))
        left = 3.6
        axes = {"x": place(left, top - batch * cell, n_in, batch)}
        left += (n_in + 1.2) * cell
        axes["W"] = place(left, top - n_in * cell, n_units, n_in)
        axes["b"] = place(left, top - (n_in + 2.9) * cell, n_units, 1)
        left += (n_units + 1.2) * cell
        axes["y"] = place(left, top - batch * cell, n_units, batch)
        ax.axis("off")
        ax.set_xlim(-0.05, 1.12)
        ax.set_ylim(0.0, 1.0)
        self.in_y = np.linspace(0.82, 0.18, n_in) if n_in > 1 else np.array([0.5])
        self.unit_y = np.linspace(0.9, 0.1, n_units) if n_units > 1 else np.array([0.5])
        self.lines = [[ax.plot([0.1, 0.8], [self.in_y[i], self.unit_y[j]],
                               solid_capstyle="round", zorder=1)[0]
                       for j in range(n_units)] for i in range(n_in)]
        self.in_dots = ax.scatter(np.full(n_in, 0.1), self.in_y, s=900, edgecolors="black",
                                  zorder=3)
        self.unit_dots = ax.scatter(np.full(n_units, 0.8), self.unit_y, s=1100,
                                    edgecolors="black", zorder=3)
        self.in_texts = [ax.text(0.1, y, "", ha="center", va="center", fontsize=9, zorder=4)
                         for y in self.in_y]
        for i, y in enumerate(self.in_y):
            ax.text(0.1, y + 0.075, f"x{i}", ha="center", va="bottom", fontsize=9)
        self.unit_texts = [ax.text(0.8, y, "", ha="center", va="center", fontsize=9, zorder=4)
                           for y in self.unit_y]
        self.unit_labels = [ax.text(0.9, y, f"unit {j}", ha="left", va="center", fontsize=9)
                            for j, y in enumerate(self.unit_y)]
        self.diagram_title = ax.set_title("", fontsize=10)

        self.panels = {}
        titles = {"x": "inputs x", "W": "@ weights W", "b": "+ biases b", "y": "= outputs y"}
        for name, shape, norm in (("x", (batch, n_in), self.param_norm),
                                  ("W", (n_in, n_units), self.param_norm),
                                  ("b", (1, n_units), self.param_norm),
                                  ("y", (batch, n_units), self.out_norm)):
            pax = axes[name]
            image = pax.imshow(np.zeros(shape), cmap=CMAP, norm=norm, interpolation="nearest",
                               aspect="auto")
            texts = np.array([[pax.text(c, r, "", ha="center", va="center", fontsize=8)
                               for c in range(shape[1])] for r in range(shape[0])])
            row_box = pax.add_patch(Rectangle((-0.5, -0.5), shape[1], 1, fill=False, lw=2.4,
                                              ec="black", zorder=5, visible=False))
            col_box = pax.add_patch(Rectangle((-0.5, -0.5), 1, shape[0], fill=False, lw=2.4,
                                              ec="#e69f00", ls="--", zorder=5, visible=False))
            pax.set_xticks(range(shape[1]))
            pax.set_yticks(range(shape[0]) if shape[0] > 1 else [])
            pax.tick_params(labelsize=8, length=0)
            pax.set_title(f"{titles[name]}\n{shape if name != 'b' else (n_units,)}",
                          fontsize=10)
            self.panels[name] = (image, texts, row_box, col_box)
        axes["x"].set_ylabel("example", fontsize=9)
        axes["x"].set_xlabel("input", fontsize=9)
        axes["y"].set_xlabel("unit", fontsize=9)
        axes["b"].set_xlabel("unit", fontsize=9)
        self.note = self.fig.text(3.6 / fig_w, 0.08, "", ha="left", va="bottom", fontsize=9,
                                  wrap=True)
        return self._moving()

    def _moving(self) -> list:
        """What a change can alter; the rest (axes, ticks, titles) is a cached background."""
        moving = [line for row in self.lines for line in row]
        moving += [self.in_dots, self.unit_dots, *self.in_texts, *self.unit_texts,
                   *self.unit_labels, self.diagram_title, self.note]
        for image, texts, row_box, col_box in self.panels.values():
            moving += [image, *texts.ravel(), row_box, col_box]
        # The images would paint over the frames of their axes: redraw those on top.
        moving += [spine for image, *_ in self.panels.values()
                   for spine in image.axes.spines.values()]
        return moving

    def draw(self, state: DenseLayerState) -> None:
        from matplotlib import colormaps

        cmap = colormaps[CMAP]
        terms = state.terms
        term_limit = max(1e-9, float(np.abs(terms).max()))
        for i, row in enumerate(self.lines):
            for j, line in enumerate(row):
                strength = abs(terms[i, j]) / term_limit
                line.set_color(cmap(self.out_norm(terms[i, j])))
                line.set_linewidth(0.6 + 5.0 * strength)
                line.set_alpha(0.25 + 0.75 * strength)
        self.in_dots.set_facecolors(cmap(self.param_norm(state.inputs)))
        self.unit_dots.set_facecolors(cmap(self.out_norm(state.sums)))
        self.unit_dots.set_linewidths([3.0 if j == state.unit else 1.0
                                       for j in range(state.n_units)])
        for text, value in zip(self.in_texts, state.inputs, strict=True):
            _number(text, value, self.param_norm)
        for text, value in zip(self.unit_texts, state.sums, strict=True):
            _number(text, value, self.out_norm)
        for j, label in enumerate(self.unit_labels):
            label.set_text(f"unit {j}" + ("\n(editing)" if j == state.unit else ""))
            label.set_fontweight("bold" if j == state.unit else "normal")
        self.diagram_title.set_text(f"example {state.example}: each unit's weighted sum\n"
                                    "(line: what x_i × W_ij adds)")
        for name, values, row, col in (("x", state.x, state.example, None),
                                       ("W", state.W, None, state.unit),
                                       ("b", state.b[None, :], None, state.unit),
                                       ("y", state.outputs, state.example, state.unit)):
            image, texts, row_box, col_box = self.panels[name]
            image.set_data(values)
            for (r, c), value in np.ndenumerate(values):
                # numbers where the boxes are (the example's row, the unit's column): the
                # colours carry the rest, and every number drawn costs time on each move
                shown = r == row or c == col
                texts[r, c].set_visible(shown)
                if shown:
                    _number(texts[r, c], value, image.norm, digits=1)
            row_box.set_visible(row is not None)
            if row is not None:
                row_box.set_y(row - 0.5)
            col_box.set_visible(col is not None)
            if col is not None:
                col_box.set_x(col - 0.5)
        self.note.set_text(f"solid box: example {state.example}; the sums in the diagram are "
                           f"row {state.example} of y.\ndashed box: unit {state.unit}; its "
                           f"weights are column {state.unit} of W, its outputs column "
                           f"{state.unit} of y.")


def _number(text, value: float, norm, digits: int = 2) -> None:
    """Write ``value`` in ``text``, white on dark cells and black on light ones."""
    shown = f"{value:.{digits}f}"
    text.set_text(shown if float(shown) != 0 else f"{0:.{digits}f}")  # no "-0.0"
    text.set_color("white" if abs(float(norm(value)) - 0.5) > 0.3 else "black")


def show_dense_layer(example: int = 0, unit: int = 0, seed: int = 0,
                     display: bool = True) -> DenseLayerExplorer:
    """Show the dense-layer explorer and return it (``.update(unit=2, bias=1.0)`` drives it)."""
    explorer = DenseLayerExplorer(dense_layer(example=example, unit=unit, seed=seed))
    if display:
        explorer.show()
    return explorer
