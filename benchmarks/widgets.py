"""Responsiveness of every explorer: milliseconds from a parameter change to a finished figure.

    python benchmarks/widgets.py         # prints a table; about half a minute

Each explorer is built as a notebook would build it (``show_*``, its printed fallback
suppressed), then driven through seeded moves that sweep its main parameters across their
range. Every ``update()`` (or button press) is timed with ``time.perf_counter``: model
computation, redraw and PNG encoding. One untimed move first warms the caches that any session
warms on its first move.

The network explorer trains a network the first time a setting is shown, so it gets three rows:
every setting visited once in slider order (each move trains), moves among settings seen before
(the cache answers), and one-notch moves after the idle time in which a kernel trains the
neighbouring settings (simulated by calling ``prefetch_neighbours()`` untimed).

Targets (DESIGN.md): median <= 100 ms and 95th percentile <= 250 ms on two cores, kernel side
here; benchmarks/explorers_in_browser.py measures what the learner sees in the browser. The load
average is printed first: other work on the machine inflates every number.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable, Iterable

import numpy as np

MOVES = 50
MEDIAN_TARGET_MS, P95_TARGET_MS = 100.0, 250.0

Row = tuple[str, np.ndarray]  # a label and the milliseconds of each timed move


def quietly(build: Callable[[], object]) -> object:
    """``show_*`` outside a notebook prints its fallback: keep it off the table."""
    with contextlib.redirect_stdout(io.StringIO()):
        return build()


def sweep(low: float, high: float, rng: np.random.Generator, n: int = MOVES) -> np.ndarray:
    """A slider dragged from one end to the other, with the small jitter of a real hand."""
    values = np.linspace(low, high, n) + rng.normal(0.0, 0.01 * abs(high - low), n)
    return np.clip(values, min(low, high), max(low, high)).round(2)


def timed(move: Callable[[], object]) -> float:
    start = time.perf_counter()
    move()
    return (time.perf_counter() - start) * 1e3


def time_moves(update: Callable[..., object], moves: list[dict],
               warm_up: bool = True) -> np.ndarray:
    """Milliseconds of ``update(**params)`` for each move; the last move is made once untimed
    beforehand to warm caches (font glyphs, tick formatting)."""
    if warm_up:
        update(**moves[-1])
    return np.array([timed(lambda params=params: update(**params)) for params in moves])


def linear_unit(rng) -> Iterable[Row]:
    from dlcourse.widgets.linear_unit import show_linear_unit

    explorer = quietly(show_linear_unit)
    ws = sweep(explorer.w_slider.min, explorer.w_slider.max, rng)
    bs = rng.uniform(explorer.b_slider.min, explorer.b_slider.max, MOVES).round(2)
    yield "linear_unit", time_moves(explorer.update,
                                    [{"w": w, "b": b} for w, b in zip(ws, bs, strict=True)])


def plane(rng) -> Iterable[Row]:
    from dlcourse.widgets.plane import show_plane

    explorer = quietly(show_plane)
    moves = [{"w0": w0, "w1": w1, "b": b} for w0, w1, b in
             zip(sweep(-4, 4, rng), sweep(4, -4, rng), rng.uniform(-4, 4, MOVES).round(2),
                 strict=True)]
    yield "plane", time_moves(explorer.update, moves)


def digit_pass(rng) -> Iterable[Row]:
    import dlcourse as dl
    from dlcourse.widgets.digit_pass import show_digit_pass

    (x, y), (x_test, y_test) = dl.datasets.load_digits()
    model = dl.Sequential([dl.Dense(64, 64, activation="relu", seed=0),
                           dl.Dense(64, 10, activation="softmax", seed=1)])
    dl.fit(model, x, y, loss=dl.sparse_categorical_crossentropy,
           optimizer=dl.SGD(model.parameters(), learning_rate=0.05, momentum=0.9),
           epochs=5, batch_size=32, seed=0, verbose=0)
    explorer = quietly(lambda: show_digit_pass(model, x_test, y_test))
    indices = rng.choice(len(x_test), MOVES, replace=False)
    yield "digit_pass", time_moves(explorer.update, [{"index": int(i)} for i in indices])


def relu_sum(rng) -> Iterable[Row]:
    from dlcourse.widgets.relu_sum import MAX_UNITS, TARGETS, show_relu_sum

    explorer = quietly(show_relu_sum)
    units = np.clip(np.linspace(1, MAX_UNITS, MOVES).round() + rng.integers(-1, 2, MOVES),
                    1, MAX_UNITS)
    moves = [{"n_units": int(n)} for n in units]
    for i in range(4, MOVES, 10):  # now and then the learner picks another target
        moves[i]["target"] = str(rng.choice(sorted(TARGETS)))
    yield "relu_sum", time_moves(explorer.update, moves)


def network_explorer(rng) -> Iterable[Row]:
    from dlcourse.widgets import network_explorer as module

    module.train_network.cache_clear()
    explorer = quietly(module.show_network_explorer)
    start = (explorer.dataset, explorer.width, explorer.depth)
    # every setting once, as sliders would reach them: width back and forth, depth by depth
    order = [{"dataset": dataset, "width": width, "depth": depth}
             for dataset in sorted(module.DATASETS, key=lambda name: name != start[0])
             for depth in module.DEPTHS
             for width in (module.WIDTHS if depth % 2 else module.WIDTHS[::-1])]
    unseen = [params for params in order if tuple(params.values()) != start]
    yield "network_explorer (first visit)", time_moves(explorer.update, unseen, warm_up=False)

    moves = [{"width": int(rng.choice(module.WIDTHS)), "depth": int(rng.choice(module.DEPTHS))}
             for _ in range(MOVES)]
    for i in range(4, MOVES, 10):  # now and then the learner picks the other data set
        moves[i]["dataset"] = module.DATASETS[(i // 10) % 2]
    yield "network_explorer (cached)", time_moves(explorer.update, moves)

    module.train_network.cache_clear()
    explorer = quietly(module.show_network_explorer)
    times = []
    for _ in range(MOVES // 2):
        explorer.prefetch_neighbours()  # what the kernel does while the learner looks
        neighbours = explorer.neighbours()
        dataset, width, depth = neighbours[rng.integers(len(neighbours))]
        times.append(timed(lambda d=dataset, w=width, n=depth:
                           explorer.update(dataset=d, width=w, depth=n)))
    yield "network_explorer (after prefetch)", np.array(times)


def loss_explorer(rng) -> Iterable[Row]:
    from dlcourse.widgets.loss_explorer import OUTLIER_RANGE, show_loss_explorer

    explorer = quietly(show_loss_explorer)
    heights = (np.round(sweep(*OUTLIER_RANGE, rng) * 2) / 2).tolist()  # the slider's 0.5 steps
    yield "loss_explorer", time_moves(explorer.update, [{"outlier_y": h} for h in heights])


def sgd_stepper(rng) -> Iterable[Row]:
    from dlcourse.widgets.sgd_stepper import show_sgd_stepper

    explorer = quietly(show_sgd_stepper)
    sizes = rng.integers(1, explorer.stepper.n + 1, MOVES)
    rates = rng.uniform(0.01, 0.3, MOVES).round(3)
    yield "sgd_stepper (update)", time_moves(
        explorer.update, [{"batch_size": int(s), "learning_rate": float(r)}
                          for s, r in zip(sizes, rates, strict=True)])
    explorer.update(batch_size=10, learning_rate=0.1)
    yield "sgd_stepper (step button)", np.array([timed(explorer.step) for _ in range(MOVES)])


def learning_rate(rng) -> Iterable[Row]:
    from dlcourse.widgets.learning_rate import (
        RATE_EXPONENTS,
        STEPS_RANGE,
        show_learning_rate_explorer,
    )

    explorer = quietly(show_learning_rate_explorer)
    rates = 10.0 ** sweep(*RATE_EXPONENTS, rng)
    moves = [{"learning_rate": float(r)} for r in rates]
    for i in range(2, MOVES, 5):  # now and then the other sliders move too
        moves[i]["steps"] = int(rng.integers(STEPS_RANGE[0] // 10, STEPS_RANGE[1] // 10 + 1) * 10)
        moves[i]["batch_size"] = int(rng.integers(1, explorer.problem.n + 1))
    yield "learning_rate", time_moves(explorer.update, moves)


BENCHMARKS = [linear_unit, plane, digit_pass, relu_sum, network_explorer, loss_explorer,
              sgd_stepper, learning_rate]


def report(label: str, times: np.ndarray) -> None:
    median, p95 = np.median(times), np.percentile(times, 95)
    verdict = "ok" if median < MEDIAN_TARGET_MS and p95 < P95_TARGET_MS else "MISSED"
    print(f"{label:<34}{len(times):>6}{median:>11.1f}{p95:>9.1f}{times.max():>9.1f}  {verdict}",
          flush=True)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    print(f"load average (1, 5, 15 min) at start: {load_average()} on {os.cpu_count()} CPUs")
    print(f"targets: median < {MEDIAN_TARGET_MS:.0f} ms, p95 < {P95_TARGET_MS:.0f} ms\n")
    print(f"{'explorer':<34}{'moves':>6}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}  target")
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    for benchmark in BENCHMARKS:
        try:
            for label, times in benchmark(rng):
                report(label, times)
        except Exception as error:  # one broken explorer should not hide the others' numbers
            print(f"{benchmark.__name__:<34}  failed: {type(error).__name__}: {error}")
    print(f"\n{time.perf_counter() - started:.0f} s in all; load average at the end: "
          f"{load_average()}")


if __name__ == "__main__":
    main()
