"""The learner's progress file: what each check concluded, kept between sessions.

Default location ``$XDG_DATA_HOME/dlcourse/progress.json`` (``~/.local/share/...``); the
``DLCOURSE_PROGRESS`` environment variable names another file, or ``off`` to keep no record (the
grader sets it so that grading a class does not fill the instructor's file). Schema::

    {"version": 1, "exercises": {"01_linear_unit": {
        "declared": [{"notebook_question": "q1", "max_points": 1}, ...],
        "questions": {"q1": {"outcome": "correct", "passed": true, "points": 1,
                             "max_points": 1, "updated": "2024-05-01T10:00:00"}}}}}

``passed`` stays true once earned. Writes go to a temporary file then ``os.replace``, so a crash
never leaves half a file. A file that cannot be read, or has entries of an unexpected shape, or a
directory where the file should be, is renamed ``*.corrupt-<timestamp>`` and what could be
recovered is kept. Each process also remembers what it recorded, so a notebook's own view (and
the next write) survives the file being deleted meanwhile. Nothing here ever raises into a
check: problems are reported on stderr.
"""

from __future__ import annotations

import contextlib
import copy
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
    """Read the progress file, keeping every entry of the expected shape.

    Whatever cannot be used (not JSON, not UTF-8, an unexpected structure, a directory where the
    file should be) is reported on stderr and set aside: the original is renamed
    ``*.corrupt-<timestamp>`` and the entries that could be recovered are written back.
    """
    try:
        if path.is_dir():
            _set_aside(path, "a directory is where the progress file should be")
            return empty()
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return empty()
    except UnicodeDecodeError as exc:
        _set_aside(path, f"it is not UTF-8 text ({exc.reason})")
        return empty()
    except OSError as exc:
        _warn(f"progress file {path} could not be read ({exc.strerror or exc}); "
              "showing what this session recorded")
        return empty()
    try:
        data = json.loads(text)
    except ValueError as exc:
        _set_aside(path, str(exc))
        return empty()
    clean, problems = salvage(data)
    if problems:
        _set_aside(path, "unexpected structure: " + "; ".join(problems[:5]))
        try:
            save(path, clean)
        except OSError as exc:
            _warn(f"could not write the recovered progress to {path}: {exc}")
    return clean


def _set_aside(path: Path, why: str) -> None:
    aside = path.with_name(f"{path.name}.corrupt-{_dt.datetime.now():%Y%m%d-%H%M%S-%f}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        _warn(f"progress file {path} could not be read ({why}) nor moved aside ({exc})")
        return
    _warn(f"progress file {path} could not be read ({why}); moved it to {aside.name} "
          "and kept what could be recovered")


def salvage(data) -> tuple[dict, list[str]]:
    """The well-formed part of a progress record, and what had to be left out."""
    clean, problems = empty(), []
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        return clean, ["no 'exercises' mapping at the top"]
    for name, entry in data["exercises"].items():
        if not isinstance(entry, dict):
            problems.append(f"exercise {name!r} is not a mapping")
            continue
        out: dict = {"questions": {}}
        declared = entry.get("declared")
        if declared is not None:
            good = [d for d in declared if _declared_ok(d)] if isinstance(declared, list) else []
            if not isinstance(declared, list) or len(good) != len(declared):
                problems.append(f"exercise {name!r}: unreadable list of questions")
            out["declared"] = good
        questions = entry.get("questions", {})
        if not isinstance(questions, dict):
            problems.append(f"exercise {name!r}: questions are not a mapping")
            questions = {}
        for qid, info in questions.items():
            if isinstance(info, dict) and _question_ok(info):
                out["questions"][str(qid)] = info
            else:
                problems.append(f"exercise {name!r}: question {qid!r} is unreadable")
        clean["exercises"][str(name)] = out
    return clean, problems


def _int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _declared_ok(d) -> bool:
    return (isinstance(d, dict) and isinstance(d.get("notebook_question"), str)
            and _int(d.get("max_points", 1)))


def _question_ok(info: dict) -> bool:
    return (isinstance(info.get("passed", False), bool)
            and _int(info.get("points", 0)) and _int(info.get("max_points", 1))
            and isinstance(info.get("outcome", ""), str)
            and isinstance(info.get("updated", ""), str))


def merge(data: dict, session: dict) -> dict:
    """``data`` with what ``session`` recorded added: a pass is kept, the newer outcome wins."""
    for name, entry in session["exercises"].items():
        target = data["exercises"].setdefault(name, {"questions": {}})
        target.setdefault("questions", {})
        if "declared" in entry:
            target["declared"] = [dict(d) for d in entry["declared"]]
        for qid, info in entry["questions"].items():
            mine = target["questions"].get(qid)
            if mine is None or info.get("updated", "") >= mine.get("updated", ""):
                passed = bool(info.get("passed")) or bool(mine and mine.get("passed"))
                target["questions"][qid] = {**info, "passed": passed}
            elif info.get("passed"):
                mine["passed"] = True
    return data


def current() -> dict:
    """Progress as a notebook sees it: the file, plus everything this session recorded (even
    if the file was deleted meanwhile)."""
    path = progress_path()
    data = load(path) if path is not None else empty()
    return merge(data, copy.deepcopy(_SESSION))


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


_SESSION = empty()  # what this process recorded: a notebook's own view survives a lost file


def _update(change) -> None:
    change(_SESSION)
    path = progress_path()
    if path is None:
        return
    try:
        with _locked(path):
            data = merge(load(path), copy.deepcopy(_SESSION))
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


def summary(data: dict, known: dict[str, list[tuple[str, int]]] | None = None) -> list[dict]:
    """Per exercise: which questions are passed, which not yet, and the points.

    ``known`` (exercise -> [(question, points), ...]) lists the course's exercises, so that
    those not started yet appear too.
    """
    known = known or {}
    rows = []
    for name in sorted(set(data.get("exercises", {})) | set(known)):
        entry = data.get("exercises", {}).get(name, {})
        seen = entry.get("questions", {})
        declared = entry.get("declared") or [
            {"notebook_question": q, "max_points": p} for q, p in known.get(name, [])]
        points = {d["notebook_question"]: d.get("max_points", 1) for d in declared}
        for q, info in seen.items():
            points.setdefault(q, info.get("max_points", 1))
        passed = [q for q in points if seen.get(q, {}).get("passed")]
        rows.append({
            "exercise": name,
            "started": bool(seen),
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
    started = any(r["started"] for r in rows)
    lines = [f"Progress recorded in {path}" if started
             else f"No progress recorded yet ({path}).", ""]
    for r in rows:
        head = f"{r['exercise']:<{width}}  {len(r['passed'])}/{r['total']} passed"
        if not r["started"]:
            lines.append(f"{head} (not started)")
            continue
        line = f"{head}: {', '.join(r['passed']) or 'none'}"
        if r["not_passed"]:
            line += f"; not yet: {', '.join(r['not_passed'])}"
        lines.append(line)
    points = sum(r["points"] for r in rows)
    max_points = sum(r["max_points"] for r in rows)
    lines += ["", f"Total: {points}/{max_points} points"]
    return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _warn(message: str) -> None:
    print(f"dlcourse: {message}", file=sys.stderr)
