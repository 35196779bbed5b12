"""Course time: execute every lecture and solution notebook in a fresh kernel; print wall times.

    .venv/bin/python benchmarks/notebook_times.py [--budget-total 900] [NOTEBOOK ...]

Each notebook has the budget its issue set (2 cores, idle machine): lectures 45 s, except 01
(90 s), 08 (120 s), 09 and 10 (60 s); solutions 20 s, except 08 and 09 (30 s). Prints a table and the
ratio of each notebook's time to its budget; exits 1 when a budget is exceeded or a notebook fails.
Measure on an idle machine: other processes on 2 cores inflate every figure.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from nbclient.exceptions import CellExecutionError

from course_utils.build import REPO, execute_notebook, notebooks_in
from course_utils.threads import THREAD_ENV

for var, value in THREAD_ENV.items():
    os.environ.setdefault(var, value)


BUDGETS = {  # seconds; "folder/NN" prefix -> budget (the issues' figures)
    "notebooks/01": 90.0,
    "notebooks/08": 120.0,
    "notebooks/09": 60.0,
    "notebooks/10": 60.0,
    "solutions/08": 30.0,
    "solutions/09": 30.0,
}
DEFAULT_BUDGET = {"notebooks": 45.0, "solutions": 20.0}


def budget_of(name: str) -> float:
    """The budget of ``folder/NN_topic.ipynb``."""
    return BUDGETS.get(name[: name.index("/") + 3], DEFAULT_BUDGET.get(name.split("/")[0], 90.0))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--budget-total", type=float, default=900.0)
    parser.add_argument(
        "targets", nargs="*", type=Path, default=[REPO / "notebooks", REPO / "solutions"]
    )
    args = parser.parse_args()

    paths = notebooks_in(args.targets)
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
        budget = budget_of(name)
        if seconds > budget:
            over.append(name)
        print(f"{name:45s} {seconds:8.1f} {seconds / budget:9.0%} of {budget:.0f} s")
    print(
        f"{'total':45s} {total:8.1f} {total / args.budget_total:9.0%}  (budget {args.budget_total:.0f} s)"
    )
    if over or failed or total > args.budget_total:
        print(f"over budget: {over}; failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
