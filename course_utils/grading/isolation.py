"""Where and how the child runs: scratch folder, environment, command, limits, and the kill.

Two strategies share one ``run``:

* :class:`Bubblewrap` (the default): Debian's ``bwrap``. New PID, network, IPC, UTS and mount
  namespaces; only the Python environment (read-only), a read-only copy of the course library
  without specs or grading internals (``view``) and the submission's own scratch folder
  (writable) are visible; the child runs as an unprivileged user id of its own (one per parallel
  slot and grader process), so ``RLIMIT_NPROC`` binds it and it can signal nothing of ours; rlimits
  on CPU time, address space, file size and processes. Afterwards the sandbox is killed, and every
  process still owned by its user id is killed too.
* :class:`Plain` (only with ``--unsafe-no-sandbox``): the same child, limits, scratch folder and
  environment, as the grader's own user, without namespaces; see ``Plain.UNPROTECTED``.

The child writes its result to a pipe that only it holds (see ``runner``).
"""

from __future__ import annotations

import functools
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
    processes: int = 256  # processes and threads of the sandbox's user id


@dataclass
class Outcome:
    returncode: int | None
    channel: bytes
    log_tail: str
    timed_out: bool
    left_running: int = 0  # processes that had to be killed after the child ended


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

    def prepare(self, scratch: Path, view: Path, slot: int) -> tuple[list[str], dict, int | None]:
        raise NotImplementedError

    def kill(self, proc: subprocess.Popen, uid: int | None) -> int:
        raise NotImplementedError

    def run(self, job: bytes, view: Path, timeout: float, limits: Limits, slot: int) -> Outcome:
        """Run the child on ``job`` (stdin) in a fresh scratch folder; kill everything after."""
        scratch = Path(tempfile.mkdtemp(prefix="course-grade-work-"))
        log = tempfile.TemporaryFile()
        read_end, write_end = os.pipe()
        try:
            argv, env, uid = self.prepare(scratch, view, slot)
            proc = subprocess.Popen(
                [*argv, str(write_end)],
                env=env,
                cwd=scratch,
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
            feeder = threading.Thread(target=_feed, args=(proc, job), daemon=True)
            feeder.start()
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            left = self.kill(proc, uid)
            reader.join(timeout=5)
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 2000))
            tail = log.read().decode("utf-8", "replace")
            return Outcome(proc.returncode, b"".join(chunks), tail, timed_out, left)
        finally:
            for fd in (read_end, write_end):
                if fd >= 0:
                    os.close(fd)
            log.close()
            shutil.rmtree(scratch, ignore_errors=True)


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


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid == uid:
                pids.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return pids


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
    with tempfile.TemporaryDirectory() as tmp:
        argv, env, uid = Bubblewrap().prepare(Path(tmp), Path(tmp), 15, check_only=True)
        if uid is not None:
            os.chown(tmp, uid, uid)
        try:
            proc = subprocess.run(
                [*argv, "-c", "print('ok')"], env=env, capture_output=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not start a sandbox: {exc}."
    if proc.returncode != 0 or proc.stdout.strip() != b"ok":
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"bubblewrap could not start a sandbox: {detail[0]}"
    return None


def _python_dirs() -> list[str]:
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.add(str(Path(os.path.realpath(sys.executable)).parents[1]))
    usr = ("/usr/", "/bin/", "/lib")
    return sorted(d for d in dirs if not (d + "/").startswith(usr) and d not in ("/usr", "/"))


def _dirs_above(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


class Bubblewrap(Strategy):
    name = "bubblewrap"

    def uid_for(self, slot: int) -> int:
        """An unprivileged user id of its own per grader process and parallel slot."""
        return 1_000_000 + (os.getpid() % 100_000) * 16 + slot % 16

    def prepare(self, scratch, view, slot, check_only: bool = False):
        root = os.geteuid() == 0
        uid = self.uid_for(slot) if root else None
        if uid is not None:
            os.chown(scratch, uid, uid)
        os.chmod(scratch, 0o711)  # bwrap (root without capabilities) must be able to chdir
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
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        made: set[str] = set()
        for path in _python_dirs():
            for above in _dirs_above(path):
                if above not in made:
                    args += ["--perms", "0755", "--dir", above]
                    made.add(above)
            args += ["--ro-bind", path, path]
        args += ["--perms", "0755", "--dir", "/opt", "--ro-bind", str(view), _SANDBOX_VIEW]
        args += ["--perms", "0755", "--dir", "/home"]
        args += ["--bind", str(scratch), _SANDBOX_HOME, "--chdir", _SANDBOX_HOME, "--clearenv"]
        env = _child_env(_SANDBOX_HOME, _SANDBOX_VIEW)
        for key, value in env.items():
            args += ["--setenv", key, value]
        if root:
            args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
            args += ["--inh-caps=-all", "--no-new-privs", "--"]
        child = [sys.executable, "-P"] if check_only else _child_argv()
        return args + child, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, uid

    def kill(self, proc, uid) -> int:
        """Kill bwrap (its PID namespace dies with it), then anything left with the sandbox's uid."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        if uid is None:
            return 0
        left = 0
        deadline = time.monotonic() + 10
        while (pids := _processes_of(uid)) and time.monotonic() < deadline:
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

    def prepare(self, scratch, view, slot):
        os.chmod(scratch, 0o700)
        return _child_argv(), _child_env(str(scratch), str(view)), None

    def kill(self, proc, uid) -> int:
        victims = [proc.pid, *_descendants(proc.pid)]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        return len(victims) - 1 if proc.returncode is not None else 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
