"""A hub on this machine, to try the course for a class before setting up a real one.

    pip install -e '.[class]' && npm ci     # from the repository root, once
    jupyterhub -f deploy/jupyterhub_config.py

then open http://127.0.0.1:8000, log in with any name (no password) and hand yourself the link
that ``dlcourse link http://127.0.0.1:8000 <course repository>`` prints. Every learner's server
runs as you, with no isolation at all (SimpleLocalProcessSpawner): only ever on 127.0.0.1, never
for real learners. Homes are ``<state>/home/jupyter-<name>`` as on The Littlest JupyterHub, so
``dlcourse collect <state>/home submissions`` works as it does there. ``<state>`` is
``DLCOURSE_HUB_DIR`` (default: ``hub-state`` in the working folder); ``DLCOURSE_HUB_PORT`` sets
the port (default 8000).
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- defined by JupyterHub when it loads this file

state = Path(os.environ.get("DLCOURSE_HUB_DIR", "hub-state")).resolve()
state.mkdir(parents=True, exist_ok=True)
repo = Path(__file__).resolve().parents[1]
local_proxy = repo / "node_modules" / ".bin" / "configurable-http-proxy"

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("DLCOURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.ConfigurableHTTPProxy.command = [
    str(local_proxy) if local_proxy.exists() else shutil.which("configurable-http-proxy")
    or "configurable-http-proxy"
]

c.JupyterHub.authenticator_class = "dummy"  # any name, no password: loopback only
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "jupyter-{username}")
c.Spawner.ip = "127.0.0.1"
# The learners' servers run in this Python environment, the one the course was installed in.
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "PYDEVD_DISABLE_FILE_VALIDATION"]
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
