"""course-grade on the course's own notebooks: the solution gets full marks, the untouched
exercise gets 0, and a solution with one function broken loses exactly that question's points."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils import specs

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
ASSIGNMENTS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))


def _break_one_function(solution: Path, target: Path) -> str:
    """Copy the solution with the first graded function's body replaced by a wrong answer."""
    nb = nbformat.read(solution, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.source.lstrip().startswith("def "):
            name = cell.source.split("def ", 1)[1].split("(", 1)[0]
            header = cell.source.split("\n", 1)[0]
            cell.source = f"{header}\n    return None  # broken on purpose\n"
            nbformat.write(nb, target)
            return name
    raise AssertionError(f"{solution.name} has no graded function to break")


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    assignment = request.param
    root = tmp_path_factory.mktemp("submitted")
    for student, source in [
        ("solution", ROOT / "solutions" / f"{assignment}.ipynb"),
        ("untouched", ROOT / "exercises" / f"{assignment}.ipynb"),
    ]:
        (root / student).mkdir()
        shutil.copy(source, root / student / f"{assignment}.ipynb")
    (root / "one_broken").mkdir()
    broken = _break_one_function(
        ROOT / "solutions" / f"{assignment}.ipynb", root / "one_broken" / f"{assignment}.ipynb"
    )
    (root / "not_json").mkdir()
    (root / "not_json" / f"{assignment}.ipynb").write_text('{"cells": [', encoding="utf-8")
    out = tmp_path_factory.mktemp("grades")
    script = Path(sys.executable).with_name("course-grade")
    proc = subprocess.run(
        [str(script), str(root), "--out", str(out), "--jobs", "2", "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return assignment, broken, proc, out / assignment  # the assignment's folder


def _result(out: Path, student: str) -> dict:
    return json.loads((out / "students" / student / "results.json").read_text())


def test_every_submission_was_graded(graded):
    _, _, proc, out = graded
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for student in ("solution", "untouched", "one_broken", "not_json"):
        assert (out / "students" / student / "results.json").exists()


def test_solution_gets_full_marks(graded):
    assignment, _, _, out = graded
    result = _result(out, "solution")
    assert result["score"] == specs.load(assignment).max_score
    assert all(t["score"] == t["max_score"] for t in result["tests"])


def test_untouched_exercise_gets_zero(graded):
    _, _, _, out = graded
    result = _result(out, "untouched")
    assert result["score"] == 0
    assert all(
        "not implemented yet" in t["output"] or "None" in t["output"] for t in result["tests"]
    )


def test_one_broken_function_loses_exactly_its_points(graded):
    assignment, broken, _, out = graded
    spec = specs.load(assignment)
    result = _result(out, "one_broken")
    assert result["score"] == spec.max_score - spec.question(broken).points
    lost = [t["name"] for t in result["tests"] if t["score"] < t["max_score"]]
    assert lost == [broken]


def test_invalid_json_gets_a_clear_error_and_zero(graded):
    _, _, _, out = graded
    result = _result(out, "not_json")
    assert result["score"] == 0
    assert "not a valid notebook" in result["output"]


def test_grades_csv_lists_everyone(graded):
    assignment, _, _, out = graded
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == sorted(
        ["solution", "untouched", "one_broken", "not_json"]
    )
    by_student = {r["student"]: r for r in rows}
    assert float(by_student["solution"]["total"]) == specs.load(assignment).max_score
    assert float(by_student["untouched"]["total"]) == 0
