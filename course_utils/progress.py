"""What is done: run the learner's own exercises headless and report, per question, pass or fail.

    python3 course.py progress              # every exercise in my-course/exercises/
    python3 course.py progress 05 07        # only these
    python3 course.py progress --html       # also write my-course/progress.html

Each notebook runs top to bottom in a fresh kernel on the learner's machine, so the verdicts are
exactly those of the notebook's own ``check(...)`` cells (the graded cells, with their points).
Those cells run the visible tests only, so the points are labelled as such: a grade also needs
the hidden tests (referee ri00, 00-8).
Nothing is sent anywhere and the learner's files are only read: the executed copy stays in memory.
No sandbox is needed: it is the learner's own code on the learner's own machine.
"""

from __future__ import annotations

import argparse
import html
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .kernel_polling import client_for
from .workspace import REPO, find_notebook, workspace_path

CELL_TIMEOUT = 120


@dataclass(frozen=True)
class QuestionResult:
    name: str
    points: float
    passed: bool
    message: str  # the check's first line of feedback when it failed
    hint: str = ""  # the check's hint, when it gave one


@dataclass(frozen=True)
class NotebookResult:
    path: Path
    questions: tuple[QuestionResult, ...]

    @property
    def score(self) -> float:
        return sum(q.points for q in self.questions if q.passed)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def next_step(self) -> str:
        for q in self.questions:
            if not q.passed:
                return f"answer `{q.name}` in exercises/{self.path.name}: {q.message}"
        return "all questions pass."


def _failure(outputs, name: str) -> str | None:
    """The failed check's verdict in one line ("test 1 of 2 failed: not implemented yet: ..."),
    or the error a graded cell raised; None when the cell ran without error."""
    for out in outputs:
        if out.get("output_type") != "error":
            continue
        lines = [ln.strip() for ln in (out.get("evalue") or "").strip().splitlines()]
        if out.get("ename") != "CheckFailed":
            return f"{out.get('ename')}: {lines[0] if lines else ''}".rstrip(": ")
        head = lines[0].removeprefix(f"{name}: ").rstrip(".") if lines else "failed"
        detail = [
            ln for ln in lines[1:] if ln and not ln.startswith(("input:", "expected:", "got:"))
        ]
        return f"{head}: {detail[0]}" if detail else head
    return None


def _hint(outputs) -> str:
    for out in outputs:
        for line in (out.get("evalue") or "").splitlines():
            if line.strip().startswith("hint:"):
                return line.strip().removeprefix("hint:").strip()
    return ""


def run_exercise(path: Path) -> NotebookResult:
    """Execute one exercise notebook (a copy in memory) and read its graded check cells."""
    nb = nbformat.read(path, as_version=4)
    client = client_for(nb, path, CELL_TIMEOUT, allow_errors=True)
    # The kernel's own log lines (a transport warning) are not the learner's business.
    client.execute(stderr=subprocess.DEVNULL)
    results = []
    for cell in nb.cells:
        grader = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not grader.get("grade"):
            continue
        name = grader.get("grade_id", "").removeprefix("check_")
        why = _failure(cell.get("outputs", []), name)
        hint = _hint(cell.get("outputs", [])) if why and "not implemented" not in why else ""
        results.append(
            QuestionResult(name, float(grader.get("points", 0)), why is None, why or "", hint)
        )
    return NotebookResult(path, tuple(results))


def _points(value: float) -> str:
    return f"{value:g}"


#: What the points of a visible check are worth until grading runs the hidden tests too.
VISIBLE_ONLY = "if the hidden tests pass too"


def _heading(result: NotebookResult) -> str:
    """``05_x: visible checks: 7 of 10 points if the hidden tests pass too``."""
    return (
        f"{result.path.stem}: visible checks: {_points(result.score)} of "
        f"{_points(result.max_score)} points {VISIBLE_ONLY}"
    )


def as_text(results: list[NotebookResult]) -> str:
    lines = []
    for result in results:
        lines.append(_heading(result))
        for q in result.questions:
            mark = "✓" if q.passed else "✗"
            tail = "" if q.passed else f"  ({q.message})"
            lines.append(f"  {mark} {q.name} ({_points(q.points)} points){tail}")
            if q.hint:
                lines.append(f"      hint: {q.hint}")
    lines.append(f"next: {overall_next(results)}")
    return "\n".join(lines)


def overall_next(results: list[NotebookResult]) -> str:
    for result in results:
        if result.score < result.max_score:
            return result.next_step()
    return "every question you ran passes its visible checks: go on with the next lecture."


def as_html(results: list[NotebookResult]) -> str:
    rows = []
    for result in results:
        rows.append(
            f"<h2>{html.escape(_heading(result))}</h2>\n<table>\n"
            "<tr><th></th><th>question</th><th>points</th><th>feedback</th></tr>"
        )
        for q in result.questions:
            mark = "✓" if q.passed else "✗"
            rows.append(
                f"<tr><td>{mark}</td><td><code>{html.escape(q.name)}</code></td>"
                f"<td>{_points(q.points)}</td><td>{html.escape(q.message)}"
                + (f"<br><em>hint:</em> {html.escape(q.hint)}" if q.hint else "")
                + "</td></tr>"
            )
        rows.append("</table>")
    body = "\n".join(rows)
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>Course progress</title>'
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "td,th{padding:.2em .6em;text-align:left}</style></head><body>\n"
        f"<h1>Course progress</h1>\n{body}\n"
        f"<p><strong>Next:</strong> {html.escape(overall_next(results))}</p>\n</body></html>\n"
    )


def main(argv: list[str] | None = None, root: Path = REPO) -> int:
    parser = argparse.ArgumentParser(prog="course.py progress", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("which", nargs="*", help="exercise numbers or names (default: all)")
    parser.add_argument("--html", action="store_true", help="also write my-course/progress.html")
    args = parser.parse_args(argv)
    workspace = workspace_path(root)
    if not (workspace / "exercises").is_dir():
        print(f"no workspace yet: `python3 course.py lab` makes {workspace.name}/ on first run.")
        return 2
    try:
        paths = (
            [find_notebook(root, w) for w in args.which]
            if args.which
            else sorted(p for p in (workspace / "exercises").glob("*.ipynb")
                        if not p.name.endswith(".new.ipynb"))
        )  # fmt: skip
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    results = []
    for path in paths:
        print(f"running {workspace.name}/exercises/{path.name} ...", flush=True)
        results.append(run_exercise(path))
    print(as_text(results))
    if args.html:
        page = workspace / "progress.html"
        page.write_text(as_html(results), encoding="utf-8")
        print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
