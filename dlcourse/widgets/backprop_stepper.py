"""Explorer: backpropagation one node at a time, on the course's network formula (lesson 09).

Pure model: :class:`BackpropStepper` builds
``categorical_crossentropy(y, softmax(relu(x @ W1 + b1) @ W2 + b2))`` with dlcourse Tensors on a
tiny seeded batch, calls ``backward()`` once and ``dl.gradcheck`` once, and reads the graph the
engine recorded (``graph_drawing.trace``). Its steps replay what the engine did: forward, one
operation at a time (each value appears), then backward, one node at a time (each gradient
appears with the local rule that made it), then the check against central differences. Every
number shown is the engine's own.

Thin view: :func:`show_backprop_stepper` draws the graph with the values and gradients revealed
so far, and beside it the numbers of the current step; "back", "next" and a step slider move it.

    stepper = BackpropStepper()
    step = stepper.step(5)        # what the fifth step reveals, and the rule behind it
    stepper.check["W1"]           # gradcheck's analytic and numeric gradient of W1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlcourse.checks import positive_int, whole_number
from dlcourse.widgets.explorer import Explorer

FORMULA = "categorical_crossentropy(y, softmax(relu(x @ W1 + b1) @ W2 + b2))"
#: Names of the intermediate values, as lesson 09 writes them.
NAMES = ("x", "W1", "b1", "W2", "b2", "a1", "h", "z", "loss")


@dataclass(frozen=True)
class GraphNode:
    """One value of the recorded graph, with the engine's numbers."""

    index: int
    label: str          # "W1", "a1", "x@W1", ...
    op: str             # the engine's operation ("dot", "+", "relu", "crossentropy"); "" if given
    shape: tuple[int, ...]
    value: np.ndarray
    grad: np.ndarray | None  # d loss / d value from backward(); None for data (x)
    parents: tuple[int, ...]

    @property
    def kind(self) -> str:
        """"data" (x), "parameter" (learned) or "op" (computed)."""
        if self.op:
            return "op"
        return "parameter" if self.grad is not None else "data"


@dataclass(frozen=True)
class Step:
    """What one step reveals. Step 0 shows the given values only."""

    number: int
    phase: str          # "start", "forward", "backward" or "check"
    node: int | None    # the node whose value (forward) or gradient (backward) appears
    title: str          # one line: what happens
    rule: str           # the formula that produced the numbers
    values: frozenset   # indices of nodes whose value is shown
    grads: frozenset    # indices of nodes whose gradient is shown


def _matrix_text(shape) -> str:
    return "×".join(str(n) for n in shape) if shape else "one number"


