"""Drive a real JupyterHub on loopback as a class would: a course repository, a hub, learners.

``course_repo`` makes a bare git repository of the course from the working tree's tracked files.
``Hub`` runs ``jupyterhub`` with ``deploy/jupyterhub_config.py`` (dummy authenticator, local
processes, homes named like TLJH's) plus the test's ports and an admin service token, every file
in one temporary folder; ``stop()`` ends every process it started by process id. ``Learner`` is
one person with a browser-like session: logs in, follows the nbgitpuller link, runs notebooks
in their own kernel through the hub's proxy, saves them.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import psutil
import requests
import websocket

REPO = Path(__file__).resolve().parents[2]
DEPLOY_CONFIG = REPO / "deploy" / "jupyterhub_config.py"
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
SERVICE = "classroom"
REPO_DIR = "dlcourse"  # the folder nbgitpuller clones the course into, in every home


class SpawnError(RuntimeError):
    """Some learners' servers did not start; ``failed`` maps each name to the hub's reason."""

    def __init__(self, failed: dict[str, str]):
        self.failed = failed
        names = ", ".join(sorted(failed))
        details = "; ".join(f"{name}: {why}" for name, why in sorted(failed.items()))
        super().__init__(f"server(s) failed to spawn for {names} ({details})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def missing_parts() -> str | None:
    """Why a hub cannot run here, or None."""
    import importlib.util

    for module in ("jupyterhub", "nbgitpuller", "jupyterlab", "websocket", "psutil"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[test]')"
    if not PROXY.exists():
        return f"{PROXY.relative_to(REPO)} is missing (npm ci, which ./run test does)"
    if shutil.which("git") is None:
        return "git is not installed"
    if not DEPLOY_CONFIG.exists():
        return f"{DEPLOY_CONFIG.relative_to(REPO)} is missing"
    return None


def course_repo(target: Path, source: Path = REPO) -> Path:
    """A bare repository (branch ``main``) holding the working tree's tracked files as they are."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=source, check=True,
                           capture_output=True).stdout.decode().split("\0")
    stage = target.with_name(target.name + "-stage")
    for name in filter(None, files):
        path = source / name
        if path.is_file():  # tracked but deleted in the working tree: left out
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, stage / name)
    git = ["git", "-c", "user.name=Instructor", "-c", "user.email=instructor@example.org",
           "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Course"]):
        subprocess.run(git + args, cwd=stage, check=True, capture_output=True)
    subprocess.run(git + ["clone", "-q", "--bare", str(stage), str(target)], check=True,
                   capture_output=True)
    shutil.rmtree(stage)
    return target


