"""Questions: ``check(answer)``, ``hint()`` and ``solution()``, as a learner calls them.

Every question is split in three, so that an instructor's grade can be computed apart from the
learner's code (see ``dlcourse grade``):

- ``inputs(seed)``: the inputs a check uses, as plain data (judge side; ``None`` = the question's
  own fixed seed, which is what ``check`` uses);
- ``observe(answer, inputs)``: runs the learner's answer on those inputs and returns plain data
  only (``plain.py``): it runs in the learner's process and holds no reference answer;
- ``verdict(inputs, observed)``: compares with the reference and raises ``Incorrect`` with the
  specific message (judge side).

``check(answer)`` in a notebook is ``verdict(inputs, observe(answer, inputs))`` in one process,
with the observation passed through the plain-data codec exactly as the grader passes it. The
kinds:

- ``FunctionQuestion``: the learner writes a function; it is called on a few seeded random inputs
  and compared with a reference, so a hard-coded answer fails.
- ``ValueQuestion``: the learner computes a value; compared by type, then shape, then values.
- ``ChoiceQuestion``: the learner picks one of a few options; a wrong pick is explained.
- ``ProbeQuestion``: custom learner-side work (build a model, train, drive a learner's class),
  with its ``observe`` function in the course's probes module (which holds no references).

``Question(id, checker=fn)`` checks the answer value itself with ``fn`` (judge side).
"""

from __future__ import annotations

import copy
import inspect
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import display, plain, progress
from .compare import compare as compare_values
from .compare import describe_type, fmt
from .observe import (
    case_results,
    function_outputs,
    is_placeholder,
    label,
    learner_side,
    raise_recorded,
)
from .outcome import (
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    TIMEOUT,
    Incorrect,
    NotAttempted,
    Outcome,
)
from .sandbox import DEFAULT_TIMEOUT, LearnerError, LearnerTimeout, call_learner

NOT_ATTEMPTED_MESSAGE = (
    "Replace the placeholder (`...` or `raise NotImplementedError`) with your answer, "
    "then run the cell again."
)
MAX_MESSAGE = 4000  # a message that came from the learner's process is cut to this length

# The kinds of learner-side work; a grading kernel rebuilds them from these names alone.
VALUE, FUNCTION, PROBE = "value", "function", "probe"


