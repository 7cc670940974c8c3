"""Diagrams of a unit, a dense layer and a network, drawn on a matplotlib Axes.

Each function draws on the Axes it is given (and turns its frame off) and returns a
:class:`Diagram` recording what it drew: the circles, the connections as (start, end) points and
the text labels. Lessons show it; tests count it.

    fig, ax = plt.subplots(figsize=(5, 3))
    draw_unit(ax, n_inputs=2, weights=[2.0, -1.0], bias=0.5)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.text import Text

INPUT_COLOR = "#d6e6f5"
UNIT_COLOR = "#fbd9b5"
OUTPUT_COLOR = "#cfeccf"
BIAS_COLOR = "#ececec"
EDGE_COLOR = "#3a3a3a"
LINE_COLOR = "#8c8c8c"
HIGHLIGHT_COLOR = "#c0392b"
CAPTION_COLOR = "#555555"

Point = tuple[float, float]


@dataclass
class Diagram:
    """What a drawing function put on the Axes."""

    circles: list[Circle] = field(default_factory=list)
    connections: list[tuple[Point, Point]] = field(default_factory=list)
    labels: list[Text] = field(default_factory=list)


# Checks
# --------------------------------------------------------------------------------------------


def _check_axes(ax, fn: str) -> None:
    if not isinstance(ax, Axes):
        raise TypeError(f"{fn} expects a matplotlib Axes as ax, got {type(ax).__name__}")


def _count(value, what: str, fn: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{fn} expects {what} to be a positive integer, got {value!r}")
    return int(value)


def _numbers(values, n: int, what: str, fn: str) -> list[float]:
    array = np.ravel(np.asarray(values, dtype=float))
    if array.size != n:
        raise ValueError(f"{fn} expects {n} {what} (one per input), got {array.size}")
    return [float(v) for v in array]


def _texts(values, n: int, what: str, fn: str) -> list:
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{fn} expects {n} {what}, got {len(values)}")
    return values


# Layout helpers
# --------------------------------------------------------------------------------------------


def shown_slots(n: int, limit: int) -> list[int | None]:
    """Which of ``n`` items to draw in at most ``limit`` slots; ``None`` marks the "..." slot.

    >>> shown_slots(4, 10)
    [0, 1, 2, 3]
    >>> shown_slots(64, 6)
    [0, 1, 2, None, 62, 63]
    """
    if n <= limit:
        return list(range(n))
    head = limit // 2
    tail = limit - head - 1
    return list(range(head)) + [None] + list(range(n - tail, n))


def _column(n_slots: int, spacing: float = 1.0) -> list[float]:
    """y positions of ``n_slots`` items, top to bottom, centred on 0."""
    top = (n_slots - 1) * spacing / 2
    return [top - i * spacing for i in range(n_slots)]


def _node(ax, diagram: Diagram, xy: Point, radius: float, color: str, label: str = "",
          fontsize: float = 12, zorder: int = 3) -> Circle:
    circle = Circle(xy, radius, facecolor=color, edgecolor=EDGE_COLOR, lw=1.2, zorder=zorder)
    ax.add_patch(circle)
    diagram.circles.append(circle)
    if label:
        diagram.labels.append(ax.text(*xy, label, ha="center", va="center", fontsize=fontsize,
                                      zorder=zorder + 1))
    return circle


def _arrow(ax, diagram: Diagram, start: Point, end: Point, r_start: float, r_end: float,
           color: str = LINE_COLOR, lw: float = 1.3, linestyle: str = "-",
           head: bool = True) -> tuple[Point, Point]:
    """An arrow from the edge of the circle at ``start`` to the edge of the circle at ``end``."""
    p, q = np.asarray(start, float), np.asarray(end, float)
    direction = (q - p) / np.hypot(*(q - p))
    a, b = p + r_start * direction, q - r_end * direction
    ax.add_patch(FancyArrowPatch(tuple(a), tuple(b), arrowstyle="-|>" if head else "-",
                                 mutation_scale=11,
                                 color=color, lw=lw, linestyle=linestyle, shrinkA=0, shrinkB=0,
                                 zorder=2))
    segment = ((float(a[0]), float(a[1])), (float(b[0]), float(b[1])))
    diagram.connections.append(segment)
    return segment


def _on_line(ax, diagram: Diagram, segment: tuple[Point, Point], where: float, text: str,
             color: str = "black", fontsize: float = 11) -> None:
    """A label sitting on a connection, ``where`` of the way along it, on a white patch."""
    (x0, y0), (x1, y1) = segment
    xy = (x0 + where * (x1 - x0), y0 + where * (y1 - y0))
    diagram.labels.append(ax.text(*xy, text, ha="center", va="center", fontsize=fontsize,
                                  color=color, zorder=5,
                                  bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                        "ec": "none", "alpha": 0.9}))


def _caption(ax, diagram: Diagram, xy: Point, text: str, va: str = "bottom",
             fontsize: float = 10, color: str = CAPTION_COLOR, **kwargs) -> None:
    diagram.labels.append(ax.text(*xy, text, ha="center", va=va, fontsize=fontsize, color=color,
                                  **kwargs))


def _dots(ax, diagram: Diagram, xy: Point, fontsize: float = 14) -> None:
    diagram.labels.append(ax.text(*xy, r"$\vdots$", ha="center", va="center", fontsize=fontsize,
                                  color=EDGE_COLOR))


def _frame(ax, xmin: float, xmax: float, ymin: float, ymax: float) -> None:
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.axis("off")


def _index_fontsize(index: int) -> float:
    """Smaller text for two-digit subscripts, so they still fit inside a circle."""
    return 12 if index < 10 else 9


def _number(value: float) -> str:
    return f"{value:.3g}"


def _subscript(symbol: str, i: int, n: int) -> str:
    """``x`` for a single input, ``x_{i}`` when there are several."""
    return symbol if n == 1 else f"{symbol}_{{{i}}}"


def _formula(n_inputs: int, weights: list[float] | None, bias: float | None) -> str:
    """The unit's equation in LaTeX, with numbers where they were given."""
    terms = []
    slots = shown_slots(n_inputs, 4)
    for i in slots:
        if i is None:
            terms.append(r"\dots")
            continue
        x = _subscript("x", i, n_inputs)
        w = _number(weights[i]) if weights is not None else _subscript("w", i, n_inputs)
        terms.append(f"{w}\\,{x}")
    terms.append(_number(bias) if bias is not None else "b")
    text = " + ".join(terms)
    return "$y = " + text.replace("+ -", "- ") + "$"


