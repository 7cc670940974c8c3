"""Checks for exercise 05, stacked layers: a fully connected network, its shapes and size."""

from __future__ import annotations

import numpy as np

from dlcourse.course import probes
from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ProbeQuestion,
    ValueQuestion,
    compare,
    describe_type,
    fmt,
    matches,
    unwrap,
)


def _relu(z):
    return np.maximum(0.0, z)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- q1: forward pass of a two-layer network ------------------------------------------------------
def _forward(x, W1, b1, W2, b2):
    hidden = _relu(x @ W1 + b1)
    return hidden @ W2 + b2


def _forward_cases(rng):
    batch, n_in, n_hidden, n_out = (int(n) for n in rng.integers(2, 5, size=4))
    return {"x": rng.uniform(-2, 2, size=(batch, n_in)).round(1),
            "W1": rng.normal(0, 1, size=(n_in, n_hidden)).round(1),
            "b1": rng.uniform(-1, 1, size=n_hidden).round(1),
            "W2": rng.normal(0, 1, size=(n_hidden, n_out)).round(1),
            "b2": rng.uniform(-1, 1, size=n_out).round(1)}


q1 = FunctionQuestion(
    "q1", _forward, _forward_cases,
    # Chosen so that some hidden values and some outputs are negative: a missing or an extra
    # rectifier shows in the numbers.
    examples=[{"x": np.array([[1.0, 2.0], [-1.0, 1.0]]),
               "W1": np.array([[1.0, -1.0], [1.0, 1.0]]), "b1": np.array([-1.0, -2.0]),
               "W2": np.array([[1.0], [-2.0]]), "b2": np.array([-1.0])}],
    points=2,
    hints=["Two steps: `hidden = relu(x @ W1 + b1)`, then the output layer on `hidden`.",
           "The output layer has no activation here: its values may be negative.",
           "`np.maximum(0, z)` is the rectifier; `dl.relu` works too."],
    solution=("def forward(x, W1, b1, W2, b2):\n"
              "    hidden = np.maximum(0, x @ W1 + b1)\n"
              "    return hidden @ W2 + b2"),
)

# -- q2: parameter count of a network -------------------------------------------------------------
Q2_SIZES = [64, 32, 16, 10]
Q2_WEIGHTS = sum(a * b for a, b in zip(Q2_SIZES[:-1], Q2_SIZES[1:]))
Q2_BIASES = sum(Q2_SIZES[1:])


def _compare_q2(expected, got):
    if matches(Q2_WEIGHTS, got):
        raise Incorrect(f"{Q2_WEIGHTS} counts the weights only; every unit also has a bias.")
    if matches(Q2_WEIGHTS + sum(Q2_SIZES), got):
        raise Incorrect("The 64 inputs are data, not units: they have no bias. Only the "
                        "32 + 16 + 10 units do.")
    if matches(sum(Q2_SIZES), got) or matches(Q2_BIASES, got):
        raise Incorrect("That counts units. Each layer has a weight for every pair (input, unit) "
                        "plus one bias per unit.")
    compare(expected, got)


q2 = ValueQuestion(
    "q2", Q2_WEIGHTS + Q2_BIASES, compare=_compare_q2,
    hints=["A dense layer from n_in inputs to n_out units has n_in * n_out + n_out parameters.",
           "There are three dense layers: 64 -> 32, 32 -> 16 and 16 -> 10."],
    solution="n_parameters = (64 * 32 + 32) + (32 * 16 + 16) + (16 * 10 + 10)   # 2778",
)

# -- q3: the shape after every layer --------------------------------------------------------------
Q3_SHAPES = [(5, 4), (5, 4), (5, 2)]


def _compare_q3(expected, got):
    if not isinstance(got, tuple | list) or len(got) != len(expected):
        raise Incorrect(f"expected a list of {len(expected)} shapes, one per layer, but got "
                        f"{describe_type(got)}: {fmt(got)}")
    for i, (want, shape) in enumerate(zip(expected, got), start=1):
        shape = tuple(shape) if isinstance(shape, list) else shape
        if shape == want[::-1]:
            raise Incorrect(f"layer {i}: expected {want}, but got {shape}. A layer's "
                            "output has one row per sample and one column per unit: "
                            "(batch, n_units).")
        compare(want, shape, what=f"the shape after layer {i}")


