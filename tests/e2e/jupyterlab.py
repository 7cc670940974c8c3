"""Drive a real JupyterLab from the end-to-end tests: a server on loopback, notebooks in Chromium.

``LabServer`` starts ``jupyter lab`` with no token on a temporary root holding fresh copies of the
course notebooks (outputs cleared). ``LabApp`` is one browser page with JupyterLab loaded; it
opens notebooks one at a time as ``NotebookPage`` objects, which do what a learner does: run all
cells, edit a cell, move a slider, read what the outputs show. The selectors were checked against
JupyterLab 4.6 and ipywidgets 8.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
COURSE_FOLDERS = ("lessons", "exercises", "solutions")
COURSE_FILES = ("START_HERE.ipynb",)  # the course home, at the root as in the repository
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1100}
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

# User settings for the test server: no news prompt or update check (a toast would cover the
# page and ask the network), and every cell kept in the DOM so that cells can be found by index.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

# A code cell's prompt: "[ ]:" never run, "[*]:" queued or running, "[12]:" done.
RUNNING_PROMPT = "[*]:"
DONE_PROMPT = re.compile(r"^\[\d+\]:$")
OUTCOME_TITLE = re.compile(
    r"^(Correct|Incorrect|Not attempted yet|Error|Your code took too long)\b", re.MULTILINE
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cleared(notebook_path: Path) -> str:
    """The notebook's JSON with every output and execution count removed."""
    nb = nbformat.read(notebook_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nbformat.writes(nb)


class LabServer:
    """``jupyter lab`` on 127.0.0.1 with no token, serving a temporary copy of the course."""

    def __init__(self, workdir: Path, repo: Path = REPO):
        self.repo = repo
        self.root = workdir / "root"
        self.home = workdir / "jupyter"
        self.log_path = workdir / "jupyterlab.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> LabServer:
        self._prepare_root()
        settings_dir = self.home / "user-settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings_dir / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # keep inline figures
        env.update(
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            IPYTHONDIR=str(self.home / "ipython"),
            DLCOURSE_PROGRESS="off",  # checks in the exercise must not touch the real progress file
            PYDEVD_DISABLE_FILE_VALIDATION="1",  # silence the debugger's warning in the log
        )
        command = [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--allow-root",
            "--IdentityProvider.token=",
            "--PasswordIdentityProvider.hashed_password=",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.disable_check_xsrf=True",  # loopback, no token: let the tests POST/DELETE
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings_dir}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
        ]  # fmt: skip
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            with contextlib.suppress(OSError, ValueError):
                if "version" in self.get("/api"):
                    return self
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"jupyter lab did not answer on {self.url}/api within {timeout} s:\n"
                           f"{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down); kill its process group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _prepare_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        for folder in COURSE_FOLDERS:
            if (self.repo / folder).is_dir():
                shutil.copytree(self.repo / folder, self.root / folder, ignore=ignore)
        for name in COURSE_FILES:
            if (self.repo / name).is_file():
                shutil.copy(self.repo / name, self.root / name)
        for notebook in self.root.rglob("*.ipynb"):
            notebook.write_text(cleared(notebook))

    def reset_notebook(self, path: str) -> None:
        """Put a fresh copy of the repository's notebook (outputs cleared) in the root."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(cleared(self.repo / path))

    def write_notebook(self, path: str, sources: list[str]) -> None:
        """Write a new notebook of code cells (one per source) into the root."""
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(nb))

    # -- REST API ----------------------------------------------------------------------------
    def get(self, api_path: str):
        with urllib.request.urlopen(self.url + api_path, timeout=10) as response:
            return json.loads(response.read())

    def send(self, method: str, api_path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + api_path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def sessions_for(self, path: str) -> list[dict]:
        return [s for s in self.get("/api/sessions") if s.get("path") == path]

    def kernel_state(self, path: str) -> str | None:
        """The execution state ("starting", "busy", "idle"...) of the notebook's kernel, if any."""
        for session in self.sessions_for(path):
            kernel = session.get("kernel") or {}
            return kernel.get("execution_state")
        return None

    def shut_down_sessions(self, path: str) -> None:
        for session in self.sessions_for(path):
            self.send("DELETE", f"/api/sessions/{session['id']}")