class Hub:
    """``jupyterhub`` on 127.0.0.1 with everything it writes under ``workdir``."""

    def __init__(self, workdir: Path, spawn_timeout: float = 90):
        self.workdir = Path(workdir)
        self.homes = self.workdir / "home"
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        self.spawn_timeout = spawn_timeout
        self.log_path = self.workdir / "jupyterhub.log"
        self.process: subprocess.Popen | None = None
        self.started: dict[int, str] = {}  # every process seen in the hub's tree: pid -> name
        self.spawn_requested: dict[str, float] = {}  # learner -> perf_counter() of the request
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 90) -> float:
        """Start the hub; return the seconds until its API answered."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "test_config.py"
        config.write_text(
            f"load_subconfig({str(DEPLOY_CONFIG)!r})\n"
            f"c.JupyterHub.port = {self.port}\n"
            f"c.JupyterHub.hub_port = {self.hub_port}\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{self.api_port}'\n"
            f"c.Spawner.start_timeout = {self.spawn_timeout}\n"
            f"c.Spawner.http_timeout = {self.spawn_timeout}\n"
            # The spawn request returns at once (as a browser's does after its first seconds):
            # a class's requests then overlap, and each spawn is timed from its own request.
            "c.JupyterHub.tornado_settings = {'slow_spawn_timeout': 0}\n"
            "import os\n"
            f"c.JupyterHub.services = [{{'name': {SERVICE!r},"
            " 'api_token': os.environ['CLASSROOM_TOKEN']}]\n"
            f"c.JupyterHub.load_roles = [{{'name': {SERVICE!r}, 'services': [{SERVICE!r}],"
            " 'scopes': ['admin:users', 'admin:servers', 'tokens', 'access:servers']}]\n"
        )
        unwanted = ("MPLBACKEND", "JUPYTERHUB_API_TOKEN")  # inline figures; no outer hub's token
        env = {k: v for k, v in os.environ.items() if k not in unwanted}
        env.update(DLCOURSE_HUB_DIR=str(self.workdir), CLASSROOM_TOKEN=self.token,
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        log = self.log_path.open("wb")
        begin = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=self.workdir, env=env,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        self.started[self.process.pid] = "jupyterhub"
        deadline = time.monotonic() + timeout
        while True:
            self.record_processes()
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}\n"
                                   f"{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return time.perf_counter() - begin
            if time.monotonic() > deadline:
                raise TimeoutError(f"jupyterhub did not answer in {timeout} s\n{self.log_tail()}")
            time.sleep(0.2)

    def record_processes(self) -> None:
        """Remember every process in the hub's tree (proxy, learners' servers, kernels)."""
        if self.process is None:
            return
        with contextlib.suppress(psutil.Error):
            for proc in psutil.Process(self.process.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error), self._lock:
                    self.started.setdefault(proc.pid, proc.name())

    def stop(self, timeout: float = 30) -> list[str]:
        """Stop the hub (it stops the proxy and the servers), then any process of its tree left.

        Returns what had to be killed after the hub's own shutdown, e.g. ``["python3 (1234)"]``.
        """
        if self.process is None:
            return []
        self.record_processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        killed = []
        for pid, name in list(self.started.items()):
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                if proc.status() != psutil.STATUS_ZOMBIE:
                    proc.kill()
                    killed.append(f"{name} ({pid})")
        return killed

    def alive(self) -> list[str]:
        """Processes this hub started that still run."""
        alive = []
        for pid, name in self.started.items():
            with contextlib.suppress(psutil.Error):
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(f"{name} ({pid})")
        return alive

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- the hub's REST API, as the admin service --------------------------------------------
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, f"{self.url}/hub/api{path}", timeout=30,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        return response

    def spawn(self, name: str) -> None:
        """Ask the hub to start ``name``'s server (returns at once; see ``wait_ready``)."""
        self.spawn_requested[name] = time.perf_counter()
        response = self.api("POST", f"/users/{name}/server")
        if response.status_code not in (201, 202):
            raise SpawnError({name: f"HTTP {response.status_code}: {response.text[:200]}"})

    def wait_ready(self, names: list[str], timeout: float | None = None) -> dict[str, float]:
        """Wait for every server; return the seconds from each one's spawn request to ready, or
        raise ``SpawnError``."""
        begin = time.perf_counter()
        deadline = time.monotonic() + (timeout or self.spawn_timeout + 30)
        ready: dict[str, float] = {}
        failed: dict[str, str] = {}
        while len(ready) + len(failed) < len(names):
            self.record_processes()
            servers = {u["name"]: (u.get("servers") or {}).get("")
                       for u in self.api("GET", "/users", params={"limit": 200}).json()}
            for name in names:
                if name in ready or name in failed:
                    continue
                server = servers.get(name)
                if server and server.get("ready"):
                    ready[name] = time.perf_counter() - self.spawn_requested.get(name, begin)
                elif not server or not server.get("pending"):
                    failed[name] = self.spawn_failure(name)
            if time.monotonic() > deadline:
                failed.update({n: "timed out" for n in names if n not in ready and n not in failed})
            time.sleep(0.5)
        if failed:
            raise SpawnError(failed)
        return ready

    def spawn_failure(self, name: str) -> str:
        """The hub's reason for ``name``'s failed spawn, from its log."""
        lines = [line for line in self.log_tail(400).splitlines()
                 if name in line and ("failed" in line.lower() or "error" in line.lower())]
        return lines[-1].split("]", 1)[-1].strip()[:300] if lines else "server stopped"

    def stop_servers(self, names: list[str]) -> None:
        for name in names:
            with contextlib.suppress(requests.RequestException):
                self.api("DELETE", f"/users/{name}/server")


