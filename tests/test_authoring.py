"""Exercises are generated from solutions, and the suite notices when they drift apart."""

import shutil
from pathlib import Path

import nbformat
import pytest

from course_utils import authoring

ROOT = Path(__file__).resolve().parent.parent


def test_committed_exercises_are_up_to_date():
    stale = authoring.stale_exercises(ROOT)
    assert not stale, f"out of date: {stale}; run `python -m course_utils.authoring generate`"


@pytest.fixture
def course_copy(tmp_path):
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_changing_a_solution_without_regenerating_is_detected(course_copy):
    solution = next((course_copy / "solutions").glob("*.ipynb"))
    nb = nbformat.read(solution, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A new paragraph."))
    nbformat.write(nb, solution)
    assert authoring.stale_exercises(course_copy) == [course_copy / "exercises" / solution.name]
    assert authoring.write_exercises(course_copy) == [course_copy / "exercises" / solution.name]
    assert authoring.stale_exercises(course_copy) == []


def test_generated_exercise_hides_solutions_and_hidden_tests():
    for solution, _ in authoring.pairs(ROOT):
        source = nbformat.read(solution, as_version=4)
        exercise = authoring.generate_exercise(source)
        text = "\n".join(c.source for c in exercise.cells)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "raise NotImplementedError()" in text
        kept = [
            c for c in source.cells if authoring.SOLUTION_ONLY not in c.metadata.get("tags", [])
        ]
        assert len(exercise.cells) == len(kept)
        # the solution itself is untouched
        assert "### BEGIN SOLUTION" in "\n".join(c.source for c in source.cells)


def test_every_exercise_leaves_out_its_solution_s_recap():
    # a summary that states the results is in the solution only; its "Try next" stays
    for solution, _ in authoring.pairs(ROOT):
        source = nbformat.read(solution, as_version=4)
        recaps = [c for c in source.cells if c.source.startswith("## Summary")]
        assert recaps, f"{solution.name} has no summary"
        assert all(authoring.SOLUTION_ONLY in c.metadata.get("tags", []) for c in recaps)
        exercise = authoring.generate_exercise(source)
        assert not any(c.source.startswith("## Summary") for c in exercise.cells)


def test_strip_removes_outputs(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
    ]
    nb.cells[0].execution_count = 1
    path = tmp_path / "dirty.ipynb"
    nbformat.write(nb, path)
    assert authoring.main(["strip", str(path)]) == 0
    clean = nbformat.read(path, as_version=4)
    assert clean.cells[0].outputs == [] and clean.cells[0].execution_count is None
