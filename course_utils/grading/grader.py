"""Grading one submission, in the trusted parent: read it, run it isolated, judge what came back.

Nothing the student wrote runs in this process. :class:`Session` holds what one grading run
shares: the isolation strategy, the read-only library view, the secret seed of the generated
cases, and the parallel slots (each slot has its own sandbox user id). :func:`grade` sends the
child only the sanitised cells, the time limits and the encoded inputs of every case; references,
tolerances and hidden-case descriptions never leave this process.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import queue
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import specs
from ..answers import short_text
from . import isolation, report, scoring, uids, view
from .report import SubmissionResult, TestResult
from .sandbox import payload
from .submission import SubmissionError, read_notebook


@dataclass(frozen=True)
class Options:
    cell_timeout: float = 60.0
    question_timeout: float | None = None  # None: each question's own ``timeout`` from the spec
    total_timeout: float = 600.0
    limits: isolation.Limits = isolation.Limits()
    unsafe_no_sandbox: bool = False
    seed: int = field(default_factory=lambda: secrets.randbits(63))


class Session:
    """One grading run: ``with Session(options, jobs) as session: grade(session, ...)``.

    Each parallel slot is a sandbox user id leased for the whole run (as root; else None)."""

    def __init__(self, options: Options, jobs: int = 1):
        self.options = options
        self.strategy = isolation.Plain() if options.unsafe_no_sandbox else isolation.Bubblewrap()
        jobs = max(1, min(jobs, 16))
        sandboxed_root = not options.unsafe_no_sandbox and os.geteuid() == 0
        self._lease = uids.Lease(jobs) if sandboxed_root else None
        self.slots: queue.Queue[int | None] = queue.Queue()
        for slot in range(jobs):
            self.slots.put(self._lease.uids[slot] if self._lease else None)
        self._tmp = Path(tempfile.mkdtemp(prefix="course-grade-view-"))
        self.view = view.build(self._tmp)

    def close(self) -> None:
        isolation.remove_tree(self._tmp)
        if self._lease:
            self._lease.release()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def zero_tests(assignment, why: str) -> list[TestResult]:
    return [
        TestResult(q.name, 0.0, float(q.points), f"0/{q.points:g} points: {why}")
        for q in assignment.questions
    ]


def grade(
    session: Session, student: str, path: Path | None, assignment_id: str
) -> SubmissionResult:
    """Grade one notebook file for ``assignment_id``. Never raises for anything the student did."""
    options = session.options
    assignment = specs.load(assignment_id)
    result = SubmissionResult(student, assignment_id, sandbox=session.strategy.name)
    try:
        nb = read_notebook(path)
    except SubmissionError as exc:
        result.messages.append(str(exc))
        result.tests = zero_tests(assignment, str(exc))
        return result
    result.messages.append(f"assignment {assignment_id}: {assignment.title}")
    if options.unsafe_no_sandbox:
        result.messages.append(isolation.Plain.UNPROTECTED)
    questions = _timed_questions(assignment, options)
    inputs = {q.name: scoring.case_inputs(q, options.seed) for q in questions}
    token = secrets.token_hex(32)
    outcome = _run_isolated(session, _job(nb, questions, inputs, token, options))
    observed, problem = _accepted(outcome, token, options.total_timeout)
    if observed is None:
        result.messages.append(problem)
        result.tests = zero_tests(assignment, problem)
    else:
        result.messages.extend(report.cell_messages(nb, observed))
        result.tests = [
            scoring.judge_question(q, inputs[q.name], observed["questions"].get(q.name))
            for q in questions
        ]
    if outcome.left_running:
        result.messages.append(
            f"{outcome.left_running} process(es) the submission left running were killed."
        )
    return result


def _timed_questions(assignment, options: Options) -> list:
    """The questions with the time limit of this run (``--question-timeout`` or the spec's)."""
    questions = []
    for q in assignment.questions:
        limit = options.question_timeout if options.question_timeout is not None else q.timeout
        questions.append(dataclasses.replace(q, timeout=float(math.ceil(limit))))
    return questions


def _job(nb: dict, questions: list, inputs: dict, token: str, options: Options) -> dict:
    """What the child receives: cells, limits, encoded inputs; no reference, no tolerance."""
    return {
        "cells": nb["cells"],
        "cell_timeout": math.ceil(options.cell_timeout),
        "library": sorted({n for q in questions for n in q.library_names}),
        "questions": [
            {
                "name": q.name,
                "kind": q.kind,
                "timeout": int(q.timeout),
                "inputs_unchanged": q.records_inputs,
                "library": list(q.library_names),  # only these calls cost this question
                "cases": [payload.encode(a, view.module_in_sandbox) for a in inputs[q.name]],
            }
            for q in questions
        ],
        "token": token,
    }


def _run_isolated(session: Session, job: dict) -> isolation.Outcome:
    options = session.options
    uid = session.slots.get()
    try:
        return session.strategy.run(
            json.dumps(job).encode("utf-8"), session.view, options.total_timeout,
            options.limits, uid,
        )  # fmt: skip
    finally:
        session.slots.put(uid)


def _accepted(outcome: isolation.Outcome, token: str, total_timeout: float):
    """The child's result, only from a run that ended normally with this run's token."""
    if outcome.exceeded:
        return None, (
            f"grading stopped: {outcome.exceeded} (a cap per submission), so nothing could be "
            "graded."
        )
    if outcome.timed_out:
        return None, (
            f"grading stopped: the notebook took longer than {total_timeout:g} s in total, so "
            "nothing could be graded."
        )
    if outcome.returncode != 0:
        tail = outcome.log_tail.strip().splitlines()[-1:] or [""]
        return None, short_text(
            f"the notebook could not be run: the grading process ended abnormally (exit status "
            f"{outcome.returncode}) {tail[0]}"
        )
    try:
        message = json.loads(outcome.channel.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "the notebook could not be run: no valid result came back."
    if type(message) is not dict or not secrets.compare_digest(str(message.get("token")), token):
        return None, "the result did not come from this run: nothing could be graded."
    data = message.get("result")
    if not (
        type(data) is dict
        and type(data.get("questions")) is dict
        and type(data.get("cells")) is list
        and type(data.get("kernel")) is str
    ):
        return None, "the notebook could not be run: the result has the wrong shape."
    return data, ""