class LabApp:
    """One browser page with JupyterLab loaded, in which the tests open notebooks one at a time.

    Loading JupyterLab takes seconds; opening a notebook in a loaded app (File > Open from Path)
    takes a fraction of one. Between notebooks every kernel is shut down and every tab closed;
    if that fails the page is reloaded, so one test's leftovers never reach the next.
    """

    def __init__(self, browser, server: LabServer):
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.load()

    def load(self, timeout: float = 60) -> None:
        self.page.goto(f"{self.server.url}/lab/workspaces/e2e?reset", timeout=timeout * 1000)
        self.page.locator(".jp-FileBrowser").first.wait_for(timeout=timeout * 1000)
        self.accept_dialogs()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()

    def open(self, path: str, timeout: float = 60, sources: list[str] | None = None
             ) -> NotebookPage:
        """Open a fresh copy of the notebook at ``path`` (or a new notebook of the code cells
        ``sources``, written there) and wait until its kernel is idle."""
        try:
            self.clear()
        except Exception:  # a dialog or panel left by a failed test: start over
            self.load(timeout)
        if sources is None:
            self.server.reset_notebook(path)
        else:
            self.server.write_notebook(path, sources)
        self.page_errors.clear()
        self.menu("File", "Open from Path…")
        self.page.locator(".jp-Dialog input").fill(path)
        self.page.keyboard.press("Enter")
        notebook = NotebookPage(self, path)
        notebook.cells.first.wait_for(timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while self.server.kernel_state(path) != "idle":
            self.accept_dialogs()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path}: the kernel was not idle {timeout} s after opening "
                                   f"(state {self.server.kernel_state(path)!r})\n"
                                   f"{self.server.log_tail()}")
            time.sleep(0.2)
        self.accept_dialogs()
        return notebook

    def clear(self, timeout: float = 15) -> None:
        """Shut every kernel down and close every tab, discarding unsaved changes."""
        for session in self.server.get("/api/sessions"):
            self.server.send("DELETE", f"/api/sessions/{session['id']}")
        # What a test left open; JupyterLab puts a Launcher in an empty main area: that may stay.
        panels = self.page.locator(
            "#jp-main-dock-panel .lm-DockPanel-widget:not(:has(.jp-Launcher))"
        )
        if not panels.count():
            return
        self.menu("File", "Close All Tabs")
        deadline = time.monotonic() + timeout
        while panels.count():
            discard = self.page.locator(".jp-Dialog .jp-Dialog-button", has_text="Discard")
            if discard.count():
                discard.first.click()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{panels.count()} panel(s) left open after Close All Tabs")
            time.sleep(0.1)

    def accept_dialogs(self) -> None:
        """Accept a dialog in the way (e.g. "Select Kernel" on first open) and close toasts."""
        dialog_button = self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
        if dialog_button.count():
            dialog_button.first.click()
        for close in self.page.locator(".jp-Notification-Toast-Close").all():
            with contextlib.suppress(Exception):
                close.click(timeout=1000)

    def menu(self, menu: str, item: str) -> None:
        """Click ``item`` in the main menu ``menu``, e.g. ``menu("Run", "Run All Cells")``."""
        bar = self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$"))
        bar.click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


