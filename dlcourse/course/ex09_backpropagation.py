"""Checks for exercises/09_backpropagation.ipynb: build backprop yourself.

q2 drives the learner's ``Value`` class (a scalar autograd engine in the style of micrograd) on
fixed and random expression graphs and compares the gradients with dlcourse's. q3 checks an
unfused softmax backward rule with ``dl.gradcheck``; q4 is the fused ``(p - y) / n`` shortcut.
"""

from __future__ import annotations

import numpy as np

import dlcourse as dl
from dlcourse.course import probes
from dlcourse.grading import (
    Exercise,
    FunctionQuestion,
    Incorrect,
    LearnerError,
    ProbeQuestion,
    ValueQuestion,
    advising,
    close_to,
    compare,
    is_negated,
    is_whole_multiple,
    unwrap,
)
from dlcourse.grading.observe import raise_recorded


def _array(x) -> np.ndarray:
    return np.asarray(unwrap(x), dtype=float)


def _softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# -- q1: the chain rule on numbers --------------------------------------------------------------
q1 = ValueQuestion(
    "q1", 24.0,
    compare=advising(
        (close_to(12.0), "Almost: that is dy/du = 3u² only. The chain rule multiplies it by "
         "du/dx = 2."),
        (close_to(8.0), "That is y itself, (2 · 1.5 - 1)³ = 8. The question asks for its slope."),
    ),
    hints=["Write u = 2x - 1 and y = u³. At x = 1.5, u = 2.",
           "dy/du = 3u² = 12 and du/dx = 2; the chain rule multiplies them."],
    solution="dy_dx = 3 * (2 * 1.5 - 1) ** 2 * 2   # dy/du * du/dx = 12 * 2 = 24",
)


# -- q2: a tiny autograd engine -----------------------------------------------------------------
# Each fixed graph isolates one part of the engine, so that the first one that fails names it.
FIXED_GRAPHS = [
    ("`*`", {"inputs": [2.0, -3.0], "steps": [["mul", 0, 1]]}),
    ("`relu` of a positive number", {"inputs": [1.5], "steps": [["relu", 0, 0]]}),
    ("`relu` of a negative number", {"inputs": [-2.0], "steps": [["relu", 0, 0]]}),
    ("numbers mixed with Values",
     {"inputs": [1.5], "steps": [["mul_const", 0, 3.0], ["add_const", 1, 2.0],
                                 ["rmul_const", 2, -1.0]]}),
    ("a Value used twice", {"inputs": [3.0], "steps": [["mul", 0, 0]]}),
    ("a diamond: a node that two later nodes use",
     {"inputs": [2.0, 1.0], "steps": [["mul", 0, 1], ["add", 2, 0], ["mul", 2, 3]]}),
]
N_RANDOM_GRAPHS = 4
ENGINE_ADVICE = {
    "`*`": "For c = a * b: a.grad gets b.data * c.grad, and b.grad gets a.data * c.grad (each "
           "input's slope is the *other* input).",
    "`relu` of a positive number": "Where its input was positive, relu passes the gradient "
                                   "through unchanged: a.grad += out.grad.",
    "`relu` of a negative number": "Where its input was negative (or 0), relu's output does not "
                                   "move when the input moves: no gradient goes through.",
    "numbers mixed with Values": "`__mul__` and `__add__` must wrap a plain number in a Value "
                                 "first (as `__add__` does), and `__rmul__` handles `2 * a`.",
    "a Value used twice": "`a * a` uses a twice, so a receives a gradient from each use: "
                          "every _backward must *add* to .grad (`+=`), never assign it.",
    "a diamond: a node that two later nodes use": "A node may pass its gradient on only once it "
        "has received the gradients of *all* the nodes that use it. Build the topological order "
        "first (a depth-first walk that appends a node after all its children), then call "
        "`_backward` on the nodes in reverse order.",
}


