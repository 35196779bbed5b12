"""my-course/: made once, never overwritten; update merges answers or writes beside; reset backs up."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course_utils import workspace
from course_utils.workspace_cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
STEM = "05_learning_rate_schedules"


@pytest.fixture
def course(tmp_path) -> Path:
    for folder in workspace.FOLDERS:
        (tmp_path / folder).mkdir()
        for path in sorted((ROOT / folder).glob("0[05]_*.ipynb")):
            shutil.copy(path, tmp_path / folder / path.name)
    workspace.create(tmp_path)
    return tmp_path


def _answers(path: Path) -> dict[str, str]:
    return workspace._answers(nbformat.read(path, as_version=4))


def _edit(path: Path, change) -> None:
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def _answer(gid: str, text: str):
    def change(nb):
        for cell in nb.cells:
            if workspace._answer_id(cell) == gid:
                cell.source = text

    return change


def _new_paragraph(nb):
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("A new paragraph."))


def test_create_copies_every_tracked_notebook_once_and_never_replaces(course):
    ws = workspace.workspace_path(course)
    assert sorted(p.name for p in (ws / "exercises").glob("*.ipynb")) == [f"{STEM}.ipynb"]
    assert (ws / "notebooks" / "00_start_here.ipynb").exists()
    mine = ws / "exercises" / f"{STEM}.ipynb"
    _edit(
        mine,
        _answer("range_test_verdict", "def range_test_verdict(smoothed_losses):\n    return 1"),
    )
    assert str(workspace.create(course)) == "nothing to do."
    assert _answers(mine)["range_test_verdict"].endswith("return 1")


def test_update_without_course_changes_does_nothing(course):
    assert str(workspace.update(course)) == "nothing to do."


def test_update_merges_answers_into_a_changed_exercise(course):
    ws = workspace.workspace_path(course)
    mine = ws / "exercises" / f"{STEM}.ipynb"
    _edit(
        mine,
        _answer("range_test_verdict", "def range_test_verdict(smoothed_losses):\n    return 1"),
    )
    _edit(course / "exercises" / f"{STEM}.ipynb", _new_paragraph)
    report = str(workspace.update(course))
    assert f"merged my-course/exercises/{STEM}.ipynb" in report and "(range_test_verdict)" in report
    nb = nbformat.read(mine, as_version=4)
    assert nb.cells[1].source == "A new paragraph."
    assert _answers(mine)["range_test_verdict"].endswith("return 1")
    backup = next((ws / "backups").rglob(f"{STEM}.ipynb"))
    assert _answers(backup)["range_test_verdict"].endswith("return 1")
    assert str(workspace.update(course)) == "nothing to do."  # the base copy moved on


def test_update_writes_beside_when_an_answered_question_is_removed(course):
    ws = workspace.workspace_path(course)
    mine = ws / "exercises" / f"{STEM}.ipynb"
    _edit(
        mine,
        _answer("range_test_verdict", "def range_test_verdict(smoothed_losses):\n    return 1"),
    )
    before = mine.read_bytes()

    def drop_verdict(nb):
        nb.cells = [c for c in nb.cells if workspace._answer_id(c) != "range_test_verdict"]

    _edit(course / "exercises" / f"{STEM}.ipynb", drop_verdict)
    report = str(workspace.update(course))
    assert "written beside it as my-course/exercises/05_learning_rate_schedules.new.ipynb" in report
    assert mine.read_bytes() == before
    assert "range_test_verdict" not in _answers(ws / "exercises" / f"{STEM}.new.ipynb")


def test_update_replaces_an_untouched_lecture_and_writes_beside_an_edited_one(course):
    ws = workspace.workspace_path(course)
    for folder in ("notebooks", "solutions"):
        _edit(course / folder / f"{STEM}.ipynb", _new_paragraph)
    lecture = ws / "notebooks" / f"{STEM}.ipynb"
    _edit(ws / "solutions" / f"{STEM}.ipynb", lambda nb: nb.cells.append(
        nbformat.v4.new_code_cell("my_experiment = 1")))  # fmt: skip
    report = str(workspace.update(course))
    assert f"updated my-course/notebooks/{STEM}.ipynb (you had not changed it" in report
    assert nbformat.read(lecture, as_version=4).cells[1].source == "A new paragraph."
    assert f"my-course/solutions/{STEM}.new.ipynb (you changed this notebook)" in report
    kept = nbformat.read(ws / "solutions" / f"{STEM}.ipynb", as_version=4)
    assert kept.cells[-1].source == "my_experiment = 1"


def test_reset_one_question_or_the_notebook_keeps_a_backup(course, capsys):
    ws = workspace.workspace_path(course)
    mine = ws / "exercises" / f"{STEM}.ipynb"
    for gid in ("range_test_verdict", "warm_restarts_lrs"):
        _edit(mine, _answer(gid, f"# my answer to {gid}"))
    assert cli(["reset", "05", "range_test_verdict"], course) == 0
    assert "reset the answer to range_test_verdict" in capsys.readouterr().out
    answers = _answers(mine)
    assert "NotImplementedError" in answers["range_test_verdict"]
    assert answers["warm_restarts_lrs"] == "# my answer to warm_restarts_lrs"
    assert cli(["reset", STEM], course) == 0
    assert "NotImplementedError" in _answers(mine)["warm_restarts_lrs"]
    backups = sorted((ws / "backups").rglob(f"{STEM}.ipynb"))
    assert len(backups) == 2
    assert {_answers(b)["range_test_verdict"] for b in backups} >= {
        "# my answer to range_test_verdict"
    }


def test_reset_names_what_exists_when_the_name_is_wrong(course, capsys):
    assert cli(["reset", "05", "pick_rl"], course) == 2
    err = capsys.readouterr().err
    assert "has no question 'pick_rl'; its questions are: warm_restarts_lrs" in err
    assert cli(["reset", "07"], course) == 2
    assert "'07' matches none of the exercises in my-course/: 05_learning_rate_schedules" in (
        capsys.readouterr().err
    )
    assert not (workspace.workspace_path(course) / "backups").exists()


def _course_py():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_cli", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def course_cli(monkeypatch):
    """course.py with its set-up skipped and every command it would run recorded in ``calls``."""
    module = _course_py()
    module.calls = []

    def record(cmd, **kwargs):
        module.calls.append([str(c) for c in cmd])
        return 0

    monkeypatch.setattr(module, "setup", lambda dev: None)
    monkeypatch.setattr(module, "run", record)
    return module


def test_lab_makes_the_workspace_and_serves_it(course_cli):
    assert course_cli.lab(headless=False) == 0
    assert course_cli.calls[0][-2:] == ["course_utils.workspace_cli", "create"]
    assert f"--ServerApp.root_dir={ROOT / 'my-course'}" in course_cli.calls[1]


def test_test_command_passes_its_arguments_to_pytest(course_cli, monkeypatch):
    calls = course_cli.calls
    monkeypatch.setattr("sys.argv", ["course.py", "test", "-k", "grading"])
    assert course_cli.main() == 0
    assert calls[-1][-5:] == ["tests", "notebooks", "solutions", "-k", "grading"]
    calls.clear()
    monkeypatch.setattr("sys.argv", ["course.py", "test", "tests/test_checks.py", "-x"])
    assert course_cli.main() == 0
    assert calls[-1][-2:] == ["tests/test_checks.py", "-x"] and "notebooks" not in calls[-1]
