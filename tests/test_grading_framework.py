"""The check / hint / solution framework: outcomes, messages, safety, display and progress."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

from dlcourse.grading import (
    CORRECT,
    ERROR,
    INCORRECT,
    MIME_TYPE,
    NOT_ATTEMPTED,
    TIMEOUT,
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    Outcome,
    Question,
    ValueQuestion,
    compare,
    display,
    progress,
)


class FakeTensor:
    """Duck-typed stand-in for dlcourse.Tensor: the framework must not import the library."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=float)


def linear(x, w, b):
    return w * x + b


def linear_cases(rng):
    return {"x": rng.normal(size=3).round(2), "w": round(float(rng.normal()), 2),
            "b": round(float(rng.normal()), 2)}


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "progress" / "progress.json"
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(path))
    monkeypatch.setattr(progress, "_SESSION", progress.empty())  # each test its own session
    return path


@pytest.fixture
def q1():
    return FunctionQuestion("q1", linear, linear_cases, timeout=1, hints=["Use `w * x`.", "Add b."],
                            solution="def linear(x, w, b):\n    return w * x + b")


def stub(x, w, b):
    raise NotImplementedError("your answer here")


# -- outcomes -------------------------------------------------------------------------------------
def test_correct_function_and_value(q1):
    assert q1.evaluate(lambda x, w, b: w * x + b).status == CORRECT
    assert ValueQuestion("v", np.eye(2)).evaluate(np.eye(2)).status == CORRECT


@pytest.mark.parametrize("answer", [..., None])
def test_placeholders_are_not_attempted(q1, answer):
    assert q1.evaluate(answer).status == NOT_ATTEMPTED
    assert ValueQuestion("v", 3).evaluate(answer).status == NOT_ATTEMPTED


def test_not_implemented_stub_is_not_attempted(q1):
    outcome = q1.evaluate(stub)
    assert outcome.status == NOT_ATTEMPTED
    assert outcome.points == 0


def test_wrong_type_is_named_first(q1):
    outcome = q1.evaluate(lambda x, w, b: "y")
    assert outcome.status == INCORRECT
    assert "expected an array of shape (3,), but got a str" in outcome.message
    assert "For inputs x=[" in outcome.message


def test_wrong_shape_is_named_before_values(q1):
    message = q1.evaluate(lambda x, w, b: (w * x + b)[:2]).message
    assert "expected shape (3,), but got shape (2,)" in message


def test_wrong_values_show_expected_and_got_on_a_small_case(q1):
    message = q1.evaluate(lambda x, w, b: w * x).message
    assert "3 of 3 values differ" in message
    assert "expected: [" in message and "got:      [" in message


def test_hard_coded_answer_fails_on_random_inputs(q1):
    first = q1.inputs()[0]
    constant = linear(**first)
    assert q1.evaluate(lambda x, w, b: constant).status == INCORRECT
    assert len(q1.inputs()) >= 3
    assert q1.inputs()[0]["w"] == first["w"]  # seeded: the same cases every time


def test_learner_exception_is_reported_with_inputs_and_not_raised(q1, capsys):
    def broken(x, w, b):
        return w * x + undefined_name  # noqa: F821

    q1.check(broken)  # must not raise
    outcome = q1.last_outcome
    assert outcome.status == ERROR
    assert "NameError" in outcome.message and "for inputs x=[" in outcome.message
    assert "in broken" in outcome.message  # the learner's line, not the grader's
    assert "NameError" in capsys.readouterr().out


def test_endless_function_is_stopped_after_the_timeout(q1):
    def endless(x, w, b):
        while True:
            pass

    start = time.monotonic()
    q1.check(endless)
    assert q1.last_outcome.status == TIMEOUT
    assert "did not finish within 1 s" in q1.last_outcome.message
    assert time.monotonic() - start < 3


def test_timeout_that_swallows_exceptions_still_stops(q1):
    def stubborn(x, w, b):
        while True:
            try:
                time.sleep(0.05)
            except Exception:
                pass

    assert q1.evaluate(stubborn).status == TIMEOUT


def test_timeout_outside_the_main_thread(q1):
    def endless(x, w, b):
        while True:
            pass

    seen = []
    worker = threading.Thread(target=lambda: seen.append(q1.evaluate(endless)))
    start = time.monotonic()
    worker.start()
    worker.join(5)
    assert seen and seen[0].status == TIMEOUT
    assert time.monotonic() - start < 4


def test_function_returning_none_is_told_about_return(q1):
    assert "forget `return`" in q1.evaluate(lambda x, w, b: None).message


def test_changing_an_input_in_place_is_reported(q1):
    def in_place(x, w, b):
        x *= w
        x += b
        return x

    assert "changed its input `x`" in q1.evaluate(in_place).message


