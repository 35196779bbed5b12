"""The offline static site (``python3 course.py site``): built here from a small course — lecture
00, a fixture lecture with math, a figure, an animation, a live widget, a progress bar and bold
glossary terms, solution and exercise 01, a fixture glossary — then checked: every internal link
and anchor resolves, every page shows the figures its notebook made (with alt text), and nothing
is loaded from outside the site. In Chromium with the network blocked: math typeset, the
animation plays. The whole course is built by ``.ci/run`` (``course.py site``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course_utils.website import build_site, problems
from course_utils.website import glossary as G
from course_utils.website.static_widgets import NOTE

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = """# Glossary

| Term | 中文 | Definition | Introduced in |
|---|---|---|---|
| Learning rate | 学习率 | The step size $\\eta$ of `x - lr * grad`. | [01](../notebooks/01_gradient_descent.ipynb) |
| Hessian | 黑塞矩阵 | The matrix of second derivatives. | [99](../notebooks/99_site_fixture.ipynb) |
"""

FIXTURE_CELLS = [
    ("markdown", "# 99 — Site fixture\n\n**Learning objectives.** After this notebook you can\n"
     "1. choose the **learning rate** from the **Hessian** (**not a glossary term**);\n"
     "2. read $\\eta < 2/L$ and $$f(x) = \\tfrac{1}{2} x^\\top A x.$$"),
    ("code", "%matplotlib inline\nimport ipywidgets as w\nimport matplotlib.pyplot as plt\n"
     "from IPython.display import HTML, display\nfrom matplotlib.animation import FuncAnimation"),
    ("markdown", "## 1. A figure"),
    ("code", "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([0, 1, 4])\n"
     "ax.set(title='a parabola', xlabel='x', ylabel='$x^2$')\nplt.show()"),
    ("code", "fig, ax = plt.subplots(figsize=(3, 2), dpi=40)\nline, = ax.plot([0, 1], [0, 0])\n"
     "anim = FuncAnimation(fig, lambda k: line.set_ydata([0, k]), frames=3)\n"
     "html = anim.to_jshtml()\nplt.close(fig)\nHTML(html)"),
    ("code", "slider = w.IntSlider(value=2, min=1, max=5, description='power')\nout = w.Output()\n"
     "def draw(*_):\n    out.clear_output(wait=True)\n    with out:\n"
     "        fig, ax = plt.subplots(figsize=(3, 2))\n"
     "        ax.plot([x ** slider.value for x in range(5)])\n"
     "        ax.set_title(f'x^{slider.value}')\n        display(fig)\n        plt.close(fig)\n"
     "slider.observe(draw, names='value')\ndraw()\nw.VBox([slider, out])"),
    ("code", "from tqdm.auto import tqdm\nfor _ in tqdm(range(3), desc='counting'):\n    pass"),
]  # fmt: skip


def _fixture_notebook() -> nbformat.NotebookNode:
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](src) for kind, src in FIXTURE_CELLS])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    repo = tmp_path_factory.mktemp("course")
    for folder, stem in [("notebooks", "00_start_here"), ("solutions", "01_gradient_descent"),
                         ("exercises", "01_gradient_descent")]:  # fmt: skip
        (repo / folder).mkdir(exist_ok=True)
        shutil.copyfile(ROOT / folder / f"{stem}.ipynb", repo / folder / f"{stem}.ipynb")
    nbformat.write(_fixture_notebook(), repo / "notebooks" / "99_site_fixture.ipynb")
    shutil.copyfile(ROOT / "README.md", repo / "README.md")
    (repo / "docs").mkdir()
    (repo / "docs" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    out = repo / "build" / "site"
    found = build_site(out, repo=repo, jobs=2, log=lambda _: None)
    return out, found


def test_the_site_builds_with_no_problem(site):
    out, found = site
    assert found == []
    assert problems(out) == []
    for page in ["index.html", "glossary.html", "lectures/00_start_here.html",
                 "lectures/99_site_fixture.html", "solutions/01_gradient_descent.html",
                 "exercises/01_gradient_descent.html", "assets/mathjax/MathJax.js",
                 "assets/mathjax/config/local/stix.js", "assets/site.css"]:  # fmt: skip
        assert (out / page).is_file(), page


def test_index_follows_the_readme_order_and_links_every_kind(site):
    out, _ = site
    index = (out / "index.html").read_text(encoding="utf-8")
    start, fixture = index.index("00 · Start here"), index.index("99 — Site fixture")
    assert start < fixture, "README's lectures come first, unlisted ones after"
    for href in ["lectures/00_start_here.html", "solutions/01_gradient_descent.html",
                 "exercises/01_gradient_descent.ipynb", "glossary.html"]:  # fmt: skip
        assert f"href='{href}'" in index, href
    exercise = (out / "exercises" / "01_gradient_descent.html").read_text(encoding="utf-8")
    assert "href='01_gradient_descent.ipynb'>Download this exercise (.ipynb)" in exercise
    assert 'href="../lectures/00_start_here.html"' in exercise, "notebook links -> pages"
    download = out / "exercises" / "01_gradient_descent.ipynb"
    assert download.read_bytes() == (ROOT / "exercises" / "01_gradient_descent.ipynb").read_bytes()


def test_bold_objective_terms_link_to_their_glossary_anchor(site):
    out, _ = site
    page = (out / "lectures" / "99_site_fixture.html").read_text(encoding="utf-8")
    assert 'href="../glossary.html#learning-rate"' in page
    assert 'href="../glossary.html#hessian"' in page
    assert "glossary.html#not-a-glossary-term" not in page
    glossary = (out / "glossary.html").read_text(encoding="utf-8")
    assert "id='learning-rate'" in glossary and "学习率" in glossary
    assert "<a href='lectures/99_site_fixture.html'>" in glossary


def test_widgets_become_static_figures_with_a_note_and_progress_bars_text(site):
    out, _ = site
    page = (out / "lectures" / "99_site_fixture.html").read_text(encoding="utf-8")
    assert page.count(NOTE) == 1, "one live widget, one note; the progress bar gets none"
    assert "Controls: power = 2." in page
    assert 'alt="Figure. x^2"' in page, "the widget's figure, with alt text from its title"
    assert 'alt="Figure. a parabola, x: x, y: x^2"' in page
    assert "counting" in page and "widget-view" not in page
    assert 'content="2"' in page, "two figures: the plot and the widget's"


def test_the_animation_links_no_cdn(site):
    out, _ = site
    page = (out / "lectures" / "99_site_fixture.html").read_text(encoding="utf-8")
    assert "_anim_img" in page and "font-awesome" not in page
    assert '<link rel="stylesheet" href="../assets/site.css">' in page


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ('<script src="https://cdn.example.org/x.js"></script>', "loads https://cdn"),
        ("<style>@font-face { src: url(https://fonts.example.org/a.woff); }</style>", "loads"),
        ('<link rel="stylesheet" href="//cdn.example.org/a.css">', "loads //cdn"),
        ('<a href="missing.html">x</a>', "not in the site"),
        ('<a href="#nowhere">x</a>', "anchor does not exist"),
        ('<img src="data:image/png;base64,AA==">', "without alt text"),
        ('<meta name="course-figures" content="2"><img alt="one" src="data:,">', "1 of its 2"),
    ],
)
def test_the_checker_finds_each_kind_of_problem(tmp_path, html, problem):
    (tmp_path / "index.html").write_text(f"<html><body>{html}</body></html>", encoding="utf-8")
    found = problems(tmp_path)
    assert any(problem in p for p in found), found
    (tmp_path / "index.html").write_text("<a href='#top' id='top'>ok</a>", encoding="utf-8")
    assert problems(tmp_path) == []


def test_a_css_file_that_loads_from_the_web_is_found(tmp_path):
    (tmp_path / "index.html").write_text("<p>ok</p>", encoding="utf-8")
    (tmp_path / "a.css").write_text("@import 'https://fonts.example.org/x.css';", encoding="utf-8")
    assert problems(tmp_path) == [
        "a.css loads https://fonts.example.org/x.css from outside the site."
    ]


def test_glossary_slug_and_reading(tmp_path):
    assert G.slug("Learning rate (η)") == "learning-rate"
    assert G.slug("BPTT / truncated BPTT") == "bptt-truncated-bptt"
    with pytest.raises(TypeError, match="term must be a string"):
        G.slug(3)
    assert G.read_glossary(tmp_path / "missing.md") == []
    (tmp_path / "g.md").write_text("| Word | Meaning |\n|---|---|\n| a | b |\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no table with the header"):
        G.read_glossary(tmp_path / "g.md")
    (tmp_path / "g.md").write_text(GLOSSARY, encoding="utf-8")
    assert [r["Term"] for r in G.read_glossary(tmp_path / "g.md")] == ["Learning rate", "Hessian"]


def test_only_the_objectives_bold_terms_are_linked():
    terms = {"learning rate": "learning-rate"}
    source = "**Learning rate** early.\n\n**Learning objectives.** pick the **learning rate**."
    linked = G.link_objectives(source, terms)
    assert linked.startswith("**Learning rate** early.")
    assert linked.endswith("pick the [**learning rate**](glossary.html#learning-rate).")
    assert G.link_objectives("no objectives **learning rate**", terms).count("](") == 0
    plural = G.link_objectives("**Learning objectives:** compare **Learning rates**.", terms)
    assert "[**Learning rates**](glossary.html#learning-rate)" in plural
    lecture = ("**After this notebook you can**\n\n- tune the **learning rate**;\n"
               "  keep **learning rate** small\n- stop\n\nLater: the **learning rate** again.")  # fmt: skip
    linked = G.link_objectives(lecture, terms)
    assert linked.count("](glossary.html#learning-rate)") == 2, "the list's two, not the later one"
    assert linked.endswith("Later: the **learning rate** again.")


def test_build_site_rejects_zero_jobs(tmp_path):
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        build_site(tmp_path, jobs=0)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_pages_render_offline_in_chromium(site):
    """Network off (every host unresolvable): math typeset, animation plays, nothing fails."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    out, _ = site
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND"]  # fmt: skip
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        outside = []
        page.on(
            "request",
            lambda r: r.url.startswith(("file:", "data:", "about:")) or outside.append(r.url),
        )
        page.goto((out / "lectures" / "99_site_fixture.html").as_uri())
        page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.isReady")
        page.wait_for_function(
            "() => document.querySelectorAll('.MathJax, .MathJax_Display').length >= 2"
        )
        assert "$\\eta" not in page.inner_text("body"), "raw TeX left on the page"
        frame = page.locator("img[id^=_anim_img]")
        before = frame.get_attribute("src")
        page.locator("button[title='Play']").first.click()
        page.wait_for_function(
            "([el, b]) => el.src !== b", arg=[frame.element_handle(), before], timeout=10_000
        )
        page.screenshot(path=str(shots / "site-99_site_fixture.png"), full_page=True)
        page.goto((out / "index.html").as_uri())
        page.screenshot(path=str(shots / "site-index.png"))
        browser.close()
    assert outside == []


