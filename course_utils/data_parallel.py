"""Start k worker processes joined by ``torch.distributed`` (gloo, localhost) and collect their results.

``run_workers(task, k, config)`` starts ``k`` processes with ``torch.multiprocessing`` (start
method ``forkserver`` by default, its server preloaded with torch, or ``spawn``; both work from a
Jupyter kernel), joins them into one process group on a free localhost port, calls ``task(rank, k, config)`` in each, and returns the ``k`` results in
rank order. Every worker is stopped before it returns, also when a worker raises (the worker's
exception is raised again here, its message and remote traceback kept) or the run times out.

``task`` must be a function defined in an importable module (a spawned process cannot unpickle a
function defined in a notebook); the notebook passes plain data in ``config``. The tasks the
lecture runs live in :mod:`course_utils.data_parallel_tasks`. This module imports torch, so it is
not one of the numpy-only method modules.
"""

from __future__ import annotations

import os
import pickle
import socket
import time
import traceback
from datetime import timedelta
from multiprocessing.connection import wait

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from .threads import THREAD_ENV
from .validation import integer, real_number

__all__ = [
    "WorkerError",
    "child_processes",
    "free_port",
    "helper_pids",
    "run_workers",
    "stop_helpers",
]

_START_METHODS = ("forkserver", "spawn")
#: Imported once by the fork server, so a forked worker starts without importing torch again
#: (a spawned worker imports torch itself: 1.5 s of CPU, 5-15 s on a loaded 2-core machine).
_PRELOAD = ["course_utils.data_parallel_tasks"]
_JOIN_S = 5.0  # how long a finished worker may take to exit before it is terminated
_GRACE_S = 1.0  # after a failure, how long to wait for the others' reports


