"""A learner's real browser on the hub: Debian's Chromium driven by Playwright, as in tests/e2e."""

from __future__ import annotations

import time

from e2e.jupyterlab import CHROMIUM, CHROMIUM_ARGS, VIEWPORT


def browser_missing() -> str | None:
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium)"
    return None


def click_link(hub_url: str, name: str, link: str, notebook: str, heading: str,
               timeout: float = 120) -> float:
    """Log ``name`` in through the hub's form, open ``link``; return the seconds from the click
    until JupyterLab shows ``notebook`` with ``heading`` rendered."""
    from concurrent.futures import ThreadPoolExecutor

    # A thread of its own: Playwright's sync API refuses a thread where an asyncio loop runs
    # (an earlier test in the same process may have left one).
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_click_link, hub_url, name, link, notebook, heading, timeout).result()


def _click_link(hub_url, name, link, notebook, heading, timeout) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{hub_url}/hub/login", timeout=timeout * 1000)
            page.get_by_label("Username").fill(name)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/hub/login" not in url, timeout=timeout * 1000)
            begin = time.perf_counter()
            page.goto(link, timeout=timeout * 1000)
            page.locator(".jp-NotebookPanel .lm-TabBar-tabLabel, .lm-TabBar-tabLabel",
                         has_text=notebook).first.wait_for(timeout=timeout * 1000)
            page.locator(".jp-NotebookPanel .jp-RenderedMarkdown h1",
                         has_text=heading).first.wait_for(timeout=timeout * 1000)
            return time.perf_counter() - begin
        finally:
            browser.close()