# Public drawings
# --------------------------------------------------------------------------------------------


def draw_unit(ax: Axes, n_inputs: int = 1, weights: Sequence[float] | None = None,
              bias: float | None = None, input_labels: Sequence[str] | None = None,
              output_label: str = "y", show_bias: bool = True, formula: bool = True,
              max_inputs: int = 6) -> Diagram:
    """Draw one linear unit: inputs, weighted arrows, the bias input "1", the sum, the output.

    ``weights`` and ``bias`` are numbers to print on the arrows (symbols ``w``, ``b`` if omitted).
    With more than ``max_inputs`` inputs, the middle ones are drawn as a vertical ellipsis.
    ``formula`` writes the unit's equation under the drawing.
    """
    fn = "draw_unit"
    _check_axes(ax, fn)
    n_inputs = _count(n_inputs, "n_inputs", fn)
    max_inputs = _count(max_inputs, "max_inputs", fn)
    weights = None if weights is None else _numbers(weights, n_inputs, "weights", fn)
    if bias is not None:
        if not isinstance(bias, numbers.Real) and np.ndim(bias) != 0:
            raise ValueError(f"{fn} expects bias to be one number, got {bias!r}")
        bias = float(bias)
    if input_labels is not None:
        input_labels = _texts(input_labels, n_inputs, "input_labels (one per input)", fn)

    diagram = Diagram()
    slots = shown_slots(n_inputs, max_inputs)
    rows = slots + (["bias"] if show_bias else [])
    ys = _column(len(rows), spacing=1.0)
    x_in, x_unit, x_out = 0.0, 3.2, 5.0
    r_in, r_unit, r_out = 0.3, 0.5, 0.3
    unit_y = float(np.mean(ys))

    for slot, y in zip(rows, ys, strict=True):
        if slot is None:
            _dots(ax, diagram, (x_in, y))
            continue
        if slot == "bias":
            _node(ax, diagram, (x_in, y), r_in, BIAS_COLOR, "$1$")
            label = _number(bias) if bias is not None else "$b$"
        else:
            name = input_labels[slot] if input_labels else f"${_subscript('x', slot, n_inputs)}$"
            _node(ax, diagram, (x_in, y), r_in, INPUT_COLOR, name, _index_fontsize(slot))
            symbol = f"${_subscript('w', slot, n_inputs)}$"
            label = _number(weights[slot]) if weights is not None else symbol
        segment = _arrow(ax, diagram, (x_in, y), (x_unit, unit_y), r_in, r_unit)
        _on_line(ax, diagram, segment, 0.42, label)

    _node(ax, diagram, (x_unit, unit_y), r_unit, UNIT_COLOR, r"$\Sigma$", fontsize=16)
    _arrow(ax, diagram, (x_unit, unit_y), (x_out, unit_y), r_unit, r_out)
    _node(ax, diagram, (x_out, unit_y), r_out, OUTPUT_COLOR, f"${output_label}$")

    top, bottom = ys[0] + 0.8, ys[-1] - 0.7
    _caption(ax, diagram, (x_in, top - 0.3), "inputs")
    _caption(ax, diagram, (x_unit, top - 0.3), "unit")
    _caption(ax, diagram, (x_out, top - 0.3), "output")
    if formula:
        bottom -= 0.6
        _caption(ax, diagram, ((x_in + x_out) / 2, bottom + 0.2),
                 _formula(n_inputs, weights, bias if show_bias else 0.0), va="center",
                 fontsize=13, color="black")
    _frame(ax, x_in - 0.8, x_out + 0.8, bottom - 0.2, top + 0.1)
    return diagram


