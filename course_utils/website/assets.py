"""Files every page loads, copied into the site at build time (never fetched from a CDN).

MathJax 2.7 comes from the ``jupyter-server-mathjax`` package (a PyPI wheel; its ``static/``
folder is MathJax with STIX-Web fonts only, so a local config selects that font). The stylesheet
draws the icons of matplotlib's animation buttons with Unicode symbols: ``to_jshtml()`` asks for
font-awesome 4 from a CDN, and the pages link this file instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

STIX_CONFIG = (
    'MathJax.Hub.Config({"HTML-CSS":{availableFonts:[],preferredFont:null,webFont:"STIX-Web",'
    'imageFont:null},SVG:{font:"STIX-Web"}});\n'
    'MathJax.Ajax.loadComplete("[MathJax]/config/local/stix.js");\n'
)

ICONS = {  # glyphs the common system fonts (DejaVu, Noto) have
    "fast-backward": "|◀◀",
    "step-backward": "|◀",
    "play": "▶",
    "pause": "❚❚",
    "step-forward": "▶|",
    "fast-forward": "▶▶|",
    "minus": "−",
    "plus": "+",
}

CSS = """body.site-page { font-family: system-ui, sans-serif; max-width: 70rem; margin: 0 auto;
  padding: 1rem 2rem; line-height: 1.5; }
.site-nav { padding: 0.5rem 1rem; border-bottom: 1px solid #ccc; margin-bottom: 1rem;
  font-family: system-ui, sans-serif; }
table.course-table, table.glossary { border-collapse: collapse; }
table.course-table td, table.course-table th, table.glossary td, table.glossary th {
  border: 1px solid #ccc; padding: 0.3rem 0.6rem; vertical-align: top; text-align: left; }
.static-widget { border: 1px dashed #888; padding: 0.5rem; }
.widget-note { background: #fff8dc; padding: 0.3rem 0.5rem; margin: 0 0 0.5rem 0; }
.static-widget img { max-width: 100%; }
.fa { font-family: system-ui, sans-serif; font-style: normal; display: inline-block; }
.fa-flip-horizontal { transform: scaleX(-1); }
""" + "".join(f'.fa-{name}:before {{ content: "{icon}"; }}\n' for name, icon in ICONS.items())


def mathjax_source() -> Path:
    """The installed MathJax 2 folder (``jupyter_server_mathjax/static``)."""
    try:
        import jupyter_server_mathjax
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise RuntimeError(
            "jupyter-server-mathjax is not installed; run python3 course.py setup."
        ) from exc
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def write_assets(site: Path) -> None:
    """Copy MathJax (with the STIX-Web config) and write the stylesheet under ``site/assets``."""
    target = site / "assets" / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(mathjax_source(), target, dirs_exist_ok=True)
    (target / "config" / "local").mkdir(parents=True, exist_ok=True)
    (target / "config" / "local" / "stix.js").write_text(STIX_CONFIG, encoding="utf-8")
    (site / "assets" / "site.css").write_text(CSS, encoding="utf-8")
