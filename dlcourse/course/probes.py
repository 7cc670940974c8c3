"""The learner-side halves of the course's custom questions (``ProbeQuestion``s).

Each function here runs the learner's answer on inputs the judge chose and returns what
happened as plain data (``dlcourse/grading/plain.py``). While ``dlcourse grade`` grades a
submission, this is the only course module the learner's kernel may import, so **no reference
answer belongs here**: only the set-up the learner's code needs (models to train, data to load)
and the measurements. The references and the verdicts are in the ``exNN_*`` modules.

Signature of each: ``observe(answer, inputs, call)``; ``call(fn, *args, inputs="...")`` runs
learner code with the question's time limit.
"""

from __future__ import annotations

import copy

import numpy as np

import dlcourse as dl
from dlcourse.grading import Incorrect, describe_type, each_case, fmt, require_function, unwrap


# -- exercise 05, q4: a model with the asked-for layers ------------------------------------------
def dense_layers(model) -> list:
    """The layers with weights W (and b), in order, found inside nested ``layers`` lists."""
    if getattr(model, "W", None) is not None:
        return [model]
    found = []
    for layer in getattr(model, "layers", None) or []:
        found += dense_layers(layer)
    return found


def model_outputs(model, inputs, call) -> dict:
    """The shapes of the model's dense layers and, if they fit ``inputs["weights"]``, the outputs
    on ``inputs["x"]`` with those weights set (on a copy: the learner's model stays intact)."""
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise Incorrect("expected a model such as `dl.Sequential([...])`, but got "
                        f"{describe_type(model)}: {fmt(model)}")
    model = copy.deepcopy(model)
    dense = dense_layers(model)
    shapes = [tuple(np.shape(unwrap(layer.W))) for layer in dense]
    weights = inputs["weights"]
    if shapes != [tuple(np.shape(W)) for W, _ in weights]:
        return {"shapes": shapes}
    for layer, (W, b) in zip(dense, weights, strict=True):
        unwrap(layer.W)[...] = W
        unwrap(layer.b)[...] = b
    x = inputs["x"]
    got = call(model, x.copy(), inputs=f"a batch of {len(x)} points, shape {x.shape}")
    return {"shapes": shapes, "outputs": unwrap(got)}


# -- exercise 07, q2: an SGD step on the learner's side ------------------------------------------
def step_label(case: dict) -> str:
    return (f"parameters holding {' and '.join(fmt(v) for v in case['before'])}, gradients "
            f"{' and '.join(fmt(g) for g in case['grads'])}, learning_rate={case['lr']}")


def sgd_step_results(fn, inputs, call) -> list[dict]:
    """Per case: the parameters' data after the learner's ``sgd_step`` on fresh Tensors."""
    require_function(fn, "q2.check(sgd_step)")

    def one(case):
        params = [dl.Tensor(np.array(v, dtype=float), requires_grad=True) for v in case["before"]]
        for p, g in zip(params, case["grads"], strict=True):
            p.grad = np.array(g, dtype=float)
        call(fn, params, case["lr"], inputs=step_label(case))
        return [np.array(unwrap(p.data), dtype=float) for p in params]

    return each_case(inputs, one)


# -- exercise 10, q2: training steps ---------------------------------------------------------------
def small_model():
    """The model both the learner's ``train_step`` and the reference step train."""
    return dl.Sequential([dl.Dense(4, 5, activation="relu", seed=3),
                          dl.Dense(5, 3, activation="softmax", seed=4)])


def batch_label(step: int, x, y) -> str:
    return f"step {step}: x_batch of shape {np.shape(x)}, y_batch={fmt(y)}"


def train_step_results(fn, inputs, call) -> list[dict]:
    """Per batch: the loss the learner's ``train_step`` returned and the parameters after it."""
    require_function(fn, "q2.check(train_step)")
    model = small_model()
    optimizer = dl.SGD(model.parameters(), learning_rate=inputs["learning_rate"])
    batches = list(enumerate(inputs["batches"], start=1))

    def one(batch):
        step, (x, y) = batch
        got = call(fn, model, optimizer, x.copy(), y.copy(), inputs=batch_label(step, x, y))
        return {"loss": got, "params": [np.array(p.data, copy=True) for p in model.parameters()]}

    return each_case(batches, one)


