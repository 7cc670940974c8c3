"""``dlcourse grade``: run notebooks in fresh kernels and read back what their checks recorded.

Each notebook is parsed, its old outputs dropped, and executed in memory by nbclient in a fresh
kernel of the current Python environment, with a temporary directory as working directory: the
file itself is never written. Errors in cells do not stop the run (later questions still count);
a cell that runs past the timeout or a kernel that dies ends that notebook's run, keeping what
was recorded so far. Grades come from the ``outcome.MIME_TYPE`` records in the outputs: the last
record per question wins, and questions declared by ``Exercise.setup()`` but never checked count
as not attempted.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..grading.outcome import MIME_TYPE, NOT_ATTEMPTED

OK = "ok"
INVALID = "invalid notebook"
KERNEL_DIED = "kernel died"
TIMEOUT = "timeout"
FAILED = "error"
NO_QUESTIONS = "no questions"


@dataclass
class NotebookResult:
    """What grading one notebook found: a run status and one record per question."""

    path: str
    status: str = OK
    message: str = ""
    questions: list[dict] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(q.get("points", 0) for q in self.questions)

    @property
    def max_points(self) -> int:
        return sum(q.get("max_points", 0) for q in self.questions)

    @property
    def passed(self) -> bool:
        return (self.status == OK and bool(self.questions)
                and all(q.get("outcome") == "correct" for q in self.questions))

    def to_json(self) -> dict:
        return {"path": self.path, "status": self.status, "message": self.message,
                "points": self.points, "max_points": self.max_points, "passed": self.passed,
                "questions": self.questions}


# -- reading records -----------------------------------------------------------------------------
def records(nb) -> list[dict]:
    """Every grading record in the notebook's outputs, in order."""
    found = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            record = output.get("data", {}).get(MIME_TYPE)
            if isinstance(record, str):
                try:
                    record = json.loads(record)
                except ValueError:
                    continue
            if isinstance(record, dict):
                found.append(record)
    return found


def question_rows(found: list[dict]) -> list[dict]:
    """One row per question: its last outcome, or *not attempted* if declared but never checked."""
    declared: dict[tuple, int] = {}
    outcomes: dict[tuple, dict] = {}
    for record in found:
        if record.get("kind") == "questions":
            for q in record.get("questions", []):
                declared[(record.get("exercise"), q.get("notebook_question"))] = q.get(
                    "max_points", 1)
        elif "notebook_question" in record and "outcome" in record:
            outcomes[(record.get("exercise"), record["notebook_question"])] = record
    keys = list(declared) + [k for k in outcomes if k not in declared]
    rows = []
    for exercise, question in keys:
        record = outcomes.get((exercise, question)) or {
            "outcome": NOT_ATTEMPTED, "points": 0, "max_points": declared[(exercise, question)],
            "message": "never checked"}
        rows.append({
            "exercise": exercise, "notebook_question": question,
            "outcome": record.get("outcome"), "points": record.get("points", 0),
            "max_points": record.get("max_points", 1), "message": record.get("message", ""),
        })
    return rows


# -- running -------------------------------------------------------------------------------------
def _current_env_kernel_manager():
    """An nbclient kernel manager whose Python kernels run on this interpreter."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class CurrentEnvSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            try:
                spec = super().get_kernel_spec(kernel_name)
                if spec.language.lower() != "python":
                    return spec
            except NoSuchKernel:
                pass
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    class CurrentEnvKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return CurrentEnvSpecs(data_dir=self.data_dir)

    return CurrentEnvKernelManager


def grade_notebook(path: str | Path, timeout: float = 60) -> NotebookResult:
    """Execute one notebook (never writing it) and collect its question rows."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    result = NotebookResult(str(path))
    try:
        nb = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        result.status, result.message = INVALID, _one_line(exc)
        return result
    for cell in nb.cells:  # outputs saved in the file must not count, only this run's
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None

    quiet = logging.getLogger("dlcourse.grade")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    env = {**os.environ, "DLCOURSE_PROGRESS": "off"}
    with tempfile.TemporaryDirectory(prefix="dlcourse-grade-") as workdir:
        client = NotebookClient(
            nb, timeout=timeout, allow_errors=True, shutdown_kernel="immediate",
            kernel_name=nb.metadata.get("kernelspec", {}).get("name") or "python3",
            kernel_manager_class=_current_env_kernel_manager(),
            resources={"metadata": {"path": workdir}}, log=quiet,
        )
        try:
            # The kernel's own stderr is log noise here; learner output arrives via iopub.
            client.execute(env=env, stderr=subprocess.DEVNULL)
        except CellTimeoutError:
            result.status = TIMEOUT
            result.message = f"a cell ran longer than {timeout:g} s; later cells did not run"
        except DeadKernelError:
            result.status = KERNEL_DIED
            result.message = "the kernel died (crashed or exited); later cells did not run"
        except Exception as exc:
            result.status, result.message = FAILED, _one_line(exc)
    result.questions = question_rows(records(nb))
    if result.status == OK and not result.questions:
        result.status = NO_QUESTIONS
        result.message = "no graded questions were found (does it call exercise.setup()?)"
    return result


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:200]


def notebook_paths(paths: list[str]) -> list[Path]:
    """Expand directories to the notebooks inside; raise FileNotFoundError for missing paths."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.glob("*.ipynb") if q.is_file())
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return out


# -- reporting -----------------------------------------------------------------------------------
def format_table(results: list[NotebookResult]) -> str:
    rows = [("notebook", "question", "outcome", "points", "message")]
    for r in results:
        if r.status != OK:
            rows.append((r.path, "-", r.status, "", r.message))
        for q in r.questions:
            rows.append((r.path, str(q["notebook_question"]), str(q["outcome"]),
                         f"{q['points']}/{q['max_points']}", _first_line(q.get("message", ""))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for r in results:
        verdict = "passed" if r.passed else "not passed"
        lines.append(f"{r.path}: {r.points}/{r.max_points} points, {verdict}")
    points = sum(r.points for r in results)
    max_points = sum(r.max_points for r in results)
    passed = sum(r.passed for r in results)
    lines.append(f"Total: {points}/{max_points} points; "
                 f"{passed} of {len(results)} notebooks passed")
    return "\n".join(lines)


def _first_line(message: str, width: int = 70) -> str:
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def to_json(results: list[NotebookResult]) -> dict:
    return {
        "notebooks": [r.to_json() for r in results],
        "points": sum(r.points for r in results),
        "max_points": sum(r.max_points for r in results),
        "passed": all(r.passed for r in results),
    }


def run(paths: list[str], timeout: float = 60, as_json: bool = False) -> int:
    """The ``dlcourse grade`` command; returns the exit status."""
    try:
        notebooks = notebook_paths(paths)
    except FileNotFoundError as exc:
        print(f"dlcourse grade: {exc}", file=sys.stderr)
        return 2
    if not notebooks:
        print("dlcourse grade: no notebooks found", file=sys.stderr)
        return 2
    results = []
    for path in notebooks:
        if not as_json:
            print(f"grading {path} ...", file=sys.stderr, flush=True)
        results.append(grade_notebook(path, timeout))
    print(json.dumps(to_json(results), indent=2) if as_json else format_table(results))
    return 0 if all(r.passed for r in results) else 1
