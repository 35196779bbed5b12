"""The course as an offline static site: ``python3 course.py site`` -> ``build/site/``.

Each lecture and solution is executed in a fresh kernel (the polling client, widget state kept)
and exported with nbconvert's lab template; widgets become static pictures of their state with a
note; MathJax and the stylesheet are copied into the site, so no page fetches anything from the
network. Exercises are offered as ``.ipynb`` downloads (and a read-only page). ``index.html`` holds
the learning path and the table; ``glossary.html`` the glossary when ``docs/glossary.md`` exists.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from . import glossary as G
from .assets import write_assets
from .check import problems
from .index import page, readme_order, render_index
from .pages import title

__all__ = ["KINDS", "build_site", "problems"]

REPO = Path(__file__).resolve().parent.parent.parent
KINDS = {"lectures": "notebooks", "solutions": "solutions", "exercises": "exercises"}
NAV = {"Course home": "../index.html"}


def _build_page(source: Path, target: Path, terms: dict, pages: frozenset, timeout: int):
    """Worker: execute (not exercises) and render one notebook; (seconds, error or None)."""
    from .pages import execute as run
    from .pages import render

    start = time.perf_counter()
    folder = source.parent.name
    try:
        execute = folder != KINDS["exercises"]
        nb = run(source, timeout) if execute else nbformat.read(source, as_version=4)
        nav = {**NAV, "Glossary": f"../{G.PAGE}"} if terms else dict(NAV)
        if not execute:
            nav["Download this exercise (.ipynb)"] = source.name
        page = render(nb, source.stem, terms, nav, folder, pages)
        target.write_text(page, encoding="utf-8")
    except Exception as exc:  # reported per notebook; the build goes on with the others
        return time.perf_counter() - start, f"{type(exc).__name__}: {str(exc)[-1500:]}"
    return time.perf_counter() - start, None


def _inline(text: str, stems: set[str]) -> str:
    """A glossary cell as HTML: `code`, and [NN](../notebooks/NN_x.ipynb) -> the lecture's page."""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))

    def link(m: re.Match) -> str:
        target = Path(m[2])
        if target.parent.name == "notebooks" and target.stem in stems:
            return f"<a href='lectures/{target.stem}.html'>{m[1]}</a>"
        return m[1]

    return re.sub(r"\[([^\]]*)\]\(([^)\s]+\.ipynb)\)", link, text)


def build_site(
    out: Path,
    stems: list[str] | None = None,
    repo: Path = REPO,
    glossary: Path | None = None,
    jobs: int = 2,
    timeout: int = 600,
    log=print,
) -> list[str]:
    """Build the site into ``out``; return the failures and problems found (empty: all is well).

    ``stems`` limits the notebooks (e.g. ``["00_start_here"]``); ``glossary`` defaults to
    ``docs/glossary.md`` of ``repo``; ``jobs`` notebooks run at a time.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_assets(out)
    rows = G.read_glossary(glossary if glossary is not None else repo / "docs" / "glossary.md")
    terms = {row["Term"].lower(): G.slug(row["Term"]) for row in rows}
    sources = {
        kind: {
            p.stem: p
            for p in sorted((repo / folder).glob("*.ipynb"))
            if stems is None or p.stem in stems
        }
        for kind, folder in KINDS.items()
    }
    pages = frozenset((kind, stem) for kind, found in sources.items() for stem in found)
    failures, jobs_list = [], []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for kind, found in sources.items():
            (out / kind).mkdir(exist_ok=True)
            for stem, path in found.items():
                target = out / kind / f"{stem}.html"
                future = pool.submit(_build_page, path, target, terms, pages, timeout)
                jobs_list.append((kind, stem, future))
                if kind == "exercises":
                    shutil.copyfile(path, out / kind / path.name)
        for kind, stem, future in jobs_list:
            seconds, error = future.result()
            log(f"{kind}/{stem}: {'FAILED' if error else 'ok'} in {seconds:.1f} s")
            if error:
                failures.append(f"{kind}/{stem} failed: {error}")
    built = {k: {s for s in v if (out / k / f"{s}.html").exists()} for k, v in sources.items()}
    all_stems = sorted(set().union(*sources.values()))
    goals = readme_order(repo / "README.md")
    titles = {s: title(nbformat.read(p, as_version=4), s) for s, p in sources["lectures"].items()}
    body = render_index(all_stems, goals, built, bool(rows), titles)
    (out / "index.html").write_text(page("Course home", body), encoding="utf-8")
    if rows:
        table = G.render_rows(rows, lambda text: _inline(text, built["lectures"]))
        glossary_body = f"<h1>Glossary</h1>\n{table}"
        (out / G.PAGE).write_text(page("Glossary", glossary_body), encoding="utf-8")
    return failures + problems(out)
