"""Where and how the child runs: scratch folder, environment, command, limits, and the kill.

Two strategies share one ``run``:

* :class:`Bubblewrap` (the default): Debian's ``bwrap``. New PID, network, IPC, UTS and mount
  namespaces; only the Python environment (read-only, with every installed copy of
  ``course_utils`` hidden under an empty folder), a read-only copy of the course library without
  specs or grading internals (``view``) and two sized in-memory folders, the home and ``/tmp``
  (the only writable places; nothing the student writes reaches the host's disk), are visible.
  As root the child runs as a user id leased for the run (``uids``: reserved range, checked
  unused, one per slot, never shared by two graders), so ``RLIMIT_NPROC`` binds it and it can
  signal nothing of ours. rlimits on CPU time, address space, file size and processes; the
  ``caps`` watchdog on memory, processes and files across the whole sandbox. Afterwards the
  sandbox is killed, and every process still owned by its leased user id is killed too.
* :class:`Plain` (only with ``--unsafe-no-sandbox``): the same child, limits and environment, as
  the grader's own user, without namespaces, in a scratch folder on the host's disk; see
  ``Plain.UNPROTECTED``.

The child writes its result to a pipe that only it holds (see ``runner``).
"""

from __future__ import annotations

import functools
import glob
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..threads import THREAD_ENV
from . import caps, uids

MAX_CHANNEL_BYTES = 50_000_000
_SANDBOX_HOME = "/home/student"
_SANDBOX_VIEW = "/opt/course-view"


def thread_env() -> dict[str, str]:
    """One thread per numeric library in the child (the course's one home of these variables)."""
    return dict(THREAD_ENV)


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 900  # per process
    memory_mb: int = 4096  # address space per process
    file_mb: int = 64  # largest file a process may write
    processes: int = 256  # processes (and, per user id, threads) of the sandbox
    total_memory_mb: int = 3072  # resident memory of all the sandbox's processes together
    disk_mb: int = 256  # size of each writable in-memory folder (home, /tmp)
    files: int = 20_000  # files in the writable folders together


@dataclass
class Outcome:
    returncode: int | None
    channel: bytes
    log_tail: str
    timed_out: bool
    left_running: int = 0  # processes that had to be killed after the child ended
    exceeded: str = ""  # a cap of ``caps`` the sandbox went over, in words


def _child_env(home: str, view: str) -> dict[str, str]:
    python_bin = str(Path(sys.executable).parent)
    return {
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "PYTHONPATH": view,
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter-runtime",
        **thread_env(),
    }


def _child_argv() -> list[str]:
    return [sys.executable, "-P", "-m", "course_utils.grading.sandbox.runner"]


class Strategy:
    name = ""
    UNPROTECTED = ""
    WRITABLE: tuple[str, ...] = ()  # folders whose files the watchdog counts (inside the sandbox)

    def prepare(self, scratch: Path, view: Path, uid: int | None, limits: Limits):
        """The argv and environment of the child, and the folder it starts in."""
        raise NotImplementedError

    def kill(self, proc: subprocess.Popen, uid: int | None) -> int:
        raise NotImplementedError

    def run(
        self, job: bytes, view: Path, timeout: float, limits: Limits, uid: int | None = None
    ) -> Outcome:
        """Run the child on ``job`` (stdin) under the caps; kill everything after; leave nothing."""
        scratch = Path(tempfile.mkdtemp(prefix="course-grade-work-"))
        log = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        try:
            argv, env, cwd = self.prepare(scratch, view, uid, limits)
            proc = subprocess.Popen(
                [*argv, str(write_end)],
                env=env,
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_end,),
                start_new_session=True,
                preexec_fn=functools.partial(_set_limits, limits, uid),
            )
            os.close(write_end)
            write_end = -1
            chunks: list[bytes] = []
            reader = threading.Thread(target=_read_capped, args=(read_end, chunks), daemon=True)
            reader.start()
            threading.Thread(target=_feed, args=(proc, job), daemon=True).start()
            timed_out = False
            watchdog = caps.Watchdog(proc.pid, limits, lambda: _kill_group(proc), self.WRITABLE)
            with watchdog:
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    timed_out = True
            left = self.kill(proc, uid)
            reader.join(timeout=5)
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 2000))
            tail = log.read().decode("utf-8", "replace")
            channel = b"".join(chunks)
            return Outcome(proc.returncode, channel, tail, timed_out, left, watchdog.exceeded)
        finally:
            for fd in (read_end, write_end):
                if fd >= 0:
                    os.close(fd)
            log.close()
            remove_tree(scratch)


