"""``course-grade``: grade one submitted notebook, or a folder of them, in sandboxes.

Trusted entry point: it finds the submissions (``submission``), grades each one with ``grader``
(the student's code runs only in an isolated child) on ``--jobs`` parallel slots, and writes, per
assignment, ``DIR/<assignment>/students/<student>/results.json`` and ``feedback.md``, and beside
the students' folder ``grades.csv`` (everyone graded into it) and ``summary.csv`` +
``summary.png`` with ``report`` / ``summary``. Class files and student folders cannot collide,
and one DIR holds several assignments without mixing them.

The isolation is decided before any student code runs: bubblewrap, or ``--unsafe-no-sandbox``
when asked for; never a retry without the sandbox after a failure. ``--check-sandbox`` only says
whether the sandbox works here (exit 0) or not (exit 2), for scripts that must decide up front.

Exit codes: 0 every submission got a results.json (whatever the scores); 1 the grader itself
failed on some submission; 2 usage error (missing path, no notebooks, unknown or unidentifiable
assignment, no sandbox available without ``--unsafe-no-sandbox``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm.auto import tqdm

from .. import specs
from . import isolation, report, summary
from .grader import Options, Session, grade, zero_tests
from .report import SubmissionResult
from .submission import Found, assignment_from_name, find


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="course-grade",
        description="Grade submitted notebooks in sandboxes (bubblewrap) and write Gradescope "
        "results.json files, feedback, grades.csv and a summary.",
    )
    p.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="a submission .ipynb (student id = file stem), or a folder: DIR/<student>.ipynb, "
        "DIR/<student>/<assignment>.ipynb or DIR/<student>/<assignment>/<assignment>.ipynb",
    )
    p.add_argument("--out", type=Path, help="output folder (accumulates; required to grade)")
    p.add_argument(
        "--assignment",
        help=f"assignment id (known: {', '.join(specs.ASSIGNMENT_IDS)}); default: from the "
        "file or folder names",
    )
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (60)")
    p.add_argument(
        "--question-timeout",
        type=float,
        default=None,
        help="seconds per test case (default: the question's own limit in the spec)",
    )
    p.add_argument(
        "--total-timeout", type=float, default=600.0, help="seconds per submission (600)"
    )
    p.add_argument("--memory-mb", type=int, default=4096, help="address space per process (4096)")
    p.add_argument(
        "--total-memory-mb",
        type=int,
        default=3072,
        help="resident memory of all a submission's processes together (3072)",
    )
    p.add_argument(
        "--check-sandbox",
        action="store_true",
        help="only check that the bubblewrap sandbox works here: exit 0 if it does, else 2",
    )
    p.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded in parallel"
    )
    p.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run submissions WITHOUT bubblewrap (only for trusted notebooks; see README)",
    )
    p.add_argument("--quiet", action="store_true", help="print only the final line")
    return p


def _assignments(found: list[Found], override: str | None) -> dict[str, str | None]:
    """Per student: --assignment, else the file/folder name, else the one the others share
    (None: unidentifiable, a usage error)."""
    named = {
        f.student: override
        or (assignment_from_name(f.path, specs.ASSIGNMENT_IDS) if f.path else None)
        for f in found
    }
    shared = {a for a in named.values() if a}
    common = shared.pop() if len(shared) == 1 else None
    return {student: a or common for student, a in named.items()}


def _grade_one(session, found: Found, assignment_id: str | None) -> SubmissionResult:
    start = time.monotonic()
    try:
        if found.path is None:
            spec = specs.load(assignment_id)
            result = SubmissionResult(found.student, assignment_id)
            why = found.problem or "no notebook was submitted."
            result.messages.append(why)
            result.tests = zero_tests(spec, why)
        else:
            result = grade(session, found.student, found.path, assignment_id)
    except Exception as exc:  # a bug in the grader, not the student's fault
        result = SubmissionResult(
            found.student,
            assignment_id,
            messages=[f"internal grader error: {exc!r}", traceback.format_exc(limit=3)],
            grader_failed=True,
        )
    result.seconds = time.monotonic() - start
    return result


def _usage_problem(args) -> str | None:
    """One sentence when the command line cannot be graded (exit 2), else None."""
    if args.path is None or args.out is None:
        return "give a submission (or a folder of them) and --out DIR."
    if not os.path.lexists(args.path):
        return f"{args.path} does not exist."
    if args.assignment and args.assignment not in specs.ASSIGNMENT_IDS:
        known = ", ".join(specs.ASSIGNMENT_IDS)
        return f"unknown assignment {args.assignment!r}; known: {known}."
    if not args.unsafe_no_sandbox and (problem := isolation.bubblewrap_problem()):
        return (
            f"cannot sandbox submissions: {problem} Refusing to grade. Install bubblewrap, or pass "
            "--unsafe-no-sandbox to run the notebooks unprotected (only for notebooks you trust; "
            "see the README)."
        )
    return None


def _options(args) -> Options:
    limits = isolation.Limits(
        cpu_seconds=int(args.total_timeout) + 60,
        memory_mb=args.memory_mb,
        total_memory_mb=args.total_memory_mb,
    )
    return Options(
        args.cell_timeout,
        args.question_timeout,
        args.total_timeout,
        limits,
        args.unsafe_no_sandbox,
    )


def _grade_all(args, found: list[Found], assignment_of: dict, out: Path) -> list[SubmissionResult]:
    """Grade every submission on ``--jobs`` slots; write each results.json as it comes in."""
    results = []
    jobs = max(1, min(args.jobs, 16))
    with Session(_options(args), jobs) as session, ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_grade_one, session, f, assignment_of[f.student]) for f in found]
        bar = tqdm(total=len(futures), unit="notebook", disable=args.quiet or len(futures) < 2)
        for future in as_completed(futures):
            result = future.result()
            try:
                report.write_results(out, result)
            except OSError as exc:  # the output folder's disk, not the student
                result.grader_failed = True
                result.messages.append(f"internal grader error: results not written ({exc}).")
            results.append(result)
            bar.update()
            if not args.quiet:
                bar.write(report.summary_line(result))
        bar.close()
    return results


def _unidentified(assignment_of: dict[str, str | None]) -> str | None:
    missing = sorted(student for student, a in assignment_of.items() if a is None)
    if not missing:
        return None
    return (
        f"could not tell which assignment {missing[0]!r}"
        + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        + " is for: name each notebook <assignment>.ipynb or pass --assignment."
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.check_sandbox:
        problem = isolation.bubblewrap_problem()
        print(f"course-grade: {problem or 'the bubblewrap sandbox works here.'}")
        return 2 if problem else 0
    if problem := _usage_problem(args):
        print(f"course-grade: {problem}", file=sys.stderr)
        return 2
    out = args.out.resolve()
    found = [
        f for f in find(args.path, args.assignment) if (args.path / f.student).resolve() != out
    ]
    if not any(f.path for f in found):
        print(
            f"course-grade: no notebooks found under {args.path}. Expected DIR/<student>.ipynb, "
            "DIR/<student>/<assignment>.ipynb or DIR/<student>/<assignment>/<assignment>.ipynb.",
            file=sys.stderr,
        )
        return 2
    assignment_of = _assignments(found, args.assignment)
    if problem := _unidentified(assignment_of):
        print(f"course-grade: {problem}", file=sys.stderr)
        return 2
    start = time.monotonic()
    results = _grade_all(args, found, assignment_of, out)
    failed = sum(r.grader_failed for r in results)
    for assignment in sorted(set(assignment_of.values())):
        try:
            report.write_grades(out / assignment)
            summary.write(out / assignment)
        except OSError as exc:
            print(f"course-grade: class files of {assignment} not written: {exc}", file=sys.stderr)
            failed += 1
    mode = "" if not args.unsafe_no_sandbox else " WITHOUT a sandbox (--unsafe-no-sandbox)"
    print(
        f"graded {len(results)} submission(s){mode} in {time.monotonic() - start:.1f} s; "
        f"results in {args.out}" + (f"; the grader FAILED on {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