class NotebookPage:
    """The notebook open in a ``LabApp``: run it, edit it, move its widgets, read its outputs."""

    def __init__(self, app: LabApp, path: str):
        self.app = app
        self.server = app.server
        self.page = app.page
        self.path = path
        self.panel = self.page.locator("#jp-main-dock-panel .jp-NotebookPanel").first

    @property
    def page_errors(self) -> list[str]:
        """JavaScript errors thrown in the page since this notebook was opened."""
        return list(self.app.page_errors)

    def close(self) -> None:
        self.server.shut_down_sessions(self.path)

    def menu(self, menu: str, item: str) -> None:
        self.app.menu(menu, item)

    def accept_dialogs(self) -> None:
        self.app.accept_dialogs()

    # -- cells -------------------------------------------------------------------------------
    @property
    def cells(self):
        return self.panel.locator(".jp-Notebook .jp-Cell")

    def cell(self, index: int):
        return self.cells.nth(index)

    def prompts(self) -> list[str]:
        """Each code cell's prompt text, "[ ]:", "[*]:" or "[n]:"."""
        texts = self.panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        return [re.sub(r"\s", "", t) for t in texts]

    def run_all(self, timeout: float = 60) -> list[str]:
        """Run > Run All Cells, then wait until the kernel has finished; return the prompts."""
        before = self.prompts()
        self.menu("Run", "Run All Cells")
        return self.wait_until_finished(before, timeout)

    def wait_until_finished(self, before: list[str], timeout: float = 60) -> list[str]:
        """Wait until some prompt changed from ``before``, none is running and the kernel is idle.

        Checked on two polls in a row: the kernel reports idle for a moment between two cells.
        """
        deadline = time.monotonic() + timeout
        settled = 0
        while True:
            prompts = self.prompts()
            started = prompts != before
            if started and RUNNING_PROMPT not in prompts and self.server.kernel_state(
                self.path
            ) == "idle":
                settled += 1
                if settled >= 2:
                    return prompts
            else:
                settled = 0
            if time.monotonic() > deadline:
                state = self.server.kernel_state(self.path)
                raise TimeoutError(f"{self.path}: cells still running after {timeout} s; "
                                   f"prompts {prompts}, kernel {state!r}")
            self.accept_dialogs()
            time.sleep(0.3)

    def code_sources(self) -> list[str]:
        nb = nbformat.read(self.server.root / self.path, as_version=4)
        return [c.source for c in nb.cells if c.cell_type == "code"]

    def cells_not_run(self, prompts: list[str]) -> list[int]:
        """Indexes (among code cells) of non-empty code cells that have no execution count."""
        sources = self.code_sources()
        return [i for i, (p, s) in enumerate(zip(prompts, sources, strict=False))
                if s.strip() and not DONE_PROMPT.match(p)]

    def set_source(self, index: int, text: str) -> None:
        """Replace cell ``index``'s text in its editor, as a person would: select all, type."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)  # one input event: no auto-indent on new lines
        got = self.source_in_editor(index)
        if got.strip() != text.strip():
            raise AssertionError(f"cell {index} holds {got!r} after typing {text!r}")

    def source_in_editor(self, index: int) -> str:
        return self.cell(index).locator(".cm-content").evaluate(
            "e => Array.from(e.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n')"
        )

    def run_cells(self, first: int, last: int, timeout: float = 60) -> list[str]:
        """Run cells ``first`` to ``last`` (notebook indexes) with Shift+Enter, then wait."""
        before = self.prompts()
        self.cell(first).locator(".jp-InputPrompt").click()  # select it (command mode)
        for _ in range(first, last + 1):
            self.page.keyboard.press("Shift+Enter")
        return self.wait_until_finished(before, timeout)

    def output_text(self, index: int) -> str:
        return "\n".join(self.cell(index).locator(".jp-OutputArea-output").all_inner_texts())

    def outcome(self, index: int) -> str:
        """The title of the first graded outcome shown under cell ``index`` ("Correct"...)."""
        text = self.output_text(index)
        match = OUTCOME_TITLE.search(text)
        if match is None:
            raise AssertionError(f"no graded outcome under cell {index}; its output is {text!r}")
        return match.group(1)

    # -- saved outputs ---------------------------------------------------------------------
    def save(self, timeout: float = 30):
        """File > Save Notebook; return the saved notebook (nbformat) read back from disk."""
        file = self.server.root / self.path
        before = file.stat().st_mtime_ns
        self.menu("File", "Save Notebook")
        deadline = time.monotonic() + timeout
        while file.stat().st_mtime_ns == before:
            self.accept_dialogs()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path} was not saved within {timeout} s")
            time.sleep(0.2)
        for _ in range(20):  # the server writes atomically, but be safe
            with contextlib.suppress(ValueError):
                return nbformat.read(file, as_version=4)
            time.sleep(0.1)
        return nbformat.read(file, as_version=4)

    def visible_errors(self) -> list[str]:
        """Tracebacks and widget failures shown in the notebook's outputs (DOM)."""
        texts = self.panel.locator(".jp-OutputArea-output").all_inner_texts()
        markers = ("Traceback (most recent call last)", "Error displaying widget")
        return [t[-1500:] for t in texts if any(m in t for m in markers)]

    def log_console_errors(self) -> list[str]:
        """Errors the kernel sent outside cell outputs (e.g. from a widget callback).

        ipywidgets routes them to JupyterLab's log console; open it and read error entries.
        """
        panel = self.page.locator(".jp-LogConsolePanel")
        if not panel.count():
            self.menu("View", "Show Log Console")
        panel.wait_for(timeout=10_000)
        entries = panel.locator(".jp-OutputArea-child").all()
        errors = []
        for entry in entries:
            level = entry.locator(".jp-OutputArea-prompt").get_attribute("data-log-level") or ""
            if level in ("error", "critical"):
                errors.append(entry.locator(".jp-OutputArea-output").inner_text()[-1500:])
        return errors

    # -- widgets -----------------------------------------------------------------------------
    @property
    def widget_outputs(self):
        """Cell outputs in which an ipywidgets view rendered (not views nested in those)."""
        return self.panel.locator(
            ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"
            ":has(> .jupyter-widgets)"
        )

    def wait_for_widget_images(self, timeout: float = 20) -> list[str]:
        """Wait until every widget output shows decoded images; return the problems left."""
        deadline = time.monotonic() + timeout
        while True:
            problems = []
            for k, output in enumerate(self.widget_outputs.all()):
                sizes = output.locator("img").evaluate_all(
                    "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
                )
                if not sizes:
                    problems.append(f"widget output {k} holds no image")
                elif not all(done and w > 0 and h > 0 for done, w, h in sizes):
                    problems.append(f"widget output {k}: image(s) not rendered {sizes}")
            if not problems or time.monotonic() > deadline:
                return problems
            time.sleep(0.3)

    def widget_output_with_slider(self, description: str):
        return self.widget_outputs.filter(has=self._slider(description)).first

    def slider(self, description: str):
        """The first slider in the notebook whose description is exactly ``description``."""
        return self.panel.locator(self._slider(description)).first

    def _slider(self, description: str):
        exact = re.compile(f"^{re.escape(description)}$")
        label = self.page.locator("label.widget-label", has_text=exact)
        return self.page.locator(".widget-slider", has=label)

    def set_slider(self, description: str, value: str) -> str:
        """Type ``value`` into the slider's readout and press Enter; return the new readout."""
        readout = self.slider(description).locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(value)
        self.page.keyboard.press("Enter")
        return readout.inner_text()

    def slider_readout(self, description: str) -> str:
        return self.slider(description).locator(".widget-readout").inner_text()

    def screenshot_widgets(self, target: Path) -> int:
        """Write one PNG of every widget output, stacked top to bottom; return how many."""
        shots = [output.screenshot() for output in self.widget_outputs.all()]
        if shots:
            stack_pngs(shots, target)
        return len(shots)


