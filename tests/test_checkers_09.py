"""Exercise 09's checkers: the learner's own backprop engine, softmax's unfused backward rule
(confirmed by dl.gradcheck), the p - y shortcut, and accumulation across forward passes."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.course import ex09_backpropagation as ex09
from dlcourse.course import probes
from dlcourse.grading import CORRECT, ERROR, INCORRECT, NOT_ATTEMPTED, TIMEOUT, ProbeQuestion
from dlcourse.grading.sandbox import call_learner


def call(fn, *args, inputs=""):
    return call_learner(fn, args, {}, timeout=5, inputs=inputs)


def outcome_of(q, answer, status):
    with np.errstate(all="ignore"):
        outcome = q.evaluate(answer)
    assert outcome.status == status, (outcome.status, outcome.message)
    return outcome.message


def correct(q, answer):
    return outcome_of(q, answer, CORRECT)


def incorrect(q, answer, *fragments):
    message = outcome_of(q, answer, INCORRECT)
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- a reference engine, and engines with the mistakes learners make -----------------------------
class Value:
    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(children)
        self._op = op

    def __add__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def relu(self):
        out = type(self)(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def topological_order(self):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        return order

    def backward(self):
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            node._backward()


class AssignsInsteadOfAdding(Value):
    def __mul__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out


class WalksWithoutTopologicalOrder(Value):
    def backward(self):
        self.grad = 1.0
        stack = [self]
        while stack:  # depth first, each node as soon as it is reached
            node = stack.pop()
            node._backward()
            stack.extend(node._prev)


class SwapsTheFactors(Value):
    def __mul__(self, other):
        other = other if isinstance(other, Value) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad

        out._backward = _backward
        return out


class ReluLetsEverythingThrough(Value):
    def relu(self):
        out = type(self)(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += out.grad

        out._backward = _backward
        return out


class ForgetsTheSeed(Value):
    def backward(self):
        for node in reversed(self.topological_order()):
            node._backward()


class ReluForgetsTheForward(Value):
    def relu(self):
        out = type(self)(self.data, (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out


class RecursesForever(Value):
    def backward(self):
        while True:
            pass


class Stub(Value):
    def backward(self):
        raise NotImplementedError("your answer here")


def test_09_engine_accepts_a_working_engine():
    assert "agrees with dlcourse on 10 graphs" in correct(ex09.q2, Value)


@pytest.mark.parametrize(("engine", "fragments"), [
    (AssignsInsteadOfAdding, ["On a Value used twice", "`+=`"]),
    (WalksWithoutTopologicalOrder, ["a diamond", "topological order"]),
    (SwapsTheFactors, ["On `*`", "*other* input"]),
    (ReluLetsEverythingThrough, ["`relu` of a negative number", "no gradient goes through"]),
    (ForgetsTheSeed, ["every input's .grad is 0", "to 1"]),
    (ReluForgetsTheForward, ["`relu` of a negative number", "the output's .data"]),
])
def test_09_engine_names_the_part_that_is_wrong(engine, fragments):
    incorrect(ex09.q2, engine, *fragments)


def test_09_engine_errors_stubs_and_endless_loops_are_reported():
    assert outcome_of(ex09.q2, Stub, NOT_ATTEMPTED)
    assert "Value" in incorrect(ex09.q2, Value(1.0), "expected your class itself")
    assert outcome_of(ex09.q2, float, ERROR)  # float has no .relu()
    timed = ProbeQuestion("t", observe=probes.engine_gradients, cases=ex09.engine_cases,
                          verdict=ex09.engine_verdict, timeout=0.5)
    assert outcome_of(timed, RecursesForever, TIMEOUT)


def test_09_engine_graphs_are_random_but_seeded_and_checked_by_dlcourse():
    first, again, other = ex09.q2.inputs(9), ex09.q2.inputs(9), ex09.q2.inputs(10)
    assert first == again and first != other
    for program in first:
        expected = ex09._reference(program)
        observed = probes.engine_gradients(Value, [program], call)[0]["ok"]
        np.testing.assert_allclose(observed["grads"], expected["grads"])
        assert "backward()" in ex09.describe_graph(program)


def test_09_observe_returns_plain_data_only():
    observed = probes.engine_gradients(Value, ex09.q2.inputs(), call)
    for result in (r["ok"] for r in observed):
        assert isinstance(result["value"], float)
        assert all(isinstance(g, float) for g in result["grads"])


# -- softmax backward ----------------------------------------------------------------------------
def softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_09_softmax_backward_accepts_the_rule_and_reports_gradcheck():
    message = correct(ex09.q3, ex09.softmax_backward)
    assert "dl.gradcheck agrees" in message

    def by_jacobian(p, grad_p):
        rows = [(np.diag(row) - np.outer(row, row)) @ g for row, g in zip(p, grad_p)]
        return np.array(rows)

    correct(ex09.q3, by_jacobian)


@pytest.mark.parametrize(("wrong", "fragment"), [
    (lambda p, g: p * (1 - p) * g, "only the diagonal"),
    (lambda p, g: p * (g - (g * p).sum(axis=0, keepdims=True)), "`axis=1, keepdims=True`"),
    (lambda p, g: p * (g - g.sum(axis=1, keepdims=True)), "weighted by p_j"),
    (lambda p, g: g * p, "first half of the rule"),
    (lambda p, g: p - g, "values differ"),
])
def test_09_softmax_backward_names_the_usual_mistakes(wrong, fragment):
    incorrect(ex09.q3, wrong, fragment)


def test_09_gradcheck_rule_tells_a_right_rule_from_a_wrong_one():
    rng = np.random.default_rng(0)
    p, g = softmax(rng.normal(size=(3, 4))), rng.normal(size=(3, 4))
    assert ex09.gradcheck_rule(p, g, ex09.softmax_backward(p, g)).passed
    assert not ex09.gradcheck_rule(p, g, p * (1 - p) * g).passed


# -- the shortcut ----------------------------------------------------------------------------------
def test_09_shortcut_accepts_the_reference_and_dlcourse():
    correct(ex09.q4, ex09.softmax_crossentropy_backward)

    def by_backward(logits, y_true):
        z = dl.Tensor(logits, requires_grad=True)
        dl.categorical_crossentropy(y_true, dl.softmax(z)).backward()
        return z.grad

    correct(ex09.q4, by_backward)
    correct(ex09.q4, lambda z, y: ex09.softmax_backward(softmax(z), -y / (len(z) * softmax(z))))


def test_09_shortcut_mistakes():
    incorrect(ex09.q4, lambda z, y: softmax(z) - y, "batch size times too large")
    incorrect(ex09.q4, lambda z, y: (y - softmax(z)) / len(z), "wrong sign")
    incorrect(ex09.q4, lambda z, y: (z - y) / len(z), "instead of the softmax")
    message = incorrect(ex09.q4, lambda z, y: (softmax(z, axis=0) - y) / len(z),
                        "each *column* (axis=0)", "axis=1")
    assert "logits" not in message.split("\n")[-1]


def test_09_divide_by_n_advice_fires_for_a_ratio_a_hair_below_two():
    # Rounded arithmetic makes the factor 1.9999999 rather than 2: still "a whole multiple".
    expected = np.array([[0.1, -0.1], [0.3, -0.3]])
    assert ex09.is_whole_multiple(expected, expected * 1.9999999)
    incorrect(ex09.q4, lambda z, y: 1.9999999 * (softmax(z) - y) / len(z),  # the example: n = 2
              "batch size times too large")


# -- accumulation ---------------------------------------------------------------------------------
def test_09_chain_rule_value():
    x = dl.Tensor(1.5, requires_grad=True)
    ((2 * x - 1) ** 3).backward()
    correct(ex09.q1, float(x.grad))
    correct(ex09.q1, 24)
    incorrect(ex09.q1, 12.0, "du/dx = 2")
    incorrect(ex09.q1, 8.0, "y itself")


def test_09_gradients_accumulate_across_forward_passes():
    x = dl.Tensor(3.0, requires_grad=True)
    for _ in range(2):
        (x * x).backward()  # a new graph each time: both backward passes are allowed
    correct(ex09.q5, float(x.grad))
    incorrect(ex09.q5, 6.0, "adds its gradient")
    incorrect(ex09.q5, 9.0, "x.grad")
    incorrect(ex09.q5, 0.0, "*new* graph")


def test_09_has_no_multiple_choice_and_two_build_questions():
    kinds = [type(q).__name__ for q in ex09.exercise]
    assert "ChoiceQuestion" not in kinds
    assert isinstance(ex09.q2, ProbeQuestion)
    assert isinstance(ex09.q3, ex09.SoftmaxRuleQuestion)


def test_09_what_question_5_says_about_a_second_backward_is_what_dlcourse_does():
    x = dl.Tensor(3.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="freed"):
        y.backward()  # the same graph twice: refused
    (x * x).backward()  # a new forward pass: allowed, and added up
    assert float(x.grad) == 12.0
