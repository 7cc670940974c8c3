"""``dlcourse grade``: grade a batch of notebooks, in parallel, without trusting any of them.

Every input file is read once before any learner code runs (``submissions.discover``); each
notebook is then graded from those bytes by the judge (``judge.py``: a fresh grading-mode kernel
per notebook, in a temporary folder of its own, verdicts computed apart). Notebooks are graded
in parallel by worker processes (default: one per core). After the batch, every file under the
given paths is compared with what was read at the start; a file that changed is put back and
reported.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from . import gradebook
from .judge import NotebookResult, Options, grade
from .submissions import Submission, discover

MAX_SNAPSHOT_BYTES = 512 * 2**20


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# -- the batch -------------------------------------------------------------------------------------
def grade_all(subs: list[Submission], options: Options, workers: int = 1,
              progress=None) -> list[NotebookResult]:
    """Grade every submission; results in the order of ``subs``, whatever the workers did."""
    results: list[NotebookResult | None] = [None] * len(subs)
    if workers <= 1 or len(subs) <= 1:
        for i, sub in enumerate(subs):
            results[i] = grade(sub, options)
            if progress:
                progress(results[i])
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(subs)),
                             mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(grade, sub, options): i for i, sub in enumerate(subs)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # a worker process that died: that notebook only
                results[i] = NotebookResult(str(subs[i].path), status="error",
                                            message=f"the grading worker failed: {exc}",
                                            learner=subs[i].learner)
            if progress:
                progress(results[i])
    return results


def snapshot(paths: list[str]) -> dict[Path, bytes]:
    """The bytes of every file under ``paths`` (bounded), to compare after the batch."""
    files: dict[Path, bytes] = {}
    total = 0
    for p in map(Path, paths):
        for f in ([p] if p.is_file() else sorted(p.rglob("*")) if p.is_dir() else []):
            if f.is_file() and not f.is_symlink():
                try:
                    data = f.read_bytes()
                except OSError:
                    continue
                total += len(data)
                if total > MAX_SNAPSHOT_BYTES:
                    return files
                files[f] = data
    return files


def restore(before: dict[Path, bytes]) -> list[str]:
    """Put back every file that changed or vanished; return their paths."""
    changed = []
    for path, data in before.items():
        try:
            same = path.is_file() and path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            changed.append(str(path))
            try:
                if path.is_dir() and not path.is_symlink():
                    continue
                path.unlink(missing_ok=True)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            except OSError as exc:
                print(f"dlcourse grade: could not restore {path}: {exc}", file=sys.stderr)
    return changed


class Progress:
    """A progress bar on stderr (one line per notebook when stderr is not a terminal)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, result: NotebookResult) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        if self.tty:
            filled = int(30 * self.done / self.total)
            bar = "#" * filled + "-" * (30 - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} notebooks, {elapsed:.0f} s"
                              + end)
        else:
            self.stream.write(f"[{self.done}/{self.total}] {result.path}: "
                              f"{result.points}/{result.max_points} ({elapsed:.0f} s)\n")
        self.stream.flush()


# -- the command -----------------------------------------------------------------------------------
def run(paths: list[str], timeout: float = 60, as_json: bool = False, csv_path: str | None = None,
        per_question: bool = False, workers: int | None = None,
        time_limit: float | None = None, quiet: bool = False) -> int:
    """The ``dlcourse grade`` command; returns the exit status."""
    before = snapshot(paths) if all(Path(p).exists() for p in paths) else {}
    try:
        subs = discover(paths)
    except FileNotFoundError as exc:
        print(f"dlcourse grade: {exc}", file=sys.stderr)
        return 2
    if not subs:
        print("dlcourse grade: no notebooks found", file=sys.stderr)
        return 2
    options = Options(cell_timeout=timeout, time_limit=time_limit)
    workers = default_workers() if workers is None else max(1, workers)
    results = grade_all(subs, options, workers, None if quiet else Progress(len(subs)))
    changed = restore(before)
    if csv_path:
        gradebook.write_csv(csv_path, results, per_question)
    if as_json:
        print(json.dumps(gradebook.to_json(results, changed), indent=2))
    else:
        print(gradebook.format_table(results, changed))
    return 0 if all(r.passed for r in results) and not changed else 1
