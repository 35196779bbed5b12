"""Course time: execute every lecture and solution notebook in a fresh kernel; print wall times.

    .venv/bin/python benchmarks/notebook_times.py [--budget-notebook 90] [--budget-total 600]

Goal (2 cores): every notebook under 90 s, the whole course under 10 min. Prints a table and the
ratio of each notebook's time to its budget; exits 1 when a budget is exceeded or a notebook fails.
"""

from __future__ import annotations

import argparse
import os
import sys

from nbclient.exceptions import CellExecutionError

from course_utils.build import REPO, execute_notebook, notebooks_in
from course_utils.threads import THREAD_ENV

for var, value in THREAD_ENV.items():
    os.environ.setdefault(var, value)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget-notebook", type=float, default=90.0)
    parser.add_argument("--budget-total", type=float, default=600.0)
    args = parser.parse_args()

    paths = notebooks_in([REPO / "notebooks", REPO / "solutions"])
    total, over, failed = 0.0, [], []
    print(f"{'notebook':45s} {'seconds':>8s} {'of budget':>10s}")
    for path in paths:
        name = f"{path.parent.name}/{path.name}"
        try:
            _, seconds = execute_notebook(path)
        except CellExecutionError:
            failed.append(name)
            print(f"{name:45s} {'FAILED':>8s}")
            continue
        total += seconds
        if seconds > args.budget_notebook:
            over.append(name)
        print(f"{name:45s} {seconds:8.1f} {seconds / args.budget_notebook:9.0%}")
    print(
        f"{'total':45s} {total:8.1f} {total / args.budget_total:9.0%}  (budget {args.budget_total:.0f} s)"
    )
    if over or failed or total > args.budget_total:
        print(f"over budget: {over}; failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
