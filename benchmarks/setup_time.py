"""Set-up time: what a learner's first `course.py lab` and a contributor's `course.py test` cost.

    python3 benchmarks/setup_time.py [--keep]

Clones this repository (its committed state) into a temporary folder and times, with a fresh
virtual environment each: `python3 course.py setup` (what `lab` does before opening JupyterLab)
and `python3 course.py setup --dev` (what `test` does before linting and testing). pip's own
download cache is used as on any machine that installed the course before; torch comes from the
CPU wheel pip finds. Prints both times, the venv's size and the load average before and after,
since other processes on a 2-core machine inflate the figures. Removes what it made unless --keep.
Needs only Python 3.11+ and git; it runs the same `course.py` a learner runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).lstat().st_size
            except OSError:
                continue
    return total


def timed_setup(clone: Path, venv: Path, dev: bool) -> float:
    """Seconds for `course.py setup [--dev]` into a new venv; raises if the set-up fails."""
    env = {**os.environ, "COURSE_VENV": str(venv)}
    env.pop("COURSE_CONSTRAINTS", None)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "course.py", "setup", *(["--dev"] if dev else [])],
        cwd=clone, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", action="store_true", help="keep the clone and the venvs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="course-setup-"))
    try:
        clone = work / "course"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        load_before = os.getloadavg()[0]
        lab = timed_setup(clone, work / "venv-lab", dev=False)
        test = timed_setup(clone, work / "venv-test", dev=True)
        load_after = os.getloadavg()[0]
        size = folder_size(work / "venv-lab") / 2**30
        print(f"from a clean clone, each into a new virtual environment ({os.cpu_count()} cores):")
        print(f"  course.py setup        (lab)  {lab:6.0f} s   venv {size:.1f} GB")
        print(f"  course.py setup --dev  (test) {test:6.0f} s")
        print(f"  load average {load_before:.1f} before, {load_after:.1f} after")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
