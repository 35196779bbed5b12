"""The grader under a class that attacks it, round two (issue 18): what the batch in
``test_grading.py`` cannot show in one run. Gradescope's chain against a fake ``/autograder`` with
a NON-editable install, no unsandboxed retry, user ids, scratch removal, caps measured on the
host, several assignments in one output folder, an unidentifiable assignment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import zipfile
from pathlib import Path

import grading_fixtures as fx
import pytest

from course_utils.grading import cli, gradescope, isolation, uids

BIN = Path(sys.executable).parent
ENV = {**os.environ, "MPLBACKEND": "Agg", **isolation.thread_env()}
A = fx.answers
slow = pytest.mark.slow
needs_bwrap = pytest.mark.skipif(
    isolation.bubblewrap_problem() is not None,
    reason=f"bubblewrap unusable here: {isolation.bubblewrap_problem()}",
)
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="user ids are leased only as root")


def results_of(out: Path, assignment: str = fx.ASSIGNMENT) -> dict[str, dict]:
    folder = out / assignment / "students"
    return {p.parent.name: json.loads(p.read_text()) for p in folder.glob("*/results.json")}


# ------------------------------------------------------------------ usage


def test_an_unidentifiable_assignment_is_a_usage_error(tmp_path, capsys):
    fx.write_notebook(tmp_path / "in" / "alice.ipynb", A())
    assert cli.main([str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("course-grade: could not tell which assignment 'alice' is for")
    assert len(err.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_check_sandbox_answers_before_anything_runs(monkeypatch, capsys):
    monkeypatch.setattr(isolation, "bubblewrap_problem", lambda: "`bwrap` is not installed.")
    assert cli.main(["--check-sandbox"]) == 2
    monkeypatch.setattr(isolation, "bubblewrap_problem", lambda: None)
    assert cli.main(["--check-sandbox"]) == 0
    assert "works here" in capsys.readouterr().out


@slow
@needs_bwrap
def test_two_assignments_in_one_out_never_mix(tmp_path):
    out = tmp_path / "out"
    first = fx.write_notebook(tmp_path / "a" / "ann.ipynb", A())
    assert cli.main([str(first), "--out", str(out), "--assignment", fx.ASSIGNMENT]) == 0
    l2 = "def l2_norm(x):\n    return float(np.sqrt(np.sum(np.asarray(x, dtype=float) ** 2)))"
    second = fx.write_notebook(tmp_path / "b" / "ann.ipynb", [l2], assignment=None)
    assert cli.main([str(second), "--out", str(out), "--assignment", "00_start_here"]) == 0
    assert results_of(out)["ann"]["score"] == 10.0  # not replaced by the second run
    assert results_of(out, "00_start_here")["ann"]["extra_data"]["assignment"] == "00_start_here"
    header = (out / fx.ASSIGNMENT / "grades.csv").read_text().splitlines()[0]
    assert header == "student,total,max," + ",".join(fx.POINTS)
    assert "l2_norm" in (out / "00_start_here" / "grades.csv").read_text()


# ------------------------------------------------------------------ user ids and scratch


@root_only
def test_user_ids_are_leased_once_and_never_one_in_use(tmp_path):
    busy = uids.FIRST
    squatter = subprocess.Popen(
        ["setpriv", f"--reuid={busy}", f"--regid={busy}", "--clear-groups", "sleep", "60"]
    )
    try:
        deadline = time.monotonic() + 10
        while not uids.processes_of(busy) and time.monotonic() < deadline:
            time.sleep(0.05)
        one, two = uids.Lease(2), uids.Lease(2)
        try:
            assert busy not in one.uids + two.uids
            assert not set(one.uids) & set(two.uids)  # two graders never share an id
        finally:
            one.release()
            two.release()
        assert squatter.poll() is None
    finally:
        squatter.kill()
        squatter.wait()


@slow
@needs_bwrap
@root_only
def test_grading_never_kills_a_process_it_does_not_own(tmp_path):
    lease = uids.Lease(1)  # the id the grader would otherwise take first
    uid = lease.uids[0]
    lease.release()
    squatter = subprocess.Popen(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sleep", "120"]
    )
    try:
        time.sleep(0.5)
        nb = fx.write_notebook(tmp_path / "ann.ipynb", A())
        out = tmp_path / "out"
        assert cli.main([str(nb), "--out", str(out), "--assignment", fx.ASSIGNMENT]) == 0
        data = results_of(out)["ann"]
        assert data["score"] == 10.0 and "left running" not in data["output"]
        assert squatter.poll() is None, "the grader killed a process it does not own"
    finally:
        squatter.kill()
        squatter.wait()


def test_scratch_removal_survives_a_5000_deep_chain(tmp_path):
    top = tmp_path / "scratch"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for _ in range(5000):
        os.mkdir("d", dir_fd=fd)
        new = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = new
    os.close(fd)
    assert isolation.remove_tree(top) and not top.exists()


# ------------------------------------------------------------------ caps, measured on the host


def _available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@slow
@needs_bwrap
def test_caps_hold_and_the_host_keeps_its_memory_and_disk(tmp_path):
    root = tmp_path / "in"
    fx.write_notebook(root / "hog.ipynb", [*fx.MEMORY_ACROSS_PROCESSES, *A()])
    fx.write_notebook(root / "filler.ipynb", [fx.DISK_FILLER, *A()])
    lowest, stop = [_available_mb()], threading.Event()

    def sample():
        while not stop.wait(0.1):
            lowest[0] = min(lowest[0], _available_mb())

    before_mb, disk_before = lowest[0], shutil.disk_usage(tmp_path).free
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    args = [str(root), "--out", str(tmp_path / "out"), "--assignment", fx.ASSIGNMENT, "--quiet"]
    args += ["--cell-timeout", "20", "--total-memory-mb", "1000", "--jobs", "1"]
    try:
        assert cli.main(args) == 0
    finally:
        stop.set()
        sampler.join()
    after_mb, disk_after = _available_mb(), shutil.disk_usage(tmp_path).free
    results = results_of(tmp_path / "out")
    print(
        f"host memory available: {before_mb:.0f} MB before, lowest {lowest[0]:.0f} MB during, "
        f"{after_mb:.0f} MB after; disk free changed by "
        f"{(disk_after - disk_before) / 2**20:+.0f} MB"
    )
    assert results["hog"]["score"] == 0.0
    assert "used more than 1000 MB of memory" in results["hog"]["output"]
    assert results["filler"]["score"] == 10.0  # ENOSPC in its own folders is its own problem
    assert disk_before - disk_after < 100 * 2**20, "a submission wrote to the host's disk"
    # The host's memory is shared with other work, so only what the grader owns is asserted:
    # nothing runs under its user ids any more (the in-memory folders die with the sandbox).
    assert not uids.leftover_processes(uids.HISTORY)


# ------------------------------------------------------------------ Gradescope


def _autograder_tree(tmp_path: Path, submission: list[str], name: str) -> Path:
    tree = tmp_path / "autograder"
    with zipfile.ZipFile(gradescope.pack(fx.ASSIGNMENT, tmp_path / "autograder.zip")) as zf:
        zf.extractall(tree / "source")
    fx.write_notebook(tree / "submission" / name, submission)
    return tree


def _run_autograder(tree: Path, grade: Path) -> dict:
    env = {**ENV, "AUTOGRADER_ROOT": str(tree), "COURSE_GRADE": str(grade)}
    proc = subprocess.run(
        ["bash", str(tree / "source" / "run_autograder")],
        capture_output=True, text=True, env=env, timeout=300, cwd=tree,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads((tree / "results" / "results.json").read_text())


@slow
@needs_bwrap
def test_gradescope_autograder_grades_a_fake_autograder_tree(tmp_path):
    tree = _autograder_tree(
        tmp_path, A(projected_gd_step=fx.PROJECTED_STEP_ASCENDING), "my_work.ipynb"
    )
    names = {str(p.relative_to(tree / "source")) for p in (tree / "source").rglob("*")}
    assert {"setup.sh", "run_autograder", "source/pyproject.toml"} <= names
    assert "source/course_utils/specs/gradient_descent.py" in names
    assert "source/course_utils/data/tinyshakespeare.txt" in names  # data files too
    data = _run_autograder(tree, BIN / "course-grade")
    assert data["score"] == sum(fx.POINTS.values()) - fx.POINTS["projected_gd_step"]
    assert {t["name"]: t["score"] for t in data["tests"]}["projected_gd_step"] == 0.0
    assert data["extra_data"]["sandbox"] == "bubblewrap"


def test_gradescope_never_retries_without_the_sandbox(tmp_path):
    tree = _autograder_tree(tmp_path, A(), "grades.csv.ipynb")
    calls = tmp_path / "calls.txt"
    fake = tmp_path / "course-grade"
    fake.write_text(
        f'#!/usr/bin/env bash\necho "$*" >> {calls}\n'
        '[ "$1" = "--check-sandbox" ] && exit 0\n'
        "exit 1  # e.g. the grader crashed on this submission\n"
    )
    fake.chmod(0o755)
    data = _run_autograder(tree, fake)
    lines = calls.read_text().splitlines()
    assert lines[0] == "--check-sandbox" and len(lines) == 2, lines
    assert "--unsafe-no-sandbox" not in lines[1]
    assert data["score"] == 0.0 and "autograder failed" in data["output"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv with the packed package installed as Gradescope's setup.sh does (``pip install``
    of the unpacked ``source/``, not editable); the dependencies come from this venv's
    site-packages through a .pth file (no download)."""
    base = tmp_path_factory.mktemp("gradescope")
    with zipfile.ZipFile(gradescope.pack(fx.ASSIGNMENT, base / "autograder.zip")) as zf:
        zf.extractall(base / "autograder" / "source")
    assert "/autograder/source/source" in (base / "autograder" / "source" / "setup.sh").read_text()
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
         "--no-build-isolation", str(base / "autograder" / "source" / "source")],
        check=True, capture_output=True, env=ENV, timeout=600, cwd=venv.parent,
    )  # fmt: skip
    copy = site / "course_utils" / "specs" / "gradient_descent.py"
    assert copy.is_file(), "the install did not put the specs into site-packages"
    return venv


@slow
@needs_bwrap
@pytest.mark.parametrize(
    ("name", "cells", "total"),
    [
        ("grades.csv.ipynb", A(), 10.0),  # a file name that was a class file's
        ("seek.ipynb", [fx.SEEK_REFERENCES, *fx.if_found(A())], 0.0),
    ],
)
def test_gradescope_chain_with_a_normal_install(tmp_path, installed, name, cells, total):
    tree = _autograder_tree(tmp_path, cells, name)
    grade = installed / "bin" / "course-grade"
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import course_utils; print(course_utils.__file__)"],
        capture_output=True, text=True, env=ENV, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert where.startswith(str(installed)), where
    data = _run_autograder(tree, grade)
    assert data["score"] == total, data["output"]
    assert data["extra_data"]["sandbox"] == "bubblewrap"
