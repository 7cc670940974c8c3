"""The library's one random generator: layers draw their starting weights from it when they are
given no ``seed=``, so two layers never start identical. ``manual_seed(n)`` makes every run
draw the same numbers, as ``torch.manual_seed`` does."""

from __future__ import annotations

import numpy as np

from dlcourse.checks import whole_number

_generator = np.random.default_rng()  # fresh entropy: an unseeded program is not repeatable


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the library's generator (and return it): the same seed gives the same weights."""
    global _generator
    _generator = np.random.default_rng(whole_number(seed, "manual_seed seed", minimum=0))
    return _generator


def generator(seed: int | None = None) -> np.random.Generator:
    """A generator for ``seed`` if one is given, otherwise the library's shared one."""
    if seed is None:
        return _generator
    return np.random.default_rng(whole_number(seed, "seed", minimum=0))
