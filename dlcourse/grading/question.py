"""Questions: ``check(answer)``, ``hint()`` and ``solution()``, as a learner calls them.

``Question`` holds what every question has (id, points, hints, solution) and turns whatever its
``_check`` concludes into an ``Outcome``; the three kinds below cover most exercises:

- ``FunctionQuestion``: the learner writes a function; it is called on a few seeded random inputs
  and compared with a reference, so a hard-coded answer fails.
- ``ValueQuestion``: the learner computes a value; compared by type, then shape, then values.
- ``ChoiceQuestion``: the learner picks one of a few options; a wrong pick is explained.

For anything else pass ``checker=`` (a function of the answer that raises ``Incorrect``), or
subclass and override ``_check``; call learner code through ``self.call`` so that its errors and
endless loops are reported rather than raised.
"""

from __future__ import annotations

import copy
import inspect
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import display, progress
from .compare import compare as compare_values
from .compare import describe_type, fmt
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


def is_placeholder(answer) -> bool:
    """True for the stubs an exercise ships with: ``...`` and ``None``."""
    return answer is ... or answer is None


class Question:
    """One graded question. ``check``, ``hint`` and ``solution`` never raise into a notebook."""

    def __init__(
        self,
        id: str,
        *,
        points: int = 1,
        hints: Sequence[str] = (),
        solution: str = "",
        checker: Callable | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        exercise: str | None = None,
        correct_message: str = "",
    ):
        self.id = id
        self.points = points
        self.hints = list(hints)
        self.solution_text = solution
        self.checker = checker
        self.timeout = timeout
        self.exercise = exercise
        self.correct_message = correct_message
        self.hints_shown = 0
        self.last_outcome: Outcome | None = None

    def __repr__(self) -> str:
        of = f" of {self.exercise}" if self.exercise else ""
        return f"<question {self.id}{of}: {self.id}.check(answer), .hint(), .solution()>"

    # -- what subclasses provide -------------------------------------------------------------
    def _check(self, answer) -> str | None:
        """Raise ``Incorrect`` / ``NotAttempted``, or return (optionally a message to show)."""
        if self.checker is None:
            raise NotImplementedError(f"question {self.id} has no checker")
        return self.checker(answer)

    def _solution(self) -> str:
        return self.solution_text

    # -- what learners call --------------------------------------------------------------------
    def evaluate(self, answer) -> Outcome:
        """Check ``answer`` and return the outcome, without showing or recording it."""
        message = ""
        try:
            if is_placeholder(answer):
                raise NotAttempted
            message = self._check(answer) or self.correct_message
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
        except Exception as exc:  # answers can break the checker in ways no one foresaw
            status = ERROR
            message = f"The check could not use your answer: {type(exc).__name__}: {exc}"
        return Outcome(self.id, status, message, self.points, self.exercise)

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
        super().__init__(id, **kwargs)
        self.reference = reference
        self.cases = cases
        self.n_cases = n_cases
        self.examples = list(examples)
        self.seed = zlib.crc32(id.encode()) if seed is None else seed
        self.compare = compare or (lambda e, g: compare_values(e, g, rtol=rtol, atol=atol))
        self.returns = returns

    def inputs(self) -> list[dict]:
        """The argument sets a check uses: the examples, then ``n_cases`` seeded random ones."""
        rng = np.random.default_rng(self.seed)
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

    def _check(self, fn) -> None:
        if not callable(fn):
            raise Incorrect(
                f"expected your function itself, e.g. {self.id}.check(my_function), "
                f"but got {describe_type(fn)}: {fmt(fn)}"
            )
        for args in self.inputs():
            label = ", ".join(f"{k}={fmt(v)}" for k, v in args.items())
            learner_args = copy.deepcopy(list(args.values()))
            got = self.call(fn, *learner_args, inputs=label)
            expected = self.reference(*copy.deepcopy(list(args.values())))
            try:
                self._compare_one(expected, got, args, learner_args)
            except Incorrect as exc:
                raise Incorrect(f"For inputs {label}:\n{exc}") from None

    def _compare_one(self, expected, got, args: dict, learner_args: list) -> None:
        if self.returns is not None and not isinstance(got, self.returns):
            names = getattr(self.returns, "__name__", None) or " or ".join(
                t.__name__ for t in self.returns
            )
            raise Incorrect(f"expected a {names}, but got {describe_type(got)}: {fmt(got)}")
        if got is None and expected is not None:
            raise Incorrect(f"expected {fmt(expected)}, but your function returned None. "
                            "Did you forget `return`?")
        for (name, before), after in zip(args.items(), learner_args, strict=True):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after,
                                                                     equal_nan=True):
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

    def _check(self, answer) -> None:
        expected = self.expected() if callable(self.expected) else self.expected
        if self.returns is not None and not isinstance(answer, self.returns):
            raise Incorrect(f"expected a {getattr(self.returns, '__name__', self.returns)}, "
                            f"but got {describe_type(answer)}: {fmt(answer)}")
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

    def _check(self, choice) -> str:
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