def test_passing_a_result_instead_of_a_function(q1):
    assert "your function itself" in q1.evaluate(3.0).message


def test_checker_failure_is_an_error_not_an_exception():
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("no comparing me")

    outcome = ValueQuestion("v", {1, 2}).evaluate(Weird())
    assert outcome.status in (ERROR, INCORRECT)


def test_custom_checker_question():
    def positive(answer):
        if answer <= 0:
            raise Incorrect(f"expected a positive number, got {answer}")

    q = Question("c", checker=positive)
    assert q.evaluate(2).status == CORRECT
    assert q.evaluate(-1).message == "expected a positive number, got -1"


# -- comparison -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expected", "got", "fragment"),
    [
        (3, 3.0, "expected an integer, but got a float: 3.0"),
        (2.5, [2.5], "expected a number, but got a list"),
        (2.5, np.array([2.5]), "expected a single number, but got an array of shape (1,)"),
        (1.0, float("nan"), "expected 1.0, but got nan"),
        ((3, 2), [3, 2], "expected a tuple such as (3, 2), but got a list"),
        ((3, 2), (2, 3), "expected (3, 2), but got (2, 3)"),
        (np.ones((2, 3)), np.ones((3, 2)), "(transposed?)"),
        (np.ones(3), np.ones((3, 1)), "(an extra or missing axis of length 1?)"),
        (np.array([1.0, 2.0]), np.array([1.0, np.nan]), "got nan at index 1 where 2.0"),
        (np.array([1, 2]), np.array([1.0, 2.0]), "expected an array of integers, but got dtype"),
        (np.array([True]), np.array([1.0]), "True/False values"),
        (np.array([1.0]), np.array(["a"]), "expected an array of numbers"),
        (True, 1, "expected True or False, but got an int"),
        ([np.ones(2), 1.0], [np.ones(2), 2.0], "In the result[1]: expected 1.0, but got 2.0"),
        ({"w": 1.0}, {"b": 1.0}, "expected keys"),
        ("relu", "ReLU", "expected 'relu', but got 'ReLU'"),
    ],
)
def test_comparison_messages(expected, got, fragment):
    with pytest.raises(Incorrect) as info:
        compare(expected, got)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ([1.0, 2.0], np.array([1.0, 2.0])),
        (np.array([1.0, 2.0]), np.array([1, 2])),
        (np.array([1.0, np.nan]), np.array([1.0, np.nan])),
        (0.1 + 0.2, 0.3),
        (4, np.int64(4)),
        ((3, 2), (np.int64(3), 2)),
        (np.array(2.0), 2.0),
    ],
)
def test_comparison_accepts_equivalent_values(expected, got):
    compare(expected, got)


def test_tensor_like_objects_are_accepted_transparently(q1):
    assert q1.evaluate(lambda x, w, b: FakeTensor(w * x + b)).status == CORRECT
    compare(FakeTensor([1.0, 2.0]), np.array([1.0, 2.0]))
    with pytest.raises(Incorrect, match=r"\.item\(\)"):  # a Tensor where a number is expected
        compare(2.0, FakeTensor(2.0))
    with pytest.raises(Incorrect, match="expected shape"):
        compare(np.ones(2), FakeTensor(np.ones(3)))


def test_required_return_type():
    q = FunctionQuestion("t", lambda x: FakeTensor(x), lambda rng: (rng.normal(size=2),),
                         returns=FakeTensor)
    assert q.evaluate(lambda x: FakeTensor(x)).status == CORRECT
    assert "expected a FakeTensor" in q.evaluate(lambda x: x).message


# -- choice, hints, solution ----------------------------------------------------------------------
def test_choice_question_explains_wrong_answers():
    q = ChoiceQuestion("c", {"a": "too small", "b": "just right"}, "b",
                       explanations={"a": "The loss barely moves.", "b": "It converges."})
    wrong = q.evaluate("a")
    assert wrong.status == INCORRECT and "The loss barely moves." in wrong.message
    right = q.evaluate(" B ")
    assert right.status == CORRECT and right.message == "It converges."
    assert "expected one of 'a', 'b'" in q.evaluate(7).message


def test_hints_come_in_sequence_then_run_out(q1, capsys):
    q1.hint()
    q1.hint()
    q1.hint()
    out = capsys.readouterr().out.splitlines()
    assert out == ["Hint 1 of 2 (q1): Use `w * x`.", "Hint 2 of 2 (q1): Add b.",
                   "No more hints. q1.solution() shows the answer."]


def test_solution_is_shown(q1, capsys):
    q1.solution()
    assert "return w * x + b" in capsys.readouterr().out
    q = FunctionQuestion("q9", linear, linear_cases)  # no text given: the reference's source
    q.solution()
    assert "def linear(x, w, b)" in capsys.readouterr().out


