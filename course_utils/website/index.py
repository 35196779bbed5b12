"""The site's index page: the learning path and the table of lectures, exercises and solutions.

The order and the "you will be able to" text come from the README's table of notebooks (the
syllabus order); a notebook that the table does not list yet is appended in name order.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

_ROW = re.compile(r"^\|\s*\[`notebooks/(?P<stem>[^`]+)\.ipynb`\]\([^)]*\)\s*\|(?P<goal>[^|]*)\|")


def readme_order(readme: Path) -> dict[str, str]:
    """``{stem: "you will be able to ..."}`` in the order of the README's table."""
    rows = {}
    for line in Path(readme).read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows[match["stem"]] = match["goal"].strip()
    return rows


def _inline(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def render_index(
    stems: list[str], goals: dict[str, str], have: dict[str, set], glossary: bool, titles: dict
) -> str:
    """The body of index.html. ``have`` maps "lectures", "solutions", "exercises" to the stems
    built; ``titles`` maps stems to the lectures' titles."""
    ordered = [s for s in goals if s in stems] + sorted(s for s in stems if s not in goals)
    path = "\n".join(
        f"<li><a href='lectures/{s}.html'>{html.escape(titles.get(s, s))}</a>"
        + (f": you will be able to {_inline(goals[s])}" if goals.get(s) else "")
        + "</li>"
        for s in ordered
        if s in have["lectures"]
    )
    rows = []
    for s in ordered:
        lecture = f"<a href='lectures/{s}.html'>lecture</a>" if s in have["lectures"] else "—"
        exercise = (
            f"<a href='exercises/{s}.html'>read</a> · "
            f"<a href='exercises/{s}.ipynb' download>download .ipynb</a>"
            if s in have["exercises"]
            else "—"
        )
        solution = f"<a href='solutions/{s}.html'>solution</a>" if s in have["solutions"] else "—"
        cells = (html.escape(titles.get(s, s)), lecture, exercise, solution)
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    extra = "<p><a href='glossary.html'>Glossary (English / 中文)</a></p>" if glossary else ""
    return f"""<h1>From gradient descent to gated recurrent networks</h1>
<p>Every lecture and solution below was executed when this site was built; the numbers and figures
are that run's. Interactive widgets appear as static pictures: to move their controls, open the
notebook in JupyterLab (<code>python3 course.py lab</code>). Exercises: download the notebook, open
it in JupyterLab, replace each <code>raise NotImplementedError()</code> and run the
<code>check(...)</code> cell under it.</p>
{extra}
<h2>Learning path</h2>
<ol class='learning-path'>
{path}
</ol>
<h2>Lectures, exercises and solutions</h2>
<table class='course-table'>
<thead><tr><th>Notebook</th><th>Lecture</th><th>Exercises</th><th>Solution</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>"""


def page(title: str, body: str, root: str = "") -> str:
    """A plain site page (index, glossary) with the site's stylesheet and local MathJax."""
    mathjax = f"{root}assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe,local/stix"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{root}assets/site.css">
<script type="text/x-mathjax-config">MathJax.Hub.Config({{tex2jax: {{inlineMath: [['$','$'], ['\\\\(','\\\\)']], processEscapes: true}}}});</script>
<script src="{mathjax}"></script>
</head><body class="site-page">
<nav class='site-nav'><a href='{root}index.html'>Course home</a></nav>
<main>
{body}
</main></body></html>
"""
