"""Collect the class from the hub's homes and grade it with the ``dlcourse`` command, as an
instructor does; read back each learner's points for one exercise from the gradebook CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

DLCOURSE = [sys.executable, "-m", "dlcourse.cli"]


def run_dlcourse(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*DLCOURSE, *args], capture_output=True, text=True, timeout=timeout)


def collect(homes: Path, out: Path) -> subprocess.CompletedProcess:
    return run_dlcourse("collect", str(homes), str(out), "--json")


def gradebook(submissions: Path, csv_path: Path) -> list[dict[str, str]]:
    """Grade every learner's folder under ``submissions``; the gradebook's rows as dicts.

    Uses ``dlcourse grade FOLDER --csv FILE``; until class grading exists (``--csv`` absent from
    ``dlcourse grade --help``), builds the same rows from ``--json`` per learner folder.
    """
    usage = run_dlcourse("grade", "--help").stdout
    if "--csv" in usage:
        done = run_dlcourse("grade", str(submissions), "--csv", str(csv_path))
        if not csv_path.exists():
            raise AssertionError(f"dlcourse grade wrote no gradebook (exit {done.returncode})\n"
                                 f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return list(csv.DictReader(io.StringIO(csv_path.read_text())))
    rows = []
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        done = run_dlcourse("grade", str(folder), "--json")
        try:
            results = json.loads(done.stdout)["notebooks"]
        except (ValueError, KeyError):
            raise AssertionError(f"dlcourse grade {folder} --json gave no report "
                                 f"(exit {done.returncode}):\n{done.stderr[-2000:]}") from None
        row = {"learner": folder.name}
        for result in results:
            row[Path(result["path"]).stem] = str(result["points"])
        rows.append(row)
    with csv_path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def points_for(rows: list[dict[str, str]], exercise: str) -> dict[str, float]:
    """``{learner: points}`` in the column of ``exercise`` (e.g. ``01_linear_unit``)."""
    if not rows:
        return {}
    header = list(rows[0])
    learner = next((h for h in header if "learner" in h.lower() or "student" in h.lower()
                    or h.lower() in ("name", "login id", "username")), header[0])
    columns = [h for h in header if h.startswith(exercise) or exercise[:2] in h.split()[:1]]
    if not columns:
        raise AssertionError(f"no column for {exercise} in the gradebook: {header}")
    column = min(columns, key=len)  # the exercise's total, not one of its questions
    return {row[learner]: float(row[column] or 0) for row in rows}
