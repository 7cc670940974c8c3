"""Generate exercise notebooks from solution notebooks (one source of truth, as in nbgrader).

In every code cell, each block of lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION``
(markers alone on their line, at any indentation) is replaced by a stub at the marker's
indentation:

- inside a function body: ``raise NotImplementedError("your answer here")``;
- anywhere else, the block's top-level statements are stubbed one by one:
  ``name = value`` (also ``a, b = ...`` and annotated) -> ``name = ...  # your answer here``,
  one line per name, which a check reports as *not attempted*;
  ``def f(...)`` -> the signature and docstring kept, the body ``raise NotImplementedError(...)``;
  ``class C`` -> the header and docstring kept, its body stubbed by these same rules;
  imports are kept; anything else is dropped (if nothing is left: ``pass  # your answer here``
  inside an indented block, a ``# your answer here`` comment at top level).

A code cell containing a line ``### SOLUTION CELL`` becomes ``# your answer here``. Outputs are
cleared and execution counts reset; metadata is kept. Output is byte-deterministic, so
``--check`` can compare bytes. Write exercise cells so that the stubs run without error (a later
cell should not *use* a value the learner has not provided yet).
"""

from __future__ import annotations

import ast
import copy
import re
import sys
import textwrap
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
SOLUTION_CELL = "### SOLUTION CELL"
ANSWER = "your answer here"
CODE_STUB = f'raise NotImplementedError("{ANSWER}")'


class StubError(ValueError):
    """A solution notebook whose markers cannot be turned into stubs."""


