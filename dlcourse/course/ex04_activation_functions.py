"""Checks for exercise 04, activation functions: ReLU, shapes built from ReLU units, a bend."""

from __future__ import annotations

import numpy as np

from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    Question,
    ValueQuestion,
    compare,
    describe_type,
    fmt,
    matches,
)
from dlcourse.grading.mistakes import on_error


# -- q1: the rectifier ----------------------------------------------------------------------------
def _relu(z):
    return np.maximum(0.0, z)


def _relu_cases(rng):
    shape = tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(1, 3))))
    return {"z": rng.uniform(-3, 3, size=shape).round(1)}


q1 = on_error(FunctionQuestion(
    "q1", _relu, _relu_cases,
    examples=[{"z": np.array([-2.0, -0.5, 0.0, 0.5, 2.0])}],
    points=2,
    hints=["Negative numbers become 0; zero and positive numbers stay as they are.",
           "`np.maximum(0, z)` compares element by element. (Python's `max` and `np.max` do "
           "something else: they look for the largest value.)"],
    solution="def relu(z):\n    return np.maximum(0, z)",
), (r"scalar index|AxisError|axis",
    "Did you write `np.max(0, z)`? `np.max` looks for the largest value *inside* one array (its "
    "second argument is an axis). To compare 0 with every entry of z, use `np.maximum(0, z)`."),
   (r"truth value of an array",
    "Python's `max(0, z)` and `if z > 0` work on one number at a time; z is an array. Use "
    "`np.maximum(0, z)`, which compares element by element."))

# -- q2: shapes built from ReLU units ------------------------------------------------------------
GRID = np.linspace(-3.0, 3.0, 601)
SHAPES = {
    "hat": ("the hat, max(0, 1 - |x|)", lambda x: np.maximum(0.0, 1.0 - np.abs(x)),
            [-1.0, 0.0, 1.0]),
    "absolute": ("|x|", np.abs, [0.0]),
    "step": ("the step (0 up to x = 0, 1 from x = 0.1 on, straight between)",
             lambda x: np.clip(x / 0.1, 0.0, 1.0), [0.0, 0.1]),
}


def relu_sum(units, x):
    """The sum of a * max(0, w * x + b) over the units (a, w, b)."""
    return sum((a * np.maximum(0.0, w * x + b) for a, w, b in units), np.zeros_like(x))


def _units(name: str, units) -> list[tuple[float, float, float]]:
    example = "e.g. `[(1.0, 1.0, 0.0), (1.0, -1.0, 0.0)]`"
    if not isinstance(units, (list, tuple)) or not units:
        raise Incorrect(f"{name}: expected a list of units (a, w, b), {example}, but got "
                        f"{describe_type(units)}: {fmt(units)}")
    out = []
    for i, unit in enumerate(units):
        try:
            a, w, b = (float(v) for v in unit)
        except (TypeError, ValueError):
            raise Incorrect(f"{name}: unit {i} should be three numbers (a, w, b), but it is "
                            f"{fmt(unit)}") from None
        out.append((a, w, b))
    return out


def _bends(units) -> list[float]:
    return sorted({round(-b / w, 3) + 0.0 for a, w, b in units if w != 0 and a != 0})


def _check_shapes(answer) -> str:
    if not isinstance(answer, dict):
        raise Incorrect(f"expected a dict with the keys {list(SHAPES)}, but got "
                        f"{describe_type(answer)}: {fmt(answer)}")
    missing = [k for k in SHAPES if k not in answer]
    if missing:
        raise Incorrect(f"your dict has no {', '.join(repr(k) for k in missing)}: give a list "
                        f"of units for each of {list(SHAPES)}")
    for key, (name, target, bends) in SHAPES.items():
        units = _units(key, answer[key])
        got, want = relu_sum(units, GRID), target(GRID)
        wrong = ~np.isclose(got, want, atol=1e-6)
        if not wrong.any():
            continue
        i = int(np.argmax(wrong))
        step = GRID[1] - GRID[0]
        advice = []
        for side, k in (("left", 0), ("right", -2)):
            mine, theirs = (got[k + 1] - got[k]) / step, (want[k + 1] - want[k]) / step
            if not np.isclose(mine, theirs):
                advice.append(f"far to the {side} your sum has slope {mine:.3g}, the shape "
                              f"{theirs:.3g}: the units active there (a unit max(0, w x + b) "
                              "is active where w x + b > 0) must have slopes a * w adding up to "
                              "the shape's")
        advice.append(f"{name} bends at x = {', '.join(f'{v:g}' for v in bends)}; your sum "
                      f"bends at x = {', '.join(f'{v:g}' for v in _bends(units)) or 'nowhere'}")
        raise Incorrect(f"{key}: at x = {GRID[i]:.2f} your sum is {got[i]:.4g}, but {name} is "
                        f"{want[i]:.4g} ({int(wrong.sum())} of {GRID.size} points between -3 "
                        "and 3 differ).\n" + ";\n".join(advice) + ".")
    return ("All three shapes match on 601 points between -3 and 3. Each bend of a shape took one "
            "ReLU unit: a network's hidden units are these bends.")


