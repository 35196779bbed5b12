"""A learner's view: every notebook of notebooks/, solutions/ and exercises/ (found by globbing, so
a new notebook is covered with no edit) opened in a real JupyterLab in headless Chromium, one
server for the session: Run All, wait until the kernel is idle, then

- no error output (exercises: only the stubs' NotImplementedError, the checks that report it,
  and cells that use a stub's value; after each stop the run goes on from the next cell not run);
- every figure rendered (each image loaded; no figure left as its text repr);
- every widget rendered (no "Error displaying widget", no widget left as its text repr) and
  responding: one control of each dashboard moved one step (a slider's handle, one arrow key);
  its output changes;
- a screenshot per notebook in build/screenshots/ (folder-stem.png).

Lectures and solutions: every code cell ran. Lecture 01 also checks its claim: the explorer
reports divergence past 2/L.

Needs Debian's ``chromium`` and the ``playwright`` Python package (``.ci/run`` installs chromium
when it can); skipped with the reason when either is missing. Never downloads a browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

pytestmark = pytest.mark.slow
FOLDERS = ("notebooks", "solutions", "exercises")
NOTEBOOKS = [
    p.relative_to(ROOT).as_posix() for f in FOLDERS for p in sorted((ROOT / f).glob("*.ipynb"))
]
SHOTS = ROOT / "build" / "screenshots"
TOKEN = "course-browser-test"
RUN_TIMEOUT_MS = 600_000  # a loaded 2-core machine needs minutes for lectures 01 and 08
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},  # render every cell
}
PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
ERRORS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
# A widget that did not render shows its text repr (e.g. "VBox(children=(...") or a message.
WIDGET_REPR = r"^(VBox|HBox|Box|IntSlider|FloatSlider|FloatLogSlider|Dropdown|Output|FloatProgress|IntProgress|HTML)\("


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """One fresh JupyterLab server for the session, on a copy of the course."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    settings = tmp / "settings"
    for plugin, values in SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        path = settings / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # Serve a copy: JupyterLab autosaves, and the committed notebooks must stay without outputs.
    course = tmp / "course"
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, course / folder)
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)}
    env.pop("MPLBACKEND", None)  # the inline backend must draw
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course}",
        "--ServerApp.open_browser=False", f"--ServerApp.runtime_dir={tmp / 'runtime'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp / "jupyterlab.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start: " + (tmp / "jupyterlab.log").read_text())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        yield context
        context.close()


def _shut_down_kernels(base: str) -> None:
    """Each notebook's kernel ends with its test (memory: up to ~300 MB a kernel with torch)."""
    api = f"{base}/api/sessions?token={TOKEN}"
    for session in json.load(urllib.request.urlopen(api, timeout=10)):
        url = f"{base}/api/sessions/{session['id']}?token={TOKEN}"
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30)


def _wait_until_run_ends(page) -> None:
    """All queued cells ran (or were cancelled by an error) and the kernel is idle."""
    page.wait_for_function(
        f"() => {{ const p = {PROMPTS}.map(e => e.textContent);"
        " return p.length > 0 && !p.some(t => t.includes('*')); }",
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )
    page.wait_for_selector(IDLE, timeout=60_000)


def _prompts(page) -> list[str]:
    return page.evaluate(f"() => {PROMPTS}.map(e => e.textContent)")


def _click_run_all(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_timeout(1_000)
    _wait_until_run_ends(page)


def _run_all(page, exercise: bool) -> None:
    _click_run_all(page)
    if not any(re.search(r"\[\d+\]", t) for t in _prompts(page)):
        # Not one cell ran (the kernel was not yet ready for the click): a start-up race of the
        # browser session, not of the notebook. Once more; _check_all_ran says if it happens again.
        page.wait_for_selector(IDLE, timeout=120_000)
        _click_run_all(page)
    # An exercise stops at each stub's NotImplementedError: go on from the next cell not run.
    for _ in range(40):
        if not exercise:
            return
        not_run = page.locator(".jp-Notebook .jp-CodeCell").filter(
            has=page.locator(".jp-InputPrompt", has_text="[ ]")
        )
        if not not_run.count():
            return
        not_run.first.locator(".jp-InputPrompt").click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run Selected Cell and All Below", exact=True).click()
        page.wait_for_timeout(1_000)
        _wait_until_run_ends(page)
    pytest.fail("the exercise kept stopping after 40 restarts")


def _stub_names(notebook: str) -> set[str]:
    """Names an exercise's answer cells define (``def f``, ``x = None``): stubs until solved."""
    nb = nbformat.read(ROOT / notebook, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    found = [re.findall(r"^(?:def\s+(\w+)|(\w+)\s*=)", c.source, re.M) for c in cells]
    return {a or b for pairs in found for a, b in pairs}


def _code_sources(notebook: str) -> list[str]:
    """The source of each code cell, in order (the page shows them in the same order)."""
    cells = nbformat.read(ROOT / notebook, as_version=4).cells
    return [c.source for c in cells if c.cell_type == "code"]


def _check_errors(page, notebook: str) -> None:
    """No error output; in an exercise, only errors of cells that use a stub (which raises
    NotImplementedError, or leaves its value None) are expected."""
    stubs = _stub_names(notebook) if notebook.startswith("exercises/") else set()
    sources = _code_sources(notebook)
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    assert cells.count() == len(sources), "the page shows every code cell"
    unexpected = []
    for i, source in enumerate(sources):
        texts = cells.nth(i).locator(ERRORS).all_inner_texts()
        errors = [t for t in texts if "Traceback" in t or "Error" in t]
        uses_stub = any(re.search(rf"\b{name}\b", source) for name in stubs)
        if errors and not (uses_stub or all("NotImplementedError" in t for t in errors)):
            unexpected.append(f"cell {i + 1}:\n{errors[0][-3000:]}")
    assert not unexpected, unexpected[0]


def _check_all_ran(page) -> None:
    """A lecture or solution: every code cell ran (a kernel that died or restarted leaves its
    cells without an execution count, and no error output to report)."""
    prompts = _prompts(page)
    not_run = [i + 1 for i, t in enumerate(prompts) if not re.search(r"\[\d+\]", t)]
    assert not not_run, (
        f"{len(not_run)} of {len(prompts)} code cells did not run (first: cell {not_run[0]}):"
        " the kernel died, restarted or never started"
    )


def _check_figures(page) -> int:
    images = page.locator(".jp-OutputArea-output img")
    if images.count():
        images.last.scroll_into_view_if_needed()
    broken = page.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).length"
    )
    assert broken == 0, f"{broken} figure(s) did not load"
    texts = page.locator(".jp-OutputArea-output[data-mime-type='text/plain']").all_inner_texts()
    reprs = [t for t in texts if t.strip().startswith("<Figure size")]
    assert not reprs, f"a figure shown as text instead of drawn: {reprs[0]}"
    return images.count()