# -- one cell ------------------------------------------------------------------------------------
def stub_source(source: str) -> str:
    """Return the exercise version of one code cell's source."""
    lines = source.split("\n")
    if any(line.strip() == SOLUTION_CELL for line in lines):
        return f"# {ANSWER}"
    blocks = _blocks(lines)
    functions = _function_spans(source) if blocks else []
    for start, end in reversed(blocks):
        indent = _indent(lines[start])
        if _in_function(lines, start, functions):
            stub = [indent + CODE_STUB]
        else:
            stub = [indent + s if s else s for s in _stub_statements_text(lines[start + 1 : end])]
            if not stub:
                stub = [indent + (f"pass  # {ANSWER}" if indent else f"# {ANSWER}")]
        lines[start : end + 1] = stub
    return "\n".join(lines)


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    blocks, start = [], None
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if start is not None:
                raise StubError(f"line {i + 1}: {BEGIN} inside another solution block")
            start = i
        elif marker == END:
            if start is None:
                raise StubError(f"line {i + 1}: {END} without {BEGIN}")
            blocks.append((start, i))
            start = None
    if start is not None:
        raise StubError(f"line {start + 1}: {BEGIN} is never closed by {END}")
    return blocks


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _function_spans(source: str) -> list[tuple[int, int]] | None:
    """(first, last) 1-based lines of every function; None if the cell is not plain Python."""
    # IPython magics and shell escapes are not Python: blank them, keeping line numbers.
    plain = re.sub(r"(?m)^(\s*)[%!].*$", r"\1pass", source)
    try:
        tree = ast.parse(plain)
    except SyntaxError:
        return None
    return [
        (node.lineno, node.end_lineno)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def _in_function(lines: list[str], start: int, functions) -> bool:
    if functions is not None:
        return any(first < start + 1 <= last for first, last in functions)
    # Fallback for cells ast cannot read: walk up the enclosing headers by indentation.
    level = len(_indent(lines[start]))
    for line in reversed(lines[:start]):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or len(_indent(line)) >= level:
            continue
        if re.match(r"(async\s+)?def\s", stripped):
            return True
        level = len(_indent(line))
        if level == 0:
            break
    return False


def _stub_statements_text(body: list[str]) -> list[str]:
    text = textwrap.dedent("\n".join(body))
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise StubError(f"solution block outside a function is not valid Python: {exc}") from None
    return _stub_statements(tree.body, text.split("\n"))


def _stub_statements(nodes: list[ast.stmt], src: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for node in nodes:
        pad = " " * node.col_offset
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out += src[node.lineno - 1 : node.end_lineno]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for name in _names(targets):
                if name not in seen:
                    seen.add(name)
                    out.append(f"{pad}{name} = ...  # {ANSWER}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            header, body_pad = _header(node, src)
            out += [*header, f"{body_pad}{CODE_STUB}"]
        elif isinstance(node, ast.ClassDef):
            header, body_pad = _header(node, src)
            members = _stub_statements(_without_docstring(node.body), src)
            out += [*header, *(members or [f"{body_pad}pass  # {ANSWER}"])]
    return out


def _names(targets: list[ast.expr]) -> list[str]:
    names = []
    for target in targets:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names += _names(list(target.elts))
        elif isinstance(target, ast.Starred):
            names += _names([target.value])
    return names


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    return body[1:] if _docstring(body) else body


def _docstring(body: list[ast.stmt]) -> ast.stmt | None:
    first = body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return first if is_doc and isinstance(first.value.value, str) else None


def _header(node, src: list[str]) -> tuple[list[str], str]:
    """Decorators, signature and docstring of a def/class, and the indentation of its body."""
    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
    doc = _docstring(node.body)
    if node.body[0].lineno > node.lineno:
        last = doc.end_lineno if doc else node.body[0].lineno - 1
        return src[first - 1 : last], " " * node.body[0].col_offset
    # A one-line definition (``def f(x): return x``): rebuild the header.
    bare = copy.copy(node)
    bare.body = [ast.Pass()]
    pad = " " * node.col_offset
    header = [pad + line for line in ast.unparse(bare).split("\n")[:-1]]
    return header, pad + "    "


# -- one notebook --------------------------------------------------------------------------------
def make_exercise(nb):
    """The exercise version of a solution notebook (a new NotebookNode)."""
    nb = copy.deepcopy(nb)
    taken = {cell.get("id") for cell in nb.cells}
    for i, cell in enumerate(nb.cells):
        if nb.nbformat_minor >= 5 and not cell.get("id"):
            # nbformat would invent a random id on write; a stable one keeps output deterministic.
            cell.id = f"cell-{i}"
            while cell.id in taken:
                cell.id += "x"
            taken.add(cell.id)
        if cell.cell_type != "code":
            continue
        try:
            cell.source = stub_source(cell.source)
        except StubError as exc:
            raise StubError(f"cell {i + 1}: {exc}") from None
        cell.outputs = []
        cell.execution_count = None
    return nb


def render(nb) -> bytes:
    """Serialise deterministically: nbformat's sorted, indented JSON, one trailing newline."""
    import nbformat

    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def generate(solutions: Path) -> dict[str, bytes]:
    """File name -> exercise bytes, for every solution notebook in ``solutions``."""
    import nbformat
    import nbformat.reader

    out = {}
    for path in sorted(solutions.glob("*.ipynb")):
        try:
            # Not nbformat.read: its validation fills missing cell ids with random ones.
            nb = nbformat.reader.reads(path.read_text(encoding="utf-8"))
            if nb.get("nbformat") != 4:
                nb = nbformat.convert(nb, 4)
            out[path.name] = render(make_exercise(nb))
        except StubError as exc:
            raise StubError(f"{path}: {exc}") from None
        except Exception as exc:  # unreadable JSON or nbformat
            raise StubError(f"{path}: cannot read notebook: {exc}") from None
    return out


def differences(expected: dict[str, bytes], exercises: Path) -> list[str]:
    """Human-readable lines for every exercise file that is out of date, missing or extra."""
    problems = []
    present = {p.name for p in exercises.glob("*.ipynb")} if exercises.is_dir() else set()
    for name, data in expected.items():
        path = exercises / name
        if name not in present:
            problems.append(f"{path}: missing")
        elif path.read_bytes() != data:
            problems.append(f"{path}: out of date")
    for name in sorted(present - set(expected)):
        problems.append(f"{exercises / name}: no matching solution notebook")
    return problems


def run(solutions: Path, exercises: Path, check: bool = False) -> int:
    """The ``dlcourse make-exercises`` command; returns the exit status."""
    if not solutions.is_dir():
        print(f"dlcourse make-exercises: no solutions directory {solutions}", file=sys.stderr)
        return 2
    try:
        expected = generate(solutions)
    except StubError as exc:
        print(f"dlcourse make-exercises: {exc}", file=sys.stderr)
        return 1
    problems = differences(expected, exercises)
    if check:
        if problems:
            print("Exercise notebooks are out of date (run `dlcourse make-exercises`):")
            print("\n".join(f"  {p}" for p in problems))
            return 1
        print(f"{len(expected)} exercise notebooks are up to date.")
        return 0
    exercises.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, data in expected.items():
        path = exercises / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written += 1
            print(f"wrote {path}")
    for problem in problems:
        if problem.endswith("no matching solution notebook"):
            print(f"warning: {problem} (remove it by hand)", file=sys.stderr)
    print(f"{written} written, {len(expected) - written} already up to date.")
    return 0
