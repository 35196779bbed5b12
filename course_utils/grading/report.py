"""Per submission ``results.json`` and ``feedback.md``; for the class ``grades.csv``.

Runs in the trusted parent (the class summary, ``summary.csv`` and ``summary.png``, is written by
``summary``). The per-case text comes from ``judging.render_case`` (the same renderer as
``check``): hidden cases show neither their inputs nor expected values. ``grades.csv``
is rebuilt from every ``students/<student>/results.json`` of the assignment's folder, so grading
students one at a time into the same folder accumulates them. Layout, per assignment::

    OUT/<assignment>/grades.csv, summary.csv, summary.png
    OUT/<assignment>/students/<student>/results.json, feedback.md
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..answers import short_text


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    output: str


@dataclass
class SubmissionResult:
    student: str
    assignment: str | None
    tests: list[TestResult] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    grader_failed: bool = False
    seconds: float = 0.0
    sandbox: str = "bubblewrap"

    @property
    def score(self) -> float:
        return float(sum(t.score for t in self.tests))

    @property
    def max_score(self) -> float:
        return float(sum(t.max_score for t in self.tests))


def cell_messages(nb, observed: dict) -> list[str]:
    """Notebook-level lines for cell errors, timeouts and a dead kernel (validated input)."""
    lines = []
    for err in observed["cells"][:50]:
        if isinstance(err, dict) and _cell_index(nb, err.get("cell")) is not None:
            where = _where(nb, err["cell"])
            ename, evalue = (
                short_text(err.get("ename", "Error"), 80),
                short_text(err.get("evalue", "")),
            )
            if ename == "CellTimeout":
                lines.append(f"{where} {evalue}; the following cells still ran.")
            else:
                lines.append(f"{where} raised {ename}" + (f": {evalue}" if evalue else "."))
    if observed["kernel"] != "ok":
        index = _cell_index(nb, observed.get("died_in_cell"))
        what = (
            f"died while running {_where(nb, index)}" if index is not None else observed["kernel"]
        )
        lines.append(
            f"the kernel {short_text(what)}: nothing after that point could be evaluated, "
            "so those questions score 0."
        )
    return lines


def _cell_index(nb, index) -> int | None:
    return index if type(index) is int and 0 <= index < len(nb["cells"]) else None


def _where(nb, index: int) -> str:
    first = nb["cells"][index]["source"].strip().splitlines()[:1] or [""]
    return f"cell {index + 1} (`{short_text(first[0], 50)}`)"


def results_json(result) -> dict:
    """Gradescope's results.json for one submission (``extra_data`` names the assignment)."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "output": "\n".join(result.messages),
        "tests": [
            {
                "name": t.name,
                "score": t.score,
                "max_score": t.max_score,
                "output": t.output,
                "visibility": "visible",
            }
            for t in result.tests
        ],
        "extra_data": {"assignment": result.assignment, "sandbox": result.sandbox},
    }


def feedback_markdown(result) -> str:
    """The student's feedback: score, notebook-level messages, each question's test lines."""
    lines = [f"# Feedback: {result.student}", ""]
    if result.assignment:
        lines += [
            f"Assignment `{result.assignment}`: **{result.score:g}/{result.max_score:g}**",
            "",
        ]
    lines += [f"- {m}" for m in result.messages if m] + [""]
    for test in result.tests:
        lines += [f"## {test.name} ({test.score:g}/{test.max_score:g})", "", "```"]
        lines += [test.output, "```", ""]
    return "\n".join(lines)


def student_folder(out_dir: Path, assignment: str, student: str) -> Path:
    return out_dir / assignment / "students" / student


def write_results(out_dir: Path, result) -> Path:
    folder = student_folder(out_dir, result.assignment, result.student)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.json"
    path.write_text(json.dumps(results_json(result), indent=2) + "\n", encoding="utf-8")
    (folder / "feedback.md").write_text(feedback_markdown(result), encoding="utf-8")
    return path


def collected(assignment_dir: Path) -> dict[str, dict]:
    """Every student's results.json of one assignment's folder (the grader's own files)."""
    found = {}
    for path in sorted(assignment_dir.glob("students/*/results.json")):
        try:
            found[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return found


def write_grades(assignment_dir: Path) -> Path:
    """grades.csv: ``student,total,max,<question>...``, one row per student graded into
    ``assignment_dir`` (this run or an earlier one), sorted by student."""
    out_dir = assignment_dir
    everyone = collected(assignment_dir)
    names: list[str] = []
    for data in everyone.values():
        names += [t["name"] for t in data.get("tests", []) if t["name"] not in names]
    path = out_dir / "grades.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "total", "max", *names])
        for student, data in everyone.items():
            scores = {t["name"]: f"{t['score']:g}" for t in data.get("tests", [])}
            row = [student, f"{data['score']:g}", f"{data.get('max_score', 0):g}"]
            writer.writerow(row + [scores.get(n, "") for n in names])
    return path


def summary_line(result) -> str:
    status = "GRADER ERROR" if result.grader_failed else f"{result.score:g}/{result.max_score:g}"
    note = ""
    if not result.tests or result.grader_failed:
        note = f"  ({result.messages[-1]})" if result.messages else ""
    return f"{result.student}: {status} [{result.seconds:.1f} s]{note}"