def draw_dense_layer(ax: Axes, n_inputs: int, n_units: int, highlight: int | None = None,
                     show_bias: bool = True, max_shown: int = 8) -> Diagram:
    """Draw a dense layer: ``n_units`` units, each connected to the same ``n_inputs`` inputs.

    ``highlight`` (a unit index) colours one unit's connections and labels them with their
    weights ``W[i, j]`` and bias ``b[j]``: that unit alone is a linear unit. Layers wider than
    ``max_shown`` are drawn with a vertical ellipsis.
    """
    fn = "draw_dense_layer"
    _check_axes(ax, fn)
    n_inputs = _count(n_inputs, "n_inputs", fn)
    n_units = _count(n_units, "n_units", fn)
    max_shown = _count(max_shown, "max_shown", fn)
    if highlight is not None and (isinstance(highlight, bool)
                                  or not isinstance(highlight, numbers.Integral)
                                  or not 0 <= highlight < n_units):
        raise ValueError(f"{fn} expects highlight to be a unit index in 0..{n_units - 1} "
                         f"or None, got {highlight!r}")

    diagram = Diagram()
    in_rows = shown_slots(n_inputs, max_shown) + (["bias"] if show_bias else [])
    unit_rows = shown_slots(n_units, max_shown)
    in_ys = _column(len(in_rows), spacing=1.0)
    unit_ys = _column(len(unit_rows), spacing=1.0)
    x_in, x_unit, x_out = 0.0, 3.6, 5.7
    r_in, r_unit = 0.3, 0.36
    inputs = [(slot, y) for slot, y in zip(in_rows, in_ys, strict=True) if slot is not None]
    units = [(j, y) for j, y in zip(unit_rows, unit_ys, strict=True) if j is not None]

    # The highlighted unit's connections are drawn last so they sit on top of the grey ones.
    ordered = sorted(units, key=lambda item: item[0] == highlight)
    for j, uy in ordered:
        lit = j == highlight
        for slot, iy in inputs:
            segment = _arrow(ax, diagram, (x_in, iy), (x_unit, uy), r_in, r_unit,
                             color=HIGHLIGHT_COLOR if lit else LINE_COLOR,
                             lw=1.6 if lit else 0.9,
                             linestyle="--" if slot == "bias" else "-",
                             head=lit or len(inputs) <= 4)
            if lit:
                text = f"$b_{{{j}}}$" if slot == "bias" else f"$W_{{{slot},{j}}}$"
                _on_line(ax, diagram, segment, 0.3, text, color=HIGHLIGHT_COLOR, fontsize=10)

    for slot, y in zip(in_rows, in_ys, strict=True):
        if slot is None:
            _dots(ax, diagram, (x_in, y))
        elif slot == "bias":
            _node(ax, diagram, (x_in, y), r_in, BIAS_COLOR, "$1$")
        else:
            _node(ax, diagram, (x_in, y), r_in, INPUT_COLOR, f"$x_{{{slot}}}$",
                  _index_fontsize(slot))
    for j, y in zip(unit_rows, unit_ys, strict=True):
        if j is None:
            _dots(ax, diagram, (x_unit, y))
            _dots(ax, diagram, (x_out, y))
            continue
        edge = HIGHLIGHT_COLOR if j == highlight else EDGE_COLOR
        circle = _node(ax, diagram, (x_unit, y), r_unit, UNIT_COLOR, r"$\Sigma$", fontsize=13)
        circle.set_edgecolor(edge)
        ax.add_patch(FancyArrowPatch((x_unit + r_unit, y), (x_out - 0.3, y), arrowstyle="-|>",
                                     mutation_scale=11, color=LINE_COLOR, lw=1.1, zorder=2))
        diagram.connections.append(((x_unit + r_unit, y), (x_out - 0.3, y)))
        diagram.labels.append(ax.text(x_out, y, f"$y_{{{j}}}$", ha="center", va="center",
                                      fontsize=12))

    top = max(in_ys[0], unit_ys[0]) + 0.75
    bottom = min(in_ys[-1], unit_ys[-1]) - 0.6
    _caption(ax, diagram, (x_in, top - 0.25), f"{n_inputs} inputs")
    _caption(ax, diagram, (x_unit, top - 0.25), f"{n_units} units")
    _caption(ax, diagram, (x_out, top - 0.25), "outputs")
    _frame(ax, x_in - 0.7, x_out + 0.6, bottom, top + 0.15)
    return diagram