def remove_tree(path: Path) -> bool:
    """Remove a folder whatever a student made in it (deep chains, odd names, no permissions);
    never raises. True when it is gone."""
    try:
        subprocess.run(
            ["rm", "-rf", "--one-file-system", "--", str(path)],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        pass
    if os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)
    return not os.path.lexists(path)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass


def _feed(proc: subprocess.Popen, job: bytes) -> None:
    try:
        proc.stdin.write(job)
        proc.stdin.close()
    except OSError:  # the child died before reading its job
        pass


def _read_capped(fd: int, chunks: list[bytes]) -> None:
    total = 0
    while True:
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            return
        if not data:
            return
        total += len(data)
        if total > MAX_CHANNEL_BYTES:
            chunks.clear()
            chunks.append(b"")  # too large: treated as no result
            return
        chunks.append(data)


def _set_limits(limits: Limits, uid: int | None) -> None:  # runs between fork and exec
    mb = 1024 * 1024
    for which, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_mb * mb),
        (resource.RLIMIT_FSIZE, limits.file_mb * mb),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))
    if uid is not None:  # counted per user id: only meaningful for a user id of its own
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


# ------------------------------------------------------------------ bubblewrap


def bubblewrap_problem() -> str | None:
    """None when bubblewrap works here, else one sentence why not."""
    return _bubblewrap_problem()


