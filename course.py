#!/usr/bin/env python3
"""One entry point for the course: set up the environment, open it, or test it.

    python3 course.py lab              # set up .venv, then open your copy of the course (my-course/)
    python3 course.py lab --headless   # set up, execute every lecture, write HTML to build/
    python3 course.py update           # after `git pull`: bring new versions into my-course/,
                                       #   keeping every answer you wrote
    python3 course.py reset 05 [NAME]  # a fresh copy of exercise 05 (or of one answer), with backup
    python3 course.py progress [--html] # run your exercises' checks: what passes, what is next
    python3 course.py test [ARGS...]   # set up (with dev tools), then lint + the whole test suite
                                       #   (extra ARGS go to pytest, e.g. -k grading)
    python3 course.py site [OPTIONS]   # execute the course, write the offline site to build/site/
    python3 course.py setup [--dev]    # only create/refresh the environment

You take the course in my-course/, a git-ignored copy made on the first `lab`: the tracked
notebooks never change under you, and no command of the course loses a file of yours
(anything it replaces is first copied to my-course/backups/).

Needs only Python 3.11+ with pip and venv. The environment lives in ./.venv (override with
COURSE_VENV=/path). It is reinstalled when pyproject.toml changes or an installed package no
longer satisfies it (a hand-run `pip install -U torch`, say). COURSE_CONSTRAINTS=FILE adds pip
constraints (CI uses .ci/oldest.txt to test the lower end of every version range).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# numpy's OpenBLAS and torch's thread pool fight over the cores when both run in one process
# (10x slower on 2 cores); one thread each is fast and makes results bit-for-bit repeatable.
# The variables live in course_utils/threads.py (no imports), loaded by path: the venv may not exist.
_spec = importlib.util.spec_from_file_location(
    "_course_threads", ROOT / "course_utils" / "threads.py"
)
_threads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_threads)
THREAD_ENV = {**_threads.THREAD_ENV, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def log(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(cmd: list, **kwargs) -> int:
    log(" ".join(str(c) for c in cmd))
    env = {**os.environ, **THREAD_ENV, **kwargs.pop("env", {})}
    return subprocess.call([str(c) for c in cmd], cwd=kwargs.pop("cwd", ROOT), env=env, **kwargs)


def setup(dev: bool) -> None:
    """Create the venv if needed and install the course (and dev tools) when pyproject changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - course.py runs under any system python3
        sys.exit(f"[course] Python 3.11+ is needed, this is {sys.version.split()[0]}.")
    start = time.perf_counter()
    if not PYTHON.exists():
        log(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    extras = "[dev]" if dev else ""
    # COURSE_CONSTRAINTS=file: install within extra constraints (CI tests the oldest versions).
    constraints = os.environ.get("COURSE_CONSTRAINTS")
    inputs = (ROOT / "pyproject.toml").read_bytes()
    if constraints:
        inputs += Path(constraints).read_bytes()
    digest = hashlib.sha256(inputs + extras.encode()).hexdigest()
    stamp = VENV / f".course-installed{'-dev' if dev else ''}"
    dev_digest = hashlib.sha256(inputs + b"[dev]").hexdigest()
    dev_stamp = VENV / ".course-installed-dev"
    if (stamp.exists() and stamp.read_text() == digest) or (
        dev_stamp.exists() and dev_stamp.read_text() == dev_digest
    ):
        # pyproject.toml is unchanged, but a package may have been changed by hand since
        # (`pip install -U torch`): that is what check_environment's ✗ sends the learner here for.
        unmet = unmet_requirements(dev)
        if not unmet:
            log(f"environment up to date ({VENV})")
            return
        log(f"installed packages do not satisfy pyproject.toml ({'; '.join(unmet)}): reinstalling")
    # torch is pinned to 2.13.0 in pyproject.toml; never an unpinned torch. From PyPI on Linux x86_64
    # that is the CUDA build; a CPU build installed beforehand (README) satisfies the pin and stays.
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f".{extras}"]
    code = run(pip + (["-c", constraints] if constraints else []))
    if code != 0:
        sys.exit(f"[course] pip install failed (exit {code}); see the messages above.")
    code = run(
        [
            PYTHON,
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            "python3",
            "--display-name",
            "Python 3 (course)",
        ]
        + sum((["--env", k, v] for k, v in THREAD_ENV.items()), [])
    )
    if code != 0:
        sys.exit("[course] could not register the Jupyter kernel.")
    stamp.write_text(digest)
    log(f"environment ready in {time.perf_counter() - start:.0f} s")