def _random_graph(rng: np.random.Generator) -> dict:
    """A random expression of 2-3 inputs in 4-7 steps whose relus never sit exactly at 0."""
    while True:
        n_inputs = int(rng.integers(2, 4))
        program = {"inputs": [float(v) for v in
                              (rng.choice([-1, 1], n_inputs) * rng.uniform(0.5, 2, n_inputs))
                              .round(2)],
                   "steps": []}
        for _ in range(int(rng.integers(4, 8))):
            n = n_inputs + len(program["steps"])
            op = str(rng.choice(["add", "mul", "relu", "add_const", "mul_const"],
                                p=[0.3, 0.3, 0.2, 0.1, 0.1]))
            a = int(rng.integers(max(0, n - 3), n))  # mostly recent nodes: a deep graph
            b = (int(rng.integers(0, n)) if op in ("add", "mul")
                 else round(float(rng.uniform(-2, 2)), 1) if op.endswith("const") else 0)
            program["steps"].append([op, a, b])
        values = _forward(program)
        relu_inputs = [values[a] for op, a, _ in program["steps"] if op == "relu"]
        if all(abs(v) > 1e-3 for v in relu_inputs) and all(abs(v) < 1e6 for v in values):
            return program


def _step(op: str, nodes: list, a: int, b, relu):
    """One step of a program on numbers or Tensors (``relu`` applies to either)."""
    if op == "add":
        return nodes[a] + nodes[b]
    if op == "mul":
        return nodes[a] * nodes[b]
    if op == "relu":
        return relu(nodes[a])
    if op == "add_const":
        return nodes[a] + b
    if op == "mul_const":
        return nodes[a] * b
    return b * nodes[a]  # rmul_const


def _forward(program: dict) -> list[float]:
    values = list(program["inputs"])
    for op, a, b in program["steps"]:
        values.append(_step(op, values, a, b, relu=lambda v: max(v, 0.0)))
    return values


def _reference(program: dict) -> dict:
    """The output and the input gradients, computed by dlcourse."""
    inputs = [dl.Tensor(x, requires_grad=True) for x in program["inputs"]]
    nodes = list(inputs)
    for op, a, b in program["steps"]:
        nodes.append(_step(op, nodes, a, b, relu=dl.relu))
    nodes[-1].backward()
    return {"value": nodes[-1].item(),
            "grads": [0.0 if x.grad is None else float(x.grad) for x in inputs]}


def describe_graph(program: dict) -> str:
    """The program as the code a learner would write."""
    names = [chr(ord("a") + i) for i in range(len(program["inputs"]) + len(program["steps"]))]
    lines = [f"{names[i]} = Value({x})" for i, x in enumerate(program["inputs"])]
    for k, (op, a, b) in enumerate(program["steps"]):
        target = names[len(program["inputs"]) + k]
        lines.append(f"{target} = " + {
            "add": f"{names[a]} + {names[b] if isinstance(b, int) else b}",
            "mul": f"{names[a]} * {names[b] if isinstance(b, int) else b}",
            "relu": f"{names[a]}.relu()", "add_const": f"{names[a]} + {b}",
            "mul_const": f"{names[a]} * {b}", "rmul_const": f"{b} * {names[a]}"}[op])
    lines.append(f"{names[len(program['inputs']) + len(program['steps']) - 1]}.backward()")
    return "\n".join(lines)


def engine_cases(rng: np.random.Generator) -> list[dict]:
    """The fixed graphs, then ``N_RANDOM_GRAPHS`` random ones."""
    return [program for _, program in FIXED_GRAPHS] + [_random_graph(rng)
                                                        for _ in range(N_RANDOM_GRAPHS)]


