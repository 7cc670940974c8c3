"""Input generators shared by several exercises' checks."""

from __future__ import annotations

import numpy as np


def nonzero(rng: np.random.Generator) -> float:
    """A weight or bias far enough from 0 that leaving it out changes the answer."""
    return round(float(rng.choice([-1, 1]) * rng.uniform(0.5, 3.0)), 1)
