"""Finding and reading submitted notebooks safely (trusted parent; nothing here executes them).

* Only real folders and regular files count: a symbolic link, device, FIFO or socket is reported
  as that student's problem and never opened (``O_NOFOLLOW | O_NONBLOCK`` and ``fstat``).
* Size is checked before reading, nesting depth before trusting the parse; a submission's error is
  its own, never the run's.
* The assignment comes from ``--assignment``, else the file or folder name, else the one
  assignment the other submissions share; never from the student's own metadata.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 20_000_000
MAX_CELLS = 2_000


class SubmissionError(ValueError):
    """One sentence for the student's report."""


@dataclass(frozen=True)
class Found:
    student: str
    path: Path | None  # None: nothing gradable was found for this student
    problem: str = ""


def _kind(path: Path) -> str:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "special"


def find(root: Path, assignment: str | None) -> list[Found]:
    """Students under ``root``, sorted. Accepted layouts (mixed freely):
    ``root/<student>.ipynb`` (flat), ``root/<student>/<assignment>.ipynb`` and
    ``root/<student>/<assignment>/<assignment>.ipynb`` (nbgrader's ``submitted/``)."""
    if _kind(root) == "file" or root.suffix == ".ipynb":
        return [_single(root)]
    found: list[Found] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        kind = _kind(entry)
        if entry.suffix == ".ipynb":
            problem = "" if kind == "file" else _not_regular(entry, kind)
            found.append(Found(entry.stem, None if problem else entry, problem))
        elif kind == "dir":
            found.append(_in_folder(entry, assignment))
        elif kind == "symlink":
            found.append(Found(entry.name, None, f"{entry.name} is a symbolic link: not graded."))
    return _one_per_student(found)


def _one_per_student(found: list[Found]) -> list[Found]:
    """A student id given twice (``alice.ipynb`` and ``alice/``) is reported, never overwritten."""
    by_id: dict[str, list[Found]] = {}
    for f in found:
        by_id.setdefault(f.student, []).append(f)
    kept = []
    for student, entries in by_id.items():
        if len(entries) == 1:
            kept.append(entries[0])
            continue
        names = ", ".join(sorted(str(e.path.name if e.path else student) for e in entries))
        kept.append(
            Found(
                student,
                None,
                f"more than one submission has the student id {student!r} ({names}): none was "
                "graded; keep one and grade again.",
            )
        )
    return kept


def _single(path: Path) -> Found:
    kind = _kind(path)
    if kind == "file":
        return Found(path.stem, path)
    return Found(path.stem, None, _not_regular(path, kind))


def _not_regular(path: Path, kind: str) -> str:
    what = {"symlink": "a symbolic link", "dir": "a folder", "missing": "missing"}
    return f"{path.name} is {what.get(kind, 'not a regular file')}: not graded."


def _in_folder(folder: Path, assignment: str | None) -> Found:
    candidates: list[Path] = []
    problems: list[str] = []
    for level in (folder, *(p for p in sorted(folder.iterdir()) if _kind(p) == "dir")):
        if level.name in (".ipynb_checkpoints",):
            continue
        for nb in sorted(level.glob("*.ipynb")):
            kind = _kind(nb)
            if kind == "file":
                candidates.append(nb)
            else:
                problems.append(_not_regular(nb, kind))
    preferred = [nb for nb in candidates if nb.stem == assignment] or candidates
    if preferred:
        return Found(folder.name, preferred[0])
    return Found(folder.name, None, problems[0] if problems else "no notebook found in the folder.")


def assignment_from_name(path: Path, known: tuple[str, ...]) -> str | None:
    for name in (path.stem, path.parent.name):
        if name in known:
            return name
    return None


def read_notebook(path: Path) -> dict:
    """``{"cells": [{"cell_type", "source"}]}`` from a regular file, or SubmissionError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise SubmissionError(f"the submission could not be opened ({exc.strerror}).") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError("the submission is not a regular file: not graded.")
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise SubmissionError(
                f"the submission is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB: not graded."
            )
        raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise SubmissionError("the submission grew while it was read: not graded.")
    return parse_notebook(raw)


def parse_notebook(raw: bytes) -> dict:
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise SubmissionError(
            "submission is not a valid notebook: it is nested too deeply."
        ) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise SubmissionError(f"submission is not a valid notebook: {exc}") from None
    if type(data) is not dict or type(data.get("cells")) is not list:
        raise SubmissionError("submission is not a valid notebook: it has no list of cells.")
    if data.get("nbformat") != 4:
        raise SubmissionError(
            f"submission is not a valid notebook: nbformat {str(data.get('nbformat'))[:20]!r} is "
            "not supported (expected 4; open and save it in a current Jupyter)."
        )
    if len(data["cells"]) > MAX_CELLS:
        raise SubmissionError(f"submission has more than {MAX_CELLS} cells: not graded.")
    cells = []
    for number, cell in enumerate(data["cells"], 1):
        source = cell.get("source") if type(cell) is dict else None
        if type(source) is list and all(type(line) is str for line in source):
            source = "".join(source)
        if type(source) is not str:
            raise SubmissionError(
                f"submission is not a valid notebook: cell {number} has no source text."
            )
        kind = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown") else "raw"
        cells.append({"cell_type": kind, "source": source})
    return {"cells": cells}
