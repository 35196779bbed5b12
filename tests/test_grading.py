"""The auto-grader ``course-grade``: trust boundary, scoring, crash handling, output files.

Kernel-running tests are grouped into a few folder runs (one kernel per student, two in
parallel) and marked ``slow``; the rest judge hand-made observations without any kernel.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import grading_fixtures as fx
import pytest

from course_utils import specs
from course_utils.grading import cli, grader, report
from course_utils.judging import observe

SPEC = specs.load(fx.ASSIGNMENT)
BIN = Path(sys.executable).parent
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
slow = pytest.mark.slow
GRADESCOPE_VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


def assert_gradescope(data: dict) -> None:
    assert isinstance(data["score"], float)
    assert isinstance(data.get("output", ""), str)
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert test["visibility"] in GRADESCOPE_VISIBILITY
    assert data["score"] == sum(t["score"] for t in data["tests"])


def scores(data: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in data["tests"]}


def feedback_of(data: dict, name: str) -> str:
    return next(t["output"] for t in data["tests"] if t["name"] == name)


# ------------------------------------------------------------------ one folder run, 12 students

STUDENTS = {
    "correct": fx.answers(),
    "stubs": list(fx.STUBS.values()),
    "broken_step": fx.answers(gd_step=fx.GD_STEP_ASCENDING),
    "always_equal": [fx.ALWAYS_EQUAL],
    "monkeypatch": [fx.MONKEYPATCH],
    "cell_raises": [*fx.answers()[:2], 'raise RuntimeError("oops")', *fx.answers()[2:]],
    "loop_cell": ["while True:\n    pass", *fx.answers()],
    "loop_function": fx.answers(gradient_descent=fx.INFINITE_FUNCTION),
    "exit_cell": [*fx.answers()[:2], "import os\nos._exit(1)", *fx.answers()[2:]],
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("submitted")
    for student, cells in STUDENTS.items():
        fx.write_notebook(root / student / f"{fx.ASSIGNMENT}.ipynb", cells)
    (root / "invalid_json").mkdir()
    (root / "invalid_json" / f"{fx.ASSIGNMENT}.ipynb").write_text('{"cells": [1, 2,,]}')
    nested = root / "nested" / fx.ASSIGNMENT / f"{fx.ASSIGNMENT}.ipynb"
    fx.write_notebook(nested, fx.answers(), assignment=None)  # id from nbgrader's folder/stem
    (root / "no_notebook").mkdir()
    out = tmp_path_factory.mktemp("out")
    args = [str(root), "--out", str(out), "--jobs", "2", "--quiet"]
    code = cli.main(args + ["--cell-timeout", "3", "--question-timeout", "5"])
    results = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}
    return code, out, results


@slow
def test_batch_exit_code_and_one_results_json_per_student(batch):
    code, _, results = batch
    assert code == 0
    assert set(results) == {*STUDENTS, "invalid_json", "nested", "no_notebook"}
    for data in results.values():
        assert_gradescope(data)


@slow
def test_all_correct_gets_full_marks(batch):
    data = batch[2]["correct"]
    assert data["score"] == data["max_score"] == 10.0
    assert scores(data) == fx.POINTS
    assert "hidden test 3 passed" in feedback_of(data, "numerical_gradient")


@slow
def test_untouched_stubs_get_zero(batch):
    data = batch[2]["stubs"]
    assert data["score"] == 0.0 and data["max_score"] == 10.0
    assert "NotImplementedError" in feedback_of(data, "gd_step")


@slow
def test_one_broken_function_loses_exactly_its_points(batch):
    data = batch[2]["broken_step"]
    assert scores(data) == {**fx.POINTS, "gd_step": 0.0}
    feedback = feedback_of(data, "gd_step")
    assert "test 1 of 5 failed" in feedback and "expected:" in feedback
    assert "moved UP the gradient" in feedback  # the hint for this typical mistake


@slow
def test_always_equal_objects_earn_nothing(batch):
    assert batch[2]["always_equal"]["score"] == 0.0


@slow
def test_rigging_judge_and_allclose_in_the_kernel_earns_nothing(batch):
    assert batch[2]["monkeypatch"]["score"] == 0.0


@slow
def test_invalid_json_gets_zero_with_a_clear_message(batch):
    data = batch[2]["invalid_json"]
    assert data["score"] == 0.0 and data["max_score"] == 10.0
    assert data["output"].startswith("submission is not a valid notebook: Expecting value")
    assert batch[2]["correct"]["score"] == 10.0  # the others are still graded


@slow
def test_a_raising_cell_is_reported_and_later_cells_still_run(batch):
    data = batch[2]["cell_raises"]
    assert data["score"] == 10.0
    assert "raised RuntimeError: oops" in data["output"]


@slow
def test_endless_top_level_cell_is_interrupted(batch):
    data = batch[2]["loop_cell"]
    assert data["score"] == 10.0
    assert "cell 3 (`while True:`) did not finish within 3 s" in data["output"]


@slow
def test_endless_graded_function_times_out_only_that_question(batch):
    data = batch[2]["loop_function"]
    assert scores(data) == {**fx.POINTS, "gradient_descent": 0.0}
    assert "took longer than 5 s" in feedback_of(data, "gradient_descent")


@slow
def test_os_exit_in_a_cell_kills_only_that_submission(batch):
    data = batch[2]["exit_cell"]
    assert data["score"] == 0.0
    assert "the kernel died while running cell 5 (`import os`)" in data["output"]
    assert "the kernel died" in feedback_of(data, "numerical_gradient")


@slow
def test_nbgrader_nested_layout_and_missing_notebook(batch):
    assert batch[2]["nested"]["score"] == 10.0
    empty = batch[2]["no_notebook"]
    assert empty["score"] == 0.0 and empty["max_score"] == 10.0
    assert "no notebook found" in empty["output"]


@slow
def test_grades_csv_has_one_sorted_row_per_student(batch):
    _, out, results = batch
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0] == ["student", "total", "max", *fx.POINTS]
    assert [r[0] for r in rows[1:]] == sorted(results)
    by_student = {r[0]: r for r in rows[1:]}
    assert by_student["correct"] == ["correct", "10", "10", "3", "2", "3", "2"]
    assert by_student["broken_step"] == ["broken_step", "8", "10", "3", "0", "3", "2"]


# ------------------------------------------------------------------ the installed console script


def test_console_script_help():
    proc = subprocess.run(
        [str(BIN / "course-grade"), "--help"], capture_output=True, text=True, env=ENV, timeout=60
    )
    assert proc.returncode == 0
    assert "usage: course-grade" in proc.stdout and "--total-timeout" in proc.stdout


@slow
def test_console_script_grades_a_folder_of_three(tmp_path):
    root = tmp_path / "submitted"
    fx.write_notebook(root / "ann" / f"{fx.ASSIGNMENT}.ipynb", fx.answers())
    missing_value = fx.answers()[:3]  # max_stable_lr never defined
    fx.write_notebook(root / "cy" / f"{fx.ASSIGNMENT}.ipynb", missing_value)
    no_raise = fx.answers(gd_step="def gd_step(grad_fn, x, lr):\n    return x - lr * grad_fn(x)")
    fx.write_notebook(root / "bo" / fx.ASSIGNMENT / f"{fx.ASSIGNMENT}.ipynb", no_raise)
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(BIN / "course-grade"), str(root), "--out", str(out), "--jobs", "2"],
        capture_output=True, text=True, env=ENV, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines[:-1]) == ["ann", "bo", "cy"]
    assert lines[-1].startswith("graded 3 submission(s)")
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows == [
        ["student", "total", "max", *fx.POINTS],
        ["ann", "10", "10", "3", "2", "3", "2"],
        ["bo", "8", "10", "3", "0", "3", "2"],
        ["cy", "8", "10", "3", "2", "3", "0"],
    ]
    cy = json.loads((out / "cy" / "results.json").read_text())
    assert_gradescope(cy)
    assert "`max_stable_lr` is not defined" in feedback_of(cy, "max_stable_lr")


# ------------------------------------------------------------------ total timeout kills everything


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


@slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_total_timeout_kills_a_kernel_that_ignores_interrupts(tmp_path):
    pid_file = tmp_path / "kernel.pid"
    stubborn = (
        "import time\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(0.1)\n"
        "    except KeyboardInterrupt:\n"
        "        pass"
    )
    cells = [f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))", stubborn]
    nb = fx.write_notebook(tmp_path / "stubborn.ipynb", cells + fx.answers())
    options = grader.Options(cell_timeout=2, question_timeout=2, total_timeout=6)
    start = time.monotonic()
    result = grader.grade("stubborn", nb, options)
    assert time.monotonic() - start < 20
    assert result.score == 0.0 and result.max_score == 10.0
    assert any("longer than 6 s in total" in m for m in result.messages)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(pid), "the student's kernel outlived the grader's total timeout"


# ------------------------------------------------------------------ usage errors (no kernel)


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    assert cli.main([str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_folder_without_notebooks_is_a_usage_error(tmp_path):
    (tmp_path / "root" / "alice").mkdir(parents=True)
    assert cli.main([str(tmp_path / "root"), "--out", str(tmp_path / "out")]) == 2


def test_unknown_assignment_is_a_usage_error(tmp_path):
    nb = fx.write_notebook(tmp_path / "alice.ipynb", fx.answers())
    assert cli.main([str(nb), "--out", str(tmp_path / "out"), "--assignment", "99_nope"]) == 2


def test_single_invalid_file_still_gets_results_json(tmp_path):
    bad = tmp_path / "zoe.ipynb"
    bad.write_text('{"cells": [\n  {"a": 1}\n  {"b": 2}]}')
    out = tmp_path / "out"
    assert cli.main([str(bad), "--out", str(out), "--assignment", fx.ASSIGNMENT, "--quiet"]) == 0
    data = json.loads((out / "zoe" / "results.json").read_text())
    assert_gradescope(data)
    assert data["score"] == 0.0 and data["max_score"] == 10.0
    assert data["output"].startswith(
        "submission is not a valid notebook: Expecting ',' delimiter: line 3 column 3"
    )
    assert (out / "grades.csv").read_text().splitlines()[1] == "zoe,0,10,0,0,0,0"


def test_a_grader_failure_exits_1_but_still_writes_results(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in the grader")

    monkeypatch.setattr(cli, "grade", broken)
    nb = fx.write_notebook(tmp_path / "ann.ipynb", fx.answers())
    out = tmp_path / "out"
    assert cli.main([str(nb), "--out", str(out), "--quiet"]) == 1
    data = json.loads((out / "ann" / "results.json").read_text())
    assert data["score"] == 0.0 and "internal grader error" in data["output"]


def test_unknown_assignment_in_file_gets_zero_and_a_message(tmp_path):
    nb = fx.write_notebook(tmp_path / "max.ipynb", fx.answers(), assignment=None)
    out = tmp_path / "out"
    assert cli.main([str(nb), "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "max" / "results.json").read_text())
    assert data["score"] == 0.0 and "could not tell which assignment" in data["output"]


# ------------------------------------------------------------------ judging in the parent (no kernel)


def _observations(question, answer, **overrides):
    obs = [observe(question, case, answer) for case in question.cases]
    for index, value in overrides.items():
        obs[int(index.lstrip("c"))] = value
    return obs


def test_correct_observations_score_and_any_failure_scores_zero():
    q = SPEC.question("gradient_descent")
    good = _observations(q, q.reference)
    assert grader.judge_question(q, good).score == 3.0
    bad = _observations(q, q.reference, c4={"value": None})
    assert grader.judge_question(q, bad).score == 0.0


@pytest.mark.parametrize(
    "observations",
    [
        None,
        [],
        "x",
        [{"value": 1.0}],
        [None] * 5,
        [{"value": {"shape": [2], "data": ["a", 1]}}] * 5,
    ],
)
def test_malformed_observations_never_score(observations):
    q = SPEC.question("gd_step")
    assert grader.judge_question(q, observations).score == 0.0


def test_hidden_failures_reveal_neither_inputs_nor_expected_values():
    q = SPEC.question("gradient_descent")
    hidden = q.cases[3]
    x_expected, steps = q.reference(*hidden.inputs())
    wrong_steps = {"value": {"items": [{"shape": [2], "data": x_expected.tolist()}, 0.0]}}
    leaky_error = {"error_type": "ValueError", "error": "ValueError: x0=[3.0, -2.0] lr=0.4"}
    obs = _observations(q, q.reference, c3=wrong_steps, c4=leaky_error)
    text = grader.judge_question(q, obs).output
    assert "hidden test 4 failed: returned a wrong result." in text
    assert "hidden test 5 failed: raised ValueError." in text
    for secret in (f"{steps:g}", hidden.description, "3.0, -2.0", "0.4"):
        assert secret not in text
    visible = grader.judge_question(q, _observations(q, q.reference, c0=wrong_steps)).output
    assert "expected:" in visible and q.cases[0].description in visible


def test_kernel_death_and_timeouts_are_reported_per_question():
    q = SPEC.question("numerical_gradient")
    dead = [{"error_type": "DeadKernelError", "error": "the kernel died while running cell 4."}]
    assert "the kernel died while running cell 4" in grader.judge_question(q, dead * 4).output
    slow_q = dataclasses.replace(q, timeout=7.0)
    assert "took longer than 7 s" in grader.judge_question(slow_q, [{"timeout": True}] * 4).output


def test_sandbox_result_is_validated(tmp_path):
    path = tmp_path / "result.json"
    for text in ("not json", "[]", '{"questions": [], "cells": [], "kernel": "ok"}'):
        path.write_text(text)
        assert grader._read_result(path)[0] is None
    path.write_text('{"questions": {}, "cells": [], "kernel": "ok"}')
    assert grader._read_result(path)[0] == {"questions": {}, "cells": [], "kernel": "ok"}


def test_sandbox_command_is_one_wrappable_list(tmp_path):
    command = grader.sandbox_command(tmp_path / "job.json")
    assert command[0] == sys.executable and "course_utils.grading.sandbox" in command
    env = grader.sandbox_env(tmp_path)
    assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["MPLBACKEND"] == "Agg" and env["HOME"] == str(tmp_path)


def test_results_json_follows_gradescope_keys():
    result = report.SubmissionResult("ann", fx.ASSIGNMENT, messages=["hello"])
    result.tests = grader.zero_tests(SPEC, "nothing ran.")
    data = report.results_json(result)
    assert_gradescope(data)
    assert data["max_score"] == 10.0 and data["output"] == "hello"


def test_grading_never_imports_plotting_or_widgets():
    code = (
        "import sys, course_utils.grading.cli, course_utils.grading.probe;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'ipywidgets', 'torch') or m in "
        "('course_utils.plotting', 'course_utils.widgets')];"
        "print(bad); sys.exit(bool(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
