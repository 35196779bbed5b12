"""``course.py update | reset | progress`` (and ``create``, run by ``course.py lab``).

python -m course_utils.workspace_cli create             # make my-course/ (never replaces)
python -m course_utils.workspace_cli update             # new versions in, answers kept
python -m course_utils.workspace_cli reset 05 [NAME]    # fresh exercise 05 (or one answer)
python -m course_utils.workspace_cli progress [05 ...] [--html]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import progress, workspace


def main(argv: list[str] | None = None, root: Path = workspace.REPO) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["progress"]:
        return progress.main(argv[1:], root)
    parser = argparse.ArgumentParser(prog="course.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("create")
    sub.add_parser("update")
    p_reset = sub.add_parser("reset")
    p_reset.add_argument("which")
    p_reset.add_argument("question", nargs="?")
    p_reset.add_argument("--lecture", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "create":
            report = workspace.create(root)
            print(
                report if report.lines else f"your copy of the course: {workspace.WORKSPACE_NAME}/"
            )
        elif args.command == "update":
            print(workspace.update(root))
        else:
            folder = "notebooks" if args.lecture else "exercises"
            print(workspace.reset(root, args.which, args.question, folder))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
