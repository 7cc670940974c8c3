"""Collect the class from the hub's homes and grade it with the ``dlcourse`` command, as an
instructor does; read each learner's points for one exercise back from the gradebook CSV."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

DLCOURSE = [sys.executable, "-m", "dlcourse.cli"]


def run_dlcourse(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*DLCOURSE, *args], capture_output=True, text=True, timeout=timeout)


def collect(homes: Path, out: Path) -> subprocess.CompletedProcess:
    return run_dlcourse("collect", str(homes), str(out), "--json")


def gradebook(submissions: Path, csv_path: Path) -> list[dict[str, str]]:
    """``dlcourse grade SUBMISSIONS --csv FILE``: the gradebook's rows."""
    done = run_dlcourse("grade", str(submissions), "--csv", str(csv_path), "--quiet")
    if not csv_path.exists():
        raise AssertionError(f"dlcourse grade wrote no gradebook (exit {done.returncode})\n"
                             f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    with csv_path.open(newline="") as f:
        return list(csv.DictReader(f))


def points_for(rows: list[dict[str, str]], exercise: str) -> dict[str, float]:
    """``{learner: points}`` in the gradebook column of ``exercise`` (e.g. ``01_linear_unit``)."""
    if rows and exercise not in rows[0]:
        raise AssertionError(f"no column {exercise!r} in the gradebook: {list(rows[0])}")
    return {row["learner"]: float(row[exercise]) for row in rows}