class BackpropStepper:
    """The network formula on a small batch, computed by dlcourse and replayed step by step.

    ``n`` samples with ``n_features`` features, ``n_hidden`` hidden units, ``n_classes`` classes;
    the data and weights are drawn from ``seed``.
    """

    def __init__(self, n: int = 4, n_features: int = 3, n_hidden: int = 4, n_classes: int = 3,
                 seed: int = 0):
        import dlcourse as dl
        from dlcourse.graph_drawing import trace
        from dlcourse.tensor import graph_nodes

        n = positive_int(n, "n (samples)")
        n_features = positive_int(n_features, "n_features")
        n_hidden = positive_int(n_hidden, "n_hidden")
        n_classes = positive_int(n_classes, "n_classes", minimum=2)
        if n * max(n_features, n_classes) * n_hidden > 64:
            raise ValueError(f"the backprop stepper shows every number, so it keeps to small "
                             f"networks: n * max(n_features, n_classes) * n_hidden must be at "
                             f"most 64, got {n} * {max(n_features, n_classes)} * {n_hidden}")
        self.seed = positive_int(seed, "seed", minimum=0)
        rng = np.random.default_rng(seed)
        x = dl.Tensor(np.round(rng.normal(size=(n, n_features)), 2))
        self.labels = rng.integers(0, n_classes, size=n)
        y = dl.Tensor(np.eye(n_classes)[self.labels])
        W1 = dl.Tensor(np.round(rng.normal(size=(n_features, n_hidden)), 2), requires_grad=True)
        b1 = dl.Tensor(np.round(rng.normal(scale=0.1, size=n_hidden), 2), requires_grad=True)
        W2 = dl.Tensor(np.round(rng.normal(size=(n_hidden, n_classes)), 2), requires_grad=True)
        b2 = dl.Tensor(np.zeros(n_classes), requires_grad=True)

        # The formula, written in named pieces so the graph's boxes can carry the lesson's names.
        a1 = dl.dot(x, W1) + b1
        h = dl.relu(a1)
        z = dl.dot(h, W2) + b2
        p = dl.softmax(z)
        loss = dl.categorical_crossentropy(y, p)
        names = dict(zip(NAMES, (x, W1, b1, W2, b2, a1, h, z, loss), strict=True))
        graph = trace(loss, names=names)  # before backward(): the structure and the values
        tensors = graph_nodes(loss, constants=True)
        loss.backward()

        self.y = y.data
        self.probabilities = p.data
        self.parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
        nodes = []
        for node, tensor in zip(graph.nodes, tensors, strict=True):
            parents = tuple(graph.parents(node.index))
            # the two unnamed products are called by what they multiply: "x@W1", "h@W2"
            label = node.name or "@".join(nodes[i].label for i in parents)
            grad = None if tensor.grad is None else np.array(tensor.grad)
            nodes.append(GraphNode(node.index, label, node.op, node.shape, node.value, grad,
                                   parents))
        self.nodes = nodes
        self.edges = list(graph.edges)

        def network_loss(W1, b1, W2, b2):
            return dl.categorical_crossentropy(y, dl.softmax(dl.relu(x @ W1 + b1) @ W2 + b2))

        self.check = dl.gradcheck(network_loss, W1, b1, W2, b2,
                                  names=["W1", "b1", "W2", "b2"])
        self.steps = self._steps()

    # -- the model's questions -----------------------------------------------------------------
    def node(self, label: str) -> GraphNode:
        """The node called ``label`` ("W1", "h", "loss", ...)."""
        for node in self.nodes:
            if node.label == label:
                return node
        raise KeyError(f"no node {label!r}; the graph has {[n.label for n in self.nodes]}")

    def children(self, index: int) -> list[int]:
        return [child for parent, child in self.edges if parent == index]

    def local_gradient(self, index: int) -> np.ndarray:
        """Node ``index``'s gradient recomputed from its users' gradients by the local rules the
        lesson's table lists (what each step says made it); it equals the engine's."""
        total = np.zeros(self.nodes[index].shape)
        for child in self.children(index):
            total = total + self._through(child, index)
        return total

    def _through(self, child_index: int, index: int) -> np.ndarray:
        child = self.nodes[child_index]
        G = child.grad
        position = child.parents.index(index)
        other = self.nodes[child.parents[1 - position]].value if len(child.parents) == 2 else None
        if child.op == "crossentropy":
            return G * (self.probabilities - self.y) / len(self.y)
        if child.op == "+":
            return G if self.nodes[index].shape == child.shape else G.sum(axis=0)
        if child.op == "dot":
            return G @ other.T if position == 0 else other.T @ G
        if child.op == "relu":
            return G * (self.nodes[index].value > 0)
        raise NotImplementedError(f"no local rule for {child.op!r}")

    def _rule(self, index: int) -> str:
        node = self.nodes[index]
        if node.label == "loss":
            return "d loss / d loss = 1: where every backward pass starts"
        child = self.nodes[self.children(index)[0]]
        G = f"grad({child.label})"
        position = child.parents.index(index)
        other = self.nodes[child.parents[1 - position]].label if len(child.parents) == 2 else ""
        if child.op == "crossentropy":
            return (f"softmax and cross-entropy together: grad({node.label}) = "
                    f"(softmax({node.label}) − y) / n  =  (p − y) / {len(self.y)}")
        if child.op == "+":
            if node.shape != child.shape:
                return (f"+ rule: {node.label} was added to every row, so grad({node.label}) = "
                        f"{G} summed over the rows")
            return f"+ rule: the gradient passes through unchanged, grad({node.label}) = {G}"
        if child.op == "dot":
            if position == 0:
                return f"dot rule: grad({node.label}) = {G} @ {other}ᵀ"
            return f"dot rule: grad({node.label}) = {other}ᵀ @ {G}"
        if child.op == "relu":
            return (f"relu rule: grad({node.label}) = {G} where {node.label} > 0, "
                    "and 0 elsewhere")
        raise NotImplementedError(child.op)

    def _forward_rule(self, node: GraphNode) -> str:
        a = [self.nodes[p].label for p in node.parents]
        if node.op == "dot":
            return f"{node.label} = {a[0]} @ {a[1]}"
        if node.op == "+":
            return f"{node.label} = {a[0]} + {a[1]}" + (" (b added to every row)")
        if node.op == "relu":
            return f"{node.label} = max(0, {a[0]})"
        if node.op == "crossentropy":
            return (f"loss = −mean over samples of Σ y·log p, with p = softmax({a[0]}) "
                    "(computed together, from the scores)")
        return node.op

    def _steps(self) -> list[Step]:
        given = frozenset(n.index for n in self.nodes if not n.op)
        steps = [Step(0, "start", None, "the given values: data x and parameters W1, b1, W2, b2",
                      FORMULA, given, frozenset())]
        shown = set(given)
        for node in self.nodes:
            if node.op:
                shown.add(node.index)
                steps.append(Step(len(steps), "forward", node.index,
                                  f"forward: compute {node.label} "
                                  f"({_matrix_text(node.shape)})",
                                  self._forward_rule(node), frozenset(shown), frozenset()))
        grads: set[int] = set()
        for node in reversed(self.nodes):
            if node.grad is None:
                continue
            grads.add(node.index)
            steps.append(Step(len(steps), "backward", node.index,
                              f"backward: gradient of {node.label} ({_matrix_text(node.shape)})",
                              self._rule(node.index), frozenset(shown), frozenset(grads)))
        worst = self.check.max_relative_error
        steps.append(Step(len(steps), "check", None,
                          "check: backward() against central differences",
                          f"(L(w + ε) − L(w − ε)) / 2ε for every weight; largest relative "
                          f"error {worst:.1e}", frozenset(shown), frozenset(grads)))
        return steps

    def step(self, number: int) -> Step:
        """Step ``number``, from 0 (nothing computed) to ``len(stepper.steps) - 1`` (the check)."""
        return self.steps[whole_number(number, "step", 0, len(self.steps) - 1)]

    def describe(self, number: int) -> str:
        """Step ``number`` in words: what a screen reader announces."""
        step = self.step(number)
        parts = [f"Step {step.number} of {len(self.steps) - 1}: {step.title}. {step.rule}."]
        if step.node is not None:
            node = self.nodes[step.node]
            numbers = node.value if step.phase == "forward" else node.grad
            what = "value" if step.phase == "forward" else "gradient"
            parts.append(f"Its {what}: {_numbers(numbers)}.")
            if step.phase == "backward" and node.label in self.parameters:
                c = self.check[node.label]
                parts.append(f"Central differences give {_numbers(c.numeric)}; largest relative "
                             f"error {c.max_relative_error:.1e}.")
        if step.phase == "check":
            parts += [f"{c.name}: largest relative error {c.max_relative_error:.1e}"
                      f" ({'ok' if c.passed else 'wrong'})." for c in self.check.inputs]
        parts.append(f"Shown: values of {_labels(self, step.values)}"
                     + (f"; gradients of {_labels(self, step.grads)}." if step.grads else "."))
        return " ".join(parts)


