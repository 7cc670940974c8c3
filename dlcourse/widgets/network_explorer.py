"""Explorer: how width and depth change what a small network can learn (lesson 05).

A fully connected network of ``depth`` hidden layers of ``width`` ReLU units and one sigmoid
output is trained on a two-class set of 2-D points (moons or spirals) with full-batch SGD and
momentum; the explorer shows its predicted probability over the plane (the decision boundary is
where it crosses 0.5) and its training loss. Every training is seeded, so a setting always gives
the same network, and results are cached: moving back to a setting is instant. In a notebook the
settings one notch away are trained while the learner looks at the figure, so the next move is
usually instant too.

    result = train_network("spirals", width=16, depth=3)
    result.accuracy, result.probability.shape     # training accuracy, (GRID, GRID)
    show_network_explorer()                       # in a notebook
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache

import numpy as np

import dlcourse as dl
from dlcourse.checks import one_of, whole_number
from dlcourse.widgets.explorer import Explorer

DATASETS = ("moons", "spirals")
WIDTHS = (2, 4, 8, 16, 32)
DEPTHS = (1, 2, 3, 4)
N_POINTS = 200
STEPS = 300
LEARNING_RATE = 0.1
MOMENTUM = 0.9
GRID = 70
DTYPE = np.float32


@dataclass(frozen=True)
class TrainedNetwork:
    """What the explorer draws for one (dataset, width, depth)."""

    dataset: str
    width: int
    depth: int
    model: dl.Sequential
    x: np.ndarray            # (N_POINTS, 2) training inputs
    y: np.ndarray            # (N_POINTS,) labels 0 / 1
    grid_x: np.ndarray       # (GRID,) first coordinate of the grid
    grid_y: np.ndarray       # (GRID,) second coordinate
    probability: np.ndarray  # (GRID, GRID) predicted probability of class 1; rows follow grid_y
    losses: np.ndarray       # (STEPS,) training loss after each step
    accuracy: float          # fraction of training points on the right side

    @property
    def n_parameters(self) -> int:
        return sum(p.size for p in self.model.parameters())


def _check(dataset, width, depth) -> tuple[str, int, int]:
    one_of(dataset, "dataset", DATASETS)
    for name, value, allowed in (("width", width, WIDTHS), ("depth", depth, DEPTHS)):
        one_of(whole_number(value, name), name, allowed)
    return dataset, int(width), int(depth)


def build_network(width: int, depth: int, seed: int = 0) -> dl.Sequential:
    """``depth`` hidden Dense+ReLU layers of ``width`` units on 2 inputs, then one sigmoid unit."""
    layers, n_inputs = [], 2
    for i in range(depth):
        layers.append(dl.Dense(n_inputs, width, activation="relu", seed=seed + i))
        n_inputs = width
    layers.append(dl.Dense(n_inputs, 1, activation="sigmoid", seed=seed + depth))
    return dl.Sequential(layers)


def load_points(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """The explorer's training set: 200 seeded points of ``dl.datasets.moons`` or ``spirals``."""
    one_of(dataset, "dataset", DATASETS)
    return getattr(dl.datasets, dataset)(n=N_POINTS, seed=0)


