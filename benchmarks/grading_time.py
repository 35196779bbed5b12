"""Grading time: grade N copies of one notebook with ``course-grade``; print seconds per submission.

    .venv/bin/python benchmarks/grading_time.py [NOTEBOOK] [-n 4] [--jobs 1]

NOTEBOOK defaults to solutions/01_gradient_descent.ipynb. The copies are laid out like nbgrader's
``submitted/<student>/<assignment>.ipynb`` in a temp folder and graded in one run of the real
console script (kernel start-up and the sandbox child included). Exits 1 if grading failed.
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

from course_utils.threads import THREAD_ENV

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "notebook", type=Path, nargs="?", default=REPO / "solutions" / "01_gradient_descent.ipynb"
    )
    parser.add_argument("-n", type=int, default=4, help="number of copies (4)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel submissions (1)")
    args = parser.parse_args()
    env = {**os.environ, **THREAD_ENV, "MPLBACKEND": "Agg"}
    script = Path(sys.executable).parent / "course-grade"
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        root = Path(tmp) / "submitted"
        for i in range(args.n):
            (root / f"student{i:03d}").mkdir(parents=True)
            shutil.copy(args.notebook, root / f"student{i:03d}" / args.notebook.name)
        command = [str(script), str(root), "--out", str(Path(tmp) / "out"), "--quiet"]
        start = time.perf_counter()
        proc = subprocess.run(command + ["--jobs", str(args.jobs)], env=env, text=True)
        seconds = time.perf_counter() - start
        grades = (Path(tmp) / "out" / "grades.csv").read_text() if proc.returncode == 0 else ""
    print(
        f"{args.n} submissions of {args.notebook.name}, --jobs {args.jobs}: {seconds:.1f} s total"
    )
    print(f"{seconds / args.n:.2f} s per submission (wall clock, {os.cpu_count()} CPUs)")
    if proc.returncode != 0:
        print(f"course-grade exited with {proc.returncode}", file=sys.stderr)
        return 1
    print(grades.splitlines()[1] if len(grades.splitlines()) > 1 else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
