"""Workshop capacity: N learners on one JupyterHub, all running lecture 01 and exercise 01 at once.

    .venv/bin/python benchmarks/workshop_capacity.py [-n 1 5 10 20] [--json results.json]

For each N this starts a real JupyterHub in a temporary directory, on 127.0.0.1 only: the
``jupyterhub`` package of the course environment, ``configurable-http-proxy`` from npm (installed
into ``build/npm/`` when it is not on PATH), the dummy authenticator and the simple local process
spawner, with the configuration ``hub_config()`` writes (docs/instructors.md quotes it). It creates
N learners, starts their servers together, then every learner's server executes
``notebooks/01_gradient_descent.ipynb`` and then ``exercises/01_gradient_descent.ipynb`` with the
reference answers typed in (a learner who did the exercise), all learners at the same time, through
the Hub's proxy: the server's sessions API and the kernel websocket, cell by cell.

Reported per N: seconds to start the servers, seconds to finish (per learner and for all), memory
per learner (RSS, USS and PSS of the learner's server and its two kernels, peak while running, and
the kernels' share), CPU seconds per learner, the Hub's and proxy's own memory, failures, and the
load average before and after. Everything it starts is stopped at
the end, also on Ctrl-C or an error: the Hub stops the servers, then any process that still carries
this run's marker variable is killed by its process id.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from workshop_hub import (
    MARKER,
    REPO,
    THREAD_ENV,
    USAGE_KEYS,
    Unavailable,
    describe,
    free_port,
    hub_command,
    hub_config,
    marked_processes,
    mebibytes,
    memory_by_owner,
    proxy_command,
    stop,
)

NOTEBOOKS = ("notebooks/01_gradient_descent.ipynb", "exercises/01_gradient_descent.ipynb")


def notebook_cells(path: str) -> list[str]:
    """Code cells of a notebook; in an exercise, each answer cell gets the solution's answer."""
    nb = json.loads((REPO / path).read_text())
    answers = {}
    if path.startswith("exercises/"):
        solution = json.loads((REPO / "solutions" / Path(path).name).read_text())
        for cell in solution["cells"]:
            grader = cell.get("metadata", {}).get("nbgrader", {})
            if grader.get("solution"):
                lines = "".join(cell["source"]).splitlines()
                answers[grader["grade_id"]] = "\n".join(
                    line
                    for line in lines
                    if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
                )
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            cells.append(answers.get(grade_id, "".join(cell["source"])))
    return cells


@dataclass
class Learner:
    name: str
    spawn_s: float = float("nan")
    run_s: float = float("nan")
    failure: str = ""
    cells_run: int = 0
    notebook_s: dict = field(default_factory=dict)
    peak: dict = field(default_factory=lambda: dict.fromkeys(USAGE_KEYS, 0))


