"""One notebook -> one self-contained HTML page of the site (executed, widgets frozen, math local).

Pages live one folder below the site root (``lectures/``, ``solutions/``, ``exercises/``) and load
only files of the site: MathJax from ``assets/mathjax`` (vendored at build time from the
``jupyter-server-mathjax`` package) and ``assets/site.css`` (which also draws the icons of
matplotlib's animation buttons, which would otherwise come from a font-awesome CDN).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import nbformat

from ..kernel_polling import client_for
from . import glossary as G
from .static_widgets import ALT_TEXT_HOOK, count_figures, freeze_widgets

MATHJAX = "../assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,local/stix"
CSS = "../assets/site.css"
TEMPLATES = Path(__file__).resolve().parent / "templates"
_FONT_AWESOME = re.compile(r"<link\b[^>]*font-awesome[^>]*>", re.IGNORECASE | re.DOTALL)
# matplotlib's to_jshtml() frame: an <img> without alt whose src its script sets.
_ANIMATION_FRAME = re.compile(r'<img\b[^>]*\bid="(_anim_img[0-9a-f]+)"[^>]*>')
ANIMATION_ALT = (
    "Animation frame: use the buttons under it to play, pause or step through the frames."
)
# A markdown link to a notebook: [text](path.ipynb#anchor).
_NOTEBOOK_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s#]+\.ipynb)(#[^)\s]*)?\)")
KIND_OF = {"notebooks": "lectures", "solutions": "solutions", "exercises": "exercises"}
_HEADING = re.compile(r"^#+\s+(.+)$", re.MULTILINE)


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run ``path`` in a fresh kernel, keeping widget state and giving every figure alt text."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(ALT_TEXT_HOOK))
    client = client_for(nb, path, timeout, store_widget_state=True)
    client.execute()
    nb.cells.pop(0)
    for cell in nb.cells:  # the hidden cell took execution count 1
        if cell.cell_type == "code" and cell.execution_count:
            cell.execution_count -= 1
            for out in cell.outputs:
                if out.get("execution_count"):
                    out.execution_count -= 1
    return nb


def _fallback_alt_text(nb: nbformat.NotebookNode) -> None:
    """Figures without alt text (not drawn by matplotlib) get their section's heading."""
    section = nb.metadata.get("title", "this notebook")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = _HEADING.findall(cell.source)
            section = headings[-1].strip() if headings else section
            continue
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                meta = out.setdefault("metadata", {})
                if not meta.get("image/png", {}).get("alt"):
                    meta["alt"] = f"Figure in “{section}”."


def title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The notebook's first markdown heading (or ``fallback``)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = _HEADING.findall(cell.source)
            if headings:
                return headings[0].strip()
    return fallback


def site_links(source: str, folder: str, pages: set[tuple[str, str]]) -> str:
    """Point markdown links to notebooks at their site pages.

    ``folder`` is the notebook's own folder (``notebooks``, ...), against which relative links are
    resolved; ``pages`` holds the ``(kind, stem)`` pages the site has. A link to a notebook the
    site does not have (a partial build) keeps its text and loses its target.
    """

    def swap(m: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(folder, m[2])).split("/")
        if len(target) == 2 and target[0] in KIND_OF:
            kind, stem = KIND_OF[target[0]], target[1][: -len(".ipynb")]
            if (kind, stem) in pages:
                return f"[{m[1]}](../{kind}/{stem}.html{m[3] or ''})"
        return m[1]

    return _NOTEBOOK_LINK.sub(swap, source)


def _nav(links: dict[str, str]) -> str:
    items = " · ".join(f"<a href='{href}'>{text}</a>" for text, href in links.items())
    return f"<nav class='site-nav'>{items}</nav>"


def render(
    nb: nbformat.NotebookNode,
    name: str,
    terms: dict[str, str],
    nav: dict[str, str],
    folder: str = "notebooks",
    pages: frozenset = frozenset(),
) -> str:
    """The HTML page of an (executed) notebook; ``terms`` maps glossary terms to anchors;
    ``folder`` and ``pages`` turn links to notebooks into links to pages (:func:`site_links`)."""
    from nbconvert import HTMLExporter

    figures = count_figures(nb)
    freeze_widgets(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = G.link_objectives(cell.source, terms, f"../{G.PAGE}")
            cell.source = site_links(cell.source, folder, pages)
    _fallback_alt_text(nb)
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)], template_name="site", mathjax_url=MATHJAX
    )
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title(nb, name)}})
    page = _ANIMATION_FRAME.sub(lambda m: f'<img alt="{ANIMATION_ALT}" id="{m[1]}">', page)
    meta = f'<meta name="course-figures" content="{figures}">'
    page = page.replace("</head>", f"{meta}\n</head>", 1)
    page = _FONT_AWESOME.sub(f'<link rel="stylesheet" href="{CSS}">', page)
    if CSS not in page:
        page = page.replace("</head>", f'<link rel="stylesheet" href="{CSS}">\n</head>', 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _nav(nav), page, count=1)
