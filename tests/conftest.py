"""Shared test setup: a headless matplotlib and seeded randomness everywhere."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("DLCOURSE_PROGRESS", "off")  # nbval runs exercises: keep the real record clean

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(0)