@functools.cache
def _bubblewrap_problem() -> str | None:
    if sys.platform != "linux":
        return "bubblewrap needs Linux."
    if shutil.which("bwrap") is None:
        return "`bwrap` is not installed (Debian/Ubuntu: apt-get install bubblewrap)."
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "`setpriv` (util-linux) is needed to drop to an unprivileged user id."
    try:
        lease = uids.Lease(1) if os.geteuid() == 0 else None
    except OSError as exc:
        return f"no user id for a sandbox: {exc}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            uid = lease.uids[0] if lease else None
            argv, env, cwd = Bubblewrap().prepare(Path(tmp), Path(tmp), uid, Limits(), True)
            proc = subprocess.run(
                [*argv, "-c", "print('ok')"], env=env, cwd=cwd, capture_output=True, timeout=60
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start a sandbox: {exc}."
    finally:
        if lease:
            lease.release()
    if proc.returncode != 0 or proc.stdout.strip() != b"ok":
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"bubblewrap could not start a sandbox: {detail[0]}"
    return None


@functools.cache
def _bwrap_sizes_tmpfs() -> bool:
    """bubblewrap 0.6+ sizes a tmpfs (``--size``); older ones get the watchdog's byte cap only."""
    try:
        text = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--size" in text.stdout + text.stderr


def _python_dirs() -> list[str]:
    """The interpreter's prefixes, and every site-packages folder on ``sys.path`` outside them."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.add(str(Path(os.path.realpath(sys.executable)).parents[1]))
    dirs |= {p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")}
    usr = ("/usr/", "/bin/", "/lib")
    dirs = {d for d in dirs if os.path.isdir(d)}
    chosen = sorted(d for d in dirs if not (d + "/").startswith(usr) and d not in ("/usr", "/"))
    return [d for d in chosen if not any(d.startswith(o + "/") for o in chosen)]


def installed_copies() -> list[str]:
    """Every installed ``course_utils`` the sandbox could otherwise read (wheel, site-packages,
    system-wide): each is hidden under an empty folder, so only the view can be imported."""
    import course_utils

    found = {os.path.realpath(p) for p in course_utils.__path__}
    system = ("/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages")
    entries = [*sys.path, *(d for pattern in system for d in glob.glob(pattern))]
    for entry in entries:
        candidate = Path(entry or ".") / "course_utils"
        if candidate.is_dir() and Path(entry).name in ("site-packages", "dist-packages"):
            found.add(os.path.realpath(candidate))
    visible = ["/usr", "/etc", *_python_dirs()]
    return sorted(p for p in found if any(p == v or p.startswith(v + "/") for v in visible))


def _dirs_above(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


class Bubblewrap(Strategy):
    name = "bubblewrap"
    WRITABLE = (_SANDBOX_HOME, "/tmp")

    def prepare(self, scratch, view, uid, limits, check_only: bool = False):
        root = os.geteuid() == 0
        if root and uid is None:
            raise ValueError("as root, a sandbox needs a leased user id (see uids.Lease).")
        args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net"]
        args += ["--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--unshare-user"] if not root else ["--cap-drop", "ALL"]
        if root:
            args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        args += ["--proc", "/proc", "--dev", "/dev"]
        size = ["--size", str(limits.disk_mb * 1024 * 1024)] if _bwrap_sizes_tmpfs() else []
        args += ["--perms", "1777", *size, "--tmpfs", "/tmp"]
        made: set[str] = set()
        for path in _python_dirs():
            for above in _dirs_above(path):
                if above not in made:
                    args += ["--perms", "0755", "--dir", above]
                    made.add(above)
            args += ["--ro-bind", path, path]
        for copy in installed_copies():
            args += ["--perms", "0555", "--tmpfs", copy, "--remount-ro", copy]
        args += ["--perms", "0755", "--dir", "/opt", "--ro-bind", str(view), _SANDBOX_VIEW]
        args += ["--perms", "0755", "--dir", "/home"]
        args += ["--perms", "0777", *size, "--tmpfs", _SANDBOX_HOME]
        args += ["--chdir", _SANDBOX_HOME, "--clearenv"]
        env = _child_env(_SANDBOX_HOME, _SANDBOX_VIEW)
        for key, value in env.items():
            args += ["--setenv", key, value]
        if root:
            args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
            args += ["--inh-caps=-all", "--no-new-privs", "--"]
        child = [sys.executable, "-P"] if check_only else _child_argv()
        return args + child, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, "/"

    def kill(self, proc, uid) -> int:
        """Kill bwrap (its PID namespace dies with it), then anything left with the leased uid."""
        _kill_group(proc)
        proc.wait()
        if uid is None:
            return 0
        left = 0
        deadline = time.monotonic() + 10
        while (pids := uids.processes_of(uid)) and time.monotonic() < deadline:
            left = max(left, len(pids))
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        return left


# ------------------------------------------------------------------ plain (unsafe)


class Plain(Strategy):
    name = "unsafe-no-sandbox"
    UNPROTECTED = (
        "graded WITHOUT a sandbox (--unsafe-no-sandbox): the submission ran as the grader's own "
        "user, with the network, the whole file system (other submissions, solutions, the output "
        "folder) and the grader's processes within its reach; a process it detached may have "
        "outlived the run; only the time, memory and file-size limits applied."
    )

    def prepare(self, scratch, view, uid, limits):
        os.chmod(scratch, 0o700)
        return _child_argv(), _child_env(str(scratch), str(view)), str(scratch)

    def kill(self, proc, uid) -> int:
        victims = [proc.pid, *caps.descendants(proc.pid)]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _kill_group(proc)
        proc.wait()
        return len(victims) - 1 if proc.returncode is not None else 0
