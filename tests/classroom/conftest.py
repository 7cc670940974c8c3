"""The simulated class needs the hub's parts: jupyterhub, nbgitpuller, the npm proxy, git.

Without them the tests skip with the reason; under CI (``CI=true``) that is an error instead, so
CI never passes without running the class.
"""

from __future__ import annotations

import os

import pytest

from .browser import browser_missing
from .hub import Hub, missing_parts


def _require(missing: str | None) -> None:
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the simulated class cannot run under CI: {missing}", pytrace=False)
        pytest.skip(f"the simulated class needs the hub's parts: {missing}")


@pytest.fixture
def hub_parts():
    _require(missing_parts())


@pytest.fixture
def browser_parts():
    _require(browser_missing())


@pytest.fixture
def make_hub(hub_parts, tmp_path):
    """``make_hub()`` -> a started Hub in the test's temporary folder; always stopped after."""
    hubs: list[Hub] = []

    def _make(**kwargs) -> Hub:
        hub = Hub(tmp_path / f"hub{len(hubs)}", **kwargs)
        hubs.append(hub)
        hub.start()
        return hub

    yield _make
    for hub in hubs:
        hub.stop()