q3 = ValueQuestion(
    "q3", Q3_SHAPES, compare=_compare_q3,
    hints=["Every layer keeps the batch size and replaces the number of columns by its own "
           "number of units.",
           "You can check your answer: build the network with `dl.Sequential` and call it on "
           "`np.zeros((5, 3))`, layer by layer."],
    solution="shapes = [(5, 4), (5, 4), (5, 2)]",
)

# -- q4: build a network with dlcourse ------------------------------------------------------------
Q4_LAYERS = [(2, 16), (16, 16), (16, 1)]


def _arrows(shapes) -> str:
    if not shapes:
        return "no dense layers"
    return " -> ".join([str(shapes[0][0])] + [str(s[-1]) for s in shapes])


def _model_cases(rng):
    weights = [(rng.normal(0, 0.5, size=s), rng.normal(0, 0.5, size=s[1])) for s in Q4_LAYERS]
    return {"weights": weights, "x": rng.normal(0, 1, size=(8, 2))}


def _network(x, weights, hidden, output):
    for W, b in weights[:-1]:
        x = hidden(x @ W + b)
    W, b = weights[-1]
    return output(x @ W + b)


def _model_verdict(inputs, observed) -> None:
    """The answer is a model; it must have the asked-for layers and activations."""
    shapes = [tuple(s) for s in observed["shapes"]]
    if shapes != Q4_LAYERS:
        raise Incorrect(f"expected dense layers {_arrows(Q4_LAYERS)} (weights of shapes "
                        f"{Q4_LAYERS}), but your model's are {_arrows(shapes)} "
                        f"({shapes})")
    x, weights = inputs["x"], inputs["weights"]
    got = unwrap(observed["outputs"])
    compare((len(x), 1), tuple(np.shape(got)),
            what=f"the shape of the output for {len(x)} points")
    got = np.asarray(got, dtype=float)
    expected = _network(x, weights, hidden=_relu, output=_sigmoid)
    if matches(expected, got):
        return
    if np.any(got < 0) or np.any(got > 1):
        raise Incorrect("Some outputs lie outside (0, 1): the output layer needs "
                        "`activation=\"sigmoid\"` to give a probability.")
    if matches(_network(x, weights, hidden=lambda z: z, output=_sigmoid), got):
        raise Incorrect("The hidden layers have no activation, so they collapse into one "
                        "linear map: give them `activation=\"relu\"`.")
    try:
        compare(expected, got, what="the outputs, given the same weights")
    except Incorrect as exc:
        raise Incorrect(f"{exc}\nThe layers have the right sizes: check each layer's "
                        "activation (relu, relu, then sigmoid).") from None


q4 = ProbeQuestion(
    "q4", observe=probes.model_outputs, cases=_model_cases, verdict=_model_verdict, seed=5,
    points=2,
    hints=["`dl.Dense(n_inputs, n_units, activation=...)` builds one layer; "
           "`dl.Sequential([...])` stacks them in a list.",
           "The first layer takes 2 inputs; each next layer takes as many inputs as the layer "
           "before has units.",
           "Hidden layers: `activation=\"relu\"`; the last one: `activation=\"sigmoid\"`."],
    solution=("model = dl.Sequential([\n"
              "    dl.Dense(2, 16, activation=\"relu\"),\n"
              "    dl.Dense(16, 16, activation=\"relu\"),\n"
              "    dl.Dense(16, 1, activation=\"sigmoid\"),\n"
              "])"),
)

# -- q5: what depth buys --------------------------------------------------------------------------
q5 = ChoiceQuestion(
    "q5",
    {"a": "Nothing that width cannot give: one very wide layer is always just as good.",
     "b": "Later layers bend and fold what earlier layers have already bent, so the number of "
          "pieces a network can draw grows fast with depth, for few extra parameters.",
     "c": "Depth makes activation functions unnecessary.",
     "d": "Deeper networks always train faster and never overfit."},
    answer="b",
    explanations={
        "a": "One wide hidden layer can approximate any curve in principle, but may need a huge "
             "number of units for what a few layers draw with few.",
        "b": "Right: every ReLU layer folds the output of the previous one, and folds of folds "
             "multiply the number of straight pieces.",
        "c": "Without activations, any stack of dense layers collapses into a single one "
             "(lesson 04).",
        "d": "More layers mean more parameters to learn; deeper is not automatically faster or "
             "safer.",
    },
    hints=["Think of what a second ReLU layer does to the already bent output of the first."],
)

exercise = Exercise("05_stacked_layers", [q1, q2, q3, q4, q5])
