"""Run learner code so that nothing it does escapes into the notebook.

``call_learner`` calls a learner's function with a time limit and turns whatever goes wrong into
one of three exceptions the question machinery reports: ``NotAttempted`` (the stub's
``NotImplementedError``), ``LearnerError`` (any other exception, with the inputs used) and
``LearnerTimeout``.

The time limit uses SIGALRM when it can (the main thread on Unix, which is where an ipykernel
runs cells): the alarm interrupts even a tight ``while True: pass``. Elsewhere the call runs in a
helper thread; when that thread overruns, an exception is injected into it so that it stops at
its next Python instruction.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import sysconfig
import threading
import traceback
from collections.abc import Callable

from .outcome import NotAttempted

DEFAULT_TIMEOUT = 5.0
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # dlcourse itself


def _library_dirs() -> tuple[str, ...]:
    """Where code that is not the learner's lives: dlcourse, the standard library, packages."""
    dirs = {_PACKAGE}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            dirs.add(sysconfig.get_paths()[key])
        except KeyError:
            pass
    dirs.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


_LIBRARIES = _library_dirs()


class LearnerError(Exception):
    """The learner's code raised; ``message`` names the exception, the inputs and the line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LearnerTimeout(Exception):
    """The learner's code did not return within the time limit."""


class _Alarm(BaseException):
    # A BaseException, so that a learner's ``except Exception`` cannot swallow the time limit.
    pass


def call_learner(
    fn: Callable,
    args: tuple = (),
    kwargs: dict | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    inputs: str = "",
):
    """Call ``fn(*args, **kwargs)`` as learner code; ``inputs`` describes the arguments."""
    kwargs = kwargs or {}
    for_inputs = f" for inputs {inputs}" if inputs else ""
    try:
        return run_with_timeout(fn, args, kwargs, timeout)
    except _Alarm:
        raise LearnerTimeout(
            f"Your code did not finish within {timeout:g} s{for_inputs}. "
            "Look for a loop that never ends."
        ) from None
    except NotImplementedError as exc:
        raise NotAttempted(str(exc)) from None
    except (Exception, SystemExit) as exc:
        where = _learner_frames(exc)
        name = type(exc).__name__
        detail = f": {exc}" if str(exc) else ""
        raise LearnerError(f"Your code raised {name}{detail}{for_inputs}{where}") from None


def run_with_timeout(fn: Callable, args: tuple, kwargs: dict, timeout: float | None):
    """Run ``fn``; raise ``_Alarm`` if it takes longer than ``timeout`` seconds."""
    if not timeout or timeout <= 0:
        return fn(*args, **kwargs)
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _run_with_alarm(fn, args, kwargs, timeout)
    return _run_in_thread(fn, args, kwargs, timeout)


def _run_with_alarm(fn, args, kwargs, timeout):
    def on_alarm(signum, frame):
        raise _Alarm

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_timer[0] > 0:  # someone else's alarm was pending: give it back
            signal.setitimer(signal.ITIMER_REAL, max(previous_timer[0] - timeout, 1e-3))


def _run_in_thread(fn, args, kwargs, timeout):
    result: dict = {}

    def target():
        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed back to the caller's thread below
            result["error"] = exc

    worker = threading.Thread(target=target, daemon=True, name="dlcourse-learner-call")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(_Alarm)
        )
        raise _Alarm
    if "error" in result:
        raise result["error"]
    return result.get("value")


def is_learner_file(filename: str) -> bool:
    """False for dlcourse's own code, the standard library and installed packages (numpy)."""
    if filename.startswith("<") and not filename.startswith(("<ipython-input", "<string")):
        return False  # <frozen ...>, <__array_function__ internals>, ...
    return not os.path.abspath(filename).startswith(_LIBRARIES)


def _learner_frames(exc: BaseException, limit: int = 3) -> str:
    """The last few traceback lines that belong to the learner: not the grader, not numpy."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if is_learner_file(f.filename)][-limit:]
    if not frames:
        return ""
    lines = [
        f"  line {f.lineno} in {f.name}: {f.line}" if f.line else f"  line {f.lineno} in {f.name}"
        for f in frames
    ]
    return "\n" + "\n".join(lines)
