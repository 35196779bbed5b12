"""Caps per submission, across all its processes: memory, process count, files written.

rlimits bind one process at a time (address space, CPU time, file size) and ``RLIMIT_NPROC``
counts per user id. What a submission holds *in total* is watched here: a :class:`Watchdog`
thread samples the sandbox's processes every :data:`PERIOD` seconds and ends the sandbox when

* the memory of all its processes together exceeds ``Limits.total_memory_mb`` (resident
  memory, with pages the processes share counted once: PSS),
* it runs more than ``Limits.processes`` processes, or
* its writable file systems (the in-memory home and ``/tmp``) hold more than ``Limits.files``
  files, or more bytes than their sizes (``Limits.disk_mb`` each; where bubblewrap sizes the
  tmpfs itself, a full one is already ENOSPC for the student).

This is the mechanism on every system, cgroup v2 or not: it needs only ``/proc`` and the sandbox's
own user id (or process tree). A sample can miss a spike shorter than :data:`PERIOD`; the
per-process address-space limit bounds what one process can take in that time.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PERIOD = 0.2
_PAGE = os.sysconf("SC_PAGE_SIZE")


def children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (iterative: a deep chain cannot overflow anything)."""
    children = children_map()
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def resident_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def proportional_bytes(pids: list[int]) -> int:
    """Memory of these processes with pages shared between them counted once (PSS): a fork
    bomb's copy-on-write children do not add up to their parent's size many times over."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            total += (
                next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
                * 1024
            )
        except (OSError, ValueError, IndexError, StopIteration):
            total += resident_bytes([pid])
    return total


def written(pid: int, folders: tuple[str, ...]) -> tuple[int, int]:
    """(bytes, files) in use on the file systems at ``folders`` as process ``pid`` sees them."""
    size = files = 0
    for folder in folders:
        try:
            info = os.statvfs(f"/proc/{pid}/root{folder}")
        except OSError:
            continue
        size += max(0, info.f_blocks - info.f_bfree) * info.f_frsize
        files += max(0, info.f_files - info.f_ffree)
    return size, files


class Watchdog:
    """Watch the sandbox under process ``pid``; call ``kill()`` once when a cap is exceeded.

    ``exceeded`` then says which cap, in words for the student's report."""

    def __init__(self, pid: int, limits, kill, writable: tuple[str, ...] = ()):
        self.pid, self.limits, self._kill, self.writable = pid, limits, kill, writable
        self.exceeded = ""
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(PERIOD):
            why = self.check()
            if why:
                self.exceeded = why
                self._kill()
                return

    def check(self) -> str:
        pids = descendants(self.pid)
        if len(pids) > self.limits.processes:
            return f"it started more than {self.limits.processes} processes"
        cap = self.limits.total_memory_mb * 1024 * 1024
        used = resident_bytes(pids)  # cheap; over the cap, shared pages are counted once
        if used > cap:
            used = proportional_bytes(pids)
        self.peak_bytes = max(self.peak_bytes, used)
        if used > cap:
            return (
                f"its processes together used more than {self.limits.total_memory_mb} MB of memory"
            )
        if self.writable and pids:
            size, files = written(pids[-1], self.writable)
            if files > self.limits.files:
                return f"it created more than {self.limits.files} files"
            if size > len(self.writable) * self.limits.disk_mb * 1024 * 1024:
                return f"it wrote more than {len(self.writable) * self.limits.disk_mb} MB of files"
        return ""