def image_digest(scope) -> str:
    """A digest of the bytes of every image inside ``scope`` (a Locator), in order."""
    return scope.locator("img").evaluate_all(
        """async imgs => {
            const parts = [];
            for (const img of imgs) {
                const bytes = await (await fetch(img.src)).arrayBuffer();
                const hash = await crypto.subtle.digest('SHA-256', bytes);
                parts.push(Array.from(new Uint8Array(hash),
                                      b => b.toString(16).padStart(2, '0')).join(''));
            }
            return parts.join(',');
        }"""
    )


def wait_until(condition, timeout: float = 10, interval: float = 0.2):
    """Poll ``condition()`` until it returns something truthy; return that, or the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def widget_view_count(nb) -> int:
    """How many outputs of a saved notebook are ipywidgets views."""
    return sum(
        WIDGET_VIEW_MIME in output.get("data", {})
        for cell in nb.cells if cell.cell_type == "code"
        for output in cell.outputs
    )


def error_outputs(nb) -> list[str]:
    """One line per error output of a saved notebook: cell number, exception name and message."""
    errors = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return errors


def stack_pngs(pngs: list[bytes], target: Path) -> None:
    """Write the images one under the other, on white, as one PNG."""
    from PIL import Image

    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    gap = 12
    width = max(im.width for im in images)
    height = sum(im.height for im in images) + gap * (len(images) - 1)
    sheet = Image.new("RGB", (width, height), "white")
    y = 0
    for im in images:
        sheet.paste(im, (0, y))
        y += im.height + gap
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target)


# -- accessibility ---------------------------------------------------------------------------
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_violations(page, scope_selector: str) -> list[str]:
    """Serious and critical axe-core violations inside the elements matching ``scope_selector``
    (one line each: rule, impact, how many elements, the first element's HTML)."""
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run ./run test --co once (npm install)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("""async (selector) => {
        const include = Array.from(document.querySelectorAll(selector));
        if (!include.length) return [];
        const result = await axe.run({include: include},
                                     {resultTypes: ['violations']});
        return result.violations.map(v => [v.id, v.impact, v.nodes.length,
                                           v.nodes[0].html.slice(0, 200)]);
    }""", scope_selector)
    return [f"{rule} ({impact}) on {count} element(s), e.g. {html}"
            for rule, impact, count, html in results if impact in SERIOUS]


def contrast_ratio(png: bytes) -> float:
    """Contrast of text against its background in a screenshot of one text element.

    The background is the most common colour; the text is the pixel farthest from it in
    luminance (the core of a glyph is drawn in the text's full colour).
    """
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3) / 255.0
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    values, counts = np.unique(np.round(luminance, 3), return_counts=True)
    background = values[np.argmax(counts)]
    text = luminance[np.argmax(np.abs(luminance - background))]
    light, dark = max(background, text), min(background, text)
    return float((light + 0.05) / (dark + 0.05))
