"""Grading time: grade N copies of one notebook with ``course-grade``; print seconds per submission.

    .venv/bin/python benchmarks/grading_time.py [NOTEBOOK] [-n 100] [--jobs 2] [--unsafe-no-sandbox]

NOTEBOOK defaults to solutions/01_gradient_descent.ipynb. The copies are laid out flat
(``submitted/<student>.ipynb``) in a temp folder and graded in one run of the real console script
with the bubblewrap sandbox on (unless ``--unsafe-no-sandbox``), kernel start-up, sandbox set-up
and tear-down included. Exits 1 if grading failed or any copy did not get full marks.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course_utils.threads import THREAD_ENV  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "notebook", type=Path, nargs="?", default=REPO / "solutions" / "01_gradient_descent.ipynb"
    )
    parser.add_argument("-n", type=int, default=100, help="number of copies (100)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel submissions (2)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, **THREAD_ENV, "MPLBACKEND": "Agg"}
    script = Path(sys.executable).parent / "course-grade"
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        root = Path(tmp) / "submitted"
        root.mkdir()
        for i in range(args.n):
            shutil.copy(args.notebook, root / f"student{i:03d}.ipynb")
        command = [str(script), str(root), "--out", str(Path(tmp) / "out"), "--quiet"]
        command += ["--assignment", args.notebook.stem, "--jobs", str(args.jobs)]
        if args.unsafe_no_sandbox:
            command.append("--unsafe-no-sandbox")
        start = time.perf_counter()
        proc = subprocess.run(command, env=env, text=True)
        seconds = time.perf_counter() - start
        rows = []
        if proc.returncode == 0:
            grades = Path(tmp) / "out" / args.notebook.stem / "grades.csv"
            with open(grades, newline="") as fh:
                rows = list(csv.DictReader(fh))
    mode = "no sandbox" if args.unsafe_no_sandbox else "bubblewrap sandbox"
    print(f"{args.n} submissions of {args.notebook.name}, --jobs {args.jobs}, {mode}:")
    print(f"{seconds:.1f} s total, {seconds / args.n:.2f} s per submission (wall clock, "
          f"{os.cpu_count()} CPUs)")  # fmt: skip
    full = sum(r["total"] == r["max"] for r in rows)
    print(f"{full} of {args.n} got full marks")
    return 0 if proc.returncode == 0 and full == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
