"""Every notebook links the previous and next one and notebook 00; every link points at a file;
notebook 00 has a table of contents; each exercise links its lecture."""

import re
from pathlib import Path

import nbformat
import pytest

from course_utils import navigation

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "exercises", "solutions")
NOTEBOOKS = [p for f in FOLDERS for p in sorted((ROOT / f).glob("*.ipynb"))]
LINK = re.compile(r"\]\(([^)\s]+\.ipynb)\)")


def _links(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [m for c in nb.cells if c.cell_type == "markdown" for m in LINK.findall(c.source)]


def test_navigation_cells_are_up_to_date():
    stale = navigation.update(ROOT, write=False)
    assert not stale, f"run `python -m course_utils.navigation`: {stale}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_links_to_neighbours_and_start_resolve(path):
    links = _links(path)
    for link in links:
        assert (path.parent / link).resolve().exists(), f"{path.name}: broken link {link}"
    targets = {(path.parent / link).resolve() for link in links}
    siblings = sorted(path.parent.glob("*.ipynb"))
    i = siblings.index(path)
    wanted = [siblings[j] for j in (i - 1, i + 1) if 0 <= j < len(siblings)]
    if path.stem != "00_start_here":
        wanted.append(ROOT / "notebooks" / "00_start_here.ipynb")
    if path.parent.name == "exercises":
        wanted.append(ROOT / "notebooks" / path.name)
    for target in wanted:
        assert target.resolve() in targets, (
            f"{path.parent.name}/{path.name} does not link {target.name}"
        )


def test_start_here_lists_every_lecture_exercise_and_solution():
    links = {
        Path("notebooks", link).as_posix()
        for link in _links(ROOT / "notebooks" / "00_start_here.ipynb")
    }
    for folder in FOLDERS:
        for path in (ROOT / folder).glob("*.ipynb"):
            relative = f"{path.name}" if folder == "notebooks" else f"../{folder}/{path.name}"
            assert Path("notebooks", relative).as_posix() in links, (
                f"no link to {folder}/{path.name}"
            )
