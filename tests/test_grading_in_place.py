"""course-grade scores an in-place requirement as the instant check does: clipping a copy of the
gradients loses clip_grad_norm's points, with the same one verdict in the feedback."""

import inspect
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_checks import _clip_a_copy
from test_checks_07_sb07 import q1_rebind

from course_utils import specs

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "07_vanishing_exploding"
pytestmark = pytest.mark.slow

# The answer of tests/test_checks.py's in-place case, as a student would write it in the cell.
COPYING = inspect.getsource(_clip_a_copy).replace("def _clip_a_copy", "def clip_grad_norm")
# Referee sb07 E1: new arrays put into the caller's list (grads[i] = grads[i] * c); the sandbox's
# probe reads the arrays the list held before the call, as the instant check does.
REBINDING = inspect.getsource(q1_rebind).replace("def q1_rebind", "def clip_grad_norm")


@pytest.mark.parametrize("answer", [COPYING, REBINDING], ids=["copy", "rebinding"])
def test_clipping_a_copy_loses_the_points_with_one_verdict(tmp_path, answer):
    nb = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "clip_grad_norm":
            cell.source = answer
    submission = tmp_path / "submitted" / "student" / f"{ASSIGNMENT}.ipynb"
    submission.parent.mkdir(parents=True)
    nbformat.write(nb, submission)
    sandbox = [] if shutil.which("bwrap") else ["--unsafe-no-sandbox"]
    out = tmp_path / "grades"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("course-grade")), str(tmp_path / "submitted"), "--out", str(out),
         "--quiet", *sandbox],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((out / ASSIGNMENT / "students" / "student" / "results.json").read_text())
    spec = specs.load(ASSIGNMENT)
    assert result["score"] == spec.max_score - spec.question("clip_grad_norm").points
    test = next(t for t in result["tests"] if t["name"] == "clip_grad_norm")
    assert test["score"] == 0 and "not changed in place" in test["output"]
    feedback = (out / ASSIGNMENT / "students" / "student" / "feedback.md").read_text()
    assert not re.search(r"clip_grad_norm.*all \d+ visible tests pass", feedback)
