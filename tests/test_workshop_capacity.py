"""The workshop benchmark on a real JupyterHub: two learners run lecture 01 and exercise 01 at
once and finish with no failure; a failing cell is reported as that learner's failure; nothing the
run started is left running.

Needs ``jupyterhub`` (dev extra) and ``configurable-http-proxy`` (on PATH, or installed by the
benchmark with npm into ``build/npm/``); skipped, saying which, only when one cannot be installed.
"""

from __future__ import annotations

import importlib
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("jupyterhub", reason="jupyterhub is not installed (pip install -e .[dev])")
sys.path.insert(0, str(ROOT / "benchmarks"))
capacity = importlib.import_module("workshop_capacity")
hub = importlib.import_module("workshop_hub")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def proxy():
    try:
        return hub.proxy_command()
    except hub.Unavailable as error:
        pytest.skip(f"configurable-http-proxy cannot be installed: {error}")


def assert_nothing_left(result):
    assert result["left_running"] == [], f"still running: {result['left_running']}"
    assert result["killed_after_hub_stop"] == [], "the Hub should stop its servers itself"
    assert not Path(result["root"]).exists(), "the temporary directory was not removed"
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", result["hub_port"])) != 0, "the Hub's port still answers"


def test_two_learners_run_lecture_and_exercise_01_at_once(proxy):
    cells = {path: capacity.notebook_cells(path) for path in capacity.NOTEBOOKS}
    result = capacity.run_workshop(2)
    learners = result["learners"]
    assert [x["name"] for x in learners] == ["learner01", "learner02"]
    for learner in learners:
        assert learner["failure"] == "", f"{learner['name']}: {learner['failure']}"
        assert learner["cells_run"] == sum(map(len, cells.values())), learner
        assert list(learner["notebook_s"]) == list(capacity.NOTEBOOKS)
        # a learner is their server and one kernel per notebook, measured while they ran
        assert learner["peak"]["processes"] == 3, learner["peak"]
        peak = learner["peak"]
        assert 0 < peak["uss"] <= peak["pss"] <= peak["rss"], peak
        assert 0 < peak["kernel_pss"] < peak["pss"], "kernels and server not told apart"
        assert peak["cpu_s"] > 1, "the learners' CPU time was not measured"
    assert 0 < result["fixed_mib"]["rss"], "the Hub's and proxy's memory was not measured"
    assert_nothing_left(result)


def test_a_failing_cell_is_that_learners_failure(proxy):
    path = capacity.NOTEBOOKS[0]
    result = capacity.run_workshop(1, cells={path: ["x = 1", "1 / 0", "x = 2"]})
    (learner,) = result["learners"]
    assert learner["failure"].startswith("run: "), learner
    assert "cell 1: ZeroDivisionError" in learner["failure"], learner["failure"]
    assert learner["cells_run"] == 1
    assert_nothing_left(result)


def test_the_reference_answers_replace_every_stub_of_the_exercise():
    cells = capacity.notebook_cells("exercises/01_gradient_descent.ipynb")
    assert not [c for c in cells if "NotImplementedError" in c]
    assert any("def hessian_vector_product" in c for c in cells)
    assert not [c for c in cells if "### BEGIN SOLUTION" in c or "### END SOLUTION" in c]


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_a_bad_learner_count_is_one_clear_error(n, error):
    with pytest.raises(error, match="number of learners"):
        capacity.run_workshop(n)
