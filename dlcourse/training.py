"""The full training loop: shuffled minibatches, forward, loss, backward, update, repeat."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dlcourse.checks import positive_int
from dlcourse.losses import LOSSES
from dlcourse.metrics import check_order, class_labels, looks_like_labels
from dlcourse.optim import SGD
from dlcourse.tensor import Tensor, as_array, no_grad


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite, or exploded far above where it started."""


EXPLODED = 1e4  # a batch loss this many times the first one (or 1, if larger) means divergence


@dataclass
class History:
    """What ``fit`` measured: ``history["loss"][e]`` is the mean training loss of epoch ``e``."""

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)

    def record(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items())
        return f"History({len(self.epoch)} epochs: {last})"


def accuracy(y_true, y_pred) -> float:
    """Fraction of predictions whose class matches the target.

    ``y_pred`` of shape (batch, classes) is read by its largest entry; a single column (or a 1-D
    array) of probabilities is read as yes when above 0.5, and 1-D whole numbers as labels.
    ``y_true`` may be integer labels or one-hot rows (read by ``metrics.class_labels``).
    """
    check_order(y_true, y_pred, "accuracy")
    p = np.asarray(getattr(y_pred, "data", y_pred))
    if p.ndim == 2 and p.shape[1] > 1:
        predicted = p.argmax(axis=1)
    elif looks_like_labels(p):
        predicted = p.reshape(-1).astype(np.int64)
    else:
        predicted = (p.reshape(-1) > 0.5).astype(np.int64)
    labels = class_labels(y_true, "accuracy y_true", scores=False)
    if labels.shape != predicted.shape:
        raise ValueError(
            f"accuracy: {labels.shape[0]} targets for {predicted.shape[0]} predictions"
        )
    return float((predicted == labels).mean()) if labels.size else float("nan")


METRICS: dict[str, Callable] = {"accuracy": accuracy}


def predict(model, x, batch_size: int = 1024) -> np.ndarray:
    """The model's outputs for ``x``, computed in batches without recording the graph."""
    x = _checked_array(x, "predict", "x")
    with no_grad():
        parts = [model(x[i : i + batch_size]).data for i in range(0, len(x), batch_size)]
    return np.concatenate(parts)


def evaluate(model, x, y, loss="sparse_categorical_crossentropy", metrics=("accuracy",),
             batch_size: int = 1024) -> dict[str, float]:
    """Loss and metrics of ``model`` on (x, y), e.g. ``{"loss": 0.08, "accuracy": 0.975}``."""
    loss_fn, metric_fns = resolve_loss(loss), _metrics(metrics)
    y = _checked_array(y, "evaluate", "y", integer_ok=True)
    y_pred = predict(model, x, batch_size)
    if len(y) != len(y_pred):
        raise ValueError(f"evaluate: x has {len(y_pred)} samples but y has {len(y)}")
    with no_grad():
        logs = {"loss": float(loss_fn(y, y_pred).data)}
    logs.update({name: fn(y, y_pred) for name, fn in metric_fns.items()})
    return logs


