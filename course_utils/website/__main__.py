"""python -m course_utils.website [--out build/site] [--only 00_start_here ...] [--jobs 2]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import REPO, build_site, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.website", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "build" / "site")
    parser.add_argument("--only", nargs="*", default=None, help="notebook stems to build")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at a time")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--check", action="store_true", help="only check an existing site")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.check:
        found = problems(args.out)
    else:
        found = build_site(args.out, args.only, jobs=args.jobs, timeout=args.timeout)
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"site: {args.out / 'index.html'} ({time.perf_counter() - start:.0f} s, "
          f"{len(found)} problem(s))")  # fmt: skip
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