def _compare_graph(expected: dict, got: dict) -> None:
    names = [chr(ord("a") + i) for i in range(len(expected["grads"]))]
    if isinstance(got["value"], str):
        raise Incorrect(f"the output's .data should be a number, but it is {got['value']}")
    compare(expected["value"], got["value"], what="the output's .data")
    if all(g == 0 for g in got["grads"]) and any(expected["grads"]):
        raise Incorrect("every input's .grad is 0: did `backward()` set the output's own "
                        "gradient to 1 before walking back, and call every node's "
                        "`_backward()`?")
    for name, e, g in zip(names, expected["grads"], got["grads"], strict=True):
        if isinstance(g, str):
            raise Incorrect(f"{name}.grad should be a number, but it is {g}")
        compare(e, g, what=f"{name}.grad")


def engine_verdict(inputs: list[dict], observed: list[dict]) -> str:
    """Every graph's output and input gradients must match dlcourse's."""
    labels = [label for label, _ in FIXED_GRAPHS]
    for k, (program, result) in enumerate(zip(inputs, observed, strict=False)):
        label = labels[k] if k < len(labels) else "a random expression"
        if "status" in result:  # the learner's code stopped on this graph
            try:
                raise_recorded(result)
            except LearnerError as exc:
                raise LearnerError(f"{exc.message}\nThe graph was:\n{describe_graph(program)}"
                                   ) from None
        try:
            _compare_graph(_reference(program), result["ok"])
        except Incorrect as exc:
            advice = ENGINE_ADVICE.get(label, "")
            raise Incorrect(f"On {label}:\n{describe_graph(program)}\n{exc}\n{advice}"
                            .rstrip()) from None
    if len(observed) < len(inputs):
        raise ValueError(f"{len(observed)} results for {len(inputs)} graphs")
    return (f"Your engine agrees with dlcourse on {len(inputs)} graphs, {N_RANDOM_GRAPHS} of "
            "them random.")


q2 = ProbeQuestion(
    "q2", observe=probes.engine_gradients, cases=engine_cases, verdict=engine_verdict,
    points=3,
    hints=["`*`: in `_backward`, `self.grad += other.data * out.grad` and "
           "`other.grad += self.data * out.grad`.",
           "`relu`: the output is `Value(max(self.data, 0.0), (self,), 'relu')`; its `_backward` "
           "adds `out.grad` to `self.grad` only where `self.data > 0`.",
           "`backward`: build `order` with a nested `visit(node)` that visits `node._prev` first "
           "and appends `node` after (keep a `visited` set); set `self.grad = 1.0`; then "
           "`for node in reversed(order): node._backward()`."],
    solution=(
        "    def __mul__(self, other):\n"
        "        other = other if isinstance(other, Value) else Value(other)\n"
        "        out = Value(self.data * other.data, (self, other), '*')\n\n"
        "        def _backward():\n"
        "            self.grad += other.data * out.grad\n"
        "            other.grad += self.data * out.grad\n\n"
        "        out._backward = _backward\n"
        "        return out\n\n"
        "    def relu(self):\n"
        "        out = Value(max(self.data, 0.0), (self,), 'relu')\n\n"
        "        def _backward():\n"
        "            self.grad += (self.data > 0) * out.grad\n\n"
        "        out._backward = _backward\n"
        "        return out\n\n"
        "    def backward(self):\n"
        "        order, visited = [], set()\n\n"
        "        def visit(node):\n"
        "            if node not in visited:\n"
        "                visited.add(node)\n"
        "                for child in node._prev:\n"
        "                    visit(child)\n"
        "                order.append(node)\n\n"
        "        visit(self)\n"
        "        self.grad = 1.0\n"
        "        for node in reversed(order):\n"
        "            node._backward()"),
)


# -- q3: softmax's backward rule, unfused -------------------------------------------------------
def softmax_backward(p, grad_p):
    return p * (grad_p - (grad_p * p).sum(axis=1, keepdims=True))


def _softmax_case(rng):
    n, k = int(rng.integers(2, 5)), int(rng.integers(2, 6))
    return {"p": _softmax(rng.normal(0, 1.5, size=(n, k))),
            "grad_p": rng.normal(size=(n, k)).round(2)}


