"""A learner's kernel in grading mode, driven from outside with time limits.

``KernelSession`` starts ``python -m dlcourse.grading.kernel`` through nbclient in a given working
directory and environment, runs code with a wall-clock limit, and recovers from a kernel that
stops answering: interrupt first; if it is still busy after a grace period, kill it (and every
process it started) and start a fresh one, replaying the cells that had run so that the rest
of the notebook can still be graded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

GRACE = 5.0  # seconds a kernel has to answer again after an interrupt
MAX_RESTARTS = 3

OK, TIMED_OUT, DIED = "ok", "timeout", "died"


def _kernel_manager_class():
    """An nbclient kernel manager whose kernels are grading-mode kernels on this interpreter."""
    from ipykernel.kernelspec import RESOURCES
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    argv = [sys.executable, "-m", "dlcourse.grading.kernel", "-f", "{connection_file}"]

    class GradingSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(resource_dir=RESOURCES, argv=argv, language="python",
                              display_name="dlcourse grading", env={})

    class GradingKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return GradingSpecs(data_dir=self.data_dir)

    return GradingKernelManager


class KernelSession:
    """One submission's kernel: ``run(source, timeout)``, ``restart()``, ``close()``."""

    def __init__(self, workdir: Path, env: dict):
        import nbformat
        from nbclient import NotebookClient

        quiet = logging.getLogger("dlcourse.grade.kernel")
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
        self.env = env
        self.workdir = workdir
        self.restarts = 0
        self.client = NotebookClient(
            nbformat.v4.new_notebook(), timeout=60, allow_errors=True,
            interrupt_on_timeout=False, shutdown_kernel="immediate", kernel_name="python3",
            kernel_manager_class=_kernel_manager_class(),
            resources={"metadata": {"path": str(workdir)}}, log=quiet,
            startup_timeout=60,
        )
        self._start()

    def _start(self) -> None:
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel(env=self.env, stderr=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL)
        self.client.start_new_kernel_client()

    @property
    def pid(self) -> int | None:
        km = self.client.km
        process = getattr(getattr(km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def run(self, source: str, timeout: float, store_history: bool = True):
        """Execute ``source``; return (status, cell with its outputs)."""
        import nbformat
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells = [cell]
        self.client.timeout = max(1, int(round(timeout)))
        try:
            self.client.execute_cell(cell, 0, store_history=store_history)
        except CellTimeoutError:
            return TIMED_OUT, cell
        except DeadKernelError:
            return DIED, cell
        return OK, cell

    def recover(self) -> bool:
        """After a time-out: interrupt, and if the kernel stays busy, restart it.

        Returns True when the same kernel answers again (its state is intact), False when it
        had to be replaced by a fresh one.
        """
        with contextlib.suppress(Exception):
            _sync(self.client.km.interrupt_kernel)
        status, _ = self.run("pass", GRACE, store_history=False)
        if status == OK:
            return True
        self.restart()
        return False

    def restart(self) -> None:
        self.restarts += 1
        self.close()
        self._start()

    def close(self) -> None:
        pid = self.pid
        if pid:
            kill_tree(pid)
        with contextlib.suppress(Exception):
            self.client._cleanup_kernel()
        self.client.km = None
        self.client.kc = None


def _sync(coroutine_function):
    from jupyter_core.utils import run_sync

    return run_sync(coroutine_function)()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from /proc (Linux); [] where /proc cannot be read."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid``, its descendants and their process groups (workers run in their own)."""
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            if os.getpgid(child) == child:
                os.killpg(child, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
