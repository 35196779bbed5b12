"""Run a learner's answer on one test case (``observe``) and decide whether it is right (``judge``).

``observe`` runs where the learner's code lives (their kernel, or the grading sandbox) and returns
only JSON-compatible plain data. ``judge`` runs where the reference lives (the learner's kernel for
instant feedback, the trusted grader process for grades) and compares plain data with plain data,
so the same case gives the same verdict in both places.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .answers import (
    NotPlainData,
    describe,
    mismatch,
    plain_from_json,
    plain_to_json,
    to_plain,
)
from .specs.base import Case, Question

_MAX_TEXT = 300


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def observe(question: Question, case: Case, answer) -> dict:
    """Call ``answer`` on the case (or read it, for a value question); return plain JSON data."""
    if question.kind == "value":
        try:
            return {"value": plain_to_json(to_plain(answer))}
        except NotPlainData as exc:
            return {"not_plain": _short(exc)}
    if not callable(answer):
        return {"not_plain": f"{question.name} should be a function, got {type(answer).__name__}."}
    args = case.inputs()
    try:
        result = answer(*args)
    except Exception as exc:  # the learner's code may raise anything
        return {"error_type": type(exc).__name__, "error": _short(f"{type(exc).__name__}: {exc}")}
    observation = {}
    try:
        observation["value"] = plain_to_json(to_plain(result))
    except NotPlainData as exc:
        observation["not_plain"] = _short(exc)
    if question.inputs_unchanged:
        observation["inputs_after"] = [
            plain_to_json(to_plain(a)) if type(a) is np.ndarray else None for a in args
        ]
    return observation


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""
    hint: str = ""

    def __bool__(self) -> bool:
        return self.passed


def _expected(question: Question, case: Case):
    if question.kind == "value":
        return to_plain(question.reference())
    return to_plain(question.reference(*copy.deepcopy(case.inputs())))


def _matching_mistake(question: Question, case: Case, got) -> str:
    for mistake in question.mistakes:
        try:
            wrong = to_plain(mistake.answer(*case.inputs()))
        except Exception:
            continue
        try:
            if mismatch(wrong, got, question.rtol, question.atol) is None:
                return mistake.hint
        except NotPlainData:
            continue
    return question.hint


def judge(question: Question, case: Case, observation) -> Verdict:
    """Compare an observation (untrusted JSON data) with the reference; never trusts its types."""
    if type(observation) is not dict:
        return Verdict(False, "no result came back from the answer.")
    if "error_type" in observation:
        error_type = _short(observation.get("error_type"))
        if case.raises is not None and error_type == case.raises:
            return Verdict(True)
        if error_type == "NotImplementedError":
            return Verdict(
                False,
                "not implemented yet: the code still raises NotImplementedError.",
                "Replace `raise NotImplementedError()` with your solution.",
            )
        return Verdict(False, f"raised {_short(observation.get('error'))}", question.hint)
    if "missing" in observation:
        return Verdict(
            False,
            f"`{question.name}` is not defined: run the cell that defines it.",
            "Check the spelling of the name and run the cell above.",
        )
    if "timeout" in observation:
        return Verdict(False, f"took longer than {question.timeout:g} s (an endless loop?).")
    if case.raises is not None:
        return Verdict(
            False,
            f"expected a {case.raises} to be raised, but the function returned normally.",
            question.hint,
        )
    if "not_plain" in observation:
        return Verdict(False, _short(observation["not_plain"]), question.hint)
    try:
        got = plain_from_json(observation.get("value"))
    except NotPlainData as exc:
        return Verdict(False, _short(exc))
    if got is None and question.kind == "value":
        return Verdict(False, f"`{question.name}` is still None: set it to your answer.")
    expected = _expected(question, case)
    why = mismatch(expected, got, question.rtol, question.atol)
    if why is not None:
        hint = _matching_mistake(question, case, got)
        if question.kind == "value":  # never reveal the answer itself
            if isinstance(got, float):
                return Verdict(False, f"{describe(got)} is not the right answer.", hint)
            return Verdict(
                False,
                why.split(", got")[0].replace("expected", "your answer should be") + ".",
                hint,
            )
        if not case.hidden and not isinstance(expected, float):
            why = f"{why}\n    expected: {describe(expected)}\n    got:      {describe(got)}"
        return Verdict(False, why, hint)
    if question.inputs_unchanged:
        after = observation.get("inputs_after")
        before = [to_plain(a) if type(a) is np.ndarray else None for a in case.inputs()]
        if type(after) is not list or len(after) != len(before):
            return Verdict(False, "could not read the inputs back after the call.")
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            if b is None:
                continue
            try:
                changed = mismatch(b, plain_from_json(a), 0.0, 0.0) is not None
            except NotPlainData:
                changed = True
            if changed:
                return Verdict(
                    False,
                    f"the function changed its input argument #{i + 1} in place.",
                    "Work on a copy (e.g. `x = x.copy()` or `x + ...` instead of `x += ...`).",
                )
    return Verdict(True)