class Question:
    """One graded question. ``check``, ``hint`` and ``solution`` never raise into a notebook."""

    kind = VALUE

    def __init__(
        self,
        id: str,
        *,
        points: int = 1,
        hints: Sequence[str] = (),
        solution: str = "",
        checker: Callable | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        time_limit: float | None = None,
        exercise: str | None = None,
        correct_message: str = "",
        seed: int | None = None,
    ):
        self.id = id
        self.points = points
        self.hints = list(hints)
        self.solution_text = solution
        self.checker = checker
        self.timeout = timeout
        self._time_limit = time_limit
        self.exercise = exercise
        self.correct_message = correct_message
        self.seed = zlib.crc32(id.encode()) if seed is None else seed
        self.hints_shown = 0
        self.last_outcome: Outcome | None = None

    def __repr__(self) -> str:
        of = f" of {self.exercise}" if self.exercise else ""
        return f"<question {self.id}{of}: {self.id}.check(answer), .hint(), .solution()>"

    # -- the three halves ---------------------------------------------------------------------
    def inputs(self, seed: int | None = None):
        """The inputs a check uses, as plain data (None for a question about a value)."""
        return None

    def observe(self, answer, inputs):
        """Learner side: what the answer gives on ``inputs``, as plain data."""
        return answer

    def verdict(self, inputs, observed) -> str | None:
        """Judge side: raise ``Incorrect``, or return (optionally a message to show)."""
        if self.checker is None:
            raise NotImplementedError(f"question {self.id} has no checker")
        return self.checker(observed)

    @property
    def time_limit(self) -> float:
        """Wall-clock seconds one whole check may take when graded apart (then it is killed)."""
        if self._time_limit is not None:
            return self._time_limit
        return 2 * (self.timeout or DEFAULT_TIMEOUT) + 5

    def spec(self) -> dict:
        """What a grading kernel needs to rebuild this question's learner side: no references."""
        return {"id": self.id, "kind": self.kind, "points": self.points,
                "timeout": self.timeout, "time_limit": self.time_limit,
                "observe": None, "exercise": self.exercise}

    def _solution(self) -> str:
        return self.solution_text

    # -- one process: what check() does ----------------------------------------------------------
    def evaluate(self, answer, seed: int | None = None) -> Outcome:
        """Check ``answer`` and return the outcome, without showing or recording it."""

        def run():
            if is_placeholder(answer):
                raise NotAttempted
            inputs = self.inputs(seed)
            observed = self.observe(answer, inputs)
            return self.verdict(inputs, plain.decode(*plain.encode(observed)))

        return self._outcome(run)

    def judge(self, inputs, observation: dict) -> Outcome:
        """The outcome for an observation made in another process (see ``observe.run_observe``).

        ``observation`` is ``{"status": "observed", "observed": ...}`` or, when the learner's
        side stopped early, ``{"status": <outcome>, "message": ...}``; only ``verdict`` (run
        here, in the judge's process) can conclude *correct*.
        """

        def run():
            if not isinstance(observation, dict):
                raise ValueError("the observation is not a record")
            if observation.get("status") != "observed":
                raise_recorded(observation)
            return self.verdict(inputs, observation.get("observed"))

        return self._outcome(run)

    def _outcome(self, run: Callable) -> Outcome:
        message = ""
        try:
            message = run() or self.correct_message
            status = CORRECT
        except NotAttempted:
            status, message = NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE
        except Incorrect as exc:
            status, message = INCORRECT, str(exc)
        except LearnerError as exc:
            status, message = ERROR, exc.message
        except LearnerTimeout as exc:
            status, message = TIMEOUT, str(exc)
        except NotImplementedError:  # a learner stub reached without going through self.call
            status, message = NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE
        except plain.PlainDataError as exc:
            status, message = ERROR, f"The check could not read your answer's result: {exc}"
        except Exception as exc:  # answers can break the checker in ways no one foresaw
            status = ERROR
            message = f"The check could not use your answer: {type(exc).__name__}: {exc}"
        message = str(message)
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        return Outcome(self.id, status, message, self.points, self.exercise)

    # -- what learners call --------------------------------------------------------------------
    def check(self, answer) -> None:
        """Check ``answer``; show the outcome and record it (in the output and progress file)."""
        try:
            outcome = self.evaluate(answer)
        except BaseException as exc:  # e.g. a learner's __eq__ raising KeyboardInterrupt
            if isinstance(exc, KeyboardInterrupt):
                raise
            outcome = Outcome(self.id, ERROR, f"{type(exc).__name__}: {exc}", self.points,
                              self.exercise)
        self.last_outcome = outcome
        display.show_outcome(outcome)
        progress.record_outcome(outcome)

    def hint(self) -> None:
        """Show the next hint; after the last one, say there are no more."""
        if self.hints_shown < len(self.hints):
            self.hints_shown += 1
            n, total = self.hints_shown, len(self.hints)
            title = f"Hint {n} of {total}" if total > 1 else "Hint"
            text = self.hints[n - 1]
            display.show(f"{title} ({self.id}): {text}",
                         display.box("hint", f"<b>{title}</b> &middot; {self.id}",
                                     f"<div>{display.inline_code(text)}</div>"))
        else:
            none = "No hints for this question." if not self.hints else "No more hints."
            text = f"{none} {self.id}.solution() shows the answer."
            display.show(f"{text}", display.box("hint", display.inline_code(text)))

    def solution(self) -> None:
        """Show the reference solution."""
        code = self._solution() or "(no solution is available for this question)"
        display.show(f"Solution ({self.id}):\n{code}",
                     display.box("solution", f"<b>Solution</b> &middot; {self.id}",
                                 display.code_block(code)))

    def call(self, fn: Callable, *args, inputs: str = "", **kwargs):
        """Call learner code with this question's time limit (see ``sandbox.call_learner``)."""
        return call_learner(fn, args, kwargs, timeout=self.timeout, inputs=inputs)


