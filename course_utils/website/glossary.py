"""The bilingual glossary as a site page, and links from a notebook's bold terms to its entries.

``docs/glossary.md`` is a markdown table with the header
``| Term | 中文 | Definition | Introduced in |``, one row per term, the English term in the first
cell. Each term gets the anchor :func:`slug` (lowercase, every run of non-alphanumerics -> ``-``).
A missing glossary is not an error: the site is built without the page and without links.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

HEADER = ("Term", "中文", "Definition", "Introduced in")
PAGE = "glossary.html"
_BOLD = re.compile(r"(?<!\[)\*\*([^*\n]+?)\*\*(?!\]\()")
# The objectives' heading in a lecture: "**Learning objectives.**" or "**After this notebook you can**".
_OBJECTIVES = re.compile(
    r"\*\*(?:Learning objectives|After this notebook you can)[^*]*\*\*", re.IGNORECASE
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _objectives_end(tail: str) -> int:
    """Where the objectives after the heading end: after their list, at the next paragraph."""
    offset, seen_list = 0, False
    for paragraph in re.split(r"(\n\s*\n)", tail):
        is_list = bool(_LIST_ITEM.match(paragraph)) or paragraph.startswith((" ", "\t"))
        if paragraph.strip() and seen_list and not is_list:
            return offset
        seen_list = seen_list or any(_LIST_ITEM.match(line) for line in paragraph.splitlines())
        offset += len(paragraph)
    return offset


def slug(term: str) -> str:
    """``"Learning rate (η)"`` -> ``"learning-rate"``: lowercase, non-alphanumerics -> ``-``."""
    if not isinstance(term, str):
        raise TypeError(f"term must be a string, got {type(term).__name__}.")
    return re.sub(r"[^0-9a-z]+", "-", term.lower()).strip("-")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_glossary(path: Path) -> list[dict]:
    """The rows of the glossary table as dicts keyed by :data:`HEADER`; [] if the file is absent.

    Raises ValueError when the file exists but has no table with that header.
    """
    path = Path(path)
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.lstrip().startswith("|") and tuple(_cells(line)) == HEADER
        ),
        None,
    )
    if start is None:
        raise ValueError(f"{path} has no table with the header | {' | '.join(HEADER)} |.")
    rows = []
    for line in lines[start + 2 :]:
        if not line.lstrip().startswith("|"):
            break
        cells = _cells(line)
        if len(cells) == len(HEADER) and cells[0]:
            rows.append(dict(zip(HEADER, cells, strict=True)))
    return rows


def term_words(term: str) -> tuple[str, ...]:
    """Lower-case words in the singular (gates -> gate, batches -> batch); tests/test_glossary.py
    matches bold terms with this same function."""
    out = []
    for word in re.sub(r"\s+", " ", term).strip().lower().split(" "):
        if word.endswith(("ches", "shes", "xes", "sses")):
            word = word[:-2]
        elif word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return tuple(out)


def find_term(bold: str, terms: dict[str, str]) -> str | None:
    """The glossary term a bold phrase names: equal (singular/plural aside), else the first term
    that begins or ends with the phrase's words (the rule tests/test_glossary.py checks)."""
    wanted = term_words(re.sub(r"\[S\d[^\]]*\]", "", bold).strip(" .:;,"))
    if not any(wanted):
        return None
    candidates = {term: term_words(term) for term in terms}
    for term, words in candidates.items():
        if words == wanted:
            return term
    n = len(wanted)
    return next((t for t, w in candidates.items() if w[:n] == wanted or w[-n:] == wanted), None)


def link_objectives(source: str, terms: dict[str, str], href: str = PAGE) -> str:
    """Link each bold term of a markdown cell's learning objectives to its glossary anchor.

    ``terms`` maps lowercase terms to slugs. Only the objectives are touched (from the
    "**Learning objectives**" or "**After this notebook you can**" heading to the end of the list
    under it), and only bold spans naming a glossary term (compared case-insensitively, a plural
    "s" dropped when only the singular is in the glossary).
    """
    marker = _OBJECTIVES.search(source)
    if not marker or not terms:
        return source
    end = marker.end() + _objectives_end(source[marker.end() :])
    head, tail, rest = source[: marker.end()], source[marker.end() : end], source[end:]

    def link(match: re.Match) -> str:
        found = find_term(match.group(1), terms)
        return match.group(0) if found is None else f"[{match.group(0)}]({href}#{terms[found]})"

    return head + _BOLD.sub(link, tail) + rest


def render_rows(rows: list[dict], markdown) -> str:
    """The glossary as an HTML table, one ``id`` per term; ``markdown`` renders a cell's text."""
    out = ["<table class='glossary'>", "<thead><tr>"]
    out += [f"<th>{html.escape(h)}</th>" for h in HEADER]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append(f"<tr id='{slug(row['Term'])}'>")
        out.append(f"<td><b>{html.escape(row['Term'])}</b></td>")
        out += [f"<td>{markdown(row[h])}</td>" for h in HEADER[1:]]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)
