"""The judge: grade one submission without sharing a process with its code.

1. The notebook is parsed from bytes read before any learner code ran; the exercise is the one
   it imports (else the one its file name names), and it must be one of the course's.
2. It runs in a fresh grading-mode kernel (``dlcourse.grading.kernel``) whose working directory
   is a temporary folder of its own: exercise modules are stubs without references, checks only
   record answers, writes outside that folder are refused. Each cell has a time limit; errors
   and interrupted cells do not stop the run; a kernel that hangs or dies is replaced and the
   cells before replayed.
3. For each question of the course's own list, the judge chooses inputs with a seed derived
   from the submission's bytes, hands them over as plain data, and the kernel observes the
   recorded answer in a forked worker killed at the wall-clock limit. The judge decodes the
   plain data (never unpickling) and calls the question's ``verdict`` here.

Nothing the notebook prints or displays is read as a grade.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..grading import plain, registry
from ..grading.outcome import ERROR, NOT_ATTEMPTED, TIMEOUT, Outcome
from . import flags as flagging
from .kernels import DIED, MAX_RESTARTS, OK, TIMED_OUT, KernelSession
from .submissions import Submission

COURSE_PACKAGE = registry.COURSE_PACKAGE
LEARNER_SIDE_MODULES = ("__init__", "probes")  # the only course code a grading kernel may load
INVALID = "invalid notebook"
UNKNOWN_EXERCISE = "unknown exercise"
INCOMPLETE = "incomplete run"
GRADER_ERROR = "grader error"
_IMPORT = re.compile(r"\bdlcourse\.course\.(ex\d\d_\w+)")


@dataclass
class Options:
    cell_timeout: float = 60.0
    time_limit: float | None = None  # per check; None: each question's own


@dataclass
class NotebookResult:
    """What grading one notebook found: a run status, one row per question, flags and notes."""

    path: str
    status: str = OK
    message: str = ""
    questions: list[dict] = field(default_factory=list)
    learner: str = ""
    exercise: str | None = None
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

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
        return {"path": self.path, "learner": self.learner, "exercise": self.exercise,
                "status": self.status, "message": self.message, "points": self.points,
                "max_points": self.max_points, "passed": self.passed,
                "questions": self.questions, "flags": self.flags, "notes": self.notes}


# -- the course ----------------------------------------------------------------------------------
def course() -> dict:
    """Exercise name -> checker module, for every exercise module of the course."""
    return registry.exercise_modules(COURSE_PACKAGE)


def plan(workdir: Path, log: Path) -> dict:
    """What the grading kernel needs: the stubs' plain specs and where it may write."""
    package = importlib.import_module(COURSE_PACKAGE)
    return {
        "package": COURSE_PACKAGE,
        "allowed": [f"{COURSE_PACKAGE}.probes"],
        "modules": {m.__name__: {"exercise": name, "questions": [q.spec() for q in m.exercise]}
                    for name, m in course().items()},
        "workdir": str(workdir),
        "course_dir": os.path.dirname(os.path.abspath(package.__file__)),
        "readable": list(LEARNER_SIDE_MODULES),
        "log": str(log),
    }


def seed_for(data: bytes, exercise: str, question: str) -> int:
    """Inputs depend on the submission's bytes: reproducible, yet unknowable in advance."""
    digest = hashlib.sha256(b"dlcourse grade\0" + data + f"\0{exercise}\0{question}".encode())
    return int.from_bytes(digest.digest()[:8], "big")


def identify(nb, name_hint: str | None) -> tuple[str | None, list[str]]:
    """The exercise a notebook is (by what it imports, else its file name), and notes."""
    known = course()
    by_module = {m.__name__.rsplit(".", 1)[-1]: name for name, m in known.items()}
    imported = [by_module.get(m) for m in _IMPORT.findall(_code(nb))]
    imported = [name for name in dict.fromkeys(imported) if name]
    notes = []
    exercise = imported[0] if imported else (name_hint if name_hint in known else None)
    if len(imported) > 1:
        notes.append(f"imports several exercises ({', '.join(imported)}); graded as {exercise}")
    if exercise and name_hint and name_hint != exercise and name_hint in known:
        notes.append(f"the file is named {name_hint} but the notebook is exercise {exercise}")
    return exercise, notes