def grid_axes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid coordinates covering the points with a margin."""
    lo, hi = x.min(axis=0) - 0.4, x.max(axis=0) + 0.4
    return np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)


@cache
def train_network(dataset: str, width: int, depth: int) -> TrainedNetwork:
    """Train (once; later calls return the cached result) and evaluate on a grid."""
    dataset, width, depth = _check(dataset, width, depth)
    x, y = load_points(dataset)
    # float32: the learner waits for this training the first time a setting is shown, and
    # single precision makes the widest networks nearly twice as fast (same boundaries).
    inputs, targets = x.astype(DTYPE), y.reshape(-1, 1).astype(DTYPE)
    model = build_network(width, depth).to(DTYPE)
    optimizer = dl.SGD(model.parameters(), learning_rate=LEARNING_RATE, momentum=MOMENTUM)
    losses = np.array([dl.train_step(model, inputs, targets, dl.binary_crossentropy, optimizer)
                       for _ in range(STEPS)], dtype=float)
    gx, gy = grid_axes(x)
    mesh = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2).astype(DTYPE)
    probability = dl.predict(model, mesh).reshape(GRID, GRID).astype(float)
    accuracy = dl.accuracy(y, dl.predict(model, inputs))
    return TrainedNetwork(dataset, width, depth, model, x, y, gx, gy, probability, losses,
                          accuracy)


# --------------------------------------------------------------------------------------------
# View
# --------------------------------------------------------------------------------------------

LEVELS = np.linspace(0.0, 1.0, 11)
CLASS_COLORS = ("#2166ac", "#b2182b")  # ends of the RdBu colour map: class 0 blue, class 1 red
PREFETCH_DELAY = 0.1  # seconds of quiet after a move before neighbours are trained


class NetworkExplorer(Explorer):
    """Controls for data set, width and depth; left the decision boundary, right the loss."""

    TITLE = "network explorer"
    PARAMS = ("dataset", "width", "depth")
    FIGSIZE = (9.0, 4.0)

    def __init__(self, dataset: str = "spirals", width: int = 8, depth: int = 2):
        self._prefetch = None
        self.fill = self.boundary = None
        super().__init__(dataset=dataset, width=width, depth=depth)
        self.dataset_menu = self.controls["dataset"]
        self.width_slider = self.controls["width"]
        self.depth_slider = self.controls["depth"]

    dataset = property(lambda self: self.params["dataset"])
    width = property(lambda self: self.params["width"])
    depth = property(lambda self: self.params["depth"])

    @property
    def result(self) -> TrainedNetwork:
        return self.state

    def check(self, params: dict) -> dict:
        dataset, width, depth = _check(params.get("dataset", "spirals"), params.get("width", 8),
                                       params.get("depth", 2))
        return {"dataset": dataset, "width": width, "depth": depth}

    def compute(self, params) -> TrainedNetwork:
        return train_network(params["dataset"], params["width"], params["depth"])

    def make_controls(self) -> dict:
        import ipywidgets as widgets

        controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=self.dataset,
                                        description="data set"),
            "width": widgets.SelectionSlider(options=list(WIDTHS), value=self.width,
                                             description="width"),
            "depth": widgets.SelectionSlider(options=list(DEPTHS), value=self.depth,
                                             description="depth"),
        }
        for name in ("width", "depth"):
            controls[name].continuous_update = False  # train once when the slider is released
        return controls

    def describe(self, result: TrainedNetwork) -> str:
        layers = "layer" if result.depth == 1 else "layers"
        return (f"Left: the {result.dataset} data set, {len(result.y)} points in two classes "
                f"(blue and red), over the probability of red predicted by a network of "
                f"{result.depth} hidden {layers} of {result.width} ReLU units "
                f"({result.n_parameters} parameters); a black line marks the decision boundary; "
                f"training accuracy {result.accuracy:.0%}. Right: the training loss falls from "
                f"{result.losses[0]:.3f} to {result.losses[-1]:.3f} in {STEPS} steps.")

    def build(self, fig) -> list:
        self._build_axes()
        self._layouts = self._lay_out_each_dataset()
        # Width and depth change the boundary, the points and frame drawn over it, the titles
        # and the loss curve: only those are redrawn over a cached background. A new data set
        # changes the limits and, through the equal aspect, the panel's shape: the background
        # is redrawn then.
        self._moving = [self.fill, self.boundary, self.points, *self.ax.spines.values(),
                        self.title, self.loss_line, *self.loss_ax.spines.values(),
                        self.loss_title]
        return self._moving

    def update(self, **params) -> TrainedNetwork:
        """Set any of ``dataset``, ``width``, ``depth``; train if new, redraw; return the result.

        In a kernel, the settings nearby are then trained in idle time (see
        ``_prefetch_in_idle_time``).
        """
        result = super().update(**params)
        self._prefetch_in_idle_time()
        return result

    def _build_axes(self) -> None:
        self.ax, self.loss_ax = self.fig.subplots(1, 2, width_ratios=[1.25, 1])
        self.ax.set_xlabel("$x_1$")
        self.ax.set_ylabel("$x_2$")
        self.ax.set_aspect("equal", adjustable="box")
        self.fill = self.boundary = None
        self.points = self.ax.scatter([], [], s=16, edgecolors="black", linewidths=0.5,
                                      zorder=3)
        self.title = self.ax.set_title("", fontsize=10)
        (self.loss_line,) = self.loss_ax.plot([], [], color="tab:purple", lw=1.5)
        self.loss_ax.set_xlim(0, STEPS)
        self.loss_ax.set_xlabel("training step (full batch)")
        self.loss_ax.set_ylabel("binary cross-entropy")
        self.loss_ax.grid(True, alpha=0.3)
        self.loss_ax.set_ylim(0, 1.0)
        self.loss_title = self.loss_ax.set_title("", fontsize=10)
        self._drawn_dataset = None
        self.draw(self.compute(self.params))
        self.fig.colorbar(self.fill, ax=self.ax, shrink=0.8, ticks=[0, 0.5, 1],
                          label="predicted P(red)")

    def _positions(self) -> list:
        return [axes.get_position(original=True) for axes in self.fig.axes]

    def _lay_out_each_dataset(self) -> dict[str, list]:
        """Axes positions that fit each data set's panel, each laid out from a fresh figure.

        The equal aspect gives each data set a panel of its own shape, and one layout for all
        would cut off the labels of the wider one.
        """
        fresh, layouts = self._positions(), {}
        for dataset in (*(name for name in DATASETS if name != self.dataset), self.dataset):
            self._place_axes(fresh)
            self._show_points(load_points(dataset))
            self.fig.canvas.draw()  # constrained layout, for this data set
            layouts[dataset] = self._positions()
        self.fig.set_layout_engine("none")
        return layouts

    def _place_axes(self, positions: list) -> None:
        for axes, position in zip(self.fig.axes, positions, strict=True):
            axes.set_position(position)
            axes.set_in_layout(True)  # set_position takes an axes out of the layout: undo that

    def _show_points(self, points: tuple[np.ndarray, np.ndarray]) -> None:
        x, y = points
        gx, gy = grid_axes(x)
        self.points.set_offsets(x)
        self.points.set_facecolors(np.array(CLASS_COLORS)[y])
        self.ax.set_xlim(gx[0], gx[-1])
        self.ax.set_ylim(gy[0], gy[-1])

    def draw(self, result: TrainedNetwork) -> None:
        # contour sets cannot be updated in place: replace them (a few ms)
        old = (self.fill, self.boundary)
        for artist in old:
            if artist is not None:
                artist.remove()
        self.fill = self.ax.contourf(result.grid_x, result.grid_y, result.probability,
                                     levels=LEVELS, cmap="RdBu_r", alpha=0.55, zorder=1)
        self.boundary = self.ax.contour(result.grid_x, result.grid_y, result.probability,
                                        levels=[0.5], colors="black", linewidths=1.5, zorder=2)
        moving = self.view.moving if self.view is not None else getattr(self, "_moving", [])
        for before, after in zip(old, (self.fill, self.boundary), strict=True):
            if before in moving:  # the new contour sets take the old ones' place as movers
                moving[moving.index(before)] = after
        if self._drawn_dataset != self.dataset:
            self._show_points((result.x, result.y))
            if self.view is not None:
                self._place_axes(self._layouts[self.dataset])
                self.view.recapture()  # a new background: limits and panel shape have changed
            self._drawn_dataset = self.dataset
        layers = "layer" if self.depth == 1 else "layers"
        self.title.set_text(f"{self.dataset}: {self.depth} hidden {layers} × {self.width} units\n"
                            f"training accuracy {result.accuracy:.0%}, "
                            f"{result.n_parameters} parameters")
        steps = np.arange(1, len(result.losses) + 1)
        self.loss_line.set_data(steps, result.losses)
        self.loss_title.set_text(f"training loss: {result.losses[-1]:.3f} after {STEPS} steps")

    def neighbours(self) -> list[tuple[str, int, int]]:
        """The settings one control notch away: the likeliest next moves."""
        w, d = WIDTHS.index(self.width), DEPTHS.index(self.depth)
        near = [(self.dataset, WIDTHS[i], DEPTHS[j])
                for i, j in ((w + 1, d), (w - 1, d), (w, d + 1), (w, d - 1))
                if 0 <= i < len(WIDTHS) and 0 <= j < len(DEPTHS)]
        other = next(name for name in DATASETS if name != self.dataset)
        return [*near, (other, self.width, self.depth)]

    def settings_by_distance(self) -> list[tuple[str, int, int]]:
        """Every other setting, nearest first (neighbours, then two notches away, ...)."""
        w, d = WIDTHS.index(self.width), DEPTHS.index(self.depth)

        def distance(setting):
            dataset, width, depth = setting
            return (abs(WIDTHS.index(width) - w) + abs(DEPTHS.index(depth) - d)
                    + (dataset != self.dataset))

        every = [(s, width, depth) for s in DATASETS for width in WIDTHS for depth in DEPTHS]
        return sorted((s for s in every if distance(s) > 0), key=distance)

    def prefetch_neighbours(self) -> None:
        """Train every neighbouring setting now, so that moving to it is a cache lookup."""
        for setting in self.neighbours():
            train_network(*setting)

    def _prefetch_in_idle_time(self, delay: float = PREFETCH_DELAY) -> None:
        """In a kernel, train the neighbours, then every other setting, nearest first, while the
        learner looks at the figure (all 40 take a few seconds of otherwise idle time).

        One network per turn of the kernel's event loop, so a control moved meanwhile waits
        for one training at most. Without a running loop (a script, a plain test) nothing
        is scheduled.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._prefetch is not None:
            self._prefetch.cancel()
        queue = self.neighbours()
        queue += [s for s in self.settings_by_distance() if s not in queue]

        def train_next() -> None:
            self._prefetch = None
            if queue:
                train_network(*queue.pop(0))
                self._prefetch = loop.call_soon(train_next)

        self._prefetch = loop.call_later(delay, train_next)


def show_network_explorer(dataset: str = "spirals", width: int = 8, depth: int = 2,
                          display: bool = True) -> NetworkExplorer:
    """Show the width/depth explorer and return it (``.update(width=32)`` drives it from code)."""
    explorer = NetworkExplorer(dataset, width, depth)
    if display:
        explorer.show()
        explorer._prefetch_in_idle_time()
    return explorer
