"""The exercises of a course: one checker module per exercise notebook, found by name."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

COURSE_PACKAGE = "dlcourse.course"
_CACHE: dict[str, dict[str, ModuleType]] = {}


def exercise_modules(package: str = COURSE_PACKAGE) -> dict[str, ModuleType]:
    """Exercise name (``01_linear_unit``) -> its checker module, for every ``ex*`` module."""
    if package not in _CACHE:
        found = {}
        root = importlib.import_module(package)
        for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
            if info.name.startswith("ex"):
                module = importlib.import_module(f"{package}.{info.name}")
                found[module.exercise.name] = module
        _CACHE[package] = found
    return _CACHE[package]


def declared(package: str = COURSE_PACKAGE) -> dict[str, list[tuple[str, int]]]:
    """Exercise name -> its questions and points, in order."""
    return {name: [(q.id, q.points) for q in module.exercise]
            for name, module in exercise_modules(package).items()}
