"""The auto-grader ``course-grade`` against a class of honest, broken and hostile submissions.

One batch run (bubblewrap sandbox, two slots) grades every submission below; each test asserts
one student's expected grade and message, and that every other student was still graded right
and nothing the submissions started is left running. Kernel-running tests are marked ``slow``
(they run in CI); the rest judge hand-made observations without any kernel.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import grading_fixtures as fx
import pytest

from course_utils.grading import cli, isolation, uids

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "MPLBACKEND": "Agg", **isolation.thread_env()}
slow = pytest.mark.slow
GRADESCOPE_VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}
needs_bwrap = pytest.mark.skipif(
    isolation.bubblewrap_problem() is not None,
    reason=f"bubblewrap unusable here: {isolation.bubblewrap_problem()}",
)


def assert_gradescope(data: dict) -> None:
    assert isinstance(data["score"], float)
    assert isinstance(data.get("output", ""), str)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert test["visibility"] in GRADESCOPE_VISIBILITY
    assert data["score"] == sum(t["score"] for t in data["tests"])


def scores(data: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in data["tests"]}


def feedback_of(data: dict, name: str) -> str:
    return next(t["output"] for t in data["tests"] if t["name"] == name)


def sandbox_processes() -> list[int]:
    """Processes still owned by a user id this test process's graders leased (another test file
    may be grading at the same time under other ids of the range)."""
    return uids.leftover_processes(uids.HISTORY)


def results_of(out: Path, assignment: str = fx.ASSIGNMENT) -> dict[str, dict]:
    folder = out / assignment / "students"
    return {p.parent.name: json.loads(p.read_text()) for p in folder.glob("*/results.json")}


# ------------------------------------------------------------------ the class, graded in one run

A = fx.answers
EXPECTED = {  # student -> (total, substring of the report or None)
    "correct": (10, None),
    "stubs": (0, "not implemented yet"),
    "broken_step": (8, "moved UP the gradient"),
    "always_equal": (0, "object of type Anything"),
    "monkeypatch": (0, None),
    "import_spec": (7, "specs are not available"),
    "exec_solutions": (0, "FileNotFoundError"),
    "library_alias": (7, "calls the course library's own implementation"),
    "stack_sniffer": (8, "moved UP the gradient"),
    "forge_markers": (0, "more than one result was printed"),
    "forge_result_and_die": (0, "ended abnormally"),
    "kill_everything": (0, "ended abnormally"),
    "snoop_and_persist": (10, None),  # its files and daemon: see the first test
    "network": (10, None),  # the listener hears nothing: see the first test
    "memory_bomb": (10, "raised MemoryError"),
    "file_bomb": (10, "File too large"),
    "output_flood": (10, None),
    "loop_cell": (10, "did not finish within 3 s"),
    "loop_function": (7, "took longer than 5 s"),
    "segfault": (0, "the kernel died while running cell 3"),
    "sys_exit_function": (8, "raised SystemExit"),
    "os_exit_function": (2, "the kernel died while testing backtracking_step"),
    "subclasses": (6, "object of type Sly"),
    "nan_shape_dtype": (2, "the array contains NaN"),
    "other_assignment_metadata": (10, None),
    "not_json": (0, "not a valid notebook"),
    "nbformat_3": (0, "nbformat '3' is not supported"),
    "no_graded_cells": (0, "is not defined"),
    "deep_nesting": (0, "nested too deeply"),
    "symlink_folder": (0, "symbolic link"),
    "symlink_to_solution": (0, "symbolic link"),
    "dev_zero": (0, "symbolic link"),
    "fifo": (0, "not a regular file"),
    "missing": (0, "no notebook found"),
    # issue 18
    "grades.csv": (10, None),  # a student id that is a class file's name
    "summary.png": (10, None),
    "alice": (0, "more than one submission has the student id 'alice'"),
    "overflow_int": (0, "the result could not be read"),
    "huge_shape": (0, "the result could not be read"),
    "forged_died": (2, None),  # see the hidden-feedback test
    "library_wrapped": (7, "calls the course library's own implementation"),
    "disk_filler": (10, None),  # its files fill its own in-memory folders, not the host's disk
    "many_files": (0, "it created more than 20000 files"),
    "deep_folders": (10, None),
    "memory_across_processes": (0, "its processes together used more than 2000 MB of memory"),
}


@pytest.fixture(scope="module")
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            received.append(conn.recv(100))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def _write_class(root: Path, out: Path, port: int) -> None:
    nb = fx.ASSIGNMENT + ".ipynb"
    flat = {  # DIR/<student>.ipynb
        "correct": A(),
        "stubs": list(fx.STUBS.values()),
        "broken_step": A(projected_gd_step=fx.PROJECTED_STEP_ASCENDING),
        "always_equal": [fx.ALWAYS_EQUAL],
        "monkeypatch": [fx.MONKEYPATCH_BUILTINS],
        "import_spec": [*A()[1:], fx.IMPORT_SPEC],
        "exec_solutions": [fx.EXEC_SOLUTIONS.format(repo=str(ROOT))],
        "library_alias": [*A()[1:], fx.LIBRARY_ALIAS],
        "stack_sniffer": A(projected_gd_step=fx.STACK_SNIFFER),
        "forge_markers": [fx.FORGE_MARKERS],
        "forge_result_and_die": [*A(), fx.FORGE_RESULT_AND_DIE],
        "kill_everything": [*A(), fx.KILL_EVERYTHING],
        "snoop_and_persist": [*A(), fx.SNOOP_AND_PERSIST.format(out=str(out), root=str(root))],
        "network": [fx.NETWORK.format(port=port), *A()],
        "memory_bomb": [fx.MEMORY_BOMB, *A()],
        "file_bomb": [fx.FILE_BOMB, *A()],
        "output_flood": [fx.OUTPUT_FLOOD, *A()],
        "loop_cell": ["while True:\n    pass", *A()],
        "loop_function": A(backtracking_step=fx.INFINITE_FUNCTION),
        "segfault": [fx.SEGFAULT, *A()],
        "sys_exit_function": A(projected_gd_step=fx.SYS_EXIT_FUNCTION),
        "os_exit_function": A(backtracking_step=fx.OS_EXIT_FUNCTION),
        "subclasses": [*A(), fx.SUBCLASSES],
        "nan_shape_dtype": A(**fx.NAN_SHAPE_DTYPE),
        "no_graded_cells": ["x = 1"],
        "grades.csv": A(),
        "summary.png": A(),
        "alice": A(),
        "overflow_int": [*A(), fx.OVERFLOW_INT],
        "huge_shape": [*A(), fx.HUGE_SHAPE],
        "forged_died": [*A(), fx.FORGED_DIED],
        "library_wrapped": [*A()[1:], fx.LIBRARY_WRAPPED],
        "disk_filler": [fx.DISK_FILLER, *A()],
        "many_files": [fx.MANY_FILES, *A()],
        "deep_folders": [fx.DEEP_FOLDERS, *A()],
        "memory_across_processes": [*fx.MEMORY_ACROSS_PROCESSES, *A()],
    }
    for student, cells in flat.items():
        fx.write_notebook(root / f"{student}.ipynb", cells)
    # nbgrader layouts, and metadata that names another assignment
    other = root / "other_assignment_metadata" / fx.ASSIGNMENT / nb
    fx.write_notebook(other, A(), assignment="00_start_here")
    fx.write_notebook(
        root / "alice" / nb, A(projected_gd_step=fx.PROJECTED_STEP_ASCENDING)
    )  # and alice.ipynb
    fx.raw_notebook(root / "not_json.ipynb", '{"cells": [1, 2,,]}')
    fx.raw_notebook(root / "nbformat_3.ipynb", json.dumps({"nbformat": 3, "cells": []}))
    fx.raw_notebook(root / "deep_nesting.ipynb", "[" * 100_000 + "]" * 100_000)
    (root / "missing").mkdir()
    (root / "symlink_folder").symlink_to(root / "other_assignment_metadata")
    (root / "symlink_to_solution.ipynb").symlink_to(ROOT / "solutions" / nb)
    (root / "dev_zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.ipynb")


@pytest.fixture(scope="module")
def batch(tmp_path_factory, listener):
    port, received = listener
    root, out = tmp_path_factory.mktemp("submitted"), tmp_path_factory.mktemp("out")
    _write_class(root, out, port)
    args = [str(root), "--out", str(out), "--jobs", "2", "--quiet", "--assignment", fx.ASSIGNMENT]
    start = time.monotonic()
    limits = ["--cell-timeout", "3", "--question-timeout", "5", "--total-timeout", "90"]
    code = cli.main(args + limits + ["--memory-mb", "1500", "--total-memory-mb", "2000"])
    seconds = time.monotonic() - start
    left = sandbox_processes()
    return code, out / fx.ASSIGNMENT, results_of(out), left, received, seconds


@slow
@needs_bwrap
def test_every_student_graded_and_nothing_left_running(batch):
    code, out, results, left, received, _ = batch
    assert code == 0
    assert set(results) == set(EXPECTED)
    for data in results.values():
        assert_gradescope(data)
        assert data["extra_data"]["sandbox"] == "bubblewrap"
    assert left == [], "processes of the submissions outlived the grader"
    assert received == [], "a submission reached a listener on the grader's machine"
    time.sleep(1)  # a detached process would rewrite grades.csv now
    assert (out / "grades.csv").is_file() and (out / "summary.png").is_file()
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert {s: float(r["total"]) for s, r in rows.items()} == {
        s: float(total) for s, (total, _) in EXPECTED.items()
    }


@slow
@needs_bwrap
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_expected_grade_and_message(batch, student):
    results = batch[2]
    total, message = EXPECTED[student]
    data = results[student]
    text = data["output"] + "\n" + "\n".join(t["output"] for t in data["tests"])
    assert data["score"] == total, text
    assert data["max_score"] == 10.0
    if message is not None:
        assert message in text, text


@slow
@needs_bwrap
def test_hidden_feedback_shows_no_inputs_and_no_expected_values(batch):
    data = batch[2]["broken_step"]
    feedback = feedback_of(data, "projected_gd_step")
    assert "hidden test 6 of 8 failed: returned a wrong result." in feedback
    hidden_lines = [line for line in feedback.splitlines() if line.startswith("hidden")]
    assert all("expected" not in line and "rotated" not in line for line in hidden_lines)
    md = (batch[1] / "students" / "broken_step" / "feedback.md").read_text()
    assert "expected:" in md and "rotated quadratic" not in md


@slow
@needs_bwrap
def test_hidden_cases_show_only_text_the_grader_wrote(batch):
    data = batch[2]["forged_died"]
    hidden = [line for t in data["tests"] for line in t["output"].splitlines() if "hidden" in line]
    assert hidden and not any("LEAKED" in line for line in hidden), hidden
    assert any("no result came back" in line for line in hidden)
    assert "LEAKED" in feedback_of(data, "projected_gd_step")  # its own text, on a visible case


@slow
@needs_bwrap
def test_summary_files_beside_grades(batch):
    out = batch[1]
    rows = {r["question"]: r for r in csv.DictReader((out / "summary.csv").open())}
    assert rows["total"]["students"] == str(len(EXPECTED))
    assert (out / "summary.png").stat().st_size > 1000


# ------------------------------------------------------------------ separate runs


@slow
@needs_bwrap
def test_fork_bomb_is_contained_and_the_next_student_is_graded(tmp_path):
    root = tmp_path / "submitted"
    fx.write_notebook(root / "a_bomb.ipynb", [fx.FORK_BOMB, *A()])
    fx.write_notebook(root / "b_next.ipynb", A())
    out = tmp_path / "out"
    args = [str(root), "--out", str(out), "--jobs", "1", "--quiet", "--assignment", fx.ASSIGNMENT]
    assert cli.main(args + ["--cell-timeout", "3", "--total-timeout", "30"]) == 0
    bomb, nxt = results_of(out)["a_bomb"], results_of(out)["b_next"]
    assert nxt["score"] == 10.0, nxt
    stopped = "longer than 30 s in total" in bomb["output"] and bomb["score"] == 0.0
    # on a loaded machine the processes may fill the memory cap before the cell's 3 s are up:
    # the caps watchdog stops that submission instead, which contains the bomb just as well
    capped = "more than 3072" in bomb["output"] and "memory" in bomb["output"]
    assert (
        stopped
        or capped
        or "cell 3 (`import os, time`) did not finish within 3 s" in bomb["output"]
    )
    assert bomb["score"] == 0.0 or not capped
    assert sandbox_processes() == []


@slow
@needs_bwrap
def test_total_timeout_kills_a_kernel_that_ignores_interrupts(tmp_path):
    stubborn = (
        "import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
        "    except KeyboardInterrupt:\n        pass"
    )
    fx.write_notebook(tmp_path / "in" / "stubborn.ipynb", [stubborn, *A()])
    out = tmp_path / "out"
    args = [str(tmp_path / "in"), "--out", str(out), "--quiet", "--assignment", fx.ASSIGNMENT]
    start = time.monotonic()
    assert cli.main(args + ["--cell-timeout", "2", "--total-timeout", "8"]) == 0
    assert time.monotonic() - start < 40
    data = results_of(out)["stubborn"]
    assert data["score"] == 0.0 and "longer than 8 s in total" in data["output"]
    assert sandbox_processes() == []


@slow
@needs_bwrap
def test_one_at_a_time_into_one_folder_accumulates_grades_csv(tmp_path):
    out = tmp_path / "grades"
    for student, cells in [("ann", A()), ("bo", A(projected_gd_step=fx.PROJECTED_STEP_ASCENDING))]:
        nb = fx.write_notebook(tmp_path / f"{student}.ipynb", cells)
        proc = subprocess.run(
            [str(BIN / "course-grade"), str(nb), "--out", str(out), "--assignment", fx.ASSIGNMENT],
            capture_output=True, text=True, env=ENV, timeout=180, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader((out / fx.ASSIGNMENT / "grades.csv").open()))
    assert rows == [
        ["student", "total", "max", *fx.POINTS],
        ["ann", "10", "10", "2", "3", "2", "3"],
        ["bo", "8", "10", "0", "3", "2", "3"],
    ]


@slow
def test_unsafe_mode_grades_and_says_what_it_does_not_protect(tmp_path):
    fx.write_notebook(tmp_path / "in" / "ann.ipynb", A())
    out = tmp_path / "out"
    args = [str(tmp_path / "in"), "--out", str(out), "--quiet", "--unsafe-no-sandbox"]
    assert cli.main(args + ["--assignment", fx.ASSIGNMENT]) == 0
    data = results_of(out)["ann"]
    assert data["score"] == 10.0
    assert "WITHOUT a sandbox" in data["output"] and data["extra_data"]["sandbox"] != "bubblewrap"


# ------------------------------------------------------------------ usage errors (no kernel)


def test_without_bubblewrap_the_grader_refuses(tmp_path, monkeypatch, capsys):
    fx.write_notebook(tmp_path / "ann.ipynb", A())
    monkeypatch.setattr(isolation, "bubblewrap_problem", lambda: "`bwrap` is not installed.")
    args = [str(tmp_path / "ann.ipynb"), "--out", str(tmp_path / "out")]
    assert cli.main(args + ["--assignment", fx.ASSIGNMENT]) == 2
    err = capsys.readouterr().err
    assert "`bwrap` is not installed" in err and "--unsafe-no-sandbox" in err
    assert not (tmp_path / "out").exists()


def test_console_script_help():
    proc = subprocess.run(
        [str(BIN / "course-grade"), "--help"], capture_output=True, text=True, env=ENV, timeout=60
    )
    assert proc.returncode == 0
    assert "--unsafe-no-sandbox" in proc.stdout and "--total-timeout" in proc.stdout


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    assert cli.main([str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_folder_without_notebooks_names_the_layouts(tmp_path, capsys):
    (tmp_path / "root" / "alice").mkdir(parents=True)
    assert cli.main([str(tmp_path / "root"), "--out", str(tmp_path / "out")]) == 2
    assert "DIR/<student>.ipynb" in capsys.readouterr().err


def test_unknown_assignment_is_a_usage_error(tmp_path):
    nb = fx.write_notebook(tmp_path / "alice.ipynb", A())
    assert cli.main([str(nb), "--out", str(tmp_path / "out"), "--assignment", "99_nope"]) == 2
