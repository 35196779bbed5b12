"""docs/glossary.md: one table `| Term | 中文 | Definition | Introduced in |`, one line per term,
each linked to an existing lecture; every term in bold in a lecture's learning objectives is in it.

A lecture's learning-objectives cell is its first Markdown cell that says "After this notebook you
can" or "Learning objectives". A bold term is covered by a glossary term when they are equal
(case-insensitive, a plural "s" ignored), or when the bold words begin or end the glossary term
(**flat** loss -> "flat loss", the debugging **checklist** -> "debugging checklist").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_utils.website.glossary import term_words as words

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
HEADER = "| Term | 中文 | Definition | Introduced in |"
OBJECTIVES = re.compile(r"after this notebook you can|learning objectives", re.IGNORECASE)
NOT_TERMS = {"not"}  # bold for emphasis ("what clipping can **not** do"), not a term
LINK = re.compile(r"\[(\d\d)\]\(\.\./notebooks/((\d\d)_[a-z0-9_]+\.ipynb)\)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def glossary_rows(text: str) -> list[list[str]]:
    """The cells of each row of the one glossary table; fails if the table is malformed."""
    lines = text.splitlines()
    assert lines.count(HEADER) == 1, f"the glossary needs exactly one table headed {HEADER!r}"
    start = lines.index(HEADER)
    assert re.fullmatch(r"\|(\s*:?-+:?\s*\|){4}", lines[start + 1]), "no separator under the header"
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"a row must have 4 cells on one line: {line!r}"
        rows.append(cells)
    rest = lines[start + 2 + len(rows) :]
    assert not any(line.startswith("|") for line in rest), "only one table, with no gaps in it"
    return rows


def covered(bold: str, terms: list[str]) -> bool:
    wanted = words(bold)
    for term in map(words, terms):
        n = len(wanted)
        if term == wanted or term[:n] == wanted or term[-n:] == wanted:
            return True
    return False


def objective_terms(cells: list[dict]) -> list[str]:
    """The bold terms of the learning-objectives cell (source tags and final punctuation removed)."""
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and OBJECTIVES.search(text):
            break
    else:
        raise AssertionError("no learning-objectives cell")
    terms = []
    for bold in re.findall(r"\*\*(.+?)\*\*", text, flags=re.DOTALL):
        bold = re.sub(r"\[S\d[^\]]*\]", "", bold)
        bold = re.sub(r"\s+", " ", bold).strip(" .:;,")
        if bold and not OBJECTIVES.search(bold) and bold.lower() not in NOT_TERMS:
            terms.append(bold)
    return terms


def missing_terms(cells: list[dict], terms: list[str]) -> list[str]:
    return [bold for bold in objective_terms(cells) if not covered(bold, terms)]


ROWS = glossary_rows(GLOSSARY.read_text(encoding="utf-8"))
TERMS = [row[0] for row in ROWS]
LECTURES = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_every_bold_term_of_the_learning_objectives_is_in_the_glossary(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    missing = missing_terms(cells, TERMS)
    assert not missing, f"{path.name}: add to docs/glossary.md: {missing}"


def test_a_planted_missing_term_is_reported():
    objectives = (
        "**After this notebook you can**\n- use **quasi-Newton methods** and **mini-batches**"
    )
    cells = [{"cell_type": "markdown", "source": ["# title\n", objectives]}]
    assert missing_terms(cells, TERMS) == ["quasi-Newton methods"]


def test_matching_tolerates_plurals_and_finds_head_words():
    assert covered("gates", ["gate"]) and covered("Batch", ["batch gradient descent"])
    assert covered("mini-batches", ["mini-batch"]) and covered("dependencies", ["dependency"])
    assert covered("checklist", ["debugging checklist"])
    assert not covered("descent", ["gradient descent method"])
    assert not covered("batch", ["mini-batch"])


def test_rows_are_one_line_each_with_a_plain_term_a_chinese_term_and_a_lecture_link():
    assert len(ROWS) >= 100, "the glossary covers every technical term the course uses"
    lowered = [t.lower() for t in TERMS]
    assert len(set(lowered)) == len(lowered), "a term appears twice"
    for term, chinese, definition, link in ROWS:
        assert term and not re.search(r"[*`\[\]<>]", term), f"plain text only: {term!r}"
        assert CJK.search(chinese), f"{term}: no Chinese term"
        assert definition and "<br" not in definition.lower(), f"{term}: one-line definition"
        match = LINK.fullmatch(link)
        assert match, f"{term}: 'Introduced in' must be like [01](../notebooks/01_x.ipynb): {link}"
        assert match.group(1) == match.group(3), f"{term}: link text and notebook differ: {link}"
        assert (GLOSSARY.parent / "../notebooks" / match.group(2)).resolve().exists(), link


def test_every_lecture_introduces_some_term():
    introduced = {LINK.fullmatch(row[3]).group(2) for row in ROWS}
    assert introduced == {p.name for p in LECTURES}