class Hub:
    """Talks to the Hub and to learners' servers through the proxy, with the service token."""

    def __init__(self, port: int, token: str):
        from tornado.httpclient import AsyncHTTPClient

        self.base = f"127.0.0.1:{port}"
        self.headers = {"Authorization": f"token {token}"}
        self.http = AsyncHTTPClient(force_instance=True, max_clients=200)

    async def api(self, method: str, path: str, body=None, ok=(200, 201, 202, 204)):
        from tornado.httpclient import HTTPClientError

        data = None if body is None else json.dumps(body)
        if method == "POST" and data is None:
            data = ""
        try:
            reply = await self.http.fetch(
                f"http://{self.base}{path}",
                method=method,
                body=data,
                headers=self.headers,
                connect_timeout=120,  # tornado's 20 s defaults fail under a loaded machine
                request_timeout=600,
            )
        except HTTPClientError as error:
            text = error.response.body.decode()[:300] if error.response else ""
            raise RuntimeError(f"{method} {path} -> {error.code} {text}") from error
        if reply.code not in ok:
            raise RuntimeError(f"{method} {path} -> {reply.code}")
        return json.loads(reply.body) if reply.body else None

    async def start_server(self, user: str, timeout: float = 600) -> None:
        await self.api("POST", f"/hub/api/users/{user}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = await self.api("GET", f"/hub/api/users/{user}")
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{user}'s server was not ready after {timeout:.0f} s")

    async def run_notebook(self, user: str, path: str, cells: list[str], learner: Learner):
        """Open ``path`` in a new kernel of ``user``'s server and run ``cells`` in it, in order."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        session = await self.api(
            "POST",
            f"/user/{user}/api/sessions",
            {
                "path": path,
                "name": Path(path).name,
                "type": "notebook",
                "kernel": {"name": "python3"},
            },
        )
        kernel, session_id = session["kernel"]["id"], uuid.uuid4().hex
        url = f"ws://{self.base}/user/{user}/api/kernels/{kernel}/channels?session_id={session_id}"
        ws = await websocket_connect(
            # the handshake waits until the new kernel answers: tens of seconds under load
            HTTPRequest(url, headers=self.headers, connect_timeout=120, request_timeout=600)
        )
        start = time.monotonic()
        try:
            for index, code in enumerate(cells):
                error = await execute(ws, code, session_id)
                if error:
                    raise RuntimeError(f"{path} cell {index}: {error}")
                learner.cells_run += 1
            learner.notebook_s[path] = round(time.monotonic() - start, 1)
        finally:
            ws.close()


async def execute(ws, code: str, session_id: str, timeout: float = 600) -> str:
    """Run one cell over the kernel websocket; return '' or the error's name and message."""
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": "workshop"}
    header |= {"session": session_id, "date": "", "version": "5.3"}
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}}
    content |= {"allow_stdin": False, "stop_on_error": True}
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    await ws.write_message(json.dumps(message | {"channel": "shell", "buffers": []}))
    error, replied, idle = "", False, False
    deadline = time.monotonic() + timeout
    while not (replied and idle):
        raw = await asyncio.wait_for(ws.read_message(), max(1.0, deadline - time.monotonic()))
        if raw is None:
            return "the kernel's websocket closed (kernel died?)"
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "error":
            error = f"{msg['content']['ename']}: {msg['content']['evalue']}"[:300]
        elif kind == "execute_reply":
            replied = True
            if msg["content"]["status"] != "ok" and not error:
                error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"[:300]
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
    return error


async def wait_for_hub(hub: Hub, process: subprocess.Popen, log: Path, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"jupyterhub exited ({process.returncode}): {log.read_text()[-2000:]}"
            )
        with contextlib.suppress(Exception):
            await hub.api("GET", "/hub/api/")
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"JupyterHub did not answer in {timeout:.0f} s: {log.read_text()[-2000:]}")


async def workshop(
    n: int, cells: dict, root: Path, process: subprocess.Popen, hub: Hub, marker: str
):
    """Create N learners, start their servers together, then run ``cells`` in all of them at once."""
    await wait_for_hub(hub, process, root / "jupyterhub.log")
    learners = [Learner(f"learner{i + 1:02d}") for i in range(n)]
    await hub.api("POST", "/hub/api/users", {"usernames": [x.name for x in learners]})
    load_before = os.getloadavg()

    async def spawn(learner: Learner) -> None:
        start = time.monotonic()
        try:
            await hub.start_server(learner.name)
            learner.spawn_s = round(time.monotonic() - start, 1)
        except Exception as error:  # one learner's failure is a row, not the end of the run
            learner.failure = f"spawn: {error}"[:300]

    async def work(learner: Learner) -> None:
        if learner.failure:
            return
        start = time.monotonic()
        try:
            for path in cells:
                await hub.run_notebook(learner.name, path, cells[path], learner)
            learner.run_s = round(time.monotonic() - start, 1)
        except Exception as error:
            learner.failure = f"run: {error}"[:300]

    async def sample(stop_event: asyncio.Event, fixed: dict) -> None:
        while not stop_event.is_set():
            usage = await asyncio.to_thread(memory_by_owner, marker)
            for learner in learners:
                for key, value in usage.get(learner.name, {}).items():
                    learner.peak[key] = max(learner.peak[key], value)
            for key, value in usage.get("(hub + proxy)", {}).items():
                fixed[key] = max(fixed.get(key, 0), value)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop_event.wait(), 2.0)

    start = time.monotonic()
    await asyncio.gather(*(spawn(x) for x in learners))
    spawned = time.monotonic() - start
    done, fixed = asyncio.Event(), {}
    sampler = asyncio.create_task(sample(done, fixed))
    start = time.monotonic()
    await asyncio.gather(*(work(x) for x in learners))
    finished = time.monotonic() - start
    await asyncio.sleep(2.5)  # one more sample with every kernel still alive
    done.set()
    await sampler
    return {
        "n": n,
        "spawn_all_s": round(spawned, 1),
        "finish_all_s": round(finished, 1),
        "fixed_mib": mebibytes(fixed),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "learners": [asdict(x) | {"peak": mebibytes(x.peak)} for x in learners],
    }


