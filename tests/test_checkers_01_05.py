"""Checkers of exercises 01-05: each accepts its solution and rejects what learners get wrong."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.course import ex01_linear_unit as ex01
from dlcourse.course import ex02_multiple_inputs as ex02
from dlcourse.course import ex03_layers as ex03
from dlcourse.course import ex04_activation_functions as ex04
from dlcourse.course import ex05_stacked_layers as ex05
from dlcourse.grading import CORRECT, ERROR, INCORRECT, NOT_ATTEMPTED, FunctionQuestion

EXERCISES = [ex01, ex02, ex03, ex04, ex05]


def correct(question, answer):
    outcome = question.evaluate(answer)
    assert outcome.status == CORRECT, outcome.message


def incorrect(question, answer, *words):
    """The answer is rejected as incorrect, and the message contains every one of ``words``."""
    outcome = question.evaluate(answer)
    assert outcome.status == INCORRECT, (outcome.status, outcome.message)
    for word in words:
        assert word in outcome.message, outcome.message
    return outcome.message


def np_relu(z):
    return np.maximum(0, z)


def model(*layers):
    return dl.Sequential(list(layers))


# -- every exercise -------------------------------------------------------------------------------
@pytest.mark.parametrize("module", EXERCISES, ids=lambda m: m.exercise.name)
def test_each_exercise_has_three_or_more_questions_of_mixed_kinds(module):
    questions = list(module.exercise)
    assert len(questions) >= 3
    assert [q.id for q in questions] == [f"q{i}" for i in range(1, len(questions) + 1)]
    assert len({type(q).__name__ for q in questions}) >= 3
    assert all(q.hints and q._solution() for q in questions)


FUNCTION_QUESTIONS = [(m, q) for m in EXERCISES for q in m.exercise
                      if isinstance(q, FunctionQuestion)]


@pytest.mark.parametrize(("module", "question"), FUNCTION_QUESTIONS,
                         ids=lambda x: getattr(x, "id", getattr(x, "__name__", "")))
def test_function_questions_report_errors_and_placeholders(module, question):
    def crashes(*args):
        return args[0].no_such_attribute

    def stub(*args):
        raise NotImplementedError("your answer here")

    outcome = question.evaluate(crashes)
    assert outcome.status == ERROR
    assert "AttributeError" in outcome.message and "for inputs" in outcome.message
    assert question.evaluate(...).status == NOT_ATTEMPTED
    assert question.evaluate(stub).status == NOT_ATTEMPTED
    incorrect(question, question.reference(*question.inputs()[0].values()), "your function")


@pytest.mark.parametrize(("module", "question"), FUNCTION_QUESTIONS,
                         ids=lambda x: getattr(x, "id", getattr(x, "__name__", "")))
def test_function_questions_reject_an_answer_hard_coded_for_the_example(module, question):
    first = question.inputs()[0]
    answer = question.reference(*first.values())
    outcome = question.evaluate(lambda *args: answer)
    assert outcome.status == INCORRECT, outcome.message


# -- 01 the linear unit --------------------------------------------------------------------------
def test_ex01_q1_linear_unit():
    correct(ex01.q1, lambda x, w, b: w * x + b)
    correct(ex01.q1, lambda x, w, b: dl.LinearUnit(1, w=[w], b=b)(x))   # a Tensor is fine
    incorrect(ex01.q1, lambda x, w, b: w * x, "expected: [1.0, 3.0, 5.0]", "got:      [0.0, 2.0")
    incorrect(ex01.q1, lambda x, w, b: w * (x + b), "x=[0.0, 1.0, 2.0], w=2.0, b=1.0")
    incorrect(ex01.q1, lambda x, w, b: x * b + w, "values differ")


def test_ex01_q2_outputs():
    correct(ex01.q2, np.array([3.0, 2.0, 1.0, 0.0, -1.0]))
    incorrect(ex01.q2, [3, 2, 1, 0, -1], "got a list", "np.array(")
    correct(ex01.q2, dl.Tensor([3.0, 2.0, 1.0, 0.0, -1.0]))
    incorrect(ex01.q2, np.array([1.0, 2.0, 3.0, 4.0, 5.0]), "weight is negative")
    incorrect(ex01.q2, np.array([1.0, 0.0, -1.0, -2.0, -3.0]), "bias b = 2 is missing")
    incorrect(ex01.q2, np.array([3.0, 2.0, 1.0, 0.0]), "expected shape (5,)")


def test_ex01_q3_weight_and_bias():
    correct(ex01.q3, [3.0, 1.0])
    correct(ex01.q3, (3, 1))
    incorrect(ex01.q3, [1.0, 3.0], "wrong way round")
    incorrect(ex01.q3, [3.5, 1.0], "has a bias")
    incorrect(ex01.q3, [6.0, 1.0], "expected: [3.0, 1.0]")


def test_ex01_q4_line_error():
    correct(ex01.q4, lambda x, y, w, b: np.mean((y - (w * x + b)) ** 2))
    correct(ex01.q4, lambda x, y, w, b: dl.mse(y, w * x + b).item())
    incorrect(ex01.q4, lambda x, y, w, b: dl.mse(y, w * x + b), "got a Tensor", ".item()")
    incorrect(ex01.q4, lambda x, y, w, b: np.sum((y - (w * x + b)) ** 2),
              "expected 1.66667, but got 5.0")
    incorrect(ex01.q4, lambda x, y, w, b: np.mean(y - (w * x + b)), "expected 1.66667")
    incorrect(ex01.q4, lambda x, y, w, b: np.mean(np.abs(y - (w * x + b))), "expected 1.66667")
    incorrect(ex01.q4, lambda x, y, w, b: (y - (w * x + b)) ** 2, "expected a single number")


def test_ex01_q5_bias():
    correct(ex01.q5, "b")
    correct(ex01.q5, " B ")
    incorrect(ex01.q5, "a", "slope")
    incorrect(ex01.q5, "c", "straight line")
    incorrect(ex01.q5, "e", "expected one of 'a', 'b', 'c', 'd'")


# -- 02 multiple inputs --------------------------------------------------------------------------
def test_ex02_q1_unit_output():
    correct(ex02.q1, lambda x, w, b: np.dot(w, x) + b)
    correct(ex02.q1, lambda x, w, b: sum(wi * xi for wi, xi in zip(w, x)) + b)
    correct(ex02.q1, lambda x, w, b: (dl.dot(w, x) + b).item())
    incorrect(ex02.q1, lambda x, w, b: dl.dot(w, x) + b, "got a Tensor", ".item()")
    incorrect(ex02.q1, lambda x, w, b: w * x + b, "expected a single number",
              "array of shape (3,)")
    incorrect(ex02.q1, lambda x, w, b: np.sum(w * x + b), "expected -0.5, but got 0.5")
    incorrect(ex02.q1, lambda x, w, b: np.dot(w, x), "expected -0.5, but got -1.0")


def test_ex02_q2_predict():
    correct(ex02.q2, lambda X, w, b: X @ w + b)
    correct(ex02.q2, lambda X, w, b: dl.LinearUnit(len(w), w=w, b=b)(X))
    incorrect(ex02.q2, lambda X, w, b: X @ w, "3 of 3 values differ")
    incorrect(ex02.q2, lambda X, w, b: (X * w).sum() + b, "expected shape (3,), but got shape ()")
    incorrect(ex02.q2, lambda X, w, b: X @ w.reshape(-1, 1) + b, "got shape (3, 1)",
              "missing axis")


def test_ex02_q3_plane():
    correct(ex02.q3, [2.0, -1.0, 1.0])
    correct(ex02.q3, np.array([2, -1, 1]))
    incorrect(ex02.q3, [3.0, 0.0, 1.0], "subtract b")
    incorrect(ex02.q3, [1.0, 2.0, -1.0], "bias goes last")
    incorrect(ex02.q3, [-1.0, 2.0, 1.0], "swapped")


def test_ex02_q4_uphill():
    correct(ex02.q4, ex02.uphill)
    assert "points uphill" in ex02.q4.evaluate(ex02.uphill).message
    correct(ex02.q4, lambda x, w, b, d: x + d * w / np.sqrt(np.sum(w ** 2)))
    norm = np.linalg.norm
    for wrong, fragment in [
        (lambda x, w, b, d: x - d * w / norm(w), "downhill"),
        (lambda x, w, b, d: x + d * w, "|w| times too long"),
        (lambda x, w, b, d: x + w / norm(w), "multiply the direction by `distance`"),
        (lambda x, w, b, d: d * w / norm(w), "add the step to `x`"),
        (lambda x, w, b, d: x + d * np.ones_like(x) / np.sqrt(len(x)), "rises by only"),
        (lambda x, w, b, d: list(x + d * w / norm(w)), "got a list"),
    ]:
        incorrect(ex02.q4, wrong, fragment)


def test_ex02_q5_hyperplane():
    correct(ex02.q5, "d")
    incorrect(ex02.q5, "b", "two inputs")
    incorrect(ex02.q5, "c", "nothing can bend")


# -- 03 layers -----------------------------------------------------------------------------------
def test_ex03_q1_dense():
    correct(ex03.q1, lambda x, W, b: x @ W + b)
    correct(ex03.q1, lambda x, W, b: dl.linear(x, W, b))
    correct(ex03.q1, lambda x, W, b: np.stack([x @ W[:, j] + b[j] for j in range(len(b))], 1))
    incorrect(ex03.q1, lambda x, W, b: x @ W.T + b, "at index (0, 1) expected 22.0 but got 23.0")
    incorrect(ex03.q1, lambda x, W, b: x @ W, "expected: [[11., 22.]")
    incorrect(ex03.q1, lambda x, W, b: x @ W + b.sum(), "values differ")
    outcome = ex03.q1.evaluate(lambda x, W, b: W @ x + b)  # shapes do not fit: reported, not raised
    assert outcome.status == ERROR and "ValueError" in outcome.message


def test_ex03_q2_layer_from_units():
    correct(ex03.q2, ex03.layer_from_units)
    correct(ex03.q2, lambda units: (np.column_stack([w for w, _ in units]),
                                    np.array([b for _, b in units])))
    incorrect(ex03.q2, lambda units: (np.stack([w for w, _ in units]),
                                      np.array([b for _, b in units])), "one *column* per unit")
    incorrect(ex03.q2, lambda units: (np.stack([w for w, _ in units], axis=1),
                                      [b for _, b in units]), "In b:", "got a list")
    incorrect(ex03.q2, lambda units: (np.concatenate([w for w, _ in units]),
                                      np.array([b for _, b in units])), "In W: expected shape")
    incorrect(ex03.q2, lambda units: np.stack([w for w, _ in units], axis=1), "a pair `W, b`")


def test_ex03_q3_unit_column():
    W = ex03.Q3_W
    correct(ex03.q3, W[:, 2])
    incorrect(ex03.q3, [1.0, -0.4, 0.5], "got a list", "np.array(")
    incorrect(ex03.q3, W[2], "row 2", "column")
    incorrect(ex03.q3, W[:, 3], "wrong column", "from 0")
    incorrect(ex03.q3, W[:, 2:3], "shape (3, 1)")


def test_ex03_q4_parameter_count():
    correct(ex03.q4, 650)
    incorrect(ex03.q4, 640, "bias")
    incorrect(ex03.q4, 704, "one bias per unit")
    incorrect(ex03.q4, 74, "64 * 10")


def test_ex03_q5_shared_inputs():
    correct(ex03.q5, "b")
    incorrect(ex03.q5, "a", "own column of W")
    incorrect(ex03.q5, "c", "one entry per unit")


# -- 04 activation functions ---------------------------------------------------------------------
def test_ex04_q1_relu():
    correct(ex04.q1, np_relu)
    correct(ex04.q1, lambda z: z * (z > 0))
    correct(ex04.q1, lambda z: np.clip(z, 0, None))
    correct(ex04.q1, dl.relu)
    incorrect(ex04.q1, lambda z: np.minimum(0, z), "expected: [0.0, 0.0, 0.0, 0.5, 2.0]")
    incorrect(ex04.q1, np.abs, "at index 0 expected 0.0 but got 2.0")
    incorrect(ex04.q1, lambda z: z > 0, "True/False")

    def in_place(z):
        z[z < 0] = 0
        return z

    incorrect(ex04.q1, in_place, "changed its input `z` in place")
    outcome = ex04.q1.evaluate(lambda z: max(0, z))  # Python's max on an array raises
    assert outcome.status == ERROR and "ValueError" in outcome.message


SHAPES = {"hat": [(1.0, 1.0, 1.0), (-2.0, 1.0, 0.0), (1.0, 1.0, -1.0)],
          "absolute": [(1.0, 1.0, 0.0), (1.0, -1.0, 0.0)],
          "step": [(10.0, 1.0, 0.0), (-10.0, 1.0, -0.1)]}


def test_ex04_q2_shapes_from_relu_units():
    correct(ex04.q2, SHAPES)
    # Other exact constructions count too: the hat from the right, |x| as 2 relu(x) - x ...
    correct(ex04.q2, dict(SHAPES, hat=[(1.0, -1.0, 1.0), (-2.0, -1.0, 0.0), (1.0, -1.0, -1.0)],
                          step=[[10, 1, 0], [-10, 1, -0.1]]))
    correct(ex04.q2, dict(SHAPES, absolute=[(2.0, 1.0, 0.0), (1.0, -1.0, 0.0), (-1.0, 1.0, 0.0)]))


@pytest.mark.parametrize(("answer", "fragments"), [
    (dict(SHAPES, hat=[(1.0, 1.0, 1.0), (-2.0, 1.0, 0.0)]),
     ["hat: at x = 1.01", "far to the right your sum has slope -1", "bends at x = -1, 0, 1"]),
    (dict(SHAPES, absolute=[(1.0, 1.0, 0.0)]),
     ["absolute: at x = -3.00", "far to the left your sum has slope 0, the shape -1"]),
    (dict(SHAPES, step=[(1.0, 1.0, 0.0), (-1.0, 1.0, -1.0)]),  # a ramp ten times too slow
     ["step: at x = 0.01", "your sum bends at x = 0, 1"]),
    (dict(SHAPES, hat=[(1.0, 1.0, 1.0), (-1.0, 1.0, 0.0), (1.0, 1.0, -1.0)]),  # -1 where -2
     ["hat:", "far to the right your sum has slope 1"]),
    ({"hat": SHAPES["hat"]}, ["no 'absolute', 'step'"]),
    (dict(SHAPES, step=[(1.0, 2.0)]), ["unit 0 should be three numbers"]),
    (SHAPES["hat"], ["expected a dict"]),
])
def test_ex04_q2_says_where_a_shape_goes_wrong(answer, fragments):
    incorrect(ex04.q2, answer, *fragments)


def test_ex04_q3_rectified_unit():
    x = ex04.Q3_X
    correct(ex04.q3, np.maximum(0, -2 * x + 1))
    correct(ex04.q3, dl.relu(-2 * x + 1))
    incorrect(ex04.q3, -2 * x + 1, "applies the rectifier")
    incorrect(ex04.q3, -2 * np.maximum(0, x) + 1, "not on the input")
    incorrect(ex04.q3, np.minimum(0, -2 * x + 1), "min")


def test_ex04_q4_bend():
    correct(ex04.q4, 0.5)
    correct(ex04.q4, np.float64(0.5))
    incorrect(ex04.q4, -0.5, "sign", "-b / w")
    incorrect(ex04.q4, 2.0, "upside down")
    incorrect(ex04.q4, "0.5", "expected a number")


def test_ex04_q5_nonlinear():
    correct(ex04.q5, "c")
    incorrect(ex04.q5, "a", "collapse")
    incorrect(ex04.q5, "b", "bias")
    incorrect(ex04.q5, "d", "linear")


# -- 05 stacked layers ---------------------------------------------------------------------------
def test_ex05_q1_forward():
    correct(ex05.q1, lambda x, W1, b1, W2, b2: np_relu(x @ W1 + b1) @ W2 + b2)
    correct(ex05.q1, lambda x, W1, b1, W2, b2: dl.linear(dl.relu(dl.linear(x, W1, b1)), W2, b2))
    incorrect(ex05.q1, lambda x, W1, b1, W2, b2: np_relu(np_relu(x @ W1 + b1) @ W2 + b2),
              "expected -1.0 but got 0.0")
    incorrect(ex05.q1, lambda x, W1, b1, W2, b2: (x @ W1 + b1) @ W2 + b2, "values differ")
    incorrect(ex05.q1, lambda x, W1, b1, W2, b2: (np_relu(x @ W1) + b1) @ W2 + b2,
              "values differ")
    incorrect(ex05.q1, lambda x, W1, b1, W2, b2: np_relu(x @ W1 + b1) @ W2, "values differ")


def test_ex05_q2_network_size():
    correct(ex05.q2, 2778)
    incorrect(ex05.q2, 2720, "weights only")
    incorrect(ex05.q2, 2842, "no bias")
    incorrect(ex05.q2, 58, "counts units")
    incorrect(ex05.q2, 2777, "2778", "but got 2777")


def test_ex05_q3_shapes():
    correct(ex05.q3, [(5, 4), (5, 4), (5, 2)])
    correct(ex05.q3, ([5, 4], [5, 4], [5, 2]))
    incorrect(ex05.q3, [(4, 5), (4, 5), (2, 5)], "layer 1", "(batch, n_units)")
    incorrect(ex05.q3, [(5, 4), (5, 4)], "a list of 3 shapes")
    incorrect(ex05.q3, [(5, 3), (5, 4), (5, 4)], "the shape after layer 1")
    incorrect(ex05.q3, [(5, 4), (5, 4), (5, 1)], "layer 3")


def test_ex05_q4_model():
    def dense(n_in, n_out, activation=None):
        return dl.Dense(n_in, n_out, activation=activation, seed=None)

    built = model(dense(2, 16, "relu"), dense(16, 16, "relu"), dense(16, 1, "sigmoid"))
    before = built.layers[0].W.data.copy()
    correct(ex05.q4, built)
    assert np.array_equal(built.layers[0].W.data, before)  # the check works on a copy
    correct(ex05.q4, model(dense(2, 16), dl.ReLU(), dense(16, 16), dl.ReLU(), dense(16, 1),
                           dl.Sigmoid()))
    correct(ex05.q4, model(model(dense(2, 16, "relu"), dense(16, 16, "relu")),
                           dense(16, 1, "sigmoid")))
    incorrect(ex05.q4, model(dense(2, 16), dense(16, 16), dense(16, 1, "sigmoid")),
              'activation="relu"')
    incorrect(ex05.q4, model(dense(2, 16, "relu"), dense(16, 16, "relu"), dense(16, 1)),
              "outside (0, 1)", "sigmoid")
    incorrect(ex05.q4, model(dense(2, 16, "relu"), dense(16, 1, "sigmoid")),
              "2 -> 16 -> 16 -> 1", "2 -> 16 -> 1")
    incorrect(ex05.q4, model(dense(2, 16, "sigmoid"), dense(16, 16, "relu"),
                             dense(16, 1, "sigmoid")), "check each layer's activation")
    incorrect(ex05.q4, dl.Dense, "2 -> 16 -> 16 -> 1")
    incorrect(ex05.q4, [dense(2, 16)], "expected a model")

    class Broken:
        layers = [dense(2, 16), dense(16, 16), dense(16, 1)]

        def parameters(self):
            return []

        def __call__(self, x):
            raise RuntimeError("forgot to write the forward pass")

    outcome = ex05.q4.evaluate(Broken())
    assert outcome.status == ERROR and "RuntimeError" in outcome.message
    assert ex05.q4.evaluate(...).status == NOT_ATTEMPTED


def test_ex05_q5_depth():
    correct(ex05.q5, "b")
    incorrect(ex05.q5, "a", "huge")
    incorrect(ex05.q5, "c", "collapses")
    incorrect(ex05.q5, "d", "parameters")