# -- exercise 10, q3: the learner's epoch loop -----------------------------------------------------
def digit_model():
    """The digit network both the learner's loop and the reference train in q3."""
    return dl.Sequential([dl.Dense(64, 64, activation="relu", seed=0),
                          dl.Dense(64, 10, activation="softmax", seed=1)])


def _scores(model, x) -> np.ndarray:
    with dl.no_grad():
        return np.asarray(unwrap(model(x)))


def _run_label(run: dict, x) -> str:
    return (f"x of shape {np.shape(x)}, epochs={run['epochs']}, batch_size={run['batch_size']}, "
            f"learning_rate={run['learning_rate']}, seed={run['seed']}")


def _losses(got):
    """The learner's losses as a float array where they are numbers; else the object itself."""
    if isinstance(got, (list, tuple)) and all(np.ndim(unwrap(v)) == 0 for v in got):
        try:
            return np.array([float(unwrap(v)) for v in got])
        except (TypeError, ValueError):
            return got
    return got


def epoch_loop_results(fn, inputs, call) -> list[dict]:
    """Run the learner's ``train_epochs`` twice: on a small model and batch set (losses and
    parameters after it), then on the digits (losses and test predictions)."""
    require_function(fn, "q3.check(train_epochs)")

    def small(run):
        model = small_model()
        x, y = np.asarray(run["x"]), np.asarray(run["y"])
        got = call(fn, model, x.copy(), y.copy(), run["epochs"], run["batch_size"],
                   run["learning_rate"], run["seed"], inputs=_run_label(run, x))
        return {"losses": _losses(got),
                "params": [np.array(p.data, copy=True) for p in model.parameters()]}

    def digits(run):
        (x_train, y_train), (x_test, _) = dl.datasets.load_digits()
        model = digit_model()
        got = call(fn, model, x_train.copy(), y_train.copy(), run["epochs"], run["batch_size"],
                   run["learning_rate"], run["seed"], inputs=_run_label(run, x_train))
        scores = call(_scores, model, x_test, inputs="the test images")
        return {"losses": _losses(got), "predicted": np.argmax(scores, axis=1)}

    return each_case([("small", inputs["small"]), ("digits", inputs["digits"])],
                     lambda case: small(case[1]) if case[0] == "small" else digits(case[1]))


# -- exercise 09, q2: the learner's Value engine ---------------------------------------------------
def build_expression(Value, program: dict):
    """Build ``program`` with the learner's ``Value`` class; returns (inputs, nodes).

    ``program`` is ``{"inputs": [numbers], "steps": [[op, a, b], ...]}``: each step makes a new
    node from earlier nodes (inputs first, then the steps' results, counted from 0). ``op`` is
    ``"add"`` or ``"mul"`` (``a``, ``b`` node numbers), ``"relu"`` (``a``), or ``"add_const"`` /
    ``"mul_const"`` / ``"rmul_const"`` (node ``a`` and the number ``b``).
    """
    inputs = [Value(x) for x in program["inputs"]]
    nodes = list(inputs)
    for op, a, b in program["steps"]:
        if op == "add":
            nodes.append(nodes[a] + nodes[b])
        elif op == "mul":
            nodes.append(nodes[a] * nodes[b])
        elif op == "relu":
            nodes.append(nodes[a].relu())
        elif op == "add_const":
            nodes.append(nodes[a] + b)
        elif op == "mul_const":
            nodes.append(nodes[a] * b)
        elif op == "rmul_const":
            nodes.append(b * nodes[a])
        else:
            raise ValueError(f"unknown step {op!r}")
    return inputs, nodes


def _run_program(Value, program: dict) -> dict:
    inputs, nodes = build_expression(Value, program)
    out = nodes[-1]
    out.backward()
    return {"value": _number(out.data), "grads": [_number(x.grad) for x in inputs]}


def engine_gradients(Value, inputs, call) -> list[dict]:
    """Per program: the output's ``data`` and every input's ``grad`` after ``backward()``."""
    if not isinstance(Value, type):
        raise Incorrect(f"expected your class itself, e.g. q2.check(Value), but got "
                        f"{describe_type(Value)}: {fmt(Value)}")
    return each_case(inputs, lambda program: call(_run_program, Value, program,
                                                  inputs="the graph shown below"))


def _number(x):
    """A learner's number as a float where it is one; anything else as a short description."""
    try:
        return float(np.asarray(x, dtype=float))
    except (TypeError, ValueError):
        return f"{type(x).__name__}: {x!r}"[:120]