class FunctionQuestion(Question):
    """The learner writes a function; it must agree with ``reference`` on random inputs.

    ``cases(rng)`` returns one set of arguments, as a dict (names shown in messages) or a tuple;
    they are passed positionally, so the learner may name parameters freely. ``examples`` are
    fixed argument sets tried first (keep them small: the first failure is what learners read).
    """

    kind = FUNCTION

    def __init__(
        self,
        id: str,
        reference: Callable,
        cases: Callable[[np.random.Generator], Mapping | tuple],
        *,
        n_cases: int = 4,
        examples: Sequence[Mapping | tuple] = (),
        seed: int | None = None,
        rtol: float = 1e-5,
        atol: float = 1e-8,
        compare: Callable | None = None,
        returns: type | tuple[type, ...] | None = None,
        **kwargs,
    ):
        super().__init__(id, seed=seed, **kwargs)
        self.reference = reference
        self.cases = cases
        self.n_cases = n_cases
        self.examples = list(examples)
        self.compare = compare or (lambda e, g: compare_values(e, g, rtol=rtol, atol=atol))
        self.returns = returns

    def inputs(self, seed: int | None = None) -> list[dict]:
        """The argument sets a check uses: the examples, then ``n_cases`` seeded random ones."""
        rng = np.random.default_rng(self.seed if seed is None else seed)
        generated = [self.cases(rng) for _ in range(self.n_cases)]
        return [self._named(args) for args in [*self.examples, *generated]]

    def _named(self, args) -> dict:
        if isinstance(args, Mapping):
            return dict(args)
        args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
        try:
            names = list(inspect.signature(self.reference).parameters)
        except (TypeError, ValueError):
            names = []
        names += [f"arg{i}" for i in range(len(names), len(args))]
        return dict(zip(names, args, strict=False))

    @property
    def time_limit(self) -> float:
        if self._time_limit is not None:
            return self._time_limit
        return (self.timeout or DEFAULT_TIMEOUT) + 10

    def observe(self, fn, inputs: list[dict]) -> dict:
        return function_outputs(fn, inputs, self.call)

    def verdict(self, inputs: list[dict], observed: dict) -> None:
        if not observed["callable"]:
            answer = observed["answer"]
            raise Incorrect(
                f"expected your function itself, e.g. {self.id}.check(my_function), "
                f"but got {describe_type(answer)}: {fmt(answer)}"
            )
        for args, result in case_results(inputs, observed["cases"]):
            expected = self.reference(*copy.deepcopy(list(args.values())))
            try:
                self._compare_one(expected, result["got"], args, result["after"])
            except Incorrect as exc:
                raise Incorrect(f"For inputs {label(args)}:\n{exc}") from None

    def _compare_one(self, expected, got, args: dict, after: list) -> None:
        if self.returns is not None and not _is_a(got, self.returns):
            raise Incorrect(f"expected a {_names(self.returns)}, but got {describe_type(got)}: "
                            f"{fmt(got)}")
        if got is None and expected is not None:
            raise Incorrect(f"expected {fmt(expected)}, but your function returned None. "
                            "Did you forget `return`?")
        for (name, before), now in zip(args.items(), after, strict=True):
            if isinstance(before, np.ndarray) and not (
                isinstance(now, np.ndarray) and now.shape == before.shape
                and np.array_equal(before, now, equal_nan=before.dtype.kind in "fc")
            ):
                raise Incorrect(f"your function changed its input `{name}` in place; "
                                "compute a new array instead")
        self.compare(expected, got)

    def _solution(self) -> str:
        if self.solution_text:
            return self.solution_text
        try:
            return inspect.getsource(self.reference)
        except (OSError, TypeError):
            return ""


