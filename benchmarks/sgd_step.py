"""Microseconds per SGD step (forward, loss, backward, update) for two float32 MLPs:
dlcourse vs the same maths written by hand in numpy (the floor for this stack) vs PyTorch CPU.

    python benchmarks/sgd_step.py            # prints a table and the ratios

Targets (issue 2): dlcourse within 1.5x of hand-written numpy, and no slower than PyTorch CPU.
"""

from __future__ import annotations

import time

import numpy as np

import dlcourse as dl

CONFIGS = [((64, 64, 10), 32), ((784, 256, 10), 128)]
LEARNING_RATE = 0.01


def data(sizes, batch, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return x, y


def best_times(steps: dict, repeats: int, rounds: int = 9) -> dict[str, float]:
    """Microseconds per call of each step function: the best round of ``rounds``.

    Rounds take turns between the implementations, so a slow spell on the machine hits all of
    them alike; the best round is the least disturbed one (other work only ever adds time).
    """
    best = dict.fromkeys(steps, float("inf"))
    for step in steps.values():
        for _ in range(max(repeats // 5, 3)):
            step()
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(repeats):
                step()
            best[name] = min(best[name], (time.perf_counter() - start) / repeats * 1e6)
    return best


def dlcourse_step(sizes, batch):
    x, y = data(sizes, batch)
    model = dl.Sequential([dl.Dense(sizes[0], sizes[1], activation="relu", dtype="float32"),
                           dl.Dense(sizes[1], sizes[2], dtype="float32", seed=1)])
    opt = dl.SGD(model.parameters(), learning_rate=LEARNING_RATE)

    def step():
        opt.zero_grad()
        loss = dl.sparse_categorical_crossentropy(y, model(x), from_logits=True)
        loss.backward()
        opt.step()

    return step


def numpy_step(sizes, batch):
    """Forward and backward written out by hand: what a from-scratch numpy MLP costs."""
    x, y = data(sizes, batch)
    rng = np.random.default_rng(0)
    W1 = (rng.normal(size=sizes[:2]) * np.sqrt(2 / sizes[0])).astype(np.float32)
    b1 = np.zeros(sizes[1], np.float32)
    W2 = (rng.normal(size=sizes[1:]) * np.sqrt(2 / sizes[1])).astype(np.float32)
    b2 = np.zeros(sizes[2], np.float32)
    rows = np.arange(batch)

    def step():
        nonlocal W1, b1, W2, b2
        h = np.maximum(x @ W1 + b1, 0)
        z = h @ W2 + b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()  # noqa: F841 (computed, as every step does)
        p[rows, y] -= 1
        dz = p / batch
        dW2, db2 = h.T @ dz, dz.sum(axis=0)
        dh = dz @ W2.T
        dh[h <= 0] = 0
        dW1, db1 = x.T @ dh, dh.sum(axis=0)
        W1 -= LEARNING_RATE * dW1
        b1 -= LEARNING_RATE * db1
        W2 -= LEARNING_RATE * dW2
        b2 -= LEARNING_RATE * db2

    return step


def torch_step(sizes, batch):
    import torch

    x, y = data(sizes, batch)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(sizes[0], sizes[1]), torch.nn.ReLU(),
                                torch.nn.Linear(sizes[1], sizes[2]))
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(xt), yt).backward()
        opt.step()

    return step


def main() -> None:
    try:
        import torch

        torch_version = torch.__version__
        torch.set_num_threads(2)
    except Exception:  # not installed, or installed but broken: measure without it
        torch_version = None
    print(f"numpy {np.__version__}, torch {torch_version or 'not installed'}; float32; "
          "microseconds per SGD step (best of 9 interleaved rounds)")
    print(f"{'model':<14}{'batch':>6}{'numpy':>10}{'dlcourse':>10}{'torch':>10}"
          f"{'dl/numpy':>10}{'dl/torch':>10}")
    for sizes, batch in CONFIGS:
        repeats = 2000 if sizes[0] < 100 else 300
        steps = {"numpy": numpy_step(sizes, batch), "dlcourse": dlcourse_step(sizes, batch)}
        if torch_version:
            steps["torch"] = torch_step(sizes, batch)
        times = best_times(steps, repeats)
        hand, ours, ref = times["numpy"], times["dlcourse"], times.get("torch", float("nan"))
        name = "-".join(map(str, sizes))
        print(f"{name:<14}{batch:>6}{hand:>10.1f}{ours:>10.1f}{ref:>10.1f}"
              f"{ours / hand:>9.2f}x{ours / ref:>9.2f}x")
    print("targets: dl/numpy <= 1.5x, dl/torch <= 1.0x")


if __name__ == "__main__":
    main()
