"""Checks for exercise 03, the dense layer: many units sharing their inputs, x @ W + b."""

from __future__ import annotations

import numpy as np

from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ValueQuestion,
    advising,
    compare,
    describe_type,
    fmt,
    matches,
    unwrap,
)
from dlcourse.grading.mistakes import on_error


# -- q1: the dense forward pass -------------------------------------------------------------------
def _dense(x, W, b):
    return x @ W + b


def _dense_cases(rng):
    batch, n_in, n_units = (int(n) for n in rng.integers(2, 5, size=3))
    return {"x": rng.uniform(-2, 2, size=(batch, n_in)).round(1),
            "W": rng.normal(0, 1, size=(n_in, n_units)).round(1),
            "b": rng.uniform(-2, 2, size=n_units).round(1)}


# Square W first, so that a transposed W gives wrong numbers rather than a shape error.
Q1_EXAMPLE = {"x": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]]),
              "W": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": np.array([10.0, 20.0])}
TRANSPOSED = ("Your result is `x @ W.T + b`: W is used transposed. Column j of W holds unit j's "
              "weights, so `x @ W` (no `.T`) gives unit j's weighted sums in column j.")


def _used_transpose(expected, got) -> bool:
    example = Q1_EXAMPLE
    return (np.shape(expected) == (3, 2)
            and matches(example["x"] @ example["W"].T + example["b"], got))


q1 = on_error(FunctionQuestion(
    "q1", _dense, _dense_cases,
    examples=[Q1_EXAMPLE],
    compare=advising((_used_transpose, TRANSPOSED)),
    points=2,
    hints=["Column j of W holds the weights of unit j; row i of x is sample i.",
           "`x @ W` has shape (batch, n_units): entry [i, j] is unit j's weighted sum for "
           "sample i. Then add b, one bias per unit (numpy broadcasts it over the rows)."],
    solution="def dense(x, W, b):\n    return x @ W + b",
), (r"matmul|shapes .* not aligned",
    "`x @ W` needs W to have one row per input (as many rows as x has columns): use W as it "
    "is, shape (n_inputs, n_units), without transposing it."))

# -- q2: assemble a layer from its units -----------------------------------------------------------
def layer_from_units(units):
    W = np.stack([w for w, _ in units], axis=1)
    b = np.array([b for _, b in units], dtype=float)
    return W, b


def _units_cases(rng):
    n_inputs, n_units = (int(n) for n in rng.choice(np.arange(2, 6), size=2, replace=False))
    return {"units": [(rng.normal(0, 1, size=n_inputs).round(1), round(float(rng.normal()), 1))
                      for _ in range(n_units)]}


def _compare_layer(expected, got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(f"expected a pair `W, b`, but got {describe_type(got)}: {fmt(got)}")
    W, b = got
    if np.shape(unwrap(W)) == expected[0].shape[::-1] and np.allclose(unwrap(W), expected[0].T):
        raise Incorrect(f"W has shape {np.shape(unwrap(W))}, one row per unit; a dense layer "
                        f"keeps one *column* per unit, shape {expected[0].shape} = (n_inputs, "
                        "n_units), so that `x @ W` works. Stack the weight vectors as columns "
                        "(`np.stack(..., axis=1)` or `np.column_stack`), or transpose.")
    compare(expected[0], W, what="W")
    compare(expected[1], b, what="b")


q2 = FunctionQuestion(
    "q2", layer_from_units, _units_cases,
    examples=[{"units": [(np.array([1.0, 2.0, 3.0]), 0.5), (np.array([-1.0, 0.0, 1.0]), -2.0)]}],
    compare=_compare_layer,
    points=2,
    hints=["Unit j's weights go into column j of W: W[:, j] = w_j. So W has one row per input "
           "and one column per unit.",
           "`np.stack([w for w, _ in units], axis=1)` puts the vectors side by side as columns; "
           "the biases, in the same order, make b: `np.array([b for _, b in units])`."],
    solution="def layer_from_units(units):\n"
             "    W = np.stack([w for w, _ in units], axis=1)\n"
             "    b = np.array([b for _, b in units])\n"
             "    return W, b",
)

# -- q3: one unit's weights inside W --------------------------------------------------------------
Q3_W = np.array([[0.2, -0.5, 1.0, 0.3],
                 [0.7, 0.1, -0.4, 0.9],
                 [-0.6, 0.8, 0.5, -0.2]])


def _compare_q3(expected, got):
    if matches(Q3_W[2], got):
        raise Incorrect("That is row 2 of W: the weights going out of input 2 into every unit. "
                        "A unit's weights form a column.")
    if matches(Q3_W[:, 3], got) or matches(Q3_W[:, 1], got):
        raise Incorrect("Right direction (a column), wrong column: numpy counts from 0, so unit 2 "
                        "is the third column.")
    compare(expected, got)


q3 = ValueQuestion(
    "q3", Q3_W[:, 2], compare=_compare_q3,
    hints=["Units are the columns of W, counted from 0.", "`W[:, j]` is column j."],
    solution="unit_2 = W[:, 2]   # [1.0, -0.4, 0.5]",
)

# -- q4: parameter count of a layer ---------------------------------------------------------------


def _compare_q4(expected, got):
    if matches(640, got):
        raise Incorrect("640 = 64 * 10 counts the weights only; each of the 10 units also has a "
                        "bias.")
    if matches(704, got):
        raise Incorrect("There is one bias per unit (10), not one per input (64).")
    if matches(74, got) or matches(75, got):
        raise Incorrect("Every input is connected to every unit: the weights multiply, 64 * 10.")
    compare(expected, got)


q4 = ValueQuestion(
    "q4", 650, compare=_compare_q4,
    hints=["W has shape (64, 10). How many biases are there?"],
    solution="n_parameters = 64 * 10 + 10   # W (64, 10) plus b (10,)",
)

# -- q5: what the units of a layer share ----------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "their weights: all units of a layer use the same W",
     "b": "their inputs: every unit receives the same x, with its own weights and bias",
     "c": "their bias: the layer has a single b",
     "d": "their output: the units vote and the layer returns one number"},
    answer="b",
    explanations={
        "a": "If they shared weights they would all compute the same thing; each unit has its "
             "own column of W.",
        "b": "Right: a dense layer is a set of linear units wired to the same inputs, each with "
             "its own column of W and its own entry of b, side by side.",
        "c": "b has one entry per unit, shape (n_units,).",
        "d": "The layer returns one output per unit: shape (batch, n_units).",
    },
    hints=["Look at the shapes: W is (n_inputs, n_units), b is (n_units,), x is "
           "(batch, n_inputs)."],
)

exercise = Exercise("03_layers", [q1, q2, q3, q4, q5])
