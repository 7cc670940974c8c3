"""Grading mode: the learner's kernel while ``dlcourse grade`` runs a submission.

``python -m dlcourse.grading.kernel -f CONNECTION_FILE`` starts an ordinary IPython kernel after
three things are in place (``DLCOURSE_GRADING`` names the judge's plan, a JSON file):

1. **Stub exercises.** Importing an exercise module of the course gives a stand-in built from
   plain data (question ids, kinds, points, the import path of probe functions): no reference,
   no solution, no cases. ``qN.check(answer)`` only remembers the answer; ``.solution()`` says
   solutions are not available while grading. Other modules of the course package, and the
   source files of the real exercise modules, cannot be imported or read.
2. **A guard (audit hook).** Writing outside the submission's working directory, running
   programs, killing other processes and loading native code are refused and logged for the
   judge (``sys.addaudithook``: a hook cannot be removed from Python code).
3. **Observation in a forked worker.** After the notebook ran, the judge asks for each question:
   ``run_observation(...)`` forks; the child runs the question's learner side
   (``observe.learner_side``) on the judge's inputs and writes plain data; the parent kills the
   child's process group (SIGKILL) at the wall-clock limit. The verdict is the judge's.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import time
import types

from . import display, plain
from .observe import is_placeholder, learner_side, recorded
from .outcome import NOT_ATTEMPTED
from .sandbox import call_learner

ENV_VAR = "DLCOURSE_GRADING"
ANSWERS: dict[tuple[str, str], object] = {}
QUESTIONS: dict[tuple[str, str], dict] = {}
_FORKED: set[int] = set()
_STATE = {"armed": False, "log": None, "workdir": "", "course_dir": "", "readable": ()}


# -- stand-ins for the exercise modules ------------------------------------------------------------
class StubQuestion:
    """What a notebook sees of a question while it is graded: ``check`` records the answer."""

    def __init__(self, spec: dict):
        self.id = spec["id"]
        self.exercise = spec["exercise"]
        self.points = spec["points"]
        QUESTIONS[(self.exercise, self.id)] = spec

    def __repr__(self) -> str:
        return f"<question {self.id} of {self.exercise}, recorded for grading>"

    def check(self, answer) -> None:
        ANSWERS[(self.exercise, self.id)] = answer
        text = f"{self.id}: answer recorded for grading."
        display.show(text, display.box("hint", display.inline_code(text)))

    def hint(self) -> None:
        text = f"{self.id}: hints are not shown while a notebook is graded."
        display.show(text, display.box("hint", display.inline_code(text)))

    def solution(self) -> None:
        text = f"{self.id}: solutions are not available while a notebook is graded."
        display.show(text, display.box("hint", display.inline_code(text)))


class StubExercise:
    """An exercise's questions as stand-ins; ``setup()`` only says checks are recorded."""

    def __init__(self, name: str, questions: list[StubQuestion]):
        self.name = name
        self.questions = {q.id: q for q in questions}

    def __getattr__(self, name: str):
        questions = self.__dict__.get("questions", {})
        if name in questions:
            return questions[name]
        raise AttributeError(f"exercise {self.__dict__.get('name')} has no question {name!r}")

    def __iter__(self):
        return iter(self.questions.values())

    def __repr__(self) -> str:
        return f"<exercise {self.name} (graded): {', '.join(self.questions)}>"

    @property
    def max_points(self) -> int:
        return sum(q.points for q in self)

    def setup(self) -> None:
        text = f"Exercise {self.name}: this notebook is being graded; checks are recorded."
        display.show(text, display.box("hint", display.inline_code(text)))


def stub_module(name: str, spec: dict) -> types.ModuleType:
    module = types.ModuleType(name, f"Exercise {spec['exercise']} as seen while grading.")
    questions = [StubQuestion({**q, "exercise": spec["exercise"]}) for q in spec["questions"]]
    module.exercise = StubExercise(spec["exercise"], questions)
    for q in questions:
        setattr(module, q.id, q)
    module.__all__ = ["exercise", *(q.id for q in questions)]
    return module


class CourseFinder:
    """Meta-path finder: exercise modules become stubs; the rest of the course is closed."""

    def __init__(self, plan: dict):
        self.package = plan["package"]
        self.modules = plan["modules"]
        self.allowed = set(plan.get("allowed", ()))

    def find_spec(self, fullname, path=None, target=None):
        import importlib.util

        if fullname in self.modules:
            return importlib.util.spec_from_loader(fullname, self)
        if fullname.startswith(self.package + ".") and fullname not in self.allowed:
            raise ImportError(f"{fullname} is not available while a notebook is graded")
        return None

    def create_module(self, spec):
        return stub_module(spec.name, self.modules[spec.name])

    def exec_module(self, module) -> None:
        pass


# -- the guard -----------------------------------------------------------------------------------
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PATH_EVENTS = {"os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                "os.utime", "os.link", "os.symlink", "os.rename", "shutil.rmtree",
                "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.move",
                "shutil.copytree", "os.chflags", "os.setxattr", "os.removexattr", "os.mkfifo",
                "os.mknod"}
_PROGRAM_EVENTS = {"os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
                   "pty.spawn", "os.startfile"}
