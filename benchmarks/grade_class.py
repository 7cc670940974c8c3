"""Seconds to grade a class: 6 learners x 10 exercises = 60 notebooks, made from solutions/.

    python benchmarks/grade_class.py                 # serial and parallel, speed-up
    python benchmarks/grade_class.py --rounds 2      # interleaved rounds; the best of each
    python benchmarks/grade_class.py --workers 4     # parallel workers (default: the cores)

Each learner's notebooks are the solutions with some answers broken: learner k replaces the
answer block of one cell in every exercise by the stub a learner starts from (so that question
is not attempted or fails), and two learners also leave a failing cell behind. Grading is what
``dlcourse grade`` does (fresh kernel per notebook, judge apart). Target (issue 8): the 60
notebooks in under 60 s on two cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import nbformat

from dlcourse.instructor.grade import default_workers, grade_all
from dlcourse.instructor.judge import Options
from dlcourse.instructor.make_exercises import stub_source
from dlcourse.instructor.submissions import discover

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = ["ada", "alan", "barbara", "claude", "grace", "kathleen"]


def make_class(folder: Path) -> None:
    """One sub-folder per learner, each with the ten exercise notebooks, some answers broken."""
    for k, learner in enumerate(LEARNERS):
        (folder / learner).mkdir()
        for path in sorted((ROOT / "solutions").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            answers = [c for c in nb.cells
                       if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source]
            if k > 0 and answers:  # learner 0 hands in the solutions as they are
                cell = answers[(k - 1) % len(answers)]
                cell.source = stub_source(cell.source)
            if k in (2, 4):
                nb.cells.insert(2, nbformat.v4.new_code_cell("undefined_name  # a cell that fails"))
            nbformat.write(nb, folder / learner / path.name)


def cpu_seconds() -> float:
    """CPU time of this process and of every process it (and they) waited for: the kernels,
    the workers, their observation workers."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                        resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(subs, workers: int) -> tuple[float, float, list]:
    start, cpu = time.perf_counter(), cpu_seconds()
    results = grade_all(subs, Options(), workers)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    assert len(results) == len(subs)
    return seconds, cpu, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-serial", action="store_true",
                        help="only the parallel run (no speed-up then)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlcourse-bench-") as tmp:
        folder = Path(tmp)
        make_class(folder)
        subs = discover([str(folder)])
        runs = [("1 worker", 1)] * (not args.skip_serial) + [(f"{args.workers} workers",
                                                               args.workers)]
        best = {name: float("inf") for name, _ in runs}
        cpu = {name: float("inf") for name, _ in runs}
        points = None
        for _ in range(args.rounds):  # interleaved, so a slow spell hits both alike
            for name, workers in runs:
                seconds, used, results = timed(subs, workers)
                best[name] = min(best[name], seconds)
                cpu[name] = min(cpu[name], used)
                got = [(r.points, r.max_points) for r in results]
                assert points in (None, got), "parallel and serial grading disagree"
                points = got
    n = len(subs)
    print(f"{n} notebooks ({len(LEARNERS)} learners x {n // len(LEARNERS)} exercises); "
          f"best of {args.rounds} round(s)")
    for name, seconds in best.items():
        print(f"  {name:<10} {seconds:7.1f} s in all, {seconds / n:5.2f} s per notebook; "
              f"CPU {cpu[name]:.1f} s ({cpu[name] / n:.2f} s per notebook)")
    if len(best) == 2:
        serial, parallel = best.values()
        print(f"  speed-up over one worker: {serial / parallel:.2f}x")
    used = list(cpu.values())[-1]
    print(f"  CPU-bound floor on an idle machine with {os.cpu_count()} cores: "
          f"{used / (os.cpu_count() or 1):.1f} s (target: 60 notebooks in < 60 s on two cores)")
    total = sum(p for p, _ in points)
    print(f"  points awarded: {total}/{sum(m for _, m in points)} (same serial and parallel)")


if __name__ == "__main__":
    main()
