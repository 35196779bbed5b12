"""The TRUSTED side of grading: validate, launch the sandbox, read plain data, judge, score.

Nothing the student wrote runs in this process. The submitted file is parsed here as data only;
a sanitised copy (cell types and sources, no outputs or metadata) goes to a fresh temp dir where
``sandbox_command`` starts the untrusted child. The child's JSON result is validated, and every
test case is judged here with :func:`course_utils.judging.judge`, whose references are computed
in this process. A question scores its points only when all its cases (visible and hidden) pass.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import specs
from ..judging import Verdict, judge
from . import report
from .report import SubmissionResult, TestResult

MAX_NOTEBOOK_BYTES = 50_000_000
MAX_RESULT_BYTES = 100_000_000


@dataclass(frozen=True)
class Options:
    cell_timeout: float = 60.0
    question_timeout: float | None = None  # None: each question's own ``timeout`` from the spec
    total_timeout: float = 600.0


# ------------------------------------------------------------------ reading the submission


def read_notebook(path: Path) -> dict:
    """``{"cells": [{"cell_type", "source"}], "metadata": {...}}`` parsed as plain JSON (no
    notebook library runs on untrusted input here), or ValueError with one sentence."""
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"submission is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB.")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"submission is not a valid notebook: {exc}") from None
    if type(data) is not dict or type(data.get("cells")) is not list:
        raise ValueError("submission is not a valid notebook: it has no list of cells.")
    if data.get("nbformat") != 4:
        raise ValueError(
            f"submission is not a valid notebook: nbformat {data.get('nbformat')!r} is not "
            "supported (expected 4; open and save it in a current Jupyter)."
        )
    cells = []
    for number, cell in enumerate(data["cells"], 1):
        source = cell.get("source") if type(cell) is dict else None
        if type(source) is list and all(type(line) is str for line in source):
            source = "".join(source)
        if type(source) is not str:
            raise ValueError(
                f"submission is not a valid notebook: cell {number} has no source text."
            )
        kind = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown") else "raw"
        cells.append({"cell_type": kind, "source": source})
    metadata = data.get("metadata")
    return {"cells": cells, "metadata": metadata if type(metadata) is dict else {}}


def assignment_of(nb: dict | None, path: Path, override: str | None) -> str | None:
    """``--assignment``, else metadata ``course.assignment``, else a known file or folder name."""
    if override:
        return override
    course = nb["metadata"].get("course") if nb is not None else None
    if type(course) is dict and course.get("assignment") in specs.ASSIGNMENT_IDS:
        return course["assignment"]
    for name in (path.stem, path.parent.name):
        if name in specs.ASSIGNMENT_IDS:
            return name
    return None


def sanitised(nb: dict) -> dict:
    """A fresh v4 notebook holding only cell types and sources: no outputs, metadata or tags."""
    cells = []
    for i, cell in enumerate(nb["cells"]):
        new = {"id": f"cell-{i}", "cell_type": cell["cell_type"], "metadata": {}}
        new["source"] = cell["source"]
        if cell["cell_type"] == "code":
            new.update(execution_count=None, outputs=[])
        cells.append(new)
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


# ------------------------------------------------------------------ the child process


def sandbox_command(job_path: Path) -> list[str]:
    """The command that runs the untrusted child. Wrap it here (e.g. bwrap) to harden further."""
    return [sys.executable, "-P", "-m", "course_utils.grading.sandbox", str(job_path)]


def sandbox_env(home: Path) -> dict[str, str]:
    """A small environment: no secrets of the grader's, one thread per library, no display."""
    env = {
        k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ", "PYTHONPATH") if k in os.environ
    }
    env.update(
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        MPLBACKEND="Agg",
        HOME=str(home),
        MPLCONFIGDIR=str(home / ".matplotlib"),
        IPYTHONDIR=str(home / ".ipython"),
        JUPYTER_RUNTIME_DIR=str(home / ".jupyter-runtime"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (Linux /proc; the kernel runs in a session of its own)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(proc: subprocess.Popen) -> None:
    own_group = os.getpgrp()
    for pid in [proc.pid, *_descendants(proc.pid)]:
        try:
            group = os.getpgid(pid)
            if group != own_group:
                os.killpg(group, signal.SIGKILL)
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()


def run_sandbox(nb: dict, job: dict, total_timeout: float) -> tuple[dict | None, list[str]]:
    """Run the child on a sanitised copy of ``nb`` in a fresh temp dir; return (its validated
    result or None, notebook-level messages). The temp dir is removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="course-grade-"))
    try:
        for sub in ("work", "io", "home"):
            (root / sub).mkdir()
        notebook, io_dir = root / "work" / "submission.ipynb", root / "io"
        notebook.write_text(json.dumps(sanitised(nb)), encoding="utf-8")
        out_path, log_path = io_dir / "result.json", io_dir / "log.txt"
        job = {**job, "notebook": str(notebook), "output": str(out_path)}
        (io_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        messages = []
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                sandbox_command(io_dir / "job.json"),
                cwd=root / "work",
                env=sandbox_env(root / "home"),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=total_timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(proc)
                messages.append(
                    f"grading stopped: the notebook took longer than {total_timeout:g} s in "
                    "total; questions not reached score 0."
                )
        result, problem = _read_result(out_path)
        if result is None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or [""]
            detail = problem if proc.returncode == 0 else f"exit code {proc.returncode}"
            messages.append(f"the notebook could not be run: {detail} {tail[0][:200]}".rstrip())
        return result, messages
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _read_result(path: Path) -> tuple[dict | None, str]:
    if not path.exists():
        return None, "the sandbox wrote no result."
    if path.stat().st_size > MAX_RESULT_BYTES:
        return None, "the sandbox result is too large."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"the sandbox result is not valid JSON ({exc})."
    if not (
        isinstance(data, dict)
        and isinstance(data.get("questions"), dict)
        and isinstance(data.get("cells"), list)
        and isinstance(data.get("kernel"), str)
    ):
        return None, "the sandbox result has the wrong shape."
    return data, ""


# ------------------------------------------------------------------ judging (references live here)


def _verdict(question, case, observation) -> Verdict:
    if type(observation) is dict and observation.get("error_type") == "DeadKernelError":
        return Verdict(False, report.one_line(observation.get("error", "the kernel died.")))
    return judge(question, case, observation)


def judge_question(question, observations) -> TestResult:
    """Judge every case here; full points only when all cases pass."""
    n = len(question.cases)
    if type(observations) is not list or len(observations) != n:
        observations = [None] * n  # judge: "no result came back from the answer."
    lines, passed = [], 0
    for number, (case, observation) in enumerate(zip(question.cases, observations, strict=True), 1):
        verdict = _verdict(question, case, observation)
        passed += bool(verdict.passed)
        lines.append(report.case_line(number, n, case, verdict))
    score = float(question.points) if passed == n else 0.0
    header = report.question_header(score, question.points, passed, n)
    return TestResult(question.name, score, float(question.points), "\n".join([header, *lines]))


# ------------------------------------------------------------------ grading one submission


def zero_tests(assignment, why: str) -> list[TestResult]:
    return [
        TestResult(q.name, 0.0, float(q.points), f"0/{q.points:g} points: {why}")
        for q in assignment.questions
    ]


def grade(
    student: str,
    path: Path,
    options: Options,
    assignment_override: str | None = None,
    fallback_assignment: str | None = None,
) -> SubmissionResult:
    """Grade one notebook file. Never raises for anything the student did."""
    try:
        nb, problem = read_notebook(path), ""
    except ValueError as exc:
        nb, problem = None, str(exc)
    assignment_id = assignment_of(nb, path, assignment_override) or fallback_assignment
    result = SubmissionResult(student, assignment_id)
    if assignment_id is None:
        result.messages.append(
            problem
            or "could not tell which assignment this notebook is for "
            "(no --assignment, no course.assignment metadata, unknown file name)."
        )
        return result
    assignment = specs.load(assignment_id)
    if nb is None:
        result.messages.append(problem)
        result.tests = zero_tests(assignment, problem)
        return result
    result.messages.append(f"assignment {assignment_id}: {assignment.title}")
    questions = []
    for q in assignment.questions:
        limit = options.question_timeout if options.question_timeout is not None else q.timeout
        questions.append(dataclasses.replace(q, timeout=float(math.ceil(limit))))
    job = {
        "assignment": assignment_id,
        "cell_timeout": math.ceil(options.cell_timeout),
        "questions": [
            {"name": q.name, "timeout": int(q.timeout), "cases": len(q.cases)} for q in questions
        ],
    }
    observed, messages = run_sandbox(nb, job, options.total_timeout)
    if observed is None:
        result.messages.extend(messages)
        result.tests = zero_tests(assignment, messages[-1])
    else:
        result.messages.extend(report.cell_messages(nb, observed))
        result.messages.extend(messages)
        result.tests = [judge_question(q, observed["questions"].get(q.name)) for q in questions]
    return result
