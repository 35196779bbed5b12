"""``course-grade``: grade one submitted notebook, or an nbgrader ``submitted/`` folder.

Trusted entry point: it finds the submissions, grades each one with :mod:`.grader` (which runs
the student's code only in a sandboxed child process), and writes ``DIR/<student>/results.json``
and ``DIR/grades.csv`` with :mod:`.report`.

Exit codes: 0 every submission got a results.json (whatever the scores); 1 the grader itself
failed on some submission; 2 usage error (missing path, no notebooks, unknown assignment).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm.auto import tqdm

from .. import specs
from . import report
from .grader import Options, assignment_of, grade, read_notebook, zero_tests
from .report import SubmissionResult


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="course-grade",
        description="Grade submitted notebooks in a sandboxed kernel and write Gradescope "
        "results.json files plus grades.csv.",
    )
    p.add_argument(
        "path",
        type=Path,
        help="a submission .ipynb (student id = file stem), or an nbgrader folder "
        "ROOT/<student>/<assignment>.ipynb or ROOT/<student>/<assignment>/<assignment>.ipynb",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--assignment", help=f"assignment id (known: {', '.join(specs.ASSIGNMENT_IDS)})")
    p.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (60)")
    p.add_argument(
        "--question-timeout",
        type=float,
        default=None,
        help="seconds to test one question (default: the question's own limit in the spec)",
    )
    p.add_argument(
        "--total-timeout", type=float, default=600.0, help="seconds per submission (600)"
    )
    p.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (1)")
    p.add_argument("--quiet", action="store_true", help="print only the final line")
    return p


def find_submissions(path: Path, assignment: str | None) -> list[tuple[str, Path | None]]:
    """(student, notebook or None) pairs, sorted by student."""
    if path.is_file():
        return [(path.stem, path)]
    found = []
    for student_dir in sorted(p for p in path.iterdir() if p.is_dir()):
        if student_dir.name.startswith("."):
            continue
        notebooks = [
            nb
            for nb in sorted(student_dir.glob("*.ipynb")) + sorted(student_dir.glob("*/*.ipynb"))
            if ".ipynb_checkpoints" not in nb.parts
        ]
        preferred = [nb for nb in notebooks if nb.stem == assignment] or notebooks
        found.append((student_dir.name, preferred[0] if preferred else None))
    return found


def _common_assignment(submissions, override: str | None) -> str | None:
    """The one assignment the identifiable submissions share (used for the others)."""
    if override:
        return override
    ids = set()
    for _, nb_path in submissions:
        if nb_path is not None:
            try:
                nb = read_notebook(nb_path)
            except ValueError:
                nb = None
            ids.add(assignment_of(nb, nb_path, None))
    ids.discard(None)
    return ids.pop() if len(ids) == 1 else None


def _grade_one(student, nb_path, options, override, fallback) -> SubmissionResult:
    start = time.monotonic()
    result = _grade_or_explain(student, nb_path, options, override, fallback)
    result.seconds = time.monotonic() - start
    return result


def _grade_or_explain(student, nb_path, options, override, fallback) -> SubmissionResult:
    if nb_path is None:
        result = SubmissionResult(
            student, fallback, messages=["no notebook found in the submission folder."]
        )
        if fallback:
            result.tests = zero_tests(specs.load(fallback), "no notebook was submitted.")
        return result
    try:
        return grade(student, nb_path, options, override, fallback)
    except Exception as exc:  # a bug in the grader, not the student's fault
        tb = traceback.format_exc(limit=3)
        return SubmissionResult(
            student, None, messages=[f"internal grader error: {exc!r}", tb], grader_failed=True
        )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.path.exists():
        print(f"course-grade: {args.path} does not exist.", file=sys.stderr)
        return 2
    if args.assignment and args.assignment not in specs.ASSIGNMENT_IDS:
        known = ", ".join(specs.ASSIGNMENT_IDS)
        print(
            f"course-grade: unknown assignment {args.assignment!r}; known: {known}.",
            file=sys.stderr,
        )
        return 2
    out = args.out.resolve()
    submissions = [
        (student, nb)
        for student, nb in find_submissions(args.path, args.assignment)
        if (args.path / student).resolve() != out  # --out inside ROOT is not a student
    ]
    if not any(nb for _, nb in submissions):
        print(f"course-grade: no notebooks found under {args.path}.", file=sys.stderr)
        return 2
    options = Options(args.cell_timeout, args.question_timeout, args.total_timeout)
    fallback = _common_assignment(submissions, args.assignment)
    args.out.mkdir(parents=True, exist_ok=True)
    start, results = time.monotonic(), []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(_grade_one, student, nb, options, args.assignment, fallback)
            for student, nb in submissions
        ]
        bar = tqdm(total=len(futures), unit="notebook", disable=args.quiet or len(futures) < 2)
        for future in as_completed(futures):
            result = future.result()
            report.write_results(args.out, result)
            results.append(result)
            bar.update()
            if not args.quiet:
                bar.write(report.summary_line(result))
        bar.close()
    report.write_grades(args.out, results)
    failed = sum(r.grader_failed for r in results)
    print(
        f"graded {len(results)} submission(s) in {time.monotonic() - start:.1f} s; "
        f"results in {args.out}" + (f"; the grader FAILED on {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