def fit(model, x, y, loss="sparse_categorical_crossentropy", optimizer: SGD | None = None,
        epochs: int = 1, batch_size: int = 32, validation_data=None, seed: int | None = None,
        metrics: Sequence[str] = (), verbose: int = 1, shuffle: bool = True,
        callbacks: Sequence[Callable[[int, dict], None]] = ()) -> History:
    """Train ``model`` on (x, y) with minibatch SGD and return the per-epoch ``History``.

    Each epoch shuffles the samples (seeded by ``seed``), then for every batch: forward pass,
    loss, ``backward()``, ``optimizer.step()``. ``callbacks`` are called as ``fn(epoch, logs)``
    after every epoch (for live plots). ``verbose=0`` is silent, 1 shows a progress bar, 2 prints
    one line per epoch. Stops with ``TrainingDiverged`` if the loss becomes NaN or infinite, or
    explodes: a batch loss above ``EXPLODED`` (10,000) times the first batch's (or than 1, if
    that is larger), which no working learning rate produces.
    """
    x = _checked_array(x, "fit", "x")
    y = _checked_array(y, "fit", "y", integer_ok=True)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}; they must match")
    _check_features(model, x)
    positive_int(epochs, "fit: epochs")
    positive_int(batch_size, "fit: batch_size")
    loss_fn, metric_fns = resolve_loss(loss), _metrics(metrics)
    optimizer = optimizer or SGD(model.parameters(), learning_rate=0.01)
    rng = np.random.default_rng(seed)
    limit = None  # set by the first batch
    history = History()
    n_batches = math.ceil(len(x) / batch_size)
    bar = _progress(epochs * n_batches, verbose)

    for epoch in range(epochs):
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        total, seen = 0.0, 0
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
                loss_value = train_step(model, x[idx], y[idx], loss_fn, optimizer)
            if limit is None and math.isfinite(loss_value):
                limit = EXPLODED * max(loss_value, 1.0)
            if not math.isfinite(loss_value) or (limit is not None and loss_value > limit):
                if bar is not None:
                    bar.close()
                raise TrainingDiverged(_divergence_message(loss_value, limit, epoch,
                                                           start // batch_size, optimizer))
            total += loss_value * len(idx)
            seen += len(idx)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"epoch {epoch + 1}/{epochs} loss {total / seen:.4f}",
                                    refresh=False)
        logs = {"loss": total / seen}
        if metric_fns:
            y_pred = predict(model, x)
            logs.update({name: fn(y, y_pred) for name, fn in metric_fns.items()})
        if validation_data is not None:
            val = evaluate(model, *validation_data, loss=loss_fn, metrics=tuple(metric_fns))
            logs.update({f"val_{k}": v for k, v in val.items()})
        history.record(epoch, logs)
        if verbose == 2:
            measured = ", ".join(f"{k} {v:.4f}" for k, v in logs.items())
            print(f"epoch {epoch + 1}/{epochs}: {measured}")
        for callback in callbacks:
            callback(epoch, logs)
    if bar is not None:
        bar.close()
    return history


def train_step(model, x_batch, y_batch, loss_fn, optimizer) -> float:
    """One step of SGD on one batch; returns the batch loss."""
    optimizer.zero_grad()
    loss = loss_fn(y_batch, model(x_batch))
    loss.backward()
    optimizer.step()
    return float(loss.data)


def _divergence_message(loss_value: float, limit: float | None, epoch: int, batch: int,
                        optimizer) -> str:
    lr = getattr(optimizer, "learning_rate", None)
    advice = (f"the learning rate ({lr:g}) is probably too large: try {lr / 10:g}"
              if lr is not None else "the learning rate is probably too large")
    what = (f"became {loss_value}" if not math.isfinite(loss_value) else
            f"exploded to {loss_value:.3g} (over {EXPLODED:g} times where it started)")
    return (f"training diverged: the loss {what} at epoch {epoch + 1}, batch {batch + 1}; "
            f"{advice} (also check the inputs are scaled, e.g. to [0, 1])")


def _checked_array(values, where: str, what: str, integer_ok: bool = False) -> np.ndarray:
    if isinstance(values, Tensor):
        values = values.data
    raw = np.asarray(values) if not isinstance(values, (str, bytes)) else values
    if integer_ok and isinstance(raw, np.ndarray) and raw.dtype.kind in "iu":
        array = raw
    else:
        array = as_array(values, f"{where} {what}")
    if array.ndim == 0 or len(array) == 0:
        raise ValueError(f"{where}: {what} must hold at least one sample, got shape {array.shape}")
    bad = ~np.isfinite(array) if array.dtype.kind == "f" else None
    if bad is not None and bad.any():
        first = np.argwhere(bad)[0]
        raise ValueError(
            f"{where}: {what} must be finite numbers, got {int(bad.sum())} NaN or infinite "
            f"value(s) (first at index {tuple(int(i) for i in first)})"
        )
    return array


def _check_features(model, x: np.ndarray) -> None:
    first = model.layers[0] if hasattr(model, "layers") else model
    n_inputs = getattr(first, "n_inputs", None)
    if n_inputs is not None and (x.ndim != 2 or x.shape[1] != n_inputs):
        if not (x.ndim == 1 and n_inputs == 1):
            raise ValueError(
                f"fit: the model expects {n_inputs} features per sample, i.e. x of shape "
                f"(n, {n_inputs}), got x of shape {x.shape}"
            )


def resolve_loss(loss) -> Callable:
    """A loss function from itself or its name (``"mse"``), or a clear error."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {sorted(LOSSES)}")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"loss must be a loss function or its name, got {loss!r}")
    return loss


def _metrics(metrics) -> dict[str, Callable]:
    if isinstance(metrics, str):
        metrics = (metrics,)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}; expected one of {sorted(METRICS)}")
    return {m: METRICS[m] for m in metrics}


def _progress(total: int, verbose: int):
    if verbose != 1:
        return None
    from tqdm.auto import tqdm  # imported here: `import dlcourse` stays light

    return tqdm(total=total, unit="batch", leave=True)
