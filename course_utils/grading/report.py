"""Results, feedback text, and the files the grader writes: ``results.json`` and ``grades.csv``.

Runs in the trusted parent. Hidden test cases are reported without their inputs or expected
values: only a fixed set of judge messages that reveal neither is shown verbatim for them.
"""

from __future__ import annotations

import builtins
import csv
import json
from dataclasses import dataclass, field
from pathlib import Path


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

    @property
    def score(self) -> float:
        return float(sum(t.score for t in self.tests))

    @property
    def max_score(self) -> float:
        return float(sum(t.max_score for t in self.tests))


# Judge messages that never contain an input or an expected value (safe for hidden cases).
_SAFE_PREFIXES = (
    "not implemented yet",
    "`",
    "took longer than",
    "got None:",
    "got NaN",
    "the array contains NaN",
    "the function changed its input",
    "could not read the inputs back",
    "no result came back",
    "the kernel ",
)
_BUILTIN_ERRORS = {n for n in dir(builtins) if n.endswith(("Error", "Exception", "Exit"))}


def one_line(text, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _hidden_message(message: str) -> str:
    if message.startswith(_SAFE_PREFIXES):
        return message.splitlines()[0]
    if message.startswith("raised "):
        name = message[len("raised ") :].split(":", 1)[0].strip()
        return f"raised {name}." if name in _BUILTIN_ERRORS else "raised an exception."
    return "returned a wrong result."


def case_line(number: int, total: int, case, verdict) -> str:
    status = "passed" if verdict.passed else "failed"
    if case.hidden:
        line = f"hidden test {number} {status}"
        if not verdict.passed:
            line += f": {_hidden_message(verdict.message)}"
    else:
        line = f"test {number} of {total} {status}: {case.description}"
        if not verdict.passed:
            line += f"\n    {verdict.message}"
    if not verdict.passed and verdict.hint:
        line += f"\n    hint: {verdict.hint}"
    return line


def question_header(score: float, points: float, passed: int, total: int) -> str:
    if passed == total:
        return f"{score:g}/{points:g} points: " + (
            f"all {total} tests passed." if total > 1 else "the test passed."
        )
    return (
        f"{score:g}/{points:g} points: {total - passed} of {total} tests failed "
        "(the points need every test to pass)."
    )


def cell_messages(nb, observed: dict) -> list[str]:
    """Notebook-level lines for cell errors, timeouts and a dead kernel (validated input)."""
    lines = []
    for err in observed["cells"][:50]:
        if isinstance(err, dict) and _cell_index(nb, err.get("cell")) is not None:
            where = _where(nb, err["cell"])
            ename, evalue = one_line(err.get("ename", "Error"), 80), one_line(err.get("evalue", ""))
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
            f"the kernel {one_line(what)}: nothing after that point could be evaluated, "
            "so those questions score 0."
        )
    return lines


def _cell_index(nb, index) -> int | None:
    return index if type(index) is int and 0 <= index < len(nb["cells"]) else None


def _where(nb, index: int) -> str:
    first = nb["cells"][index]["source"].strip().splitlines()[:1] or [""]
    return f"cell {index + 1} (`{one_line(first[0], 50)}`)"


def results_json(result) -> dict:
    """Gradescope's results.json for one submission."""
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
    }


def write_results(out_dir: Path, result) -> Path:
    path = out_dir / result.student / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_json(result), indent=2) + "\n", encoding="utf-8")
    return path


def write_grades(out_dir: Path, results: list) -> Path:
    """grades.csv: ``student,total,max,<question>...``, one row per student, sorted by student."""
    names: list[str] = []
    for result in results:
        names += [t.name for t in result.tests if t.name not in names]
    path = out_dir / "grades.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "total", "max", *names])
        for result in sorted(results, key=lambda r: r.student):
            scores = {t.name: f"{t.score:g}" for t in result.tests}
            row = [result.student, f"{result.score:g}", f"{result.max_score:g}"]
            writer.writerow(row + [scores.get(n, "") for n in names])
    return path


def summary_line(result) -> str:
    status = "GRADER ERROR" if result.grader_failed else f"{result.score:g}/{result.max_score:g}"
    note = ""
    if not result.tests or result.grader_failed:
        note = f"  ({result.messages[-1]})" if result.messages else ""
    return f"{result.student}: {status} [{result.seconds:.1f} s]{note}"