def unmet_requirements(dev: bool) -> list[str]:
    """The course's requirements the venv's installed packages do not meet, one line each (asked
    of ``course_utils.environment`` in the venv; importing none of them); [] when all are met.
    A venv whose Python cannot even answer is reported as one unmet line, so setup reinstalls."""
    cmd = [
        PYTHON,
        "-m",
        "course_utils.environment",
        "--unmet",
        *(["--extra", "dev"] if dev else []),
    ]
    try:
        done = subprocess.run(
            [str(c) for c in cmd], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"the environment's Python does not answer ({exc})"]
    if done.returncode == 0:
        return []
    lines = done.stdout.strip().splitlines()
    return lines or [f"the requirement check failed (exit {done.returncode})"]


def lab(headless: bool) -> int:
    setup(dev=False)
    if headless:
        return run([PYTHON, "-m", "course_utils.build", "--out", ROOT / "build"])
    # Serve the learner's own copy of the course (made on first run) and open notebook 00 first.
    code = workspace_command(["create"], set_up=False)
    if code != 0:
        return code
    cmd = [
        BIN / "jupyter", "lab", f"--ServerApp.root_dir={ROOT / 'my-course'}",
        "--ServerApp.default_url=/lab/tree/notebooks/00_start_here.ipynb",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root; JupyterLab refuses otherwise
    return run(cmd)


def _pytest_targets(extra: list[str]) -> list[str]:
    """The tracked tests, notebooks and solutions, or the paths given among ``extra`` (never
    my-course/: the suite tests the course, not the learner's copy)."""
    named = [a for a in extra if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    return extra if named else ["tests", "notebooks", "solutions", *extra]


def test(extra: list[str]) -> int:
    setup(dev=True)
    steps = [
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [
            PYTHON,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadfile",
            "--nbval-lax",
            "--nbval-current-env",
            "--nbval-cell-timeout=300",
            *_pytest_targets(extra),
        ],
    ]
    for cmd in steps:
        code = run(cmd, env={"MPLBACKEND": "Agg"})
        if code != 0:
            log(f"failed: {' '.join(str(c) for c in cmd)} (exit {code})")
            return code
    return 0


def workspace_command(argv: list[str], set_up: bool = True) -> int:
    """create / update / reset / progress on the learner's workspace (course_utils.workspace_cli)."""
    if set_up:
        setup(dev=False)
    return run([PYTHON, "-m", "course_utils.workspace_cli", *argv])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_lab = sub.add_parser("lab", help="open the course in JupyterLab")
    p_lab.add_argument(
        "--headless",
        action="store_true",
        help="no browser: execute every lecture notebook, write HTML to build/",
    )
    p_test = sub.add_parser("test", help="lint and run the whole test suite")
    p_test.add_argument(
        "pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest, e.g. -k grading"
    )
    sub.add_parser("update", help="after `git pull`: new versions into my-course/, answers kept")
    p_reset = sub.add_parser(
        "reset", help="a fresh copy of one exercise (or one answer), backed up"
    )
    p_reset.add_argument("which", help="the exercise: its number (05) or name")
    p_reset.add_argument("question", nargs="?", help="only this question's answer cell")
    p_reset.add_argument(
        "--lecture", action="store_true", help="reset the lecture, not the exercise"
    )
    p_progress = sub.add_parser(
        "progress", help="run your exercises' checks; what passes, what next"
    )
    p_progress.add_argument("which", nargs="*", help="exercise numbers or names (default: all)")
    p_progress.add_argument(
        "--html", action="store_true", help="also write my-course/progress.html"
    )
    sub.add_parser(
        "site",
        help="build the offline static site in build/site/ (options: --only STEM..., --jobs N, "
        "--out DIR, --check; see python -m course_utils.website --help)",
    )
    p_setup = sub.add_parser("setup", help="only create or refresh the environment")
    p_setup.add_argument("--dev", action="store_true", help="also install the authoring/test tools")
    argv = sys.argv[1:]
    if argv[:1] == ["test"]:  # everything after `test` goes to pytest, options included
        return test(argv[1:])
    if argv[:1] == ["site"]:  # its options go to python -m course_utils.website
        setup(dev=False)
        return run([PYTHON, "-m", "course_utils.website", *argv[1:]])
    args = parser.parse_args(argv)
    if args.command in ("update", "reset", "progress"):
        return workspace_command(argv)
    if args.command == "lab":
        return lab(args.headless)
    setup(args.dev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
