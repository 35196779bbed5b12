"""One bibliography and one notation for the whole course: every source tag ([S0 §1.3]) and every
author-year citation in a notebook is defined in docs/sources.md, and docs/notation.md keeps a row
for each symbol the course fixes."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"
NOTATION = ROOT / "docs" / "notation.md"
NOTEBOOKS = sorted(
    path
    for folder in ("notebooks", "solutions", "exercises")
    for path in (ROOT / folder).glob("*.ipynb")
)
# The symbols the referee issue names; each needs a row of its own in docs/notation.md.
REQUIRED_SYMBOLS = ("L", "f", "μ", "ρ", "α", "β", "n", "τ", "c", "T")

TAG_GROUP = re.compile(r"\[(S\d[^\]]*)\]")  # [S4], [S0 §1.3], [S0, S1], [S0 §2.3, §3.3]
TAG = re.compile(r"\bS(\d+)\b")
_NAME = r"(?:(?:Del|De|Van|Von)\s+)?[A-Z][\w\-]*(?:['’][A-Z][\w\-]*)?"  # O'Brien, Del Balso, not Polyak's
_AUTHORS = (
    rf"(?P<first>{_NAME})(?:(?:,\s+{_NAME})*,?\s+(?:&|and)\s+{_NAME})?(?P<etal>\s+et\s+al\.)?"
)
_YEAR = r"(?:1[89]|20)\d\d"
# Name (YEAR), Name et al. (YEAR), Name & Name (YEAR), Name et al.'s (YEAR); and inside
# parentheses (Name, YEAR), (Name et al., YEAR), (Name et al. YEAR), (Name & Name, YEAR).
CITATION = re.compile(
    rf"{_AUTHORS}(?:['’]s)?(?:\s+\((?P<year1>{_YEAR})[a-z]?\)"
    rf"|(?P<sep>,\s*|\s+)(?P<year2>{_YEAR})[a-z]?(?=[);,.:\s]|$))"
)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def source_tags(text):
    """The numbers of the sources a text tags: '[S0, S1] ... [S4 §3.2]' -> {0, 1, 4}."""
    return {int(n) for group in TAG_GROUP.findall(text) for n in TAG.findall(group)}


def citations(text):
    """(first author's surname, year) of each author-year citation in a markdown text."""
    found = set()
    for m in CITATION.finditer(CODE.sub(" ", text)):
        if m["year1"]:
            found.add((m["first"], int(m["year1"])))
        # Without parentheses around the year, only 'et al.', an author list or a comma makes
        # 'Name 2014' a citation (not 'Step 2000').
        elif m["etal"] or m.group(0) != m["first"] + m["sep"] + m["year2"] or "," in m["sep"]:
            found.add((m["first"], int(m["year2"])))
    return found


def defined_sources(page):
    return {int(n) for n in re.findall(r"^### \[S(\d+)\]", page, re.M)}


def bibliography(page):
    """Citation keys of the bibliography: '### Reddi, Kale & Kumar (2018)' -> ('Reddi', 2018)."""
    keys = re.findall(rf"^### (?!\[S)({_NAME})[^\n]*\(({_YEAR})\)\s*$", page, re.M)
    return [(first, int(year)) for first, year in keys]


def notation_symbols(page):
    """The symbols in the first column of the tables headed '| Symbol | Meaning |'."""
    symbols, header = set(), None
    for line in page.splitlines():
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = line.split("|")[1].strip()
        elif header == "Symbol" and not line.startswith("|---"):
            symbols.update(s.strip(" `$") for s in line.split("|")[1].split(","))
    return symbols


def unknown_references(text, markdown, sources, keys):
    """What a notebook cell refers to that the sources page does not define."""
    problems = [
        f"[S{n}] is not a source of docs/sources.md" for n in sorted(source_tags(text) - sources)
    ]
    if markdown:
        problems += [
            f"{name} ({year}) has no entry in docs/sources.md"
            for name, year in sorted(citations(text) - keys)
        ]
    return problems


def cells(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        yield cell["cell_type"], "".join(cell["source"])


@pytest.fixture(scope="module")
def sources_page():
    return SOURCES.read_text(encoding="utf-8")


def test_the_sources_page_defines_the_five_source_articles(sources_page):
    assert defined_sources(sources_page) == {0, 1, 2, 3, 4}


def test_every_bibliography_key_is_defined_once(sources_page):
    keys = bibliography(sources_page)
    assert len(keys) >= 30, "the bibliography lost its entries (or its '### Key (YEAR)' headings)"
    assert len(keys) == len(set(keys)), "two entries share a first author and year: add 2017a/2017b"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_tag_and_citation_in_a_notebook_is_defined(path, sources_page):
    sources, keys = defined_sources(sources_page), set(bibliography(sources_page))
    problems = [
        f"{path.parent.name}/{path.name}: {problem}"
        for kind, text in cells(path)
        for problem in unknown_references(text, kind == "markdown", sources, keys)
    ]
    assert not problems, "\n".join(problems)


def test_the_notebooks_tags_and_citations_are_found():
    """The checks above are not vacuous: the parsers find what the lectures use."""
    tags, cited = set(), set()
    for path in NOTEBOOKS:
        for kind, text in cells(path):
            tags |= source_tags(text)
            cited |= citations(text) if kind == "markdown" else set()
    assert tags == {0, 1, 2, 3, 4}
    assert len(cited) >= 10, sorted(cited)


def test_planted_unknown_tag_and_citations_are_reported(sources_page):
    sources, keys = defined_sources(sources_page), set(bibliography(sources_page))
    planted = (
        "As [S7 §2] and [S0, S9] say, Nobody et al. (2011) and (Kingma & Ba, 2016) and "
        "Smith and Jones (2017) and Madeup & Ba (2015) prove it."
    )
    assert unknown_references(planted, True, sources, keys) == [
        "[S7] is not a source of docs/sources.md",
        "[S9] is not a source of docs/sources.md",
        "Kingma (2016) has no entry in docs/sources.md",
        "Madeup (2015) has no entry in docs/sources.md",
        "Nobody (2011) has no entry in docs/sources.md",
    ]
    # 'Smith (2017)' is defined; in a code cell only the tags count.
    assert unknown_references(planted, False, sources, keys) == [
        "[S7] is not a source of docs/sources.md",
        "[S9] is not a source of docs/sources.md",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kingma & Ba (2015)", {("Kingma", 2015)}),
        ("**Adam** (Kingma & Ba, 2015) keeps", {("Kingma", 2015)}),
        ("Reddi, Kale & Kumar (2018) built", {("Reddi", 2018)}),
        ("reproduce Reddi et al.'s (2018) problem", {("Reddi", 2018)}),
        ("(IRNN, Le et al. 2015): $W_{hh} = I$", {("Le", 2015)}),
        ("the original paper of Cho et al. 2014 applies it", {("Cho", 2014)}),
        ("The **range test** (Smith, 2017) runs", {("Smith", 2017)}),
        ("Gers et al. (2000) introduced the forget gate", {("Gers", 2000)}),
        ("Polyak's (1964) heavy ball and O'Brien (1999)", {("Polyak", 1964), ("O'Brien", 1999)}),
        ("Step 2000 of `Adam(lr=1e-3)`, in 2015, Figure (3)", set()),
        ("`Fake et al. (1999)` in code is not a citation", set()),
        ("used in Horovod (Sergeev & Del Balso, 2018))", {("Sergeev", 2018)}),
    ],
)
def test_citation_forms(text, expected):
    assert citations(text) == expected


def test_notation_has_a_row_for_each_required_symbol():
    symbols = notation_symbols(NOTATION.read_text(encoding="utf-8"))
    missing = [s for s in REQUIRED_SYMBOLS if s not in symbols]
    assert not missing, f"docs/notation.md has no row for {missing}"


def test_notation_check_reports_a_missing_symbol():
    page = (
        "| Symbol | Meaning |\n|---|---|\n| L | the largest curvature |\n| β₁, β₂ | Adam's decays |\n\n"
        "| Where | Quote |\n|---|---|\n| τ | a quote in a table of differences is not a row |\n"
    )
    symbols = notation_symbols(page)
    assert symbols == {"L", "β₁", "β₂"}