def draw_network(ax: Axes, layer_sizes: Sequence[int], labels: Sequence[str] | None = None,
                 activations: Sequence[str | None] | None = None,
                 max_units: int = 10) -> Diagram:
    """Draw a fully connected network: a column of circles per layer, every pair linked.

    ``layer_sizes`` starts with the number of inputs, e.g. ``[64, 32, 10]``. ``labels`` names
    each column (default "input", "hidden 1", ..., "output"); ``activations`` gives one name (or
    None) per layer after the input, written under its column. Layers with more than
    ``max_units`` units show their first and last units around a vertical ellipsis.
    """
    fn = "draw_network"
    _check_axes(ax, fn)
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise TypeError(f"{fn} expects layer_sizes to be a list of positive integers, "
                        f"got {layer_sizes!r}")
    sizes = [_count(n, "every layer size", fn) for n in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"{fn} expects at least 2 layer sizes (inputs and outputs), "
                         f"got {len(sizes)}: {list(layer_sizes)!r}")
    max_units = _count(max_units, "max_units", fn)
    if max_units < 3:
        raise ValueError(f"{fn} expects max_units to be at least 3, got {max_units}")
    if labels is None:
        labels = ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    labels = _texts(labels, len(sizes), "labels (one per layer size)", fn)
    if activations is not None:
        activations = _texts(activations, len(sizes) - 1,
                             "activations (one per layer after the input)", fn)

    diagram = Diagram()
    spacing_x = 3.0
    radius = 0.32
    columns = [shown_slots(n, max_units) for n in sizes]
    height = max(len(c) for c in columns)
    positions = []  # per layer: list of (x, y) of drawn circles
    for k, slots in enumerate(columns):
        x = k * spacing_x
        ys = _column(len(slots))
        positions.append([(x, y) for slot, y in zip(slots, ys, strict=True) if slot is not None])
        for slot, y in zip(slots, ys, strict=True):
            if slot is None:
                _dots(ax, diagram, (x, y))

    segments = []
    for left, right in pairwise(positions):
        segments.extend((a, b) for a in left for b in right)
    ax.add_collection(LineCollection(segments, colors=LINE_COLOR, linewidths=0.7, alpha=0.6,
                                     zorder=1))
    diagram.connections.extend(segments)

    last = len(sizes) - 1
    for k, column in enumerate(positions):
        color = INPUT_COLOR if k == 0 else OUTPUT_COLOR if k == last else UNIT_COLOR
        for xy in column:
            _node(ax, diagram, xy, radius, color)

    top = (height - 1) / 2 + radius
    bottom = -top
    for k, (n, label) in enumerate(zip(sizes, labels, strict=True)):
        x = k * spacing_x
        _caption(ax, diagram, (x, top + 0.35), str(label), fontsize=11, color="black")
        kind = "input" if k == 0 else "unit"
        _caption(ax, diagram, (x, bottom - 0.3), f"{n} {kind}{'s' if n > 1 else ''}", va="top")
        if activations is not None and k > 0 and activations[k - 1]:
            _caption(ax, diagram, (x, bottom - 1.0), str(activations[k - 1]), va="top",
                     style="italic")
    low = bottom - (1.7 if activations is not None else 1.0)
    _frame(ax, -1.2, last * spacing_x + 1.2, low, top + 1.1)
    return diagram
