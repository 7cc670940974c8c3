"""The question contract: inputs / observe / verdict, and the plain data between them."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

import dlcourse as dl
import dlcourse.course
from dlcourse.grading import (
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    FunctionQuestion,
    ProbeQuestion,
    ValueQuestion,
    plain,
)
from dlcourse.grading.observe import learner_side

COURSE = [importlib.import_module(f"dlcourse.course.{m.name}")
          for m in pkgutil.iter_modules(dlcourse.course.__path__) if m.name.startswith("ex")]
QUESTIONS = [q for module in COURSE for q in module.exercise]


def roundtrip(value):
    return plain.decode(*plain.encode(value))


class Thing:
    def __repr__(self):
        return "<thing " + "x" * 1000 + ">"


def test_plain_data_keeps_the_types_a_verdict_names():
    value = {"list": [1, 2.0], "tuple": (1, "a"), "none": None, "bool": True,
             "array": np.arange(3), "scalar": np.float32(1.5), 3: ..., "nan": float("nan")}
    back = roundtrip(value)
    assert type(back["list"]) is list and type(back["list"][0]) is int
    assert type(back["list"][1]) is float
    assert type(back["tuple"]) is tuple and back["tuple"] == (1, "a")
    assert back["none"] is None and back["bool"] is True and back[3] is ...
    assert back["array"].dtype == np.arange(3).dtype and back["array"].tolist() == [0, 1, 2]
    assert type(back["scalar"]) is np.float32
    assert np.isnan(back["nan"])


def test_tensors_and_unknown_objects_arrive_as_named_stand_ins():
    tensor = roundtrip(dl.Tensor(np.ones(2), requires_grad=True))
    assert type(tensor).__name__ == "Tensor" and tensor.data.tolist() == [1.0, 1.0]
    assert isinstance(tensor, plain.Wrapped) and tensor.requires_grad is True
    assert roundtrip(dl.Tensor(2.0)).data.shape == ()
    thing = roundtrip(Thing())
    assert type(thing).__name__ == "Thing" and len(repr(thing)) <= plain.MAX_REPR
    fn = roundtrip(lambda x: x)
    assert callable(fn)
    with pytest.raises(TypeError, match="cannot run here"):
        fn(1)


def test_files_hold_no_pickles(tmp_path):
    path = tmp_path / "observed.npz"
    plain.dump({"a": np.eye(2), "b": [1, (2, 3)]}, path)
    back = plain.load(path)
    assert back["b"] == [1, (2, 3)] and back["a"].tolist() == np.eye(2).tolist()
    np.savez(path, __json__=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        plain.load(path)
    objects = roundtrip(np.array([Thing()], dtype=object))  # could hold anything: kept opaque
    assert isinstance(objects, plain.Opaque) and type(objects).__name__ == "ndarray"


def test_the_halves_compose_into_check():
    q = FunctionQuestion("f", lambda x: 2 * x, lambda rng: {"x": rng.normal(size=3)})
    inputs = q.inputs(123)
    assert [a["x"].tolist() for a in inputs] == [a["x"].tolist() for a in q.inputs(123)]
    assert inputs[0]["x"].tolist() != q.inputs(124)[0]["x"].tolist()
    observed = roundtrip(q.observe(lambda x: x + x, inputs))
    assert q.judge(inputs, {"status": "observed", "observed": observed}).status == CORRECT
    wrong = roundtrip(q.observe(lambda x: x, inputs))
    assert q.judge(inputs, {"status": "observed", "observed": wrong}).status == INCORRECT
    stopped = {"status": NOT_ATTEMPTED, "message": "stub"}
    assert q.judge(inputs, stopped).status == NOT_ATTEMPTED
    # A record that claims success is not a verdict: only ``verdict`` concludes correct.
    assert q.judge(inputs, {"status": CORRECT}).status == ERROR
    assert q.judge(inputs, "garbage").status == ERROR
    v = ValueQuestion("v", (3, 2))
    assert v.judge(None, {"status": "observed", "observed": [3, 2]}).status == INCORRECT


def test_probe_observe_functions_must_be_importable():
    with pytest.raises(ValueError, match="module-level"):
        ProbeQuestion("p", observe=lambda a, i, c: a, verdict=lambda i, o: None)


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: f"{q.exercise}.{q.id}")
def test_every_course_question_has_a_learner_side_without_references(q):
    spec = q.spec()
    assert spec["kind"] in ("value", "function", "probe")
    assert q.time_limit > 0
    side = learner_side(spec["kind"], spec["observe"])
    if spec["kind"] == "probe":
        assert side.__module__ == "dlcourse.course.probes"
    plain.encode(spec)  # the spec itself is plain data


def test_the_probes_module_imports_no_exercise_module():
    code = ("import sys, dlcourse.course.probes\n"
            "print([m for m in sys.modules if m.startswith('dlcourse.course.ex')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
