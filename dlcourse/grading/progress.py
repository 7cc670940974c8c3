"""The learner's progress file: what each check concluded, kept between sessions.

Default location ``$XDG_DATA_HOME/dlcourse/progress.json`` (``~/.local/share/...``); the
``DLCOURSE_PROGRESS`` environment variable names another file, or ``off`` to keep no record (the
grader sets it so that grading a class does not fill the instructor's file). Schema::

    {"version": 1, "exercises": {"01_linear_unit": {
        "declared": [{"notebook_question": "q1", "max_points": 1}, ...],
        "questions": {"q1": {"outcome": "correct", "passed": true, "points": 1,
                             "max_points": 1, "updated": "2024-05-01T10:00:00"}}}}}

``passed`` stays true once earned. Writes go to a temporary file then ``os.replace``, so a crash
never leaves half a file; a file that cannot be read is renamed ``*.corrupt-<timestamp>`` and a
fresh one started. Nothing here ever raises into a check: problems are reported on stderr.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sys
import tempfile
from pathlib import Path

from .outcome import Outcome

ENV_VAR = "DLCOURSE_PROGRESS"
VERSION = 1
_OFF = {"off", "none", "0", "false"}


def progress_path() -> Path | None:
    """Where progress is kept, or None when recording is switched off."""
    value = os.environ.get(ENV_VAR)
    if value is not None:
        return None if value.strip().lower() in _OFF else Path(value).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "dlcourse" / "progress.json"


def empty() -> dict:
    return {"version": VERSION, "exercises": {}}


def load(path: Path) -> dict:
    """Read the progress file; a corrupt one is set aside (renamed) and an empty record returned."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty()
    try:
        data = json.loads(text)
        if not _valid(data):
            raise ValueError("unexpected structure")
    except ValueError as exc:
        aside = path.with_name(f"{path.name}.corrupt-{_dt.datetime.now():%Y%m%d-%H%M%S-%f}")
        os.replace(path, aside)
        _warn(f"progress file {path} could not be read ({exc}); moved it to {aside.name} "
              "and started a new one")
        return empty()
    return data


def _valid(data) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("exercises"), dict)
        and all(
            isinstance(ex, dict) and isinstance(ex.get("questions", {}), dict)
            for ex in data["exercises"].values()
        )
    )


def save(path: Path, data: dict) -> None:
    """Write atomically: a temporary file in the same directory, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path):
    """Serialise read-modify-write between kernels (best effort; POSIX only)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _update(change) -> None:
    path = progress_path()
    if path is None:
        return
    try:
        with _locked(path):
            data = load(path)
            change(data)
            save(path, data)
    except Exception as exc:  # recording is a convenience: never break the learner's check
        _warn(f"could not record progress in {path}: {exc}")


def _exercise(data: dict, name: str | None) -> dict:
    entry = data["exercises"].setdefault(name or "unnamed", {})
    entry.setdefault("questions", {})
    return entry


def record_outcome(outcome: Outcome) -> None:
    """Remember the outcome of one check."""

    def change(data):
        q = _exercise(data, outcome.exercise)["questions"].setdefault(outcome.question, {})
        q.update(outcome=outcome.status, points=outcome.points, max_points=outcome.max_points,
                 updated=_now())
        q["passed"] = bool(q.get("passed")) or outcome.correct

    _update(change)


def record_questions(exercise: str | None, questions: list[tuple[str, int]]) -> None:
    """Remember which questions an exercise has, so totals are known before any check."""

    def change(data):
        _exercise(data, exercise)["declared"] = [
            {"notebook_question": q, "max_points": p} for q, p in questions
        ]

    _update(change)


def summary(data: dict) -> list[dict]:
    """Per exercise: which questions are passed, which not yet, and the points."""
    rows = []
    for name in sorted(data.get("exercises", {})):
        entry = data["exercises"][name]
        seen = entry.get("questions", {})
        points = {d["notebook_question"]: d.get("max_points", 1) for d in entry.get("declared", [])}
        for q, info in seen.items():
            points.setdefault(q, info.get("max_points", 1))
        passed = [q for q in points if seen.get(q, {}).get("passed")]
        rows.append({
            "exercise": name,
            "passed": passed,
            "not_passed": [q for q in points if q not in passed],
            "total": len(points),
            "points": sum(points[q] for q in passed),
            "max_points": sum(points.values()),
        })
    return rows


def format_summary(rows: list[dict], path: Path | None) -> str:
    """The text ``dlcourse progress`` prints."""
    if not rows:
        return f"No progress recorded yet ({path})."
    width = max(len(r["exercise"]) for r in rows)
    lines = [f"Progress recorded in {path}", ""]
    for r in rows:
        passed = ", ".join(r["passed"]) or "none"
        line = f"{r['exercise']:<{width}}  {len(r['passed'])}/{r['total']} passed: {passed}"
        if r["not_passed"]:
            line += f"; not yet: {', '.join(r['not_passed'])}"
        lines.append(line)
    return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _warn(message: str) -> None:
    print(f"dlcourse: {message}", file=sys.stderr)