def test_a_dashboards_static_view_names_each_control_and_keeps_its_figure():
    from course_utils.website.static_widgets import static_view

    def model(name, **state):
        return {"model_name": name, "state": state}

    state = {
        "box": model("VBoxModel", children=[f"IPY_MODEL_{k}" for k in "abcde"]),
        "a": model("DropdownModel", description="surface", _options_labels=["flat", "bowl"],
                   index=1),
        "b": model("SelectMultipleModel", description="optimizers",
                   _options_labels=["GD", "Adam", "RMSprop"], index=[0, 2]),
        "c": model("FloatLogSliderModel", description="learning rate", value=0.0316227766),
        "d": model("HTMLModel", value="<b>GD</b>: converged"),
        "e": model("OutputModel", outputs=[{"output_type": "display_data", "data": {
            "image/png": "iVBORw0KGgo="}, "metadata": {"image/png": {"alt": "Figure. race"}}}]),
    }  # fmt: skip
    view = static_view(state, "box")
    assert NOTE in view
    assert "Controls: surface = bowl; optimizers = GD, RMSprop; learning rate = 0.0316." in view
    assert "<b>GD</b>: converged" in view
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Figure. race">' in view
    progress = {"bar": model("HBoxModel", children=["IPY_MODEL_t"]),
                "t": model("HTMLModel", value="counting: 100%")}  # fmt: skip
    assert NOTE not in static_view(progress, "bar") and "counting: 100%" in static_view(
        progress, "bar"
    )


def test_links_to_notebooks_become_links_to_pages():
    from course_utils.website.pages import site_links

    pages = {("lectures", "02_x"), ("exercises", "01_y"), ("solutions", "01_y")}
    source = ("[next](02_x.ipynb) · [exercise](../exercises/01_y.ipynb#Q1) · "
              "[solution](../solutions/01_y.ipynb) · [gone](03_z.ipynb) · [code](../README.md)")  # fmt: skip
    assert site_links(source, "notebooks", pages) == (
        "[next](../lectures/02_x.html) · [exercise](../exercises/01_y.html#Q1) · "
        "[solution](../solutions/01_y.html) · gone · [code](../README.md)"
    )
    assert site_links("[lecture](../notebooks/02_x.ipynb)", "exercises", pages) == (
        "[lecture](../lectures/02_x.html)"
    )