class ValueQuestion(Question):
    """The learner computes a value; it must match ``expected`` (type, shape, values).

    ``expected`` may be a zero-argument function, called at check time (for values that are
    costly or depend on the library).
    """

    def __init__(
        self,
        id: str,
        expected,
        *,
        rtol: float = 1e-5,
        atol: float = 1e-8,
        compare: Callable | None = None,
        returns: type | tuple[type, ...] | None = None,
        **kwargs,
    ):
        super().__init__(id, **kwargs)
        self.expected = expected
        self.compare = compare or (lambda e, g: compare_values(e, g, rtol=rtol, atol=atol))
        self.returns = returns

    def verdict(self, inputs, answer) -> None:
        expected = self.expected() if callable(self.expected) else self.expected
        if self.returns is not None and not _is_a(answer, self.returns):
            raise Incorrect(f"expected a {_names(self.returns)}, but got {describe_type(answer)}: "
                            f"{fmt(answer)}")
        self.compare(expected, answer)


class ChoiceQuestion(Question):
    """The learner answers with the key of one option, e.g. ``q3.check("b")``.

    ``explanations`` maps option keys to why that option is right or wrong; the one for the
    learner's choice is shown with the outcome.
    """

    def __init__(
        self,
        id: str,
        options: Mapping,
        answer,
        *,
        explanations: Mapping | None = None,
        **kwargs,
    ):
        super().__init__(id, **kwargs)
        if answer not in options:
            raise ValueError(f"answer {answer!r} is not one of the options {list(options)}")
        self.options = dict(options)
        self.answer = answer
        self.explanations = dict(explanations or {})

    def _key(self, choice):
        if isinstance(choice, (str, int)) and not isinstance(choice, bool):
            wanted = str(choice).strip().lower()
            for key, text in self.options.items():
                if wanted in (str(key).lower(), str(text).strip().lower()):
                    return key
        keys = ", ".join(repr(k) for k in self.options)
        raise Incorrect(f"expected one of {keys}, but got {describe_type(choice)}: {fmt(choice)}")

    def verdict(self, inputs, choice) -> str:
        key = self._key(choice)
        why = self.explanations.get(key, "")
        if key != self.answer:
            raise Incorrect(f"{key!r} is not the best answer. {why}".strip())
        return why

    def _solution(self) -> str:
        if self.solution_text:
            return self.solution_text
        why = self.explanations.get(self.answer, "")
        text = f"{self.answer!r}: {self.options[self.answer]}"
        return f"{text}\n{why}" if why else text


class ProbeQuestion(Question):
    """A question whose learner side is custom work: build a model, train, drive a class.

    ``observe(answer, inputs, call)`` must be a module-level function of the course's probes
    module (no reference answers there: it is the only course code a grading kernel imports);
    ``cases(rng)`` gives the inputs (plain data) from a seeded generator, ``verdict(inputs,
    observed)`` compares with the reference and raises ``Incorrect``.
    """

    kind = PROBE

    def __init__(
        self,
        id: str,
        *,
        observe: Callable,
        verdict: Callable,
        cases: Callable[[np.random.Generator], object] | None = None,
        **kwargs,
    ):
        super().__init__(id, **kwargs)
        self.observe_path = f"{observe.__module__}:{observe.__qualname__}"
        if "<" in self.observe_path or learner_side(PROBE, self.observe_path) is not observe:
            raise ValueError(f"question {id}: observe must be a module-level function, "
                             f"got {observe!r}")
        self._observe = observe
        self._verdict = verdict
        self.cases = cases

    def inputs(self, seed: int | None = None):
        if self.cases is None:
            return None
        return self.cases(np.random.default_rng(self.seed if seed is None else seed))

    def observe(self, answer, inputs):
        return self._observe(answer, inputs, self.call)

    def verdict(self, inputs, observed):
        return self._verdict(inputs, observed)

    def spec(self) -> dict:
        return {**super().spec(), "observe": self.observe_path}


def _is_a(value, types) -> bool:
    """``isinstance``, also for stand-ins of learner objects named like the type (``plain``)."""
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(value, types):
        return True
    standin = isinstance(value, (plain.Wrapped, plain.Opaque))
    return standin and type(value).__name__ in {t.__name__ for t in types}


def _names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ for t in types)
