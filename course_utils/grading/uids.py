"""User ids for sandboxes: from a range reserved for the grader, checked unused, never shared.

Each parallel slot of a grading run leases one user id from :data:`FIRST` .. ``FIRST + COUNT - 1``
for the whole run. A lease is an exclusive ``flock`` on ``<lock dir>/uid-<n>.lock``, so two
graders on one machine (or two slots of one grader) never hold the same id. An id is leased only
if no account has it (``/etc/passwd``) and no process runs under it at that moment; afterwards
only sandboxes run under it, so killing every process of a leased id after a sandbox ends kills
nothing the grader does not own.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import tempfile
from pathlib import Path

FIRST = 2_100_000_000  # far above login accounts (< 60000) and the usual subuid ranges (100000+)
COUNT = 4096
#: Every id this process has leased: a check for leftover sandbox processes looks at these only
#: (with ``leftover_processes``), so a grader running beside it is not mistaken for a leak.
HISTORY: set[int] = set()


def lock_dir() -> Path:
    for candidate in (Path("/run/course-grade"), Path(tempfile.gettempdir()) / "course-grade"):
        try:
            candidate.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    raise OSError("no writable folder for the grader's user-id locks (/run or the temp folder).")


def processes_of(uid: int) -> list[int]:
    """PIDs of the processes running under ``uid`` now."""
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid == uid:
                pids.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return pids


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


class Lease:
    """User ids held for one grading run: ``lease.uids[slot]``; ``release()`` gives them back."""

    def __init__(self, count: int, first: int = FIRST, span: int = COUNT):
        self.uids: list[int] = []
        self._files: list[int] = []
        folder = lock_dir()
        busy = uids_in_use(first, span)
        try:
            for uid in range(first, first + span):
                if len(self.uids) == count:
                    break
                if uid in busy or _has_account(uid):
                    continue
                fd = os.open(folder / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                if processes_of(uid):  # started under it since the scan: not ours
                    os.close(fd)
                    continue
                self.uids.append(uid)
                self._files.append(fd)
                HISTORY.add(uid)
        except BaseException:
            self.release()
            raise
        if len(self.uids) < count:
            self.release()
            raise OSError(f"fewer than {count} unused user ids left in the grader's range.")

    def release(self) -> None:
        for fd in self._files:
            os.close(fd)  # closing the descriptor drops the lock
        self._files, self.uids = [], []


def leftover_processes(candidates) -> list[int]:
    """PIDs running under one of the ``candidates`` ids while no grader holds its lease: what a
    finished run left behind (an id leased by another grader at this moment is skipped)."""
    folder, left = lock_dir(), []
    for uid in sorted(candidates):
        fd = os.open(folder / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # leased right now by another grader: its processes are its own
            left += processes_of(uid)
        finally:
            os.close(fd)
    return left


def uids_in_use(first: int, span: int) -> set[int]:
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            uid = entry.stat().st_uid
        except OSError:
            continue
        if first <= uid < first + span:
            found.add(uid)
    return found
