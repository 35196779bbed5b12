"""JupyterHub for the workshop benchmark: its configuration, start and stop, and its processes.

Used by ``workshop_capacity.py``. ``hub_config()`` is the configuration of a one-machine workshop
that docs/instructors.md quotes; ``proxy_command()`` installs configurable-http-proxy from npm into
``build/npm/`` when it is not on PATH; every process a run starts carries the run's ``MARKER``
variable, so ``stop()`` can find and end exactly those, by process id.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil

from course_utils.threads import THREAD_ENV

REPO = Path(__file__).resolve().parent.parent
ENV_BIN = Path(sys.executable).parent
NPM_PREFIX = REPO / "build" / "npm"
PROXY_PACKAGE = "configurable-http-proxy@5"
MARKER = "COURSE_WORKSHOP_RUN"  # in the environment of every process a run starts
MIB = 2**20
USAGE_KEYS = ("rss", "uss", "pss", "kernel_pss", "processes", "cpu_s")


class Unavailable(RuntimeError):
    """JupyterHub or configurable-http-proxy cannot be installed here."""


def proxy_command() -> str:
    """configurable-http-proxy from PATH, else from ``build/npm/`` (npm-installed there if needed)."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    local = NPM_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if not local.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable("configurable-http-proxy is not on PATH and npm is not installed")
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        cmd = [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(NPM_PREFIX),
            PROXY_PACKAGE,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not local.exists():
            raise Unavailable(f"`npm install {PROXY_PACKAGE}` failed: {done.stderr[-500:]}")
    return str(local)


def hub_command() -> list[str]:
    """The jupyterhub of this Python environment (the course's .venv)."""
    for name in ("jupyterhub", "jupyterhub-singleuser"):
        if not (ENV_BIN / name).exists():
            raise Unavailable(f"{name} is not installed in {ENV_BIN} (pip install -e .[dev])")
    return [str(ENV_BIN / "jupyterhub")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_config(root: Path, port: int, proxy: str, token: str, marker: str) -> str:
    """The jupyterhub_config.py of a one-machine workshop (see docs/instructors.md)."""
    allow_root = ["--allow-root"] if os.geteuid() == 0 else []
    return f'''c = get_config()  # noqa: F821 (JupyterHub defines get_config)
import shutil
from pathlib import Path

c.JupyterHub.ip = "127.0.0.1"  # a real workshop: "0.0.0.0" behind TLS (ssl_cert / ssl_key)
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{root}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{root}/jupyterhub_cookie_secret"

# Any name and any password: for a benchmark or a rehearsal only; a workshop uses a real
# authenticator ("shared-password", NativeAuthenticator, OAuthenticator: docs/instructors.md).
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True

# One process per learner, all as the Hub's own user, each in its own home folder.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{root}/home/{{username}}"
c.Spawner.notebook_dir = "{root}/home/{{username}}"
c.Spawner.cmd = [{str(ENV_BIN / "jupyterhub-singleuser")!r}]  # the course's environment
c.Spawner.args = {allow_root!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {{**{THREAD_ENV!r}, {MARKER!r}: {marker!r}}}
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300


def copy_course(spawner):
    """Each learner gets their own copy of the lectures and exercises on first login."""
    home = Path("{root}/home") / spawner.user.name
    for folder in ("notebooks", "exercises"):
        if not (home / folder).exists():
            shutil.copytree(Path({str(REPO)!r}) / folder, home / folder)


c.Spawner.pre_spawn_hook = copy_course

# The benchmark's API token: create users, start their servers, use them.
c.JupyterHub.services = [{{"name": "workshop-benchmark", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "workshop-benchmark",
        "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
        "services": ["workshop-benchmark"],
    }}
]
'''


def marked_processes(marker: str) -> list[psutil.Process]:
    """Every process whose environment carries this run's marker (our hub, proxy, servers, kernels)."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.environ().get(MARKER) == marker:
                found.append(proc)
    return found


def memory_by_owner(marker: str) -> dict[str, dict[str, int]]:
    """RSS, USS and PSS in bytes, summed per learner (JUPYTERHUB_USER) and for the hub + proxy;
    ``kernel_pss``: the part of a learner's PSS in their kernels (the rest is their server);
    ``cpu_s``: CPU seconds (user + system) their processes have used so far."""
    owners: dict[str, dict[str, int]] = {}
    for proc in marked_processes(marker):
        with contextlib.suppress(psutil.Error):
            owner = proc.environ().get("JUPYTERHUB_USER", "(hub + proxy)")
            info, cpu = proc.memory_full_info(), proc.cpu_times()
            kernel = any("ipykernel" in part for part in proc.cmdline())
            total = owners.setdefault(owner, dict.fromkeys(USAGE_KEYS, 0))
            for key in ("rss", "uss", "pss"):
                total[key] += getattr(info, key, 0)
            total["kernel_pss"] += info.pss if kernel else 0
            total["processes"] += 1
            total["cpu_s"] += cpu.user + cpu.system
    return owners


def describe(proc: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return f"{proc.pid} {proc.name()}"
    return f"{proc.pid} (gone)"


GRACE_S = 15  # seconds the Hub's servers and kernels get to exit after the Hub stops


def stop(hub: subprocess.Popen | None, marker: str) -> list[str]:
    """Stop the Hub (it stops the servers and the proxy), then kill by pid whatever is left.

    Returns the processes that were still running GRACE_S after the Hub stopped. A second Ctrl-C or
    SIGTERM while this runs is ignored, so it always finishes.
    """
    ignored = {}
    with contextlib.suppress(ValueError):  # signal handlers can only be set in the main thread
        ignored = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if hub is not None and hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                hub.wait(timeout=30)
        # A server's kernels exit a moment after their server (under load, seconds): give them
        # GRACE_S to go on their own before counting them as left behind by the Hub.
        _, left = psutil.wait_procs(marked_processes(marker), timeout=GRACE_S)
        leftovers = [describe(p) for p in left]
        for proc in left:
            with contextlib.suppress(psutil.Error):
                proc.terminate()
        _, alive = psutil.wait_procs(left, timeout=10)
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(alive, timeout=10)
        if hub is not None and hub.poll() is None:
            hub.kill()
            hub.wait()
        return leftovers
    finally:
        for sig, handler in ignored.items():
            signal.signal(sig, handler)


def mebibytes(usage: dict[str, float]) -> dict[str, float]:
    """Bytes to MiB; the process count unchanged, CPU seconds to 0.1 s."""
    out = {}
    for key, value in usage.items():
        if key in ("rss", "uss", "pss", "kernel_pss"):
            out[key] = round(value / MIB)
        else:
            out[key] = round(value, 1) if key == "cpu_s" else value
    return out
