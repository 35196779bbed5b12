"""Exercise sets that test understanding, not transcription (issue 21): in every redesigned set
each question says what it asks (``Question.skill``), at least half of the points are on
variants, derivations, diagnoses, predictions or new problems, and no graded function is defined
in the set's lecture under its own name.

``REDESIGNED`` is every set from 01 on: all were rewritten to these rules, and a new set is held
to them from its first commit."""

import ast
from pathlib import Path

import nbformat
import pytest

from course_utils import specs
from course_utils.specs.base import SKILLS

ROOT = Path(__file__).resolve().parent.parent
# Every exercise set but notebook 00's one-question tour (issue 21 covers sets 01 onward).
REDESIGNED: tuple[str, ...] = tuple(a for a in specs.ASSIGNMENT_IDS if a != "00_start_here")


def _lecture_defined_names(assignment_id: str) -> set[str]:
    return _defined_names(ROOT / "notebooks" / f"{assignment_id}.ipynb")


def _defined_names(path: Path) -> set[str]:
    """Names a notebook's code cells define: functions and plain assignments."""
    notebook = nbformat.read(path, as_version=4)
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_skill_names_are_checked():
    with pytest.raises(ValueError, match="skill must be one of"):
        specs.Question("q", 1, lambda: 0, (specs.Case(lambda: (), "c"),), skill="copying")
    assert "warm-up" in SKILLS


@pytest.mark.parametrize("assignment_id", REDESIGNED)
def test_every_question_of_a_redesigned_set_says_what_it_asks(assignment_id):
    unclassified = [q.name for q in specs.load(assignment_id).questions if q.skill is None]
    assert not unclassified, f"{assignment_id}: no skill given for {unclassified}"


@pytest.mark.parametrize("assignment_id", REDESIGNED)
def test_at_least_half_the_points_go_beyond_warm_ups(assignment_id):
    assignment = specs.load(assignment_id)
    beyond = sum(q.points for q in assignment.questions if q.skill not in (None, "warm-up"))
    assert beyond >= assignment.max_score / 2, (assignment_id, beyond, assignment.max_score)


@pytest.mark.parametrize("assignment_id", REDESIGNED)
def test_no_graded_function_is_defined_in_its_lecture(assignment_id):
    graded = {q.name for q in specs.load(assignment_id).questions}
    assert not graded & _lecture_defined_names(assignment_id)


def test_the_lecture_scan_finds_functions_and_aliases(tmp_path):
    # the scan that the rule above relies on sees a definition, an alias and nothing in magics
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\ndef adam_step(x):\n    return x"),
        nbformat.v4.new_code_cell("rnn_step = print\nnumber = 3"),
    ]
    nbformat.write(notebook, tmp_path / "n.ipynb")
    assert {"adam_step", "rnn_step", "number"} <= _defined_names(tmp_path / "n.ipynb")


def _solution_signatures(assignment_id: str) -> dict[str, tuple[str, ...]]:
    notebook = nbformat.read(ROOT / "solutions" / f"{assignment_id}.ipynb", as_version=4)
    found = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef):
                    found[node.name] = tuple(a.arg for a in node.args.args)
    return found


@pytest.mark.parametrize("assignment_id", sorted(p.stem for p in (ROOT / "solutions").glob("*")))
def test_feedback_names_arguments_as_the_exercise_s_signature_does(assignment_id):
    # feedback calls an argument by the reference's parameter name ("changed `d_h` in place"):
    # it must be the name the learner's stub has (exercise 08's test learner saw `d_h` for `dh`)
    signatures = _solution_signatures(assignment_id)
    for question in specs.load(assignment_id).questions:
        if question.kind == "function":
            assert signatures.get(question.name) == question.argument_names, question.name


def test_the_instructors_table_of_questions_matches_the_specs():
    text = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    section = text.split("### What each exercise asks", 1)[1].split("\n### ", 1)[0]
    rows = [
        tuple(cell.strip().strip("`") for cell in line.strip("|").split("|"))
        for line in section.splitlines()
        if line.startswith("| ") and line[2:4].isdigit()
    ]
    expected = [
        (a[:2], str(i), q.name, q.skill, f"{q.points:g}")
        for a in REDESIGNED
        for i, q in enumerate(specs.load(a).questions, start=1)
    ]
    assert rows == expected