class WorkerError(RuntimeError):
    """A worker raised (the original exception is the ``__cause__``) or died without a result."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_processes() -> list[tuple[int, str]]:
    """(pid, state) of every descendant of this process (children, their children, ...; zombies
    included), read from ``/proc`` on Linux; elsewhere the live ``multiprocessing`` children with
    state ``"?"``. Workers started by the fork server are its children, so they are listed too."""
    if not os.path.isdir("/proc/self"):
        return [(p.pid, "?") for p in mp.active_children()]
    parent_of, state_of = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        parent_of[int(entry)], state_of[int(entry)] = int(fields[1]), fields[0]
    found, frontier = [], {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parent_of.items() if parent in frontier}
        found.extend(frontier)
    return sorted((pid, state_of[pid]) for pid in found)


def helper_pids() -> set[int]:
    """Pids of ``multiprocessing``'s fork server and resource tracker, if they run (kept between
    calls of ``run_workers``; they are not workers)."""
    from multiprocessing import forkserver, resource_tracker

    pids = (
        getattr(forkserver._forkserver, "_forkserver_pid", None),
        getattr(resource_tracker._resource_tracker, "_pid", None),
    )
    return {pid for pid in pids if pid is not None}


def stop_helpers() -> None:
    """Stop multiprocessing's fork server and resource tracker, if this process started them.

    Both are helpers that ``run_workers`` (through ``multiprocessing``) leaves running for the next
    call; they would exit with this process anyway. Afterwards ``child_processes()`` lists no
    process of ours. Uses the standard library's ``_stop`` methods (CPython 3.8+).
    """
    from multiprocessing import forkserver, resource_tracker

    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            stop()


def _check_task(task) -> None:
    if not callable(task):
        raise TypeError(f"task must be a function, got {type(task).__name__}.")
    module = getattr(task, "__module__", None)
    qualname = getattr(task, "__qualname__", "")
    if module in (None, "__main__") or "<" in qualname:
        raise TypeError(
            f"task {qualname or task!r} must be a function defined at the top level of an "
            "importable module (a spawned worker cannot load a function defined in a notebook "
            "or a script's __main__); pass data through config instead."
        )


def _worker(task, rank: int, k: int, port: int, config, report_to, timeout: float) -> None:
    """Entry point of one worker: one thread, join the group, run ``task``, report, leave."""
    for var in THREAD_ENV:
        os.environ[var] = "1"
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.set_num_threads(1)
    try:
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://127.0.0.1:{port}",
            rank=rank,
            world_size=k,
            timeout=timedelta(seconds=timeout),
        )
        report = (True, task(rank, k, config))
        dist.barrier()  # nobody leaves while a peer may still be talking to it
    except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent
        raised_at = time.time()  # the parent reports the failure that happened first
        try:
            original = pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled is sent as text
            original = None
        remote = "".join(traceback.format_exception(exc))
        report = (False, (raised_at, type(exc).__name__, str(exc), remote, original))
    report_to.send(report)
    report_to.close()
    if dist.is_initialized():
        dist.destroy_process_group()
    os._exit(0)  # skip torch's teardown (seconds on a loaded machine); the report is sent


def _failure(rank: int, k: int, payload) -> WorkerError:
    _, name, message, remote, original = payload
    error = WorkerError(f"worker {rank} of {k} raised {name}: {message}")
    error.add_note(f"traceback in worker {rank}:\n{remote}")
    if original is not None:
        try:
            error.__cause__ = pickle.loads(original)
        except Exception:  # noqa: BLE001, S110 - the message above already says what happened
            pass
    return error


def _died(rank: int, k: int, process) -> WorkerError:
    process.join(_JOIN_S)
    return WorkerError(
        f"worker {rank} of {k} exited with code {process.exitcode} before reporting a result."
    )


def _root_cause(pending: dict, first, processes, k: int) -> WorkerError:
    """The failure to report. When one worker raises or dies, the others often fail a moment
    later in a collective ("Connection reset by peer"): collect reports for a short while, then
    name a worker that died without a report if any did, else the exception raised first."""
    failures, deaths = [], []
    (failures if first[1] is not None else deaths).append(first)
    deadline = time.monotonic() + _GRACE_S
    while pending and time.monotonic() < deadline:
        for reader in wait(list(pending), timeout=max(deadline - time.monotonic(), 0)):
            rank = pending.pop(reader)
            try:
                ok, payload = reader.recv()
            except EOFError:
                deaths.append((rank, None))
                continue
            if not ok:
                failures.append((rank, payload))
    if deaths:
        rank = min(r for r, _ in deaths)
        return _died(rank, k, processes[rank])
    rank, payload = min(failures, key=lambda failure: failure[1][0])
    return _failure(rank, k, payload)


def _stop(processes) -> None:
    """Terminate (then kill) every worker still alive and reap all of them."""
    started = [p for p in processes if p.pid is not None]
    for p in started:
        if p.is_alive():
            p.terminate()
    for p in started:
        p.join(_JOIN_S)
        if p.is_alive():
            p.kill()
            p.join()


def run_workers(task, k, config=None, *, timeout=60.0, start_method="forkserver") -> list:
    """Run ``task(rank, k, config)`` in ``k`` processes of one gloo group; results in rank order.

    Raises :class:`WorkerError` (from the worker's own exception) when a worker raises or dies,
    and ``TimeoutError`` when the workers have not all reported within ``timeout`` seconds; in
    every case all workers are stopped and reaped before this function returns or raises.
    """
    _check_task(task)
    k = integer(k, "k (the number of workers)", 1, 65)
    timeout = real_number(timeout, "timeout", positive=True)
    if start_method not in _START_METHODS:
        raise ValueError(f"start_method must be one of {_START_METHODS}, got {start_method!r}.")
    if config is not None and not isinstance(config, dict):
        raise TypeError(
            f"config must be a dict of plain data or None, got {type(config).__name__}."
        )
    ctx = mp.get_context(start_method)
    if start_method == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)  # takes effect when the fork server starts
    pipes = [ctx.Pipe(duplex=False) for _ in range(k)]  # one (reader, writer) per worker
    port = free_port()
    processes = [
        ctx.Process(
            target=_worker,
            args=(task, rank, k, port, config, pipes[rank][1], timeout),
            name=f"data-parallel-worker-{rank}",
            daemon=True,
        )
        for rank in range(k)
    ]
    pending = {reader: rank for rank, (reader, _) in enumerate(pipes)}
    done: dict[int, object] = {}
    try:
        for p in processes:
            p.start()
        for _, writer in pipes:
            writer.close()  # a worker that dies now closes the last writer: its reader sees EOF
        deadline = time.monotonic() + timeout
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{len(pending)} of {k} workers did not finish within {timeout:g} s; "
                    "all workers were stopped."
                )
            for reader in wait(list(pending), timeout=left):
                rank = pending.pop(reader)
                try:
                    ok, payload = reader.recv()
                except EOFError:  # died without a report
                    ok, payload = False, None
                if not ok:
                    raise _root_cause(pending, (rank, payload), processes, k)
                done[rank] = payload
        for p in processes:
            p.join(_JOIN_S)
    finally:
        _stop(processes)
        for reader, _ in pipes:
            reader.close()
    return [done[rank] for rank in range(k)]
