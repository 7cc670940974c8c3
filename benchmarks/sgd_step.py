"""Microseconds per SGD step (forward, loss, backward, update) for float32 MLPs: dlcourse vs the
same maths written by hand in numpy (the floor for this stack) vs PyTorch CPU, if installed.

    python benchmarks/sgd_step.py            # prints a table and the ratios
    python benchmarks/sgd_step.py --quick    # fewer rounds (a smoke run)

The implementations take turns, round after round, so a slow spell on a shared machine hits all of
them alike, and the time measured is the process's CPU time (``time.process_time``), which other
processes on the machine do not add to. Two ratios are printed: of the best rounds (other work
only ever adds time) and the median of the per-round ratios. Targets (issue 13): 64-64-10 at
batch 32 <= 1.25x hand-written numpy; 8 Dense layers of 32 units at batch 16 <= 1.3x;
784-256-10 at batch 128 <= 1.0x numpy and PyTorch.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import dlcourse as dl

# (layer sizes, batch, target for dlcourse / numpy)
CONFIGS = [((64, 64, 10), 32, 1.25), ((32,) * 9, 16, 1.3), ((784, 256, 10), 128, 1.0)]
LEARNING_RATE = 0.01


def data(sizes, batch, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return x, y


def dlcourse_step(sizes, batch):
    x, y = data(sizes, batch)
    dl.manual_seed(0)
    layers = [dl.Dense(n_in, n_out, activation="relu" if i < len(sizes) - 2 else None)
              for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]
    model = dl.Sequential(layers).to("float32")
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
    Ws = [(rng.normal(size=(n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)
          for n_in, n_out in zip(sizes, sizes[1:])]
    bs = [np.zeros(n_out, np.float32) for n_out in sizes[1:]]
    rows = np.arange(batch)

    def step():
        hs = [x]
        for W, b in zip(Ws[:-1], bs[:-1]):
            hs.append(np.maximum(hs[-1] @ W + b, 0))
        z = hs[-1] @ Ws[-1] + bs[-1]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()  # noqa: F841 (computed, as every step does)
        p[rows, y] -= 1
        d = p / batch
        for i in range(len(Ws) - 1, -1, -1):
            h = hs[i]
            dW, db = h.T @ d, d.sum(axis=0)
            if i:
                d = d @ Ws[i].T
                d[h <= 0] = 0
            Ws[i] -= LEARNING_RATE * dW
            bs[i] -= LEARNING_RATE * db

    return step


def torch_step(sizes, batch):
    import torch

    x, y = data(sizes, batch)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(xt), yt).backward()
        opt.step()

    return step


def interleaved(steps: dict, repeats: int, rounds: int) -> dict[str, list[float]]:
    """Microseconds per call of each step function, one entry per round, rounds interleaved."""
    for step in steps.values():
        for _ in range(max(repeats // 5, 3)):
            step()
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.process_time()
            for _ in range(repeats):
                step()
            times[name].append((time.process_time() - start) / repeats * 1e6)
    return times


def main(argv: list[str]) -> None:
    rounds = 5 if "--quick" in argv else 21
    try:
        import torch

        torch_version = torch.__version__
        torch.set_num_threads(1)
    except Exception:  # not installed, or installed but broken: measure without it
        torch_version = None
    print(f"numpy {np.__version__}, torch {torch_version or 'not installed'}; float32; "
          f"CPU microseconds per SGD step, {rounds} interleaved rounds")
    print(f"{'model':<22}{'batch':>6}{'numpy':>9}{'dlcourse':>10}{'torch':>9}"
          f"{'dl/numpy':>10}{'(median)':>10}{'target':>8}{'dl/torch':>10}")
    for sizes, batch, target in CONFIGS:
        repeats = 300 if sizes[0] > 100 else 1000
        steps = {"numpy": numpy_step(sizes, batch), "dlcourse": dlcourse_step(sizes, batch)}
        if torch_version:
            steps["torch"] = torch_step(sizes, batch)
        times = interleaved(steps, repeats, rounds)
        best = {name: min(t) for name, t in times.items()}
        median_ratio = statistics.median(d / n for d, n in zip(times["dlcourse"], times["numpy"]))
        ratio = best["dlcourse"] / best["numpy"]
        ref = best.get("torch", float("nan"))
        name = "-".join(map(str, sizes)) if len(set(sizes)) > 1 else f"{len(sizes) - 1}x{sizes[0]}"
        mark = "ok" if ratio <= target else "MISS"
        print(f"{name:<22}{batch:>6}{best['numpy']:>9.1f}{best['dlcourse']:>10.1f}{ref:>9.1f}"
              f"{ratio:>9.2f}x{median_ratio:>9.2f}x{target:>6.2f}x {mark:<4}"
              f"{best['dlcourse'] / ref:>6.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
