"""Scoring in the trusted parent: the cases' inputs, and the judgement of what came back.

The inputs of every case are built here (``case_inputs``): fixed cases as the spec writes them,
generated cases (``Case.inputs(rng)``) from a generator seeded with the run's secret seed, so a
table of hidden inputs made from an earlier run or from the published spec is of no use. The
sandbox receives them one case at a time; its observations are judged here against references
computed here. A question scores its points only when all its cases (visible and hidden) pass.
Any exception while a student's observation is judged fails that case ("tampered"), never the
run (``tests/test_checks.py`` proves every reference and mistake judges cleanly).
"""

from __future__ import annotations

import zlib

import numpy as np

from ..judging import Verdict, judge, render_case
from .report import TestResult

TAMPERED = "the result could not be judged (the run was tampered with)."


def case_inputs(question, seed: int) -> list[tuple]:
    """The arguments of each case of ``question`` for a run with secret ``seed``."""
    tag = zlib.crc32(question.name.encode("utf-8"))
    return [
        case.make_inputs(np.random.default_rng([seed, tag, index]))
        for index, case in enumerate(question.cases)
    ]


def judge_question(question, inputs: list[tuple], observations) -> TestResult:
    """Judge every case; full points only when all pass; feedback rendered by ``render_case``."""
    n = len(question.cases)
    if type(observations) is not list or len(observations) != n:
        observations = [None] * n
    lines, passed = [], 0
    cases = zip(question.cases, inputs, observations, strict=True)
    for number, (case, args, obs) in enumerate(cases, 1):
        try:
            verdict = judge(question, case, obs, args)
        except Exception:  # the observation is untrusted: whatever fails on it is its failure
            verdict = Verdict(False, TAMPERED)
        passed += bool(verdict.passed)
        lines.append(render_case(number, n, case, verdict))
    score = float(question.points) if passed == n else 0.0  # a library call fails its case
    header = question_header(score, question.points, passed, n)
    return TestResult(question.name, score, float(question.points), "\n".join([header, *lines]))


def question_header(score: float, points: float, passed: int, total: int) -> str:
    if passed == total:
        return f"{score:g}/{points:g} points: " + (
            f"all {total} tests passed." if total > 1 else "the test passed."
        )
    return (
        f"{score:g}/{points:g} points: {total - passed} of {total} tests failed "
        "(the points need every test to pass)."
    )
