"""The learner's side of a check: run the answer on given inputs and describe what it did.

Nothing here knows a reference answer. These functions run wherever the learner's code runs: in
the notebook's own process for ``q.check`` and, when ``dlcourse grade`` grades a submission, in
a worker forked from the learner's kernel. What they return is plain data (``plain.py``); the
judge compares it with the reference in its own process (``Question.verdict``).

A learner-side function has the signature ``observe(answer, inputs, call)``: ``call(fn, *args,
inputs="description")`` runs learner code with the question's time limit (``sandbox``).
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable

import numpy as np

from .compare import describe_type, fmt
from .outcome import ERROR, INCORRECT, NOT_ATTEMPTED, TIMEOUT, Incorrect, NotAttempted
from .sandbox import LearnerError, LearnerTimeout

_MESSAGE = 4000


def is_placeholder(answer) -> bool:
    """True for the stubs an exercise ships with: ``...`` and ``None``."""
    return answer is ... or answer is None


def require_function(answer, example: str) -> None:
    """Raise ``Incorrect`` unless ``answer`` is callable; ``example`` is e.g. ``q2.check(f)``."""
    if not callable(answer):
        raise Incorrect(f"expected your function itself, e.g. {example}, but got "
                        f"{describe_type(answer)}: {fmt(answer)}")


def label(args: dict) -> str:
    """How one set of arguments is named in messages: ``x=[1.0, 2.0], w=0.5``."""
    return ", ".join(f"{k}={fmt(v)}" for k, v in args.items())


def value(answer, inputs, call):
    """A value question: the answer itself is what is observed."""
    return answer


def function_outputs(fn, inputs: list[dict], call: Callable) -> dict:
    """Call ``fn`` on each argument set, in order; stop at the first error, time-out or stub.

    Returns ``{"callable": False, "answer": fn}`` for a non-function, else ``{"callable": True,
    "cases": [...]}`` with, per case, ``{"got": result, "after": [the array arguments after the
    call, None for others]}`` or the record of what stopped it (``recorded``).
    """
    if not callable(fn):
        return {"callable": False, "answer": fn}

    def one(args):
        learner_args = copy.deepcopy(list(args.values()))
        got = call(fn, *learner_args, inputs=label(args))
        return {"got": got, "after": [a if isinstance(a, np.ndarray) else None
                                      for a in learner_args]}

    return {"callable": True, "cases": each_case(inputs, one)}


def each_case(cases, one: Callable) -> list[dict]:
    """``[{"ok": one(case)}, ...]`` in order, up to the first learner error, time-out or stub,
    which ends the list as its record; ``case_results`` reads it back on the judge's side."""
    out = []
    for case in cases:
        try:
            out.append({"ok": one(case)})
        except (LearnerError, LearnerTimeout, NotAttempted, Incorrect) as exc:
            out.append(recorded(exc))
            break
    return out


def case_results(cases, observed: list[dict]):
    """Judge side: yield ``(case, result)`` pairs; raise what stopped the learner's side there."""
    for case, result in zip(cases, observed, strict=False):
        if "status" in result:
            raise_recorded(result)
        yield case, result["ok"]
    if len(observed) < len(cases):
        raise ValueError(f"{len(observed)} results for {len(cases)} cases")


def recorded(exc: BaseException) -> dict:
    """An exception that ended the learner's side, as a plain record (``raise_recorded``)."""
    if isinstance(exc, NotAttempted):
        status = NOT_ATTEMPTED
    elif isinstance(exc, Incorrect):
        status = INCORRECT
    elif isinstance(exc, LearnerTimeout):
        status = TIMEOUT
    else:
        status = ERROR
    message = exc.message if isinstance(exc, LearnerError) else str(exc)
    if isinstance(exc, NotImplementedError):
        status = NOT_ATTEMPTED
    elif status == ERROR and not isinstance(exc, LearnerError):
        message = f"The check could not use your answer: {type(exc).__name__}: {exc}"
    return {"status": status, "message": message[:_MESSAGE]}


def raise_recorded(record: dict) -> None:
    """Raise again, judge side, what ``recorded`` wrote down; never concludes *correct*."""
    status, message = record.get("status"), str(record.get("message", ""))[:_MESSAGE]
    if status == NOT_ATTEMPTED:
        raise NotAttempted(message)
    if status == INCORRECT:
        raise Incorrect(message)
    if status == TIMEOUT:
        raise LearnerTimeout(message)
    raise LearnerError(message or "The check of your answer stopped without a result.")


def learner_side(kind: str, observe_path: str | None = None) -> Callable:
    """The learner-side function of a question kind (``Question.spec``'s kind and observe)."""
    if kind == "value":
        return value
    if kind == "function":
        return function_outputs
    if kind == "probe" and observe_path:
        module, _, name = observe_path.partition(":")
        target = importlib.import_module(module)
        for part in name.split("."):
            target = getattr(target, part)
        return target
    raise ValueError(f"unknown kind of question {kind!r}")
