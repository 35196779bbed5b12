"""The solutions work as nbgrader source: ``nbgrader generate_assignment`` releases a student
version without the answers, and ``nbgrader autograde`` gives the solution full marks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils import specs
from course_utils.grading.isolation import thread_env

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01_gradient_descent"
BIN = Path(sys.executable).parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (BIN / "nbgrader").exists(), reason="nbgrader (a dev dependency) is missing"
    ),
]


def test_generate_assignment_and_autograde(tmp_path):
    source = ROOT / "solutions" / f"{ASSIGNMENT}.ipynb"
    for folder in (f"source/{ASSIGNMENT}", f"submitted/alice/{ASSIGNMENT}"):
        (tmp_path / folder).mkdir(parents=True)
        shutil.copy(source, tmp_path / folder / f"{ASSIGNMENT}.ipynb")
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "MPLBACKEND": "Agg", **thread_env()}
    for command in (
        ["generate_assignment", ASSIGNMENT, "--force"],
        ["autograde", ASSIGNMENT, "--create", "--force"],
    ):
        proc = subprocess.run(
            [str(BIN / "nbgrader"), *command, "--db", db],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    released = (tmp_path / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "raise NotImplementedError" in released and "BEGIN SOLUTION" not in released
    from nbgrader.api import Gradebook

    with Gradebook(db) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "alice")
        assert submission.score == submission.max_score == specs.load(ASSIGNMENT).max_score
