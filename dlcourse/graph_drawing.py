"""Computational graphs made visible: ``trace`` reads one, ``draw_graph`` draws it.

``trace(loss)`` walks back from a Tensor through ``._parents`` and ``.op`` and returns every value
that went into it (its name or operation, shape, a short summary of its numbers and, after
``backward()``, of its gradient) and the edges between them. It is pure numpy; only
``draw_graph`` imports matplotlib, and it draws the trace left to right, inputs first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from dlcourse.tensor import Tensor, graph_nodes

COMMUTATIVE = {"+", "*"}


@dataclass
class Node:
    """One value in the graph: an input, a parameter, a constant or the result of an operation."""

    index: int
    label: str  # what a box shows first: the name if any, else the operation ("* 3"), or "const"
    op: str  # "" for values that were given rather than computed
    operation: str  # the op with folded constants, e.g. "* 3" ("" for given values)
    name: str | None
    shape: tuple[int, ...]
    value: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    value_summary: str
    grad_summary: str | None

    @property
    def kind(self) -> str:
        """"op" (computed), "parameter" (given, learns) or "constant" (given, fixed)."""
        if self.op:
            return "op"
        return "parameter" if self.requires_grad else "constant"


@dataclass
class Graph:
    """``nodes`` in topological order (each after its inputs, the traced tensor last);
    ``edges`` as (input index, result index) pairs."""

    nodes: list[Node]
    edges: list[tuple[int, int]] = field(default_factory=list)

    @property
    def output(self) -> Node:
        return self.nodes[-1]

    def ops(self) -> list[str]:
        """The operations, in the order they were computed."""
        return [n.op for n in self.nodes if n.op]

    def parents(self, index: int) -> list[int]:
        return [a for a, b in self.edges if b == index]

    def children(self, index: int) -> list[int]:
        return [b for a, b in self.edges if a == index]

    def __len__(self) -> int:
        return len(self.nodes)


def summarize(array, digits: int = 2) -> str:
    """A few characters that describe an array: the number, the numbers, or their range."""
    a = np.asarray(array, dtype=float) + 0.0  # + 0.0 turns -0.0 into 0.0
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return f"{a.item():.{digits + 1}g}"
    if a.size <= 2:
        return "[" + ", ".join(f"{v:.{digits}g}" for v in a.ravel()) + "]"
    return f"{a.min():.{digits}g} … {a.max():.{digits}g}"


def trace(tensor: Tensor, names: Mapping[str, object] | None = None,
          fold_constants: bool = True) -> Graph:
    """The computational graph that produced ``tensor``.

    Parameters
    ----------
    tensor : the result to trace back from (typically a loss), computed from at least one Tensor
        with ``requires_grad=True`` so that its graph was recorded.
    names : optional ``{"W1": W1, ...}`` to label values. A value matches when it is that Tensor,
        or holds the very same array (so a ``y_true`` a loss wrapped into a new Tensor is found
        too). Tensors created with ``name=`` are labelled by it without this.
    fold_constants : if True, unnamed single-number constants (the ``3`` in ``3 * x``) are shown
        inside their operation's label (``* 3``) instead of as nodes of their own.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"trace expects a dlcourse Tensor, got {type(tensor).__name__}")
    if tensor.op and not tensor._parents:
        raise ValueError(
            f"trace: this tensor is the result of '{tensor.op}' but its graph was not recorded: "
            "compute it from a Tensor with requires_grad=True, outside no_grad()"
        )
    lookup = _name_lookup(names)
    order = graph_nodes(tensor, constants=True)

    def name_of(t: Tensor) -> str | None:
        return lookup.get(id(t)) or lookup.get(id(t.data)) or t.name

    folded = {
        id(t) for t in order
        if fold_constants and not t.op and not t.requires_grad and t.size == 1 and not name_of(t)
    }
    kept = [t for t in order if id(t) not in folded]
    index = {id(t): i for i, t in enumerate(kept)}
    nodes, edges = [], []
    for i, t in enumerate(kept):
        name = name_of(t)
        operation = _operation_text(t, folded) if t.op else ""
        nodes.append(Node(
            index=i, label=name or operation or "const", op=t.op, operation=operation, name=name,
            shape=tuple(t.shape),
            value=t.data, grad=t.grad, requires_grad=t.requires_grad,
            value_summary=summarize(t.data),
            grad_summary=None if t.grad is None else summarize(t.grad),
        ))
        edges.extend((index[id(p)], i) for p in t._parents if id(p) in index)
    return Graph(nodes, edges)


