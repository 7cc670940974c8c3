"""Prepare notebooks for committing: run them, keep only the outputs nbval checks, drop the rest.

    python tools/clean_notebooks.py lessons/03_layers.ipynb [...]   # execute, then clean
    python tools/clean_notebooks.py --no-execute exercises/*.ipynb  # clean only

A code cell tagged ``nbval-check-output`` (cell metadata, where nbval looks; the learner sees no
marker) keeps its text outputs, which nbval compares on every test run; every other cell is
committed without outputs. Execution counts and
volatile metadata are removed, so the file only changes when its content does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

CHECK_TAG = "nbval-check-output"
TEXT_TYPES = ("text/plain",)


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK_TAG in cell.metadata.get("tags", [])


def clean(nb) -> None:
    nb.metadata.pop("widgets", None)
    # Only the kernel's name matters; its Python version would change with whoever ran it last.
    nb.metadata.pop("language_info", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        kept = []
        if is_checked(cell):
            # nbval refuses a reference cell that has outputs but no execution count, so checked
            # cells are numbered 1, 2, 3... in order: stable, whatever order they were run in.
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if out.output_type == "stream" and out.name == "stdout":
                    kept.append(out)
                elif out.output_type == "execute_result":
                    data = {k: v for k, v in out.data.items() if k in TEXT_TYPES}
                    if data:
                        kept.append(nbformat.v4.new_output("execute_result", data=data,
                                                           execution_count=count))
        cell.outputs = kept


def execute(nb, path: Path, timeout: int) -> None:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--no-execute", action="store_true", help="only strip outputs")
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args(argv)
    for path in args.paths:
        nb = nbformat.read(path, as_version=4)
        if not args.no_execute:
            execute(nb, path, args.timeout)
        clean(nb)
        nbformat.write(nb, path)
        print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