def gradcheck_rule(p: np.ndarray, grad_p: np.ndarray, grad_z: np.ndarray):
    """``dl.gradcheck`` of softmax at logits ``log p``, whose backward returns ``grad_z``.

    The checked function is ``sum(softmax(z) * grad_p)``, so the gradient reaching softmax's
    output is exactly ``grad_p``, and a correct rule's ``grad_z`` is the gradient of that sum.
    """
    def softmax_with_rule(z):
        return dl.Tensor._from_op(_softmax(z.data), (z,), lambda g: (grad_z,), "softmax")

    z = dl.Tensor(np.log(p), requires_grad=True)
    return dl.gradcheck(lambda t: (softmax_with_rule(t) * grad_p).sum(), z, names=["z"])


SOFTMAX_MISTAKES = [
    (lambda args: args["p"] * (1 - args["p"]) * args["grad_p"],
     "You kept only the diagonal of softmax's Jacobian, dp_i/dz_i = p_i (1 - p_i). But every "
     "p_j depends on every z_i (they share the denominator): dp_j/dz_i = -p_j p_i for j ≠ i. "
     "Sum over j: grad_z_i = p_i (grad_p_i - Σ_j grad_p_j p_j)."),
    (lambda args: args["p"] * (args["grad_p"]
                               - (args["grad_p"] * args["p"]).sum(axis=0, keepdims=True)),
     "The sum Σ_j grad_p_j p_j runs over the classes of one sample, along each row: use "
     "`axis=1, keepdims=True`, not `axis=0`."),
    (lambda args: args["p"] * (args["grad_p"] - args["grad_p"].sum(axis=1, keepdims=True)),
     "Inside the sum each grad_p_j is weighted by p_j: Σ_j grad_p_j p_j, not Σ_j grad_p_j."),
    (lambda args: args["grad_p"] * args["p"],
     "That is grad_p * p, the first half of the rule; subtract the weighted row sum inside: "
     "p * (grad_p - Σ_j grad_p_j p_j)."),
]


def _named_mistake(args: dict, got) -> str:
    for wrong, advice in SOFTMAX_MISTAKES:
        try:
            if np.allclose(_array(got), wrong(args)):
                return advice
        except (TypeError, ValueError):
            continue
    return ""


class SoftmaxRuleQuestion(FunctionQuestion):
    """Compares with the reference, names the usual mistakes, and has dl.gradcheck confirm."""

    def _compare_one(self, expected, got, args, learner_args) -> None:
        try:
            super()._compare_one(expected, got, args, learner_args)
        except Incorrect as exc:
            advice = _named_mistake(args, got)
            raise Incorrect(f"{exc}\n{advice}".rstrip()) from None
        report = gradcheck_rule(args["p"], args["grad_p"], _array(got))
        if not report.passed:
            raise Incorrect(f"dl.gradcheck disagrees with your rule: relative error "
                            f"{report.max_relative_error:.1e} (a correct rule gives about 1e-7)")
        self._worst = max(getattr(self, "_worst", 0.0), report.max_relative_error)

    def verdict(self, inputs, observed) -> str:
        self._worst = 0.0
        super().verdict(inputs, observed)
        return (f"dl.gradcheck agrees with your rule on every case: largest relative error "
                f"{self._worst:.0e} (about 1e-7 or less is what a correct gradient looks like).")


q3 = SoftmaxRuleQuestion(
    "q3", softmax_backward, _softmax_case,
    examples=[{"p": np.array([[0.5, 0.25, 0.25], [0.1, 0.2, 0.7]]),
               "grad_p": np.array([[1.0, 0.0, 0.0], [0.0, -1.0, 2.0]])}],
    points=2,
    hints=["Start from one sample: p_j = e^{z_j} / Σ_k e^{z_k}. Differentiate p_j with respect "
           "to z_i twice: once for i = j, once for i ≠ j (the denominator depends on every z).",
           "dp_j/dz_i = p_j (δ_ij - p_i), where δ_ij is 1 if i = j and 0 otherwise. The chain "
           "rule sums over the outputs: grad_z_i = Σ_j grad_p_j p_j (δ_ij - p_i).",
           "That sum is p_i (grad_p_i - Σ_j grad_p_j p_j): in numpy, "
           "`p * (grad_p - (grad_p * p).sum(axis=1, keepdims=True))`."],
    solution="def softmax_backward(p, grad_p):\n"
             "    return p * (grad_p - (grad_p * p).sum(axis=1, keepdims=True))",
)


