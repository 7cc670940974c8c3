"""Shared test setup: a headless matplotlib and seeded randomness everywhere."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# nbval runs the exercise notebooks: keep the learner's real progress record out of it.
os.environ.setdefault("DLCOURSE_PROGRESS", "off")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_collection_modifyitems(config, items):
    """Browser tests last: everything quick fails first, and their session ends the run."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
