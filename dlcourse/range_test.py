"""The learning-rate range test: find a good learning rate in one short run.

Train for a few hundred minibatch steps while the learning rate grows exponentially from tiny to
huge, and record the loss at each step. At first the rate is too small to change anything, then
the loss falls faster and faster, then the steps get too big and the loss shoots up. A good
learning rate sits in the steep part of the fall: about ten times below the rate where the
(smoothed) loss was lowest.

    result = lr_range_test(model, x_train, y_train, loss=dl.sparse_categorical_crossentropy)
    result.suggestion      # a learning rate to train with
    result.learning_rates, result.losses   # to plot: loss against learning rate, log x

The model's parameters are put back as they were afterwards (``restore=True``), so the test does
not leave a half-trained model behind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dlcourse.checks import positive_int, positive_number
from dlcourse.optim import SGD
from dlcourse.tensor import Tensor
from dlcourse.training import resolve_loss, train_step


@dataclass(frozen=True)
class RangeTestResult:
    """What the range test measured and what it suggests.

    ``learning_rates[i]`` is the rate used at step ``i``; ``losses[i]`` the smoothed loss after it
    (an exponential moving average of ``raw_losses``, corrected for its start at zero).
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    raw_losses: np.ndarray
    suggestion: float       # a tenth of lowest_loss_rate
    lowest_loss_rate: float  # where the smoothed loss was lowest
    steepest_rate: float    # where the smoothed loss fell fastest (per decade of learning rate)
    exploded: bool          # True if the test stopped early because the loss blew up

    def __repr__(self) -> str:
        end = "stopped when the loss exploded" if self.exploded else "ran to the end"
        return (f"RangeTestResult({len(self.losses)} steps, {end}; lowest loss at "
                f"{self.lowest_loss_rate:.3g}, steepest fall at {self.steepest_rate:.3g}, "
                f"suggestion {self.suggestion:.3g})")


def lr_range_test(model, x, y, loss: str | Callable = "sparse_categorical_crossentropy",
                  min_lr: float = 1e-5, max_lr: float = 10.0, steps: int = 200,
                  batch_size: int = 32, smoothing: float = 0.9, explode_factor: float = 4.0,
                  momentum: float = 0.0, seed: int | None = 0,
                  restore: bool = True) -> RangeTestResult:
    """Run the learning-rate range test on ``model`` with SGD and return a :class:`RangeTestResult`.

    Parameters
    ----------
    model : any dlcourse layer or Sequential (anything with ``__call__`` and ``parameters()``).
    x, y : training inputs and targets.
    loss : a dlcourse loss function, or its name.
    min_lr, max_lr : the learning rate grows exponentially from ``min_lr`` to ``max_lr``.
    steps : number of minibatch steps (the test may stop earlier, see ``explode_factor``).
    batch_size : samples per step; each epoch visits the data in a new order drawn from ``seed``.
    smoothing : weight of the past in the moving average of the loss (0 = no smoothing).
    explode_factor : stop once the smoothed loss exceeds this many times its lowest value so far,
        or the loss is NaN or infinite.
    momentum : passed to ``SGD``; use the same value you will train with.
    restore : put the model's parameters back as they were before the test.
    """
    parameters = _parameters(model)
    loss_fn = resolve_loss(loss)
    x, y = _data(x, y)
    min_lr, max_lr = positive_number(min_lr, "min_lr"), positive_number(max_lr, "max_lr")
    if not min_lr < max_lr:
        raise ValueError(f"min_lr must be smaller than max_lr, got {min_lr:g} and {max_lr:g}")
    steps = positive_int(steps, "steps", minimum=10)
    batch_size = positive_int(batch_size, "batch_size")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    if not explode_factor > 1:
        raise ValueError(f"explode_factor must be greater than 1, got {explode_factor!r}")

    rates = min_lr * (max_lr / min_lr) ** (np.arange(steps) / (steps - 1))
    saved = [p.data.copy() for p in parameters]
    optimizer = SGD(parameters, learning_rate=min_lr, momentum=momentum)
    batches = _batches(len(x), batch_size, steps, np.random.default_rng(seed))
    raw, smoothed = [], []
    average, best, exploded = 0.0, math.inf, False
    try:
        with np.errstate(all="ignore"):  # an exploding loss overflows; that is the point
            for i, (rate, batch) in enumerate(zip(rates, batches)):
                optimizer.learning_rate = float(rate)
                value = train_step(model, x[batch], y[batch], loss_fn, optimizer)
                average = smoothing * average + (1 - smoothing) * value
                current = average / (1 - smoothing ** (i + 1))
                raw.append(value)
                smoothed.append(current)
                if not math.isfinite(current) or current > explode_factor * best:
                    exploded = True
                    break
                best = min(best, current)
    finally:
        if restore:
            for p, data in zip(parameters, saved):
                p.data[...] = data
                p.grad = None

    rates = rates[: len(smoothed)]
    losses = np.array(smoothed)
    lowest, steepest = _readings(rates, losses)
    return RangeTestResult(rates, losses, np.array(raw), lowest / 10, lowest, steepest, exploded)


def _readings(rates: np.ndarray, losses: np.ndarray) -> tuple[float, float]:
    """(rate at the lowest finite loss, rate of the steepest fall before it).

    The fall is measured across a window of points on each side, and the first tenth of the run
    (where the moving average is still settling) is skipped, so that the step-to-step noise of
    minibatch losses does not pass for a slope.
    """
    finite = np.where(np.isfinite(losses), losses, np.inf)
    low = int(np.argmin(finite))
    half = max(1, len(losses) // 30)
    first = max(half, len(losses) // 10)
    if low - half < first:
        return float(rates[low]), float(rates[low])
    log_rates = np.log10(rates)
    centre = np.arange(first, low - half + 1)
    slope = ((losses[centre + half] - losses[centre - half])
             / (log_rates[centre + half] - log_rates[centre - half]))
    return float(rates[low]), float(rates[centre[int(np.argmin(slope))]])


def _batches(n: int, batch_size: int, steps: int, rng: np.random.Generator):
    """``steps`` minibatches of indices, reshuffling at every pass over the data."""
    batch_size = min(batch_size, n)
    made = 0
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):  # full batches only
            yield order[start : start + batch_size]
            made += 1
            if made == steps:
                return


def _parameters(model) -> list[Tensor]:
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"lr_range_test expects a dlcourse model (a layer or Sequential), "
                        f"got {type(model).__name__}")
    parameters = list(model.parameters())
    if not parameters:
        raise ValueError("lr_range_test: the model has no parameters to train")
    return parameters


def _data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(getattr(x, "data", x))
    y = np.asarray(getattr(y, "data", y))
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"lr_range_test expects at least one sample in x, got shape {x.shape}")
    if len(x) != len(y):
        raise ValueError(f"lr_range_test: x has {len(x)} samples but y has {len(y)}")
    return x, y
