"""The learner's own copy of the course: ``my-course/``, git-ignored, never overwritten.

``course.py lab`` opens JupyterLab in ``my-course/`` (made on first run), so taking the course
never edits a tracked notebook and a ``git pull`` never conflicts with the learner's answers.

    my-course/notebooks/  my-course/exercises/  my-course/solutions/   the learner's copies
    my-course/.course/base/<folder>/<name>                              the tracked version each
                                                                         copy was made from
    my-course/backups/<stamp>/<folder>/<name>                           every file this module
                                                                         ever replaced

``update`` (after a ``git pull``) brings in new versions. An untouched copy is replaced; an
exercise is merged question by question: each answer cell (nbgrader ``grade_id``) the learner
wrote is carried into the new version; an answer whose question no longer exists makes the new
version go *beside* the learner's file (``NAME.new.ipynb``); an edited lecture also gets its new
version beside it. ``reset`` restores a fresh copy of one notebook, or of one answer cell. Every
replaced file is first copied to ``backups/``: no answer is ever lost.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "exercises", "solutions")
WORKSPACE_NAME = "my-course"

__all__ = [
    "FOLDERS",
    "WORKSPACE_NAME",
    "Report",
    "create",
    "find_notebook",
    "reset",
    "update",
    "workspace_path",
]


def workspace_path(root: Path = REPO) -> Path:
    return root / WORKSPACE_NAME


@dataclass
class Report:
    """What a workspace operation did, one line per file, in words."""

    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)

    def __str__(self) -> str:
        return "\n".join(self.lines) if self.lines else "nothing to do."


def _tracked(root: Path) -> list[tuple[str, Path]]:
    return [(f, p) for f in FOLDERS for p in sorted((root / f).glob("*.ipynb"))]


def _base(workspace: Path, folder: str, name: str) -> Path:
    return workspace / ".course" / "base" / folder / name


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _sources(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """What a learner can change in a notebook: the cells' types and text (not outputs)."""
    return [(c.cell_type, c.source) for c in nb.cells]


def _answer_id(cell) -> str | None:
    """The nbgrader grade_id of an answer cell (``solution: true``), else None."""
    grader = cell.metadata.get("nbgrader", {})
    return grader.get("grade_id") if grader.get("solution") else None


def _answers(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {gid: c.source for c in nb.cells if (gid := _answer_id(c))}


def _install(source: Path, target: Path, base: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    base.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    shutil.copyfile(source, base)


def _backup(workspace: Path, folder: str, path: Path, stamp: str) -> Path:
    target = workspace / "backups" / stamp / folder / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    return target


def _stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"


def _rel(path: Path, workspace: Path) -> str:
    return str(path.relative_to(workspace.parent))


def create(root: Path = REPO) -> Report:
    """Copy every tracked notebook that the workspace does not have yet (never replaces one)."""
    workspace = workspace_path(root)
    report = Report()
    for folder, source in _tracked(root):
        target = workspace / folder / source.name
        if not target.exists():
            _install(source, target, _base(workspace, folder, source.name))
            report.say(f"created {_rel(target, workspace)}")
    ignore = workspace / ".gitignore"
    if not ignore.exists():  # git-ignored even in a fork whose .gitignore lacks it
        ignore.write_text("*\n", encoding="utf-8")
    return report


def update(root: Path = REPO) -> Report:
    """Bring in the tracked notebooks' new versions, keeping every answer the learner wrote."""
    workspace = workspace_path(root)
    report = create(root)
    stamp = _stamp()
    for folder, source in _tracked(root):
        target = workspace / folder / source.name
        base_path = _base(workspace, folder, source.name)
        if base_path.exists() and base_path.read_bytes() == source.read_bytes():
            continue  # the course did not change this notebook
        new, mine = _read(source), _read(target)
        base = _read(base_path) if base_path.exists() else None
        name = _rel(target, workspace)
        if base is not None and _sources(mine) == _sources(base):
            backup = _backup(workspace, folder, target, stamp)
            _install(source, target, base_path)
            report.say(
                f"updated {name} (you had not changed it; old copy in {_rel(backup, workspace)})"
            )
            continue
        written = _answers_written(mine, base)
        mergeable = base is not None and _other_cells(mine) == _other_cells(base)
        if folder == "exercises" and mergeable and set(written) <= set(_answers(new)):
            backup = _backup(workspace, folder, target, stamp)
            merged = _with_answers(new, written)
            nbformat.write(merged, target)
            base_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, base_path)
            kept = ", ".join(sorted(written)) or "none"
            report.say(
                f"merged {name}: new version with your answers kept ({kept}); "
                f"your previous file is in {_rel(backup, workspace)}"
            )
            continue
        beside = target.with_suffix(".new.ipynb")
        if beside.exists():  # an earlier new version, perhaps opened and edited: keep it too
            _backup(workspace, folder, beside, stamp)
        shutil.copyfile(source, beside)
        base_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, base_path)
        why = (
            "you changed more than its answer cells, or a question you answered was removed"
            if folder == "exercises"
            else "you changed this notebook"
        )
        report.say(
            f"new version of {name} written beside it as {_rel(beside, workspace)} ({why}); "
            "your file is untouched"
        )
    return report


def _other_cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """Every cell but the answers: a merge may only replace these when the learner left them."""
    return [(c.cell_type, "" if _answer_id(c) else c.source) for c in nb.cells]


def _answers_written(mine: nbformat.NotebookNode, base) -> dict[str, str]:
    """The answer cells the learner changed (all of them when the base copy is unknown)."""
    original = _answers(base) if base is not None else {}
    return {gid: src for gid, src in _answers(mine).items() if original.get(gid) != src}


def _with_answers(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    for cell in nb.cells:
        gid = _answer_id(cell)
        if gid in answers:
            cell.source = answers[gid]
    return nb


def find_notebook(root: Path, which: str, folder: str = "exercises") -> Path:
    """The workspace notebook of ``folder`` whose name starts with ``which`` ("05" or the stem)."""
    workspace = workspace_path(root)
    candidates = sorted(
        p
        for p in (workspace / folder).glob("*.ipynb")
        if p.stem.startswith(which) and not p.name.endswith(".new.ipynb")
    )
    if len(candidates) != 1:
        known = ", ".join(p.stem for p in sorted((root / folder).glob("*.ipynb")))
        found = "matches several" if candidates else "matches none"
        raise ValueError(f"{which!r} {found} of the {folder} in {workspace.name}/: {known}.")
    return candidates[0]


def reset(root: Path, which: str, question: str | None = None, folder: str = "exercises") -> Report:
    """Restore a fresh copy of one notebook, or of one answer cell, backing up the current file."""
    workspace = workspace_path(root)
    create(root)
    target = find_notebook(root, which, folder)
    source = root / folder / target.name
    report = Report()
    fresh = _answers(_read(source))
    if question is not None and question not in fresh:
        known = ", ".join(fresh)
        raise ValueError(f"{target.stem} has no question {question!r}; its questions are: {known}.")
    backup = _backup(workspace, folder, target, _stamp())
    name = _rel(target, workspace)
    if question is None:
        _install(source, target, _base(workspace, folder, target.name))
        report.say(
            f"reset {name} to a fresh copy; your previous file is in {_rel(backup, workspace)}"
        )
        return report
    mine = _read(target)
    nbformat.write(_with_answers(mine, {question: fresh[question]}), target)
    report.say(
        f"reset the answer to {question} in {name}; your previous file is in "
        f"{_rel(backup, workspace)}"
    )
    return report