# -- display --------------------------------------------------------------------------------------
def test_outcome_renders_as_html_and_text():
    o = Outcome("q1", INCORRECT, "expected <b>1</b> but got `2`", exercise="01_x")
    html = o._repr_html_()
    assert "&lt;b&gt;1&lt;/b&gt;" in html and "<code>2</code>" in html
    assert "Incorrect" in html
    assert str(o) == "Incorrect: q1 (0/1 point)\nexpected <b>1</b> but got `2`"


def test_in_ipython_one_bundle_carries_html_text_and_record(q1, monkeypatch):
    shown = []
    monkeypatch.setattr(display, "_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append(obj))
    exercise = Exercise("01_linear_unit", [q1])
    exercise.setup()
    q1.check(linear)
    declared, checked = shown
    assert declared[MIME_TYPE]["kind"] == "questions"
    assert declared[MIME_TYPE]["questions"] == [{"notebook_question": "q1", "max_points": 1}]
    assert set(checked) == {"text/plain", "text/html", MIME_TYPE}
    assert checked[MIME_TYPE] == {
        "kind": "outcome", "version": 1, "exercise": "01_linear_unit",
        "notebook_question": "q1", "outcome": "correct", "points": 1, "max_points": 1,
        "message": "",
    }
    json.dumps(checked)  # the record must be plain JSON


# -- progress records -----------------------------------------------------------------------------
def test_checks_record_progress_and_passed_stays_passed(q1, progress_file):
    Exercise("01_linear_unit", [q1, ValueQuestion("q2", 1.0)]).setup()
    q1.check(linear)
    q1.check(stub)  # a later failure does not take the pass away
    data = json.loads(progress_file.read_text())
    entry = data["exercises"]["01_linear_unit"]["questions"]["q1"]
    assert entry["passed"] is True and entry["outcome"] == NOT_ATTEMPTED
    (row,) = progress.summary(data)
    assert row["passed"] == ["q1"] and row["not_passed"] == ["q2"] and row["total"] == 2
    names = sorted(p.name for p in progress_file.parent.iterdir())
    assert names == ["progress.json", "progress.json.lock"]  # no temporary files left behind


def test_progress_write_is_atomic(progress_file, monkeypatch):
    progress.save(progress_file, {"version": 1, "exercises": {}})
    before = progress_file.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(progress.json, "dump", crash)
    with pytest.raises(OSError):
        progress.save(progress_file, {"version": 1, "exercises": {"x": {}}})
    assert progress_file.read_bytes() == before
    assert [p.name for p in progress_file.parent.iterdir()] == ["progress.json"]


def test_corrupt_progress_file_is_set_aside_and_never_breaks_a_check(q1, progress_file, capsys):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text("{ not json")
    q1.check(linear)
    assert q1.last_outcome.status == CORRECT
    aside = list(progress_file.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{ not json"
    assert json.loads(progress_file.read_text())["exercises"]["unnamed"]["questions"]["q1"]
    assert "could not be read" in capsys.readouterr().err


def test_unwritable_progress_never_breaks_a_check(q1, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DLCOURSE_PROGRESS", str(blocker / "progress.json"))
    q1.check(linear)
    assert q1.last_outcome.status == CORRECT
    assert "could not record progress" in capsys.readouterr().err


def test_progress_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("DLCOURSE_PROGRESS", "off")
    assert progress.progress_path() is None
    monkeypatch.delenv("DLCOURSE_PROGRESS")
    monkeypatch.setenv("XDG_DATA_HOME", "/data")
    assert str(progress.progress_path()) == "/data/dlcourse/progress.json"


def test_learner_errors_show_the_learners_own_lines_only():
    q = FunctionQuestion("r", lambda z: np.maximum(0, z), lambda rng: {"z": rng.normal(size=3)})

    def relu(z):
        return np.max(0, z)  # a classic: np.max reads 0 as the array and z as the axis

    outcome = q.evaluate(relu)
    assert outcome.status == ERROR
    assert "return np.max(0, z)" in outcome.message
    assert "fromnumeric" not in outcome.message and "numpy" not in outcome.message.lower()


def test_a_notebook_keeps_what_it_recorded_when_the_file_is_deleted(q1, progress_file):
    Exercise("01_linear_unit", [q1]).setup()
    q1.check(linear)
    progress_file.unlink()
    assert progress.current()["exercises"]["01_linear_unit"]["questions"]["q1"]["passed"]
    ValueQuestion("q9", 1.0, exercise="02_multiple_inputs").check(1.0)  # the next write
    data = json.loads(progress_file.read_text())
    assert data["exercises"]["01_linear_unit"]["questions"]["q1"]["passed"] is True