def _code(nb) -> str:
    return "\n".join(c.get("source", "") for c in nb.get("cells", [])
                     if c.get("cell_type") == "code")


def _rows(exercise: str, outcomes: list[Outcome]) -> list[dict]:
    return [{"exercise": exercise, "notebook_question": o.question, "outcome": o.status,
             "points": o.points, "max_points": o.max_points, "message": o.message}
            for o in outcomes]


def _not_graded(exercise: str, message: str) -> list[dict]:
    return _rows(exercise, [Outcome(q.id, NOT_ATTEMPTED, message, q.points, exercise)
                            for q in course()[exercise].exercise])


# -- grading one submission ----------------------------------------------------------------------
def grade(sub: Submission, options: Options | None = None) -> NotebookResult:
    """Grade one submission from its bytes; never writes the original file."""
    import nbformat

    options = options or Options()
    start = time.monotonic()
    result = NotebookResult(str(sub.path), learner=sub.learner)
    hint = sub.name_hint if sub.name_hint in course() else None
    try:
        if sub.data is None:
            raise ValueError(sub.error or "the file could not be read")
        nb = nbformat.reads(sub.data.decode("utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        result.status, result.message = INVALID, _one_line(exc)
        result.exercise = hint
        if hint:
            result.questions = _not_graded(hint, f"the notebook could not be read: "
                                                 f"{result.message}")
        return result
    result.exercise, result.notes = identify(nb, hint)
    result.flags = flagging.scan([c.source for c in nb.cells if c.cell_type == "code"])
    if result.exercise is None:
        result.status = UNKNOWN_EXERCISE
        result.message = ("the notebook imports none of the course's exercises and its file "
                          "name names none")
        return result
    try:
        with tempfile.TemporaryDirectory(prefix="dlcourse-grade-") as tmp:
            _run(nb, sub, result, options, Path(tmp))
    except Exception as exc:  # e.g. no kernel could start: this notebook is not graded
        result.status, result.message = GRADER_ERROR, f"could not grade it: {_one_line(exc)}"
        result.questions = _not_graded(result.exercise, f"not graded: {result.message}")
    result.seconds = time.monotonic() - start
    return result


def _run(nb, sub: Submission, result: NotebookResult, options: Options, tmp: Path) -> None:
    workdir, judge_dir = tmp / "work", tmp / "judge"
    for d in (workdir, workdir / "tmp", judge_dir):
        d.mkdir()
    log = judge_dir / "events.log"
    (judge_dir / "plan.json").write_text(json.dumps(plan(workdir, log)))
    env = _environment(workdir, judge_dir / "plan.json")
    cells = [c.source for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    session = KernelSession(workdir, env)
    try:
        ran = _run_cells(session, cells, options, result)
        exercise = course()[result.exercise].exercise
        outcomes = []
        for q in exercise:
            outcome, answered = _observe(session, q, sub, options, workdir, judge_dir, result)
            outcomes.append(outcome)
            if not answered:  # the kernel was replaced: bring its answers back
                result.notes.append(f"{q.id}: the kernel stopped answering during the check; "
                                    "restarted it and ran the cells again")
                session.restart()
                if session.restarts > MAX_RESTARTS or not _replay(session, cells, ran, options):
                    result.status = INCOMPLETE
                    result.message = "the kernel had to be restarted too often"
                    break
        outcomes += [Outcome(q.id, ERROR, "not checked: the kernel had to be restarted too "
                             "often", q.points, result.exercise)
                     for q in list(exercise)[len(outcomes):]]
    finally:
        session.close()
    result.questions = _rows(result.exercise, outcomes)
    result.flags += _refusals(log)


def _environment(workdir: Path, plan_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLCOURSE_", "JPY_"))}
    env.update({
        "DLCOURSE_GRADING": str(plan_path), "DLCOURSE_PROGRESS": "off",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": matplotlib_dir(), "TMPDIR": str(workdir / "tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    return env


def matplotlib_dir() -> str:
    """A matplotlib config folder with its font cache built, shared read-only by the kernels
    (their guard refuses writes outside their own folder, so matplotlib must find it ready)."""
    folder = Path(tempfile.gettempdir()) / f"dlcourse-grade-matplotlib-{os.getuid()}"
    if not (folder / ".ready").exists():
        fresh = Path(tempfile.mkdtemp(prefix=folder.name + "-", dir=folder.parent))
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"],
                       env={**os.environ, "MPLCONFIGDIR": str(fresh)}, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        (fresh / ".ready").touch()
        try:
            os.rename(fresh, folder)
        except OSError:  # another worker got there first, or an old incomplete folder
            shutil.rmtree(fresh, ignore_errors=True)
            if not (folder / ".ready").exists():
                shutil.rmtree(folder, ignore_errors=True)
                return matplotlib_dir()
    return str(folder)


def _run_cells(session: KernelSession, cells: list[str], options: Options,
               result: NotebookResult) -> list[int]:
    """Run every code cell; return the indices that completed (to replay after a restart)."""
    ran: list[int] = []
    for i, source in enumerate(cells):
        status, _ = session.run(source, options.cell_timeout)
        if status == OK:
            ran.append(i)
            continue
        what = (f"ran longer than {options.cell_timeout:g} s and was stopped"
                if status == TIMED_OUT else "ended the kernel (it exited or crashed)")
        result.notes.append(f"code cell {i + 1} {what}")
        if status == TIMED_OUT and session.recover():
            continue
        if status == DIED:
            session.restart()
        if session.restarts > MAX_RESTARTS or not _replay(session, cells, ran, options):
            result.status = INCOMPLETE
            result.message = "the kernel had to be restarted too often; later cells did not run"
            return ran
    return ran


def _replay(session: KernelSession, cells: list[str], ran: list[int], options: Options) -> bool:
    """In a fresh kernel, run again the cells that had completed. False if that fails."""
    for i in ran:
        status, _ = session.run(cells[i], options.cell_timeout)
        if status != OK:
            return False
    return True


def _observe(session: KernelSession, q, sub: Submission, options: Options, workdir: Path,
             judge_dir: Path, result: NotebookResult) -> tuple[Outcome, bool]:
    """Observe one question's recorded answer in a forked worker; the verdict is ours.

    Returns the outcome, and False when the kernel did not come back (it must be replaced)."""
    exercise = result.exercise
    limit = options.time_limit or q.time_limit
    inputs = q.inputs(seed_for(sub.data, exercise, q.id))
    token = secrets.token_hex(8)
    inputs_path = judge_dir / f"inputs-{token}.npz"
    out_path = workdir / f".observed-{token}.npz"
    plain.dump(inputs, inputs_path)
    code = ("import dlcourse.grading.kernel as _dlcourse_grading\n"
            f"_dlcourse_grading.run_observation({exercise!r}, {q.id!r}, {str(inputs_path)!r}, "
            f"{str(out_path)!r}, {limit!r})")
    start = time.monotonic()
    status, _ = session.run(code, limit + 10, store_history=False)
    elapsed = time.monotonic() - start
    observation = _read(out_path, limit, elapsed)
    for path in (inputs_path, out_path):
        path.unlink(missing_ok=True)
    if observation.get("status") == NOT_ATTEMPTED and observation.get("message") == "never checked":
        return Outcome(q.id, NOT_ATTEMPTED, f"never checked: no {q.id}.check(...) ran",
                       q.points, exercise), status == OK
    return q.judge(inputs, observation), status == OK


def _read(path: Path, limit: float, elapsed: float) -> dict:
    if path.is_symlink() or (path.exists() and not path.is_file()):  # a FIFO could block us
        return {"status": ERROR, "message": "The result of your answer was not a plain file."}
    if not path.exists():
        if elapsed >= limit:
            return {"status": TIMEOUT, "message": f"Your code did not finish within {limit:g} s "
                    "(the check was stopped from outside). Look for a loop that never ends."}
        return {"status": ERROR, "message": "The check of your answer ended without a result "
                "(did your code exit the process or crash it?)."}
    try:
        return plain.load(path)
    except Exception as exc:
        return {"status": ERROR, "message": f"The result of your answer could not be read: "
                f"{_one_line(exc)}"}


def _refusals(log: Path) -> list[str]:
    found = []
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return found
    for line in lines[:50]:
        try:
            what = str(json.loads(line).get("refused", ""))[:200]
        except (ValueError, AttributeError):
            continue
        flag = f"was refused: {what}"
        if what and flag not in found:
            found.append(flag)
    return found


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:200]
