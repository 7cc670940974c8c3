"""The course can be walked by clicking, in real JupyterLab and in Notebook 7: from the course home
to lesson 01, on to its exercise, and from there to lesson 02. Every link is relative, so the same
clicks work wherever the repository is opened."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

WALK = [  # (notebook we are in, link to click, notebook it must open)
    ("START_HERE.ipynb", "lessons/01_linear_unit.ipynb", "lessons/01_linear_unit.ipynb"),
    ("lessons/01_linear_unit.ipynb", "exercises/01_linear_unit.ipynb",
     "exercises/01_linear_unit.ipynb"),
    ("exercises/01_linear_unit.ipynb", "lessons/02_multiple_inputs.ipynb",
     "lessons/02_multiple_inputs.ipynb"),
]


def current_panel(page):
    return page.locator("#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)").first


def current_tab(page) -> str:
    labels = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current "
                          ".lm-TabBar-tabLabel").all_inner_texts()
    return labels[0] if labels else ""


def wait_for_tab(page, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while current_tab(page) != name:
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} did not open; the current tab is {current_tab(page)!r}")
        time.sleep(0.2)


def wait_for_session(server, path: str, timeout: float = 30) -> None:
    """The opened notebook is the right file: the server started a session for its path."""
    deadline = time.monotonic() + timeout
    while path not in (opened := [s["path"] for s in server.get("/api/sessions")]):
        if time.monotonic() > deadline:
            raise AssertionError(f"no session for {path}; open: {opened}")
        time.sleep(0.2)


def test_walk_from_the_course_home_to_lesson_02(open_notebook, lab_server):
    home = open_notebook("START_HERE.ipynb")
    page = home.page
    try:
        for here, link, target in WALK:
            panel = current_panel(page)
            # JupyterLab resolves a relative link against the notebook's folder into /files/...
            anchor = panel.locator(f'.jp-RenderedMarkdown a[href*="/files/{link}"]').first
            assert anchor.count(), f"{here} has no link to {link}"
            anchor.click()
            wait_for_tab(page, target.split("/")[-1])
            current_panel(page).locator(".jp-Cell").first.wait_for(timeout=30_000)
            wait_for_session(lab_server, target)
        assert not home.page_errors, home.page_errors
    finally:
        for session in lab_server.get("/api/sessions"):
            lab_server.send("DELETE", f"/api/sessions/{session['id']}")


def test_the_same_walk_in_notebook_7(chromium, lab_server):
    """Notebook 7 (``./run course --classic``) opens each link in a new browser tab."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{lab_server.url}/notebooks/{WALK[0][0]}")
        for here, link, target in WALK:
            anchor = page.locator(f'.jp-RenderedMarkdown a[href*="/files/{link}"]').first
            anchor.wait_for(state="attached", timeout=60_000)
            with context.expect_page(timeout=30_000) as opened:
                anchor.click()
            page = opened.value
            page.wait_for_load_state()
            assert page.url.split("?")[0].endswith(f"/notebooks/{target}"), (here, page.url)
            page.locator(".jp-Cell").first.wait_for(timeout=60_000)
    finally:
        context.close()
        for session in lab_server.get("/api/sessions"):
            lab_server.send("DELETE", f"/api/sessions/{session['id']}")