def _check_widgets(page) -> int:
    """Every widget rendered; each dashboard (a control and an Output) reacts to one step."""
    for _ in range(240):  # a widget's view renders after its model arrives from the kernel
        texts = page.locator(".jp-OutputArea-output").all_inner_texts()
        if not [t for t in texts if "Loading widget" in t]:
            break
        page.wait_for_timeout(500)
    assert not [t for t in texts if "Error displaying widget" in t or "Loading widget" in t]
    assert not [t for t in texts if re.match(WIDGET_REPR, t.strip())], "a widget left as text"
    dashboards = (
        page.locator(".jp-OutputArea-output")
        .filter(has=page.locator(".widget-output"))
        .filter(has=page.locator(".noUi-handle, .widget-dropdown select"))
    )
    for i in range(dashboards.count()):
        dashboard = dashboards.nth(i)
        dashboard.scroll_into_view_if_needed()
        output = dashboard.locator(".widget-output").first
        before = output.inner_html()
        handle = dashboard.locator(".noUi-handle")
        if handle.count():
            handle.first.focus()
            page.keyboard.press("ArrowRight")
        else:
            menu = dashboard.locator(".widget-dropdown select").first
            options = menu.locator("option").all_inner_texts()
            menu.select_option(index=1 if len(options) > 1 else 0)
        for _ in range(240):  # a redraw takes 0.6-1.8 s idle, longer on a loaded machine
            if output.inner_html() != before:
                break
            page.wait_for_timeout(500)
        else:
            pytest.fail(f"widget {i + 1}: moving one control one step did not change its output")
    return dashboards.count()


def _explorer_diverges_past_two_over_l(page) -> None:
    """Lecture 01: typed past 2/L, the learning-rate explorer redraws and reports divergence."""
    sources = _code_sources("notebooks/01_gradient_descent.ipynb")
    index = next(i for i, s in enumerate(sources) if "= learning_rate_explorer(" in s)
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    explorer = cell.locator(".widget-vbox").filter(has=page.locator(".widget-slider")).first
    try:
        explorer.wait_for(timeout=120_000)
    except playwright_api.TimeoutError:
        shown = cell.locator(".jp-OutputArea").all_inner_texts()
        prompt = cell.locator(".jp-InputPrompt").inner_text()
        pytest.fail(f"the explorer (code cell {index + 1}, {prompt}) did not render: {shown}")
    explorer.scroll_into_view_if_needed()
    image = explorer.locator(".jp-OutputArea-output img").first
    image.wait_for(timeout=30_000)
    before = image.get_attribute("src")
    assert "diverged" not in explorer.inner_text()  # the explorer starts below 2/L
    explorer.locator(".widget-readout").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.25")
    page.keyboard.press("Enter")
    explorer.get_by_text("diverged").first.wait_for(timeout=60_000)
    for _ in range(60):  # the Output widget replaces its image: read the new one
        after = explorer.locator(".jp-OutputArea-output img").first.get_attribute("src")
        if after and after != before:
            break
        page.wait_for_timeout(500)
    assert after and after != before, "the explorer's figure did not change"


EXTRA_CHECKS = {"notebooks/01_gradient_descent.ipynb": _explorer_diverges_past_two_over_l}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(jupyterlab, browser, notebook):
    exercise = notebook.startswith("exercises/")
    shot = SHOTS / f"{notebook[:-6].replace('/', '-')}.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    try:
        page.goto(f"{jupyterlab}/lab/tree/{notebook}?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_selector(IDLE, timeout=120_000)
        page.wait_for_timeout(2_000)  # let the kernel connect before running
        _run_all(page, exercise)
        try:
            _check_errors(page, notebook)
        except AssertionError:
            page.locator(ERRORS).last.scroll_into_view_if_needed()
            raise
        if not exercise:
            _check_all_ran(page)
        figures = _check_figures(page)
        widgets = _check_widgets(page)
        if notebook in EXTRA_CHECKS:
            EXTRA_CHECKS[notebook](page)
        # The screenshot shows a widget, else a figure, else (exercises) the first stub's error.
        for shown in (".widget-output", ".jp-OutputArea-output img", ERRORS):
            if page.locator(shown).count():
                page.locator(shown).first.scroll_into_view_if_needed()
                break
        print(f"{notebook}: {figures} figures, {widgets} dashboards")
    finally:
        with contextlib.suppress(Exception):  # also of a failure, where it stopped
            page.screenshot(path=str(shot))
        page.close()
        _shut_down_kernels(jupyterlab)
