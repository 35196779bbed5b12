"""Links between the notebooks: every one ends with a navigation cell, notebook 00 has the contents.

    python -m course_utils.navigation          # (re)write the cells in notebooks/ and solutions/
    python -m course_utils.navigation --check  # exit 1 if one is missing or out of date

A lecture links the previous and next lecture, notebook 00, its exercises and its solutions; a
solution links its lecture, the previous and next notebook of its folder and notebook 00. The
exercises are generated from the solutions, so they carry the same links (relative to their own
folder, ``exercises/``). Notebook 00 gets a table of contents of lectures, exercises and
solutions. The cells are marked ``metadata.course.navigation`` and rewritten, never duplicated:
run this after adding a notebook, then ``python -m course_utils.authoring generate``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
START = "00_start_here"


def _title(root: Path, stem: str) -> str:
    """ "05 Learning-rate schedules": the number and the lecture's heading, up to a colon."""
    lecture = root / "notebooks" / f"{stem}.ipynb"
    heading = ""
    if lecture.exists():
        first = nbformat.read(lecture, as_version=4).cells[0].source.splitlines()[0]
        heading = re.sub(r"^#\s*\d+\s*[·—-]\s*", "", first).split(":")[0].strip()
    return f"{stem[:2]} {heading or stem[3:].replace('_', ' ')}"


def _stems(root: Path, folder: str) -> list[str]:
    return sorted(p.stem for p in (root / folder).glob("*.ipynb"))


def _neighbours(stems: list[str], stem: str) -> tuple[str | None, str | None]:
    i = stems.index(stem)
    return (stems[i - 1] if i > 0 else None), (stems[i + 1] if i + 1 < len(stems) else None)


def navigation_text(root: Path, folder: str, stem: str) -> str:
    """The navigation line of ``folder/stem.ipynb``."""
    previous, following = _neighbours(_stems(root, folder), stem)
    parts = []
    if previous:
        parts.append(f"[← {_title(root, previous)}]({previous}.ipynb)")
    start = f"{START}.ipynb" if folder == "notebooks" else f"../notebooks/{START}.ipynb"
    if stem != START:
        parts.append(f"[contents: 00 start here]({start})")
    if folder == "notebooks":
        for other, label in (("exercises", "exercises"), ("solutions", "solutions")):
            if (root / "solutions" / f"{stem}.ipynb").exists():
                parts.append(f"[{label} {stem[:2]}](../{other}/{stem}.ipynb)")
    else:
        parts.append(f"[lecture {stem[:2]}](../notebooks/{stem}.ipynb)")
    if following:
        parts.append(f"[{_title(root, following)} →]({following}.ipynb)")
    return "**Navigation** · " + " · ".join(parts)


def contents_text(root: Path) -> str:
    """Notebook 00's table of contents (links relative to notebooks/)."""
    rows = ["## Contents", "", "| # | Lecture | Exercises | Solutions |", "|---|---|---|---|"]
    for stem in _stems(root, "notebooks"):
        exercise = (root / "solutions" / f"{stem}.ipynb").exists()
        links = [
            f"[{_title(root, stem)[3:]}]({stem}.ipynb)",
            f"[exercises {stem[:2]}](../exercises/{stem}.ipynb)" if exercise else "—",
            f"[solutions {stem[:2]}](../solutions/{stem}.ipynb)" if exercise else "—",
        ]
        rows.append(f"| {stem[:2]} | " + " | ".join(links) + " |")
    return "\n".join(rows)


def _marked(kind: str) -> dict:
    return {"course": {"navigation": kind}}


def _set_cell(nb, kind: str, text: str, index: int) -> bool:
    """Put the ``kind`` cell with ``text`` at ``index`` (or where it already is); True if changed."""
    for cell in nb.cells:
        if cell.metadata.get("course", {}).get("navigation") == kind:
            if cell.source == text:
                return False
            cell.source = text
            return True
    cell = nbformat.v4.new_markdown_cell(text, metadata=_marked(kind))
    cell.pop("id", None)
    nb.cells.insert(index if index >= 0 else len(nb.cells), cell)
    return True


def update(root: Path = REPO, write: bool = True) -> list[Path]:
    """Bring every navigation cell up to date; return the notebooks that changed (or would)."""
    changed = []
    for folder in ("notebooks", "solutions"):
        for stem in _stems(root, folder):
            path = root / folder / f"{stem}.ipynb"
            nb = nbformat.read(path, as_version=4)
            dirty = _set_cell(nb, "links", navigation_text(root, folder, stem), -1)
            if folder == "notebooks" and stem == START:
                dirty = _set_cell(nb, "contents", contents_text(root), 1) or dirty
            if dirty:
                changed.append(path)
                if write:
                    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.navigation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if out of date")
    args = parser.parse_args(argv)
    changed = update(write=not args.check)
    for path in changed:
        verb = "out of date" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(REPO)}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
