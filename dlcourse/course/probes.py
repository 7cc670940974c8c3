"""Learner-side halves of the course's custom questions: run the answer, return plain data.

Each ``observe_*`` function takes the learner's answer and the question's inputs (plain data) and
returns plain data (numbers, strings, None, numpy arrays, lists and dicts of them). Nothing here
knows a right answer: when an exercise is graded, this is the only course module the learner's
kernel imports, and the judge compares what comes back with its reference in another process.
"""

from __future__ import annotations

import numpy as np


# -- exercise 09: the learner's Value engine -------------------------------------------------------
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


def observe_engine(Value, programs: list[dict]) -> list[dict]:
    """For each program: the output's ``data`` and every input's ``grad`` after ``backward()``."""
    observed = []
    for program in programs:
        inputs, nodes = build_expression(Value, program)
        out = nodes[-1]
        out.backward()
        observed.append({"value": _number(out.data), "grads": [_number(x.grad) for x in inputs]})
    return observed


def _number(x):
    """A learner's number as a float where it is one; anything else as a short description."""
    try:
        return float(np.asarray(x, dtype=float))
    except (TypeError, ValueError):
        return f"{type(x).__name__}: {x!r}"[:120]