def _name_lookup(names) -> dict[int, str]:
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(
            f"names must be a mapping like {{'W1': W1}}, got {type(names).__name__}"
        )
    lookup = {}
    for label, value in names.items():
        if not isinstance(label, str):
            raise TypeError(f"names must map strings to tensors, got the key {label!r}")
        if isinstance(value, Tensor):
            lookup[id(value)] = label
            lookup.setdefault(id(value.data), label)
        elif isinstance(value, np.ndarray):
            lookup[id(value)] = label
        else:
            raise TypeError(
                f"names[{label!r}] must be a Tensor or ndarray, got {type(value).__name__}"
            )
    return lookup


def _operation_text(t: Tensor, folded: set[int]) -> str:
    """The op with its folded constants: "* 3", "1 -", "relu"."""
    text = t.op
    for position, parent in enumerate(t._parents):
        if id(parent) in folded:
            constant = f"{parent.data.item():g}"
            first = position == 0 and t.op not in COMMUTATIVE
            text = f"{constant} {text}" if first else f"{text} {constant}"
    return text


# -- layout (pure) --------------------------------------------------------------------------------
def layout(graph: Graph, sweeps: int = 8) -> dict[int, tuple[float, float]]:
    """(column, row) of every node: results one column right of their latest input, given values
    just left of their first use, rows chosen to keep edges short and straight."""
    n = len(graph)
    column = [0] * n
    for node in graph.nodes:
        parents = graph.parents(node.index)
        if parents and node.op:
            column[node.index] = 1 + max(column[p] for p in parents)
    for node in reversed(graph.nodes):
        children = graph.children(node.index)
        if not node.op and children:
            column[node.index] = min(column[c] for c in children) - 1
    shift = min(column)
    column = [c - shift for c in column]

    by_column: dict[int, list[int]] = {}
    for i in range(n):
        by_column.setdefault(column[i], []).append(i)
    row = [0.0] * n
    for members in by_column.values():
        for k, i in enumerate(members):
            row[i] = k - (len(members) - 1) / 2
    neighbours = [graph.parents(i) + graph.children(i) for i in range(n)]
    columns = sorted(by_column)
    for sweep in range(sweeps):
        for c in columns if sweep % 2 == 0 else reversed(columns):
            members = by_column[c]
            wanted = {i: np.mean([row[j] for j in neighbours[i]]) if neighbours[i] else row[i]
                      for i in members}
            ordered = sorted(members, key=lambda i: (wanted[i], i))
            placed: list[float] = []
            for i in ordered:
                placed.append(wanted[i] if not placed else max(wanted[i], placed[-1] + 1.0))
            offset = np.mean([wanted[i] - y for i, y in zip(ordered, placed)])
            for i, y in zip(ordered, placed):
                row[i] = float(y + offset)
    return {i: (float(column[i]), row[i]) for i in range(n)}


# -- drawing --------------------------------------------------------------------------------------
COLORS = {"op": "#dbe9f6", "parameter": "#fde2c4", "constant": "#e8e8e8", "output": "#d5efd5"}
GRAD_COLOR = "#b03020"  # dark enough for small text on the light boxes (contrast above 4.5:1)
FONT_SIZE = 9.5  # points; at 100 dpi, shown pixel for pixel (96 px per inch), 9.9 pt on screen
DPI = 100
ROW_INCHES = 1.15
PAD_INCHES = 0.08  # free space between a box's longest line and its border, each side
GAP_INCHES = 0.28  # between two boxes of neighbouring columns, room for the arrow


def box_lines(node: Node, is_output: bool = False) -> list[tuple[str, str, str]]:
    """The lines of text one box shows: (text, colour, style)."""
    lines = [(node.label, "black", "bold")]
    if node.name and node.op:
        lines.append((node.operation, "#333333", "italic"))
    lines += [(f"shape {node.shape}", "#333333", "normal"),
              (f"value {_tight(node.value_summary)}", "black", "normal")]
    if node.grad_summary is not None:
        lines.append((f"grad {_tight(node.grad_summary)}", GRAD_COLOR, "normal"))
    return lines


def _tight(summary: str) -> str:
    return summary.replace(" … ", "…")  # a range without its spaces: narrower boxes