_NATIVE_EVENTS = {"ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "ctypes.addressof"}
_ALLOWED_SYMBOLS = {"PyThreadState_SetAsyncExc"}


class Refused(PermissionError):
    """An action a submission may not take while it is graded."""


def _within(path, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def _writable(path) -> bool:
    if isinstance(path, int):
        return True
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return False
    return path == os.devnull or _within(path, _STATE["workdir"])


def _readable(path) -> bool:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str) or not _STATE["course_dir"]:
        return True
    real = os.path.realpath(path)
    if not _within(real, _STATE["course_dir"]):
        return True
    name = os.path.basename(real)
    return real == _STATE["course_dir"] or name.split(".")[0] in _STATE["readable"]


def _refuse(what: str) -> None:
    log = _STATE["log"]
    if log is not None:
        try:
            os.write(log, (json.dumps({"refused": what[:500]}) + "\n").encode())
        except OSError:
            pass
    raise Refused(f"dlcourse grade: {what} is not allowed while a notebook is graded")


def _audit(event: str, args: tuple) -> None:
    if not _STATE["armed"]:
        return
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (any(c in mode for c in "wax+") if isinstance(mode, str)
                   else bool((flags or 0) & _WRITE_FLAGS))
        if writing and not _writable(path):
            _refuse(f"writing {path!r}")
        if not _readable(path):
            _refuse(f"reading the checker {path!r}")
    elif event in _PATH_EVENTS:
        if event == "os.mkdir" and isinstance(args[0], (str, bytes)) and os.path.isdir(args[0]):
            return  # makedirs(exist_ok=True) on a folder that exists: changes nothing
        for path in args[:2] if event in ("os.rename", "os.link", "os.symlink",
                                          "shutil.copyfile", "shutil.move",
                                          "shutil.copytree") else args[:1]:
            if isinstance(path, (str, bytes, os.PathLike)) and not _writable(os.fspath(path)):
                _refuse(f"{event} on {path!r}")
    elif event in _PROGRAM_EVENTS:
        _refuse(f"running a program ({event})")
    elif event in ("os.kill", "os.killpg"):
        if args and args[0] not in _FORKED and args[0] != os.getpid():
            _refuse(f"{event} of process {args[0]}")
    elif event in _NATIVE_EVENTS:
        if event == "ctypes.dlsym" and len(args) > 1 and args[1] in _ALLOWED_SYMBOLS:
            return
        _refuse(f"native code ({event})")


# -- observation in a forked worker --------------------------------------------------------------
def run_observation(exercise: str, qid: str, inputs_path: str, out_path: str,
                    limit: float) -> None:
    """Observe the recorded answer to ``qid`` in a child process killed after ``limit`` s."""
    key = (exercise, qid)
    if key not in QUESTIONS or key not in ANSWERS:
        plain.dump({"status": NOT_ATTEMPTED, "message": "never checked"}, out_path)
        return
    if is_placeholder(ANSWERS[key]):  # the stub as shipped: nothing to run
        plain.dump({"status": NOT_ATTEMPTED, "message": ""}, out_path)
        return
    pid = os.fork()
    if pid == 0:  # the child: never returns into the kernel
        try:
            _observe_in_child(QUESTIONS[key], ANSWERS[key], inputs_path, out_path)
        finally:
            os._exit(0)
    _FORKED.add(pid)
    deadline = time.monotonic() + limit
    try:
        while not os.waitpid(pid, os.WNOHANG)[0]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
    finally:
        try:
            os.killpg(pid, signal.SIGKILL)  # the child and anything it started
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _observe_in_child(spec: dict, answer, inputs_path: str, out_path: str) -> None:
    os.setsid()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # the kernel's streams need its threads
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        inputs = plain.load(inputs_path)
        if is_placeholder(answer):
            record = {"status": NOT_ATTEMPTED, "message": ""}
        else:
            observe = learner_side(spec["kind"], spec["observe"])
            call = functools.partial(_call, timeout=spec["timeout"])
            record = {"status": "observed", "observed": observe(answer, inputs, call)}
    except BaseException as exc:  # noqa: BLE001 - whatever stopped it goes to the judge
        record = recorded(exc)
    try:
        plain.dump(record, out_path)
    except BaseException as exc:  # noqa: BLE001
        plain.dump({"status": "error",
                    "message": f"The result of your answer could not be passed on: {exc}"},
                   out_path)


def _call(fn, *args, timeout, inputs: str = "", **kwargs):
    return call_learner(fn, args, kwargs, timeout=timeout, inputs=inputs)


# -- start ---------------------------------------------------------------------------------------
def install(plan: dict) -> None:
    """Stub the course, then arm the guard (call ``arm`` once the kernel has started)."""
    sys.meta_path.insert(0, CourseFinder(plan))
    _STATE["workdir"] = os.path.realpath(plan["workdir"])
    _STATE["course_dir"] = os.path.realpath(plan["course_dir"]) if plan.get("course_dir") else ""
    _STATE["readable"] = tuple(plan.get("readable", ("__init__", "probes")))
    if plan.get("log"):
        _STATE["log"] = os.open(plan["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc  # noqa: B018 - resolved now, before the guard
    sys.addaudithook(_audit)


def arm() -> None:
    _STATE["armed"] = True


def main() -> None:
    with open(os.environ[ENV_VAR], encoding="utf-8") as f:
        plan = json.load(f)
    install(plan)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    arm()
    app.start()


if __name__ == "__main__":
    # Run the imported module's main, so that the judge's requests (``import
    # dlcourse.grading.kernel``) and the stubs share one copy of ANSWERS and QUESTIONS.
    from dlcourse.grading import kernel

    kernel.main()