q2 = Question(
    "q2", checker=_check_shapes,
    points=3,
    hints=["The unit a * max(0, w x + b) is 0 on one side of its bend x = -b / w and a straight "
           "line of slope a * w on the other. With w = 1 it is 0 on the left: e.g. "
           "max(0, x + 1) bends at x = -1.",
           "Read each shape from left to right and add one unit per bend, chosen to change the "
           "slope by the right amount there. |x| has slope -1, then +1: `max(0, x) + max(0, -x)`.",
           "Hat: slope 0, then +1 at x = -1, -1 at x = 0 (a change of -2), 0 at x = 1 (a change "
           "of +1): `[(1, 1, 1), (-2, 1, 0), (1, 1, -1)]`. The step rises with slope 10 from "
           "x = 0 to 0.1, then is flat."],
    solution=('shapes = {\n'
              '    "hat": [(1.0, 1.0, 1.0), (-2.0, 1.0, 0.0), (1.0, 1.0, -1.0)],\n'
              '    "absolute": [(1.0, 1.0, 0.0), (1.0, -1.0, 0.0)],\n'
              '    "step": [(10.0, 1.0, 0.0), (-10.0, 1.0, -0.1)],\n'
              '}'),
)

# -- q3: a rectified linear unit on given inputs --------------------------------------------------
Q3_X = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
Q3_W, Q3_B = -2.0, 1.0


def _compare_q3(expected, got):
    if matches(Q3_W * Q3_X + Q3_B, got):
        raise Incorrect("These are the outputs of the linear part, w * x + b. The unit then "
                        "applies the rectifier to them.")
    if matches(Q3_W * np.maximum(0, Q3_X) + Q3_B, got):
        raise Incorrect("The rectifier goes on the unit's output, max(0, w * x + b), not on "
                        "the input x.")
    if matches(np.minimum(0, Q3_W * Q3_X + Q3_B), got):
        raise Incorrect("You kept the negative outputs and zeroed the positive ones: that is "
                        "min, the rectifier is max(0, ...).")
    compare(expected, got)


q3 = ValueQuestion(
    "q3", np.maximum(0, Q3_W * Q3_X + Q3_B), compare=_compare_q3,
    hints=["First w * x + b for every x, then replace the negative results by 0."],
    solution="y = relu(-2.0 * x + 1.0)   # [3., 1., 0., 0., 0.]",
)

# -- q4: where the unit bends ---------------------------------------------------------------------


def _compare_q4(expected, got):
    if matches(-expected, got):
        raise Incorrect("Check the sign: at the bend w * x + b = 0, so x = -b / w.")
    if matches(-Q3_W / Q3_B, got) or matches(Q3_W / Q3_B, got):
        raise Incorrect("That fraction is upside down: from w * x + b = 0, x = -b / w.")
    compare(expected, got)


q4 = ValueQuestion(
    "q4", -Q3_B / Q3_W, compare=_compare_q4,
    hints=["The output of max(0, w * x + b) bends where w * x + b changes sign.",
           "Solve w * x + b = 0 for x."],
    solution="bend = -1.0 / -2.0   # x = -b / w = 0.5",
)

# -- q5: which activation stops the collapse ------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "f(z) = 3 z", "b": "f(z) = z + 1", "c": "f(z) = max(0, z)", "d": "f(z) = -z"},
    answer="c",
    explanations={
        "a": "3 z is linear: multiplying by 3 can be folded into the next layer's weights, so "
             "the two layers still collapse into one.",
        "b": "z + 1 only shifts: the 1 is absorbed into the next layer's bias, and the layers "
             "still collapse into one.",
        "c": "Right: max(0, z) bends at 0, and no single dense layer can reproduce that bend, "
             "so the layers no longer collapse.",
        "d": "-z is linear (a weight of -1): it folds into the next layer's weights.",
    },
    hints=["Three of these have a straight-line graph. Which one does not?"],
)

exercise = Exercise("04_activation_functions", [q1, q2, q3, q4, q5])
