"""The grader's own start-up in the student's kernel is not held to the student's cell timeout.

The first helper cell imports the probe and the modules a question's library names (torch for
many): on a loaded machine that took longer than CI's 3 s ``--cell-timeout`` and every question
of every student scored 0 ("the kernel failed to start the grading helpers"). Here a library
module that takes 2.5 s to import stands in for torch on a loaded machine, with a 1 s cell
timeout: the helpers start, and the student's own cells still get 1 s.
"""

from __future__ import annotations

import os

from course_utils.grading.sandbox.runner import Run


def test_a_slow_helper_start_is_not_cut_by_the_cell_timeout_and_student_cells_still_are(
    tmp_path, monkeypatch
):
    (tmp_path / "slow_library.py").write_text(
        "import time\ntime.sleep(2.5)\n\n\ndef implementation():\n    return 1\n"
    )
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    )
    job = {
        "cells": [
            {"cell_type": "code", "source": "x = 1"},
            {"cell_type": "code", "source": "import time\ntime.sleep(5)"},
        ],
        "cell_timeout": 1,
        "library": ["slow_library.implementation"],
        "questions": [],
    }
    result = Run(job).execute()
    assert result["kernel"] == "ok", result
    # the student's second cell ran past its 1 s and was recorded as a timeout, the first was not
    assert [c["cell"] for c in result["cells"]] == [1], result["cells"]