# -- q4: softmax and cross-entropy together: the shortcut ---------------------------------------
def softmax_crossentropy_backward(logits, y_true):
    p = _softmax(logits)
    return (p - y_true) / len(logits)


def _logits_case(rng):
    n, k = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    return {"logits": rng.normal(0, 2, size=(n, k)).round(1),
            "y_true": np.eye(k)[rng.integers(0, k, n)]}


def _wrong_axis(args: dict) -> np.ndarray:
    return (_softmax(args["logits"], axis=0) - args["y_true"]) / len(args["logits"])


class ShortcutQuestion(FunctionQuestion):
    """The fused gradient; a softmax over the wrong axis is recognised from the inputs."""

    def _compare_one(self, expected, got, args, learner_args) -> None:
        try:
            wrong_axis = (not np.allclose(_array(got), expected)
                          and np.allclose(_array(got), _wrong_axis(args)))
        except (TypeError, ValueError):
            wrong_axis = False
        if wrong_axis:
            try:
                compare(expected, got)
            except Incorrect as exc:
                raise Incorrect(f"{exc}\nYour softmax normalises each *column* (axis=0): the "
                                "probabilities of one sample are a row, so take the max and the "
                                "sum along `axis=1` (with `keepdims=True`).") from None
        super()._compare_one(expected, got, args, learner_args)


q4 = ShortcutQuestion(
    "q4", softmax_crossentropy_backward, _logits_case,
    examples=[{"logits": np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
               "y_true": np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])}],
    compare=advising(
        (is_negated,
         "Your gradient has the wrong sign: it is `p - y_true`, probabilities minus targets."),
        (is_whole_multiple,
         "Your gradient is the batch size times too large: the loss is a mean over the samples, "
         "so divide by the number of rows."),
        (lambda e, g: not np.allclose(_array(g).sum(axis=1), 0),
         "Every row of this gradient should add up to 0 (probabilities and one-hot targets both "
         "sum to 1). Did you use the logits instead of the softmax probabilities?"),
    ),
    hints=["The loss is L = -(1/n) Σ_samples Σ_j y_j log p_j, so the gradient reaching p is "
           "`-y_true / (n * p)`. Feed it to your `softmax_backward` from question 3.",
           "Simplify p_i (g_i - Σ_j g_j p_j) with g_j = -y_j / (n p_j): the sum is -1/n (y is "
           "one-hot), so grad_z_i = (p_i - y_i) / n.",
           "`p = softmax(logits)` along axis 1 (subtract each row's max first), then "
           "`(p - y_true) / len(logits)`."],
)


# -- q5: gradients accumulate across forward passes ---------------------------------------------
q5 = ValueQuestion(
    "q5", 12.0,
    compare=advising(
        (close_to(6.0), "6 is the derivative of x² at 3 for *one* backward pass. Each forward "
         "pass builds a new graph, and each `backward()` adds its gradient to `x.grad`: nothing "
         "resets it in between."),
        (close_to(9.0), "That is y; the question asks for x.grad."),
        (close_to(0.0), "The second `backward()` does not fail here: it runs through a *new* "
         "graph, built by the second `x * x`. Only a second backward through the *same* graph "
         "is refused."),
    ),
    hints=["The derivative of x * x at x = 3 is 6.",
           "`backward()` adds its result to whatever `.grad` already holds."],
    solution="grad_after_two = 12.0   # 6 + 6: backward() accumulates until the grad is reset",
)

exercise = Exercise("09_backpropagation", [q1, q2, q3, q4, q5])