def _labels(stepper: BackpropStepper, indices) -> str:
    return ", ".join(stepper.nodes[i].label for i in sorted(indices))


def _numbers(values) -> str:
    a = np.asarray(values, dtype=float)
    if a.ndim == 0:
        return f"{a.item():.3g}"
    rows = a.reshape(-1, a.shape[-1])
    return "; ".join("[" + ", ".join(f"{v:.3g}" for v in row) + "]" for row in rows)


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------

KIND_COLORS = {"data": "#e8e8e8", "parameter": "#fde2c4", "op": "#dbe9f6"}
CURRENT_EDGE = "#d62728"
GRAD_COLOR = "#b2182b"
BOX_W, BOX_H = 0.9, 0.86


def _positions(stepper: BackpropStepper) -> dict[int, tuple[float, float]]:
    """Operations and the data on one row, left to right in the order they are computed; each
    parameter under the operation that uses it."""
    from dlcourse.graph_drawing import Graph, layout

    columns = layout(Graph(list(stepper.nodes), list(stepper.edges)))
    return {node.index: (columns[node.index][0], 1.0 if node.kind == "parameter" else 0.0)
            for node in stepper.nodes}


class BackpropStepperExplorer(Explorer):
    """Back / next buttons and a step slider over the graph and the current step's numbers.

    Attributes: ``stepper`` (the model), ``slider`` (IntSlider), ``back``, ``next``,
    ``restart`` (Buttons); ``state`` is the :class:`Step` on display.
    """

    TITLE = "backprop stepper"
    PARAMS = ("step",)
    FIGSIZE = (9.6, 5.4)

    def __init__(self, stepper: BackpropStepper, step: int = 0):
        self.stepper = stepper
        super().__init__(step=step)
        self.slider = self.controls["step"]
        self._sync_buttons()

    @property
    def current(self) -> Step:
        return self.state

    def check(self, params: dict) -> dict:
        return {"step": self.stepper.step(params.get("step", 0)).number}

    def compute(self, params) -> Step:
        return self.stepper.step(params["step"])

    def refresh(self, state=None):
        state = super().refresh(state)
        self._sync_buttons()
        return state

    def _sync_buttons(self) -> None:
        if hasattr(self, "next"):
            self.back.disabled = self.state.number == 0
            self.next.disabled = self.state.number == len(self.stepper.steps) - 1

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        return {"step": widgets.IntSlider(value=self.params["step"], min=0,
                                          max=len(self.stepper.steps) - 1, description="step",
                                          continuous_update=True)}

    def extra_rows(self) -> list:
        import ipywidgets as widgets

        from dlcourse.widgets.controls import controls_row

        last = len(self.stepper.steps) - 1
        self.back = widgets.Button(description="◀ back", tooltip="one step back")
        self.next = widgets.Button(description="next ▶", tooltip="one step on",
                                   button_style="primary")
        self.restart = widgets.Button(description="start again", tooltip="back to step 0")
        self.back.on_click(lambda _: self.update(step=max(0, self.state.number - 1)))
        self.next.on_click(lambda _: self.update(step=min(last, self.state.number + 1)))
        self.restart.on_click(lambda _: self.update(step=0))
        return [controls_row([self.back, self.next, self.restart])]

    def describe(self, step: Step) -> str:
        return self.stepper.describe(step.number)

    # -- drawing ---------------------------------------------------------------------------------
    def build(self, fig) -> list:
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

        fig.set_layout_engine("none")  # axes placed by hand below
        ax = self.graph_ax = fig.add_axes((0.01, 0.43, 0.98, 0.5))
        ax.axis("off")
        positions = _positions(self.stepper)
        xs = [x for x, _ in positions.values()]
        ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
        ax.set_ylim(1.55, -0.55)  # row 0 on top
        self.arrows = {}
        for parent, child in self.stepper.edges:
            (x0, y0), (x1, y1) = positions[parent], positions[child]
            # along the row into the left side; from a parameter below into the bottom
            end = (x1 - BOX_W / 2, y1) if y0 == y1 else (x1 - BOX_W / 4, y1 + BOX_H / 2)
            arrow = FancyArrowPatch((x0 + BOX_W / 2, y0), end, arrowstyle="-|>",
                                    mutation_scale=12, color="#555555", lw=1.2, shrinkA=0, zorder=2,
                                    shrinkB=1)
            ax.add_patch(arrow)
            self.arrows[parent, child] = arrow
        self.boxes, self.value_texts, self.grad_texts = {}, {}, {}
        for node in self.stepper.nodes:
            x, y = positions[node.index]
            self.boxes[node.index] = ax.add_patch(FancyBboxPatch(
                (x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H,
                boxstyle="round,pad=0,rounding_size=0.05", facecolor=KIND_COLORS[node.kind],
                edgecolor="#444444", lw=1.0))
            title = node.label if not node.op or node.label == node.op else (
                f"{node.label}: {node.op}" if node.op != "crossentropy" else "loss")
            ax.text(x, y - 0.3, title, ha="center", va="center", fontsize=10,
                    fontweight="bold")
            ax.text(x, y - 0.12, _matrix_text(node.shape), ha="center", va="center", fontsize=9)
            self.value_texts[node.index] = ax.text(x, y + 0.08, "", ha="center", va="center",
                                                   fontsize=9)
            self.grad_texts[node.index] = ax.text(x, y + 0.28, "", ha="center", va="center",
                                                  fontsize=9, color=GRAD_COLOR)
        # One frame moves to the current node (the boxes themselves stay in the background).
        self.positions = positions
        self.highlight = ax.add_patch(FancyBboxPatch(
            (0, 0), BOX_W, BOX_H, boxstyle="round,pad=0,rounding_size=0.05", fill=False,
            edgecolor=CURRENT_EDGE, lw=3.0, zorder=4, visible=False))
        fig.text(0.01, 0.985, FORMULA, ha="left", va="top", fontsize=10, family="monospace")
        self.step_title = fig.text(0.01, 0.37, "", ha="left", va="top", fontsize=11,
                                   fontweight="bold")
        self.rule_text = fig.text(0.01, 0.30, "", ha="left", va="top", fontsize=10, wrap=True)
        largest = max(max(n.value.size, 1) for n in self.stepper.nodes)
        self.numbers = _Heatmap(fig.add_axes((0.43, 0.04, 0.25, 0.28)), largest)
        self.beside = _Heatmap(fig.add_axes((0.73, 0.04, 0.25, 0.28)), largest)
        self.agree_ax = fig.add_axes((0.5, 0.08, 0.22, 0.2))
        _agreement(self.agree_ax, self.stepper.check)
        # Box titles, shapes and the formula stay; the rest is redrawn over a cached background.
        return [*self.arrows.values(), self.highlight, *self.value_texts.values(),
                *self.grad_texts.values(), self.step_title, self.rule_text,
                self.numbers.ax, self.beside.ax, self.agree_ax]

    def draw(self, step: Step) -> None:
        from dlcourse.graph_drawing import summarize

        stepper = self.stepper
        for node in stepper.nodes:
            i = node.index
            self.value_texts[i].set_text(f"value {summarize(node.value)}" if i in step.values
                                         else "value ?")
            self.value_texts[i].set_alpha(1.0 if i in step.values else 0.55)
            self.grad_texts[i].set_text(f"grad {summarize(node.grad)}" if i in step.grads
                                        else "")
        self.highlight.set_visible(step.node is not None)
        if step.node is not None:
            x, y = self.positions[step.node]
            self.highlight.set_bounds(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H)
        for (parent, _child), arrow in self.arrows.items():
            # while going backward, the arrows the gradient has flowed along turn red
            flowed = step.phase in ("backward", "check") and parent in step.grads
            arrow.set_color(GRAD_COLOR if flowed else "#555555")
        self.step_title.set_text(f"step {step.number} of {len(stepper.steps) - 1}: {step.title}")
        self.rule_text.set_text(_wrapped(step.rule, 52))
        self._draw_numbers(step)

    def _draw_numbers(self, step: Step) -> None:
        stepper = self.stepper
        self.agree_ax.set_visible(step.phase == "check")
        self.numbers.show(None)
        self.beside.show(None)
        if step.phase == "check":
            return
        if step.node is None:
            self.numbers.show(stepper.nodes[0].value, "x (the data)")
            return
        node = stepper.nodes[step.node]
        if step.phase == "forward":
            self.numbers.show(node.value, f"value of {node.label}")
            if node.op == "crossentropy":
                self.beside.show(stepper.probabilities, "p = softmax(z)")
            return
        self.numbers.show(node.grad, f"grad({node.label}) from backward()", GRAD_COLOR)
        if node.label in stepper.parameters:
            c = stepper.check[node.label]
            self.beside.show(c.numeric, f"central differences (gradcheck)\n"
                                        f"relative error {c.max_relative_error:.0e}")


def _wrapped(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


class _Heatmap:
    """A grid of coloured cells with their numbers, drawn once and refilled for each array."""

    def __init__(self, ax, largest: int):
        ax.set_xticks([])
        ax.set_yticks([])
        self.ax = ax
        self.image = ax.imshow(np.zeros((1, 1)), cmap="RdBu_r", aspect="auto",
                               interpolation="nearest")
        self.texts = [ax.text(0, 0, "", ha="center", va="center", fontsize=8)
                      for _ in range(largest)]
        self.title = ax.set_title("", fontsize=9)

    def show(self, values, title: str = "", title_color: str = "black") -> None:
        """Show ``values`` (None hides the panel)."""
        self.ax.set_visible(values is not None)
        if values is None:
            return
        values = np.asarray(values, dtype=float)
        grid = values.reshape(1, -1) if values.ndim < 2 else values
        limit = float(np.abs(grid).max()) or 1.0
        rows, cols = grid.shape
        self.image.set_data(grid)
        self.image.set_clim(-limit, limit)
        self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        self.ax.set_xlim(-0.5, cols - 0.5)
        self.ax.set_ylim(rows - 0.5, -0.5)
        for k, text in enumerate(self.texts):
            text.set_visible(k < grid.size)
            if k < grid.size:
                r, c = divmod(k, cols)
                v = grid[r, c]
                text.set_position((c, r))
                text.set_text(f"{v:.2g}" if abs(v) >= 0.01 or v == 0 else f"{v:.0e}")
                text.set_color("white" if abs(v) > 0.6 * limit else "black")
        self.title.set_text(title)
        self.title.set_color(title_color)


def _agreement(ax, report) -> None:
    """Every gradient entry: backward() against central differences, on the diagonal."""
    for c, marker in zip(report.inputs, "os^D", strict=False):
        ax.scatter(c.numeric.ravel(), c.analytic.ravel(), marker=marker, s=22,
                   label=f"{c.name}: error {c.max_relative_error:.0e}")
    low = min(float(c.numeric.min()) for c in report.inputs)
    high = max(float(c.numeric.max()) for c in report.inputs)
    ax.plot([low, high], [low, high], color="gray", lw=1, zorder=0)
    ax.set_xlabel("central differences", fontsize=9)
    ax.set_ylabel("backward()", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)


def show_backprop_stepper(step: int = 0, seed: int = 0,
                          display: bool = True) -> BackpropStepperExplorer:
    """Show the backprop stepper and return it (``.update(step=10)`` drives it from code)."""
    explorer = BackpropStepperExplorer(BackpropStepper(seed=seed), step)
    if display:
        explorer.show()
    return explorer