def run_workshop(n: int, cells: dict[str, list[str]] | None = None, keep_log: Path | None = None):
    """Start a Hub, run N learners, stop everything; return the measurements and what was killed.

    ``cells``: notebook path (in a learner's home) -> the code cells to run there, in order;
    default: lecture 01 and exercise 01 with the reference answers (``notebook_cells``).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of learners must be an integer, got {n!r}")
    if n < 1:
        raise ValueError(f"the number of learners must be at least 1, got {n}")
    cells = cells if cells is not None else {path: notebook_cells(path) for path in NOTEBOOKS}
    proxy, command = proxy_command(), hub_command()
    marker, token, port = uuid.uuid4().hex, secrets.token_hex(32), free_port()
    with tempfile.TemporaryDirectory(prefix="workshop-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        config = root / "jupyterhub_config.py"
        config.write_text(hub_config(root, port, proxy, token, marker))
        env = os.environ | THREAD_ENV | {MARKER: marker}
        process, log = None, root / "jupyterhub.log"
        try:
            with log.open("w") as out:
                process = subprocess.Popen(
                    [*command, "-f", str(config)],
                    cwd=root,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            result = asyncio.run(workshop(n, cells, root, process, Hub(port, token), marker))
        finally:
            leftovers = stop(process, marker)
            if keep_log is not None and log.exists():
                shutil.copy(log, keep_log)
    result |= {"hub_port": port, "root": str(root), "killed_after_hub_stop": leftovers}
    result["left_running"] = [describe(p) for p in marked_processes(marker)]
    return result


def summary_row(result: dict) -> str:
    learners = result["learners"]
    ok = [x for x in learners if not x["failure"]]
    times = [x["run_s"] for x in ok] or [float("nan")]

    def mean(key: str) -> float:
        return statistics.fmean(x["peak"][key] for x in learners) if learners else float("nan")

    fixed = result["fixed_mib"].get("rss", 0)
    return (
        f"{result['n']:>3d} {result['spawn_all_s']:>8.1f} {statistics.median(times):>8.1f} "
        f"{max(times):>8.1f} {result['finish_all_s']:>8.1f} {mean('rss'):>8.0f} {mean('uss'):>8.0f} "
        f"{mean('pss'):>8.0f} {mean('kernel_pss'):>8.0f} {fixed:>8d} {mean('cpu_s'):>8.1f} "
        f"{len(learners) - len(ok):>5d} "
        f"{result['load_average_before'][0]:>6.2f} {result['load_average'][0]:>6.2f}"
    )


HEADER = (
    "  N  spawn s median s    max s    all s      RSS      USS      PSS  kernels   hub+px    CPU s  fail  load1  load1\n"
    "         all  learner  learner      all  MiB per learner,     peak  PSS MiB  RSS MiB  learner        before  after"
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, nargs="+", default=[1, 5, 10, 20], help="learner counts")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--logs", type=Path, help="copy each run's JupyterHub log into this folder")
    args = parser.parse_args()
    if any(n < 1 for n in args.n):
        parser.error("every learner count must be a positive integer")
    # Ctrl-C (also when started in the background, where SIGINT is inherited as ignored) and
    # SIGTERM raise here, so the finally blocks stop everything the run started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        proxy_command(), hub_command()
    except Unavailable as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 2
    print(f"{os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB memory")
    print(HEADER)
    results = []
    for n in args.n:
        try:
            log = None if args.logs is None else args.logs / f"jupyterhub-n{n}.log"
            if log is not None:
                args.logs.mkdir(parents=True, exist_ok=True)
            result = run_workshop(n, keep_log=log)
        except KeyboardInterrupt:
            print("interrupted: everything this run started was stopped", file=sys.stderr)
            return 130
        results.append(result)
        print(summary_row(result), flush=True)
        for learner in result["learners"]:
            if learner["failure"]:
                print(f"     {learner['name']}: {learner['failure']}")
        if result["left_running"]:
            print(f"     left running: {result['left_running']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    failed = any(x["failure"] for r in results for x in r["learners"])
    return 1 if failed or any(r["left_running"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
