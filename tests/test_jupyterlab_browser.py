"""A learner's view: open lecture 01 in a real JupyterLab in headless Chromium, run all cells,
move the learning-rate slider past 2/L and see the explorer redraw and report divergence.

Needs Debian's ``chromium`` and the ``playwright`` Python package (``.ci/run`` installs both when
it can); skipped with the reason when either is missing. Never downloads a browser.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

pytestmark = pytest.mark.slow
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A fresh JupyterLab server on the repository, without news toasts or notebook windowing."""
    settings = tmp_path / "settings"
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        package, name = plugin.rsplit("/", 1)
        path = settings / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # Serve a copy: JupyterLab autosaves, and the committed notebooks must stay without outputs.
    course = tmp_path / "course"
    shutil.copytree(ROOT / "notebooks", course / "notebooks")
    port, token = _free_port(), "course-browser-test"
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "MPLBACKEND": ""}
    env.pop("MPLBACKEND")
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
        "--ServerApp.open_browser=False", f"--ServerApp.runtime_dir={tmp_path / 'runtime'}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "jupyterlab.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start: " + (tmp_path / "jupyterlab.log").read_text())
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_lecture_01_runs_and_the_explorer_reacts_to_the_slider(jupyterlab, tmp_path):
    base, token = jupyterlab
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        page = browser.new_page()
        page.goto(f"{base}/lab/tree/notebooks/01_gradient_descent.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
        )
        page.wait_for_timeout(2_000)  # let the kernel connect before running
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        # Done when the last code cell has an execution count and the kernel is idle again.
        last_prompt = page.locator(".jp-CodeCell .jp-InputPrompt").last
        page.wait_for_function(
            "el => /\\[\\d+\\]/.test(el.textContent)",
            arg=last_prompt.element_handle(),
            timeout=420_000,  # a loaded 2-core machine needs minutes for lecture 01
        )
        page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
        )
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
        assert not tracebacks, tracebacks[:1]

        explorer = page.locator(".widget-vbox").filter(has=page.locator(".widget-slider")).first
        explorer.scroll_into_view_if_needed()
        image = explorer.locator(".jp-OutputArea-output img").first
        image.wait_for(timeout=30_000)
        before = image.get_attribute("src")
        page.screenshot(path=str(tmp_path / "explorer-before.png"))

        assert "diverged" not in explorer.inner_text()  # it starts below 2/L
        readout = explorer.locator(".widget-readout").first
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.25")
        page.keyboard.press("Enter")
        explorer.get_by_text("diverged").first.wait_for(timeout=30_000)
        # The Output widget replaces its image: read the new one and compare.
        for _ in range(60):
            after = explorer.locator(".jp-OutputArea-output img").first.get_attribute("src")
            if after and after != before:
                break
            page.wait_for_timeout(500)
        assert after and after != before, "the explorer's figure did not change"
        shots = os.environ.get("COURSE_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            explorer.screenshot(path=str(Path(shots) / "explorer-after.png"))
        browser.close()