def text_inches(text: str, fontsize: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of ``text`` when drawn, in inches (measured with matplotlib's own font metrics)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    font = FontProperties(size=fontsize, weight="bold" if bold else "normal")
    return TextPath((0, 0), text, prop=font).get_extents().width / 72.0


def draw_graph(tensor, ax=None, names: Mapping[str, object] | None = None):
    """Draw the graph of ``tensor`` (or a ``Graph`` from ``trace``) left to right; return the Axes.

    One box per value: its name or operation, its shape, its values (``value``) and, once
    ``backward()`` has run, its gradient (``grad``, in red). Arrows go from inputs to results.
    Parameters are orange, fixed inputs grey, operations blue, the traced result green. Boxes are
    as wide as their longest line, so no number spills out, and text is 10 pt at 100 dpi.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    graph = tensor if isinstance(tensor, Graph) else trace(tensor, names=names)
    if names is not None and isinstance(tensor, Graph):
        raise ValueError("draw_graph: give names to trace(), not with an already traced Graph")
    positions = {i: (x, -y) for i, (x, y) in layout(graph).items()}  # first rows on top
    lines = {n.index: box_lines(n) for n in graph.nodes}
    widest = max(text_inches(text, bold=style == "bold")
                 for node_lines in lines.values() for text, _, style in node_lines)
    box_inches = widest + 2 * PAD_INCHES
    column_inches = box_inches + GAP_INCHES
    box_width = box_inches / column_inches            # in column units
    most_lines = max(len(v) for v in lines.values())
    box_height = min(0.92, (most_lines * 1.35 * FONT_SIZE / 72 + 0.12) / ROW_INCHES)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    n_columns, n_rows = max(xs) - min(xs) + 1, max(ys) - min(ys) + 1
    if ax is None:
        height = max(2.2, ROW_INCHES * n_rows + 0.7)
        fig, ax = plt.subplots(figsize=(max(3.0, column_inches * n_columns), height), dpi=DPI)
        # the axes fill the width, so a box is exactly as wide in inches as it was sized for;
        # the bottom margin holds the legend
        fig.subplots_adjust(left=0, right=1, top=1 - 0.05 / height, bottom=0.7 / height)

    for parent, child in graph.edges:
        (x0, y0), (x1, y1) = positions[parent], positions[child]
        ax.add_patch(FancyArrowPatch(
            (x0 + box_width / 2, y0), (x1 - box_width / 2, y1), arrowstyle="-|>",
            mutation_scale=12, color="#555555", linewidth=1.1, shrinkA=1, shrinkB=1,
            connectionstyle="arc3,rad=0" if y0 == y1 else "arc3,rad=0.08", gid="edge",
        ))
    for node in graph.nodes:
        x, y = positions[node.index]
        kind = "output" if node is graph.output else node.kind
        ax.add_patch(FancyBboxPatch(
            (x - box_width / 2, y - box_height / 2), box_width, box_height,
            boxstyle="round,pad=0,rounding_size=0.06", facecolor=COLORS[kind],
            edgecolor="#444444", linewidth=1.0, gid=f"node {node.index}",
        ))
        node_lines = lines[node.index]
        step = box_height / (len(node_lines) + 0.4)
        for k, (text, color, style) in enumerate(node_lines):
            ax.text(x, y + box_height / 2 - step * (k + 0.7), text, ha="center", va="center",
                    fontsize=FONT_SIZE, color=color, clip_on=False,
                    fontweight="bold" if style == "bold" else "normal",
                    fontstyle="italic" if style == "italic" else "normal")

    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_aspect("auto")
    ax.axis("off")
    kinds = sorted({"output" if n is graph.output else n.kind for n in graph.nodes},
                   key=list(COLORS).index)
    ax.legend(handles=[Patch(facecolor=COLORS[k], edgecolor="#444444", label=k) for k in kinds],
              loc="upper left", bbox_to_anchor=(0, 0), ncol=len(kinds), fontsize=FONT_SIZE,
              frameon=False)
    if any(node.grad_summary is not None for node in graph.nodes):
        ax.annotate("value: forward pass    grad: d(output)/d(value), from backward()",
                    xy=(0, 0), xycoords="axes fraction", xytext=(4, -24),
                    textcoords="offset points", ha="left", va="top", fontsize=FONT_SIZE,
                    color=GRAD_COLOR)
    return ax
