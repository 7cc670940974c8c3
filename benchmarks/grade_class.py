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


def timed(subs, workers: int) -> float:
    start = time.perf_counter()
    results = grade_all(subs, Options(), workers)
    seconds = time.perf_counter() - start
    assert len(results) == len(subs)
    return seconds, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlcourse-bench-") as tmp:
        folder = Path(tmp)
        make_class(folder)
        subs = discover([str(folder)])
        best = {"1 worker": float("inf"), f"{args.workers} workers": float("inf")}
        points = None
        for _ in range(args.rounds):  # interleaved, so a slow spell hits both alike
            for name, workers in (("1 worker", 1), (f"{args.workers} workers", args.workers)):
                seconds, results = timed(subs, workers)
                best[name] = min(best[name], seconds)
                got = [(r.points, r.max_points) for r in results]
                assert points in (None, got), "parallel and serial grading disagree"
                points = got
    n = len(subs)
    print(f"{n} notebooks ({len(LEARNERS)} learners x {n // len(LEARNERS)} exercises); "
          f"best of {args.rounds} round(s)")
    for name, seconds in best.items():
        print(f"  {name:<10} {seconds:7.1f} s in all, {seconds / n:5.2f} s per notebook")
    serial, parallel = best.values()
    print(f"  speed-up over one worker: {serial / parallel:.2f}x "
          f"(target: 60 notebooks in < 60 s on two cores)")
    total = sum(p for p, _ in points)
    print(f"  points awarded: {total}/{sum(m for _, m in points)} (same serial and parallel)")


if __name__ == "__main__":
    main()
