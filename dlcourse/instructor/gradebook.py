"""Reports of a graded batch: the class summary, the table, JSON and the gradebook CSV.

The gradebook has one row per learner and one column per exercise graded in the batch (or, with
``per_question``, one per question), in a form learning management systems import:

    learner,01_linear_unit,02_multiple_inputs,total
    ada,7,5,12
    grace,3,0,3

The first column is the learner's id (the sub-folder name, or the part of the file name before
``__``); every other column is a number of points. A learner with no notebook for an exercise
gets 0 there. Column names: the exercise (``01_linear_unit``) or, per question, the exercise and
the question (``01_linear_unit:q1``); the maximum of each column is in the JSON report
(``columns``). Canvas (Grades > Import) and Moodle (Grade administration > Import > CSV file)
both map the ``learner`` column to a user field and each score column to a grade item.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from .judge import NotebookResult

NO_LEARNER = "(no learner id)"


def _first_line(message: str, width: int = 70) -> str:
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line if len(line) <= width else line[: width - 3] + "..."


# -- the class summary ---------------------------------------------------------------------------
def summary(results: list[NotebookResult]) -> list[dict]:
    """Per question of the batch: how many correct, and the most common wrong outcome."""
    rows: dict[tuple, dict] = {}
    wrong: dict[tuple, Counter] = {}
    for r in results:
        for q in r.questions:
            key = (q["exercise"], q["notebook_question"])
            row = rows.setdefault(key, {"exercise": key[0], "question": key[1],
                                        "max_points": q["max_points"], "submissions": 0,
                                        "attempted": 0, "correct": 0})
            row["submissions"] += 1
            row["attempted"] += q["outcome"] != "not attempted"
            row["correct"] += q["outcome"] == "correct"
            if q["outcome"] not in ("correct", "not attempted"):
                what = f"{q['outcome']}: {_first_line(q.get('message', ''), 90)}".rstrip(": ")
                wrong.setdefault(key, Counter())[what] += 1
    for key, row in rows.items():
        common = wrong.get(key, Counter()).most_common(1)
        row["most_common_wrong"] = common[0][0] if common else ""
        row["most_common_wrong_count"] = common[0][1] if common else 0
    return [rows[k] for k in sorted(rows)]


def format_summary(rows: list[dict]) -> str:
    if not rows:
        return "No questions were graded."
    lines = ["Per question (the class at a glance):"]
    for row in rows:
        line = (f"  {row['exercise']} {row['question']}: {row['correct']}/{row['submissions']} "
                f"correct, {row['attempted']} attempted")
        if row["most_common_wrong"]:
            line += (f"; most common wrong ({row['most_common_wrong_count']}x): "
                     f"{row['most_common_wrong']}")
        lines.append(line)
    return "\n".join(lines)


# -- the gradebook -------------------------------------------------------------------------------
def columns(results: list[NotebookResult], per_question: bool = False) -> list[tuple[str, int]]:
    """Score columns, in course order: (name, maximum points)."""
    maxima: dict[str, int] = {}
    for r in sorted(results, key=lambda r: r.exercise or ""):
        for q in r.questions:
            name = f"{q['exercise']}:{q['notebook_question']}" if per_question else q["exercise"]
            if per_question:
                maxima[name] = q["max_points"]
            elif name not in maxima or r.max_points > maxima[name]:
                maxima[name] = r.max_points
    return list(maxima.items())


def learners(results: list[NotebookResult], per_question: bool = False) -> list[dict]:
    """One row per learner: ``{"learner": id, column: points, ..., "total": points}``.

    Where a learner handed in the same exercise twice, the better notebook counts."""
    cols = [name for name, _ in columns(results, per_question)]
    best: dict[tuple[str, str], NotebookResult] = {}
    for r in results:
        if r.exercise is None:
            continue
        key = (r.learner or NO_LEARNER, r.exercise)
        if key not in best or r.points > best[key].points:
            best[key] = r
    rows = []
    for learner in sorted({r.learner or NO_LEARNER for r in results}):
        row = {"learner": learner, **{c: 0 for c in cols}}
        for (who, exercise), r in best.items():
            if who != learner:
                continue
            if per_question:
                for q in r.questions:
                    row[f"{exercise}:{q['notebook_question']}"] = q["points"]
            else:
                row[exercise] = r.points
        row["total"] = sum(row[c] for c in cols)
        rows.append(row)
    return rows


def write_csv(path: str | Path, results: list[NotebookResult], per_question: bool = False) -> None:
    cols = [name for name, _ in columns(results, per_question)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["learner", *cols, "total"])
        writer.writeheader()
        writer.writerows(learners(results, per_question))


# -- table and JSON --------------------------------------------------------------------------------
def format_table(results: list[NotebookResult], changed: list[str] = ()) -> str:
    """The text report: class summary, every question of every notebook, flags, totals."""
    rows = [("notebook", "question", "outcome", "points", "message")]
    for r in results:
        if r.status != "ok":
            rows.append((r.path, "-", r.status, "", r.message))
        for q in r.questions:
            rows.append((r.path, str(q["notebook_question"]), str(q["outcome"]),
                         f"{q['points']}/{q['max_points']}", _first_line(q.get("message", ""))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    table.insert(1, "  ".join("-" * w for w in widths))
    lines = [format_summary(summary(results)), "", *table, ""]
    for r in results:
        for note in r.notes:
            lines.append(f"note: {r.path}: {note}")
        for flag in r.flags:
            lines.append(f"FLAG: {r.path}: {flag}")
    for path in changed:
        lines.append(f"FLAG: an input file changed while grading (restored): {path}")
    lines.append("")
    for r in results:
        verdict = "passed" if r.passed else "not passed"
        who = f" [{r.learner}]" if r.learner else ""
        lines.append(f"{r.path}{who}: {r.points}/{r.max_points} points, {verdict}")
    points = sum(r.points for r in results)
    max_points = sum(r.max_points for r in results)
    passed = sum(r.passed for r in results)
    lines.append(f"Total: {points}/{max_points} points; "
                 f"{passed} of {len(results)} notebooks passed")
    return "\n".join(lines)


def to_json(results: list[NotebookResult], changed: list[str] = ()) -> dict:
    return {
        "notebooks": [r.to_json() for r in results],
        "points": sum(r.points for r in results),
        "max_points": sum(r.max_points for r in results),
        "passed": all(r.passed for r in results),
        "summary": summary(results),
        "columns": [{"name": n, "max_points": m} for n, m in columns(results)],
        "learners": learners(results),
        "changed_inputs": list(changed),
    }
