"""One JupyterLab server, one headless Chromium and one JupyterLab page for the whole session.

The tests skip, with the reason, when Playwright or Debian's Chromium is missing; under CI
(``CI=true``) a missing browser is an error instead, so CI never passes without running them.
No tool downloads a browser: Playwright drives the system's /usr/bin/chromium.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from .jupyterlab import CHROMIUM, CHROMIUM_ARGS, REPO, LabApp, LabServer, NotebookPage

SCREENSHOTS = REPO / "screenshots"


def _missing_requirement() -> str | None:
    for module in ("playwright", "jupyterlab", "ipywidgets"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium():
    missing = _missing_requirement()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"end-to-end tests cannot run under CI: {missing}", pytrace=False)
        pytest.skip(f"end-to-end tests need a browser: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab_server(chromium, tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("jupyterlab")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lab_app(chromium, lab_server):
    app = LabApp(chromium, lab_server)
    yield app
    app.close()


@pytest.fixture
def open_notebook(lab_app):
    """``open_notebook("lessons/08_learning_rate.ipynb")`` -> a NotebookPage with an idle kernel.

    Each call opens a fresh copy of the repository's notebook; its kernel is shut down after the
    test.
    """
    opened: list[NotebookPage] = []

    def _open(path: str, timeout: float = 60) -> NotebookPage:
        notebook = lab_app.open(path, timeout)
        opened.append(notebook)
        return notebook

    yield _open
    for notebook in opened:
        notebook.close()


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