class Learner:
    """One learner: a browser-like session on the hub, and a token for their server's API."""

    def __init__(self, hub: Hub, name: str):
        self.hub = hub
        self.name = name
        self.session = requests.Session()
        self.token: str | None = None
        self.home = hub.homes / f"jupyter-{name}"

    @property
    def server_url(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def login(self) -> None:
        """Log in through the hub's login form, as a person does."""
        page = self.session.get(f"{self.hub.url}/hub/login", timeout=30)
        page.raise_for_status()
        xsrf = self.session.cookies.get("_xsrf", "")
        response = self.session.post(f"{self.hub.url}/hub/login?next=", timeout=30,
                                     data={"username": self.name, "password": "", "_xsrf": xsrf})
        response.raise_for_status()
        if not any(c.name.startswith("jupyterhub-session") for c in self.session.cookies):
            raise AssertionError(f"{self.name}: login did not give a hub session\n"
                                 f"{response.text[:500]}")
        created = self.hub.api("POST", f"/users/{self.name}/tokens",
                               json={"note": "classroom test", "expires_in": 3600})
        created.raise_for_status()
        self.token = created.json()["token"]

    def follow_link(self, link: str, timeout: float = 120) -> list[str]:
        """Open the nbgitpuller link, then run the pull its page starts; return git's output."""
        page = self.session.get(link, timeout=60)
        page.raise_for_status()
        where = urlsplit(page.url)
        if where.path != f"/user/{self.name}/git-pull":
            raise AssertionError(f"{self.name}: the link led to {page.url}, not the git-pull page")
        api = f"{self.server_url}/git-pull/api?{where.query}"
        lines = []
        with self.session.get(api, stream=True, timeout=timeout,
                              headers={"Authorization": f"token {self.token}"}) as stream:
            for raw in stream.iter_lines(decode_unicode=True):
                if not raw or not raw.startswith("data:"):
                    continue
                event = json.loads(raw[5:])
                if event.get("output"):
                    lines.append(event["output"].rstrip())
                if event.get("phase") == "error":
                    raise AssertionError(f"{self.name}: nbgitpuller failed: {event.get('message')}"
                                         f"\n{event.get('output', '')}")
                if event.get("phase") == "finished":
                    return lines
        raise AssertionError(f"{self.name}: nbgitpuller stopped without finishing: {lines}")

    # -- the learner's server ------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        response = requests.request(method, f"{self.server_url}{path}", headers=headers,
                                    timeout=60, **kwargs)
        response.raise_for_status()
        return response

    def read_notebook(self, path: str):
        model = self.request("GET", f"/api/contents/{path}", params={"content": "1"}).json()
        return nbformat.from_dict(model["content"])

    def save_notebook(self, path: str, nb) -> None:
        self.request("PUT", f"/api/contents/{path}",
                     json={"type": "notebook", "format": "json", "content": nb})

    def run_notebook(self, path: str, nb=None, timeout: float = 120, keep: bool = False):
        """Run every code cell of ``nb`` (default: the file) in a new kernel of this learner's
        server, in the notebook's folder; return the notebook with its outputs. The kernel is
        shut down after, unless ``keep`` (as when a learner leaves the notebook open)."""
        nb = nb if nb is not None else self.read_notebook(path)
        session = self.request("POST", "/api/sessions", json={
            "path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}}).json()
        kernel = session["kernel"]["id"]
        try:
            with KernelChannel(self, kernel) as channel:
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        cell.outputs = channel.execute(cell.source, timeout)
        finally:
            if not keep:
                self.request("DELETE", f"/api/sessions/{session['id']}")
        return nb

    def server_processes(self) -> list[psutil.Process]:
        """This learner's server and everything under it (kernels), found by its environment."""
        for proc in psutil.process_iter(["name"]):
            with contextlib.suppress(psutil.Error):
                if proc.environ().get("JUPYTERHUB_USER") == self.name and proc.parent() and \
                        proc.parent().environ().get("JUPYTERHUB_USER") != self.name:
                    return [proc, *proc.children(recursive=True)]
        return []


class KernelChannel:
    """The websocket of one kernel on a learner's server (Jupyter messaging protocol 5)."""

    def __init__(self, learner: Learner, kernel_id: str):
        url = learner.server_url.replace("http://", "ws://", 1)
        self.ws = websocket.create_connection(
            f"{url}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {learner.token}"], timeout=30,
        )
        self.session = uuid.uuid4().hex
        self.who = learner.name

    def __enter__(self) -> KernelChannel:
        return self

    def __exit__(self, *exc) -> None:
        self.ws.close()

    def execute(self, code: str, timeout: float) -> list:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.who,
                       "session": self.session, "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        outputs = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            frame = self.ws.recv()
            if isinstance(frame, bytes):  # a message with binary buffers: widget comm traffic
                continue
            msg = json.loads(frame)
            if msg.get("parent_header", {}).get("msg_id") != msg_id or msg["channel"] != "iopub":
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind in ("stream", "display_data", "execute_result", "error"):
                content.pop("transient", None)
                outputs.append(nbformat.v4.output_from_msg(msg))
            elif kind == "status" and content["execution_state"] == "idle":
                return outputs
        raise TimeoutError(f"{self.who}: a cell ran past {timeout} s:\n{code[:300]}")


def error_outputs(nb) -> list[str]:
    return [f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
            for i, cell in enumerate(nb.cells) for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]
