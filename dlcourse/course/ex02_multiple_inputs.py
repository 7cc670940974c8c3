"""Checks for exercise 02, a unit with several inputs: y = w·x + b, and where w points."""

from __future__ import annotations

import numpy as np

from dlcourse.course.cases import nonzero
from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ValueQuestion,
    compare,
    matches,
    unwrap,
)


# -- q1: one sample -------------------------------------------------------------------------------
def _unit_output(x, w, b):
    return float(np.dot(w, x) + b)


def _sample_cases(rng):
    n = int(rng.integers(2, 6))
    return {"x": rng.uniform(-3, 3, size=n).round(1), "w": rng.normal(0, 1.5, size=n).round(1),
            "b": nonzero(rng)}


q1 = FunctionQuestion(
    "q1", _unit_output, _sample_cases,
    examples=[{"x": np.array([1.0, 2.0, 3.0]), "w": np.array([2.0, 0.0, -1.0]), "b": 0.5}],
    points=2,
    hints=["Multiply each input by its own weight, add the products, then add the bias once.",
           "`np.dot(w, x)` (or `w @ x`) is the sum of the products w[0]*x[0] + w[1]*x[1] + ...",
           "`w * x + b` is an array with one number per input; the unit outputs one number."],
    solution="def unit_output(x, w, b):\n    return np.dot(w, x) + b",
)

# -- q2: a batch of samples -----------------------------------------------------------------------


def _predict(X, w, b):
    return X @ w + b


def _batch_cases(rng):
    batch, n = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    return {"X": rng.uniform(-3, 3, size=(batch, n)).round(1),
            "w": rng.normal(0, 1.5, size=n).round(1), "b": nonzero(rng)}


q2 = FunctionQuestion(
    "q2", _predict, _batch_cases,
    examples=[{"X": np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]]), "w": np.array([1.0, -1.0]),
               "b": 0.5}],
    points=2,
    hints=["Each row of X is one sample; the answer has one number per row, shape (batch,).",
           "`X @ w` takes the dot product of every row of X with w in one go; then add b."],
    solution="def predict(X, w, b):\n    return X @ w + b",
)

# -- q3: read the weights off a plane -------------------------------------------------------------


def _compare_q3(expected, got):
    if matches([3.0, 0.0, 1.0], got):
        raise Incorrect("You read the outputs at (1, 0) and (0, 1) as the weights. Part of each "
                        "output is the bias: subtract b first.")
    if matches([1.0, 2.0, -1.0], got):
        raise Incorrect("The order asked for is `[w0, w1, b]`: the bias goes last.")
    if matches([-1.0, 2.0, 1.0], got):
        raise Incorrect("w0 and w1 are swapped: w0 belongs to the first input x0.")
    compare(expected, got)


q3 = ValueQuestion(
    "q3", [2.0, -1.0, 1.0], compare=_compare_q3,
    hints=["At the origin, (x0, x1) = (0, 0), both weights multiply zero.",
           "Going from (0, 0) to (1, 0) changes only x0, by 1: the output changes by w0."],
    solution="params = [2.0, -1.0, 1.0]   # b = y(0, 0) = 1, w0 = 3 - 1 = 2, w1 = 0 - 1 = -1",
)

# -- q4: the weight vector points uphill -----------------------------------------------------------
def uphill(x, w, b, distance):
    return x + distance * w / np.linalg.norm(w)


def _uphill_cases(rng):
    n = int(rng.integers(2, 6))
    w = rng.normal(0, 2, size=n).round(1)
    while np.linalg.norm(w) < 0.5 or np.isclose(np.linalg.norm(w), 1.0, atol=0.05):
        w = rng.normal(0, 2, size=n).round(1)  # a unit-length w would hide a missing division
    return {"x": rng.uniform(-2, 2, size=n).round(1), "w": w, "b": nonzero(rng),
            "distance": float(rng.choice([0.5, 2.0, 3.0]))}


Q4_EXAMPLE = {"x": np.array([1.0, 1.0]), "w": np.array([3.0, 4.0]), "b": 0.5, "distance": 2.0}


def _uphill_advice(args: dict, got) -> str:
    x, w, d = args["x"], args["w"], args["distance"]
    direction = w / np.linalg.norm(w)
    g = np.asarray(unwrap(got), dtype=float)
    known = [
        (x - d * direction, "You went downhill: moving against w lowers the output fastest. "
                            "Step *along* w."),
        (x + d * w, "Your step points the right way but is |w| times too long: divide w by its "
                    "length, `np.linalg.norm(w)`, to get a direction of length 1."),
        (x + direction, "Right direction, but the step has length 1: multiply the direction "
                        "by `distance`."),
        (d * direction, "That is the step itself; the answer is the point reached from `x`: "
                        "add the step to `x`."),
    ]
    for wrong, advice in known:
        if g.shape == wrong.shape and np.allclose(g, wrong):
            return advice
    if g.shape == x.shape and np.isclose(np.linalg.norm(g - x), d, rtol=1e-3):
        rise, best = float(w @ (g - x)), d * float(np.linalg.norm(w))
        return (f"Your point is at the right distance, but the output rises by only {rise:.3g} "
                f"there; the steepest direction gives {best:.3g}. Which direction makes "
                "w · (step) largest for a step of fixed length?")
    return ""


class UphillQuestion(FunctionQuestion):
    """Compares the point; names the usual mistakes from the inputs."""

    def _compare_one(self, expected, got, args, after) -> None:
        try:
            super()._compare_one(expected, got, args, after)
        except Incorrect as exc:
            try:
                advice = _uphill_advice(args, got)
            except (TypeError, ValueError):
                advice = ""
            raise Incorrect(f"{exc}\n{advice}".rstrip()) from None


q4 = UphillQuestion(
    "q4", uphill, _uphill_cases,
    examples=[Q4_EXAMPLE],
    points=2,
    correct_message="Right: of all steps of the same length, the one along w raises the output "
                    "most, by distance × |w|. The weight vector points uphill.",
    hints=["Moving from x by a step s changes the output by w · s (the bias cancels). Try a few "
           "directions of length 1 with the exploring cell above: which one wins?",
           "w · s = |w| |s| cos(angle between them): largest when s points along w.",
           "A direction of length 1 along w is `w / np.linalg.norm(w)`; the point is "
           "`x + distance * w / np.linalg.norm(w)`."],
    solution="def uphill(x, w, b, distance):\n    return x + distance * w / np.linalg.norm(w)",
)


# -- q5: what a unit with many inputs draws -------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "a straight line",
     "b": "a flat plane in 3-D space",
     "c": "a curved surface that can follow any data",
     "d": "a flat hyperplane: flat like a plane, but in a space of 6 dimensions"},
    answer="d",
    explanations={
        "a": "A line is what a unit with one input draws: one input axis and the output.",
        "b": "A plane is the picture for two inputs: two input axes and the output axis.",
        "c": "Every input only enters multiplied by a fixed weight; nothing can bend.",
        "d": "Right: 5 input axes plus the output make 6 dimensions, and y = w·x + b is flat in "
             "every direction: move along one input and the output changes at a constant rate.",
    },
    hints=["Count the axes: one per input, plus one for the output. Is anything squared?"],
)

exercise = Exercise("02_multiple_inputs", [q1, q2, q3, q4, q5])
