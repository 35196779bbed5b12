"""Check a built site offline: internal links resolve, pages have their figures, nothing external.

``python -m course_utils.website --check build/site`` prints each problem; :func:`problems`
returns them. External means any ``src``/``href`` of a script, stylesheet, image, font, frame or
link with a scheme or ``//`` host (http, https, data: images excepted), and any CSS ``url(...)``
or ``@import`` that leaves the site. Plain ``<a href>`` links to the web are allowed (a reader may
follow them); links inside the site must resolve to a file (and an ``#anchor`` to an ``id``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
NO_ALT = "No description has been provided for this image"  # nbconvert's stand-in
_LOADING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "link": "href"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []  # URLs the page fetches by itself
        self.links: list[str] = []  # <a href>
        self.ids: set[str] = set()
        self.images: list[dict] = []
        self.styles: list[str] = []
        self._in_style = False
        self.figures = 0  # <meta name="course-figures" content="N">: figures its notebook made

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "meta" and a.get("name") == "course-figures":
            self.figures = int(a.get("content") or 0)
        if tag in _LOADING and a.get(_LOADING[tag]):
            self.loads.append(a[_LOADING[tag]])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a)
        if a.get("style"):
            self.styles.append(a["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def _external(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme == "data":
        return False
    return bool(parts.scheme or parts.netloc)


def _css_urls(text: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(text)]


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def problems(site: Path) -> list[str]:
    """Everything wrong with the site at ``site``, one sentence each (empty when all is well)."""
    site = Path(site).resolve()
    found, parsed = [], {p: parse(p) for p in sorted(site.rglob("*.html"))}
    if not (site / "index.html").exists():
        found.append(f"{site} has no index.html.")
    for path, page in parsed.items():
        name = path.relative_to(site)
        for url in page.loads + [u for s in page.styles for u in _css_urls(s)]:
            if _external(url):
                found.append(f"{name} loads {url} from outside the site.")
        for url in page.links + [u for u in page.loads if not _external(u)]:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:  # the web, data: and mailto: are not site files
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists() or site not in (target, *target.parents):
                found.append(f"{name} links to {url}, which is not in the site.")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    found.append(f"{name} links to {url}, whose anchor does not exist.")
        if len(page.images) < page.figures:
            found.append(f"{name} shows {len(page.images)} of its {page.figures} figures.")
        for image in page.images:
            if (image.get("alt") or "").strip() in ("", NO_ALT):
                found.append(f"{name} has an image without alt text.")
    for css in site.rglob("*.css"):
        for url in _css_urls(css.read_text(encoding="utf-8", errors="replace")):
            if _external(url):
                found.append(f"{css.relative_to(site)} loads {url} from outside the site.")
    return found
