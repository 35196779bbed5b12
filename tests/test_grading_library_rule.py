"""The library rule on every question: an answer that delegates to the course library scores 0.

No kernel: for each question the probe's counting (``probe.install``, what the sandbox installs)
is put in place in a forked child, the spec's reference, which delegates to the library, plays
the student's answer on every case, and the grader judges what came back.
"""

from __future__ import annotations

import copy
import multiprocessing
import sys

import pytest

from course_utils import specs
from course_utils.answers import observe_result
from course_utils.grading import scoring
from course_utils.grading.sandbox import probe

QUESTIONS = [
    (a, q) for a in specs.ASSIGNMENT_IDS for q in specs.load(a).questions if q.kind == "function"
]
WITH_LIBRARY = [(a, q) for a, q in QUESTIONS if q.library_names]
SEED = 12345


def _public_library_calls(question) -> set[str]:
    """Public functions of course library modules (not specs, not input checks) the reference
    calls on its cases: where the library implements the answer."""
    seen: set[str] = set()

    def profile(frame, event, arg):
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        name = frame.f_code.co_qualname
        if not module.startswith("course_utils.") or module.startswith(
            ("course_utils.specs", "course_utils.validation")
        ):
            return
        if not any(part.startswith("_") and part != "__init__" for part in name.split(".")):
            seen.add(f"{module}.{name}")

    for args in scoring.case_inputs(question, SEED):
        sys.setprofile(profile)
        try:
            question.reference(*copy.deepcopy(args))
        except Exception:
            pass
        finally:
            sys.setprofile(None)
    return seen


@pytest.mark.parametrize(("assignment", "question"), QUESTIONS, ids=lambda v: getattr(v, "name", v))
def test_a_question_the_library_implements_names_it(assignment, question):
    calls = _public_library_calls(question)
    if calls:
        assert question.library_names, f"{question.name} delegates to {sorted(calls)}"


@pytest.mark.parametrize(
    ("assignment", "question"), WITH_LIBRARY, ids=lambda v: getattr(v, "name", v)
)
def test_every_library_name_resolves(assignment, question):
    for dotted in question.library_names:
        owner, attr, value = probe._resolve(dotted)
        assert callable(value), dotted


def _direct(question):
    """The plainest delegating answer: call the library's function (looked up at call time)."""

    def answer(*args):
        return probe._resolve(question.library_names[0])[2](*args)

    return answer


def _observe_with_counting(question, answers, inputs, queue) -> None:  # in a forked child
    probe.install(list(question.library_names))
    runs = []
    for answer in answers:
        observations = []
        for args in inputs:
            before = sum(probe._library_calls.values())
            try:
                result, error = answer(*copy.deepcopy(args)), None
            except Exception as exc:
                result, error = None, type(exc).__name__
            calls = sum(probe._library_calls.values()) - before
            if error:
                observations.append(
                    {"outcome": "error", "error_type": error, "library_calls": calls}
                )
            else:
                obs = observe_result(result, args, question.inputs_unchanged, calls)
                observations.append(obs.to_json())
        runs.append(observations)
    queue.put(runs)


@pytest.mark.parametrize(
    ("assignment", "question"), WITH_LIBRARY, ids=lambda v: getattr(v, "name", v)
)
def test_an_answer_that_delegates_to_the_library_scores_0(assignment, question):
    """Both the direct call and, where the spec's reference itself delegates (through a class, a
    re-export or a helper), the reference playing the student's answer."""
    answers = [_direct(question)]
    if question.reference.__module__.startswith("course_utils.specs"):
        if _public_library_calls(question):
            answers.append(question.reference)
    inputs = scoring.case_inputs(question, SEED)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_observe_with_counting, args=(question, answers, inputs, queue))
    child.start()
    runs = queue.get(timeout=120)
    child.join(timeout=30)
    for observations in runs:
        assert all(o.get("library_calls") for o in observations), f"{question.name}: uncounted"
        result = scoring.judge_question(question, inputs, observations)
        assert result.score == 0.0
        assert "calls the course library's own implementation" in result.output


def test_the_counting_wrapper_has_no_path_back_to_the_original():
    from course_utils import gradcheck

    original = gradcheck.numerical_gradient
    counted = probe._counting(original, "course_utils.gradcheck.numerical_gradient")
    assert not hasattr(counted, "__wrapped__")
    assert counted.__defaults__ is None and counted.__kwdefaults__ is None
    assert counted.__name__ == original.__name__


def _count_for_two_questions(queue) -> None:  # in a forked child: install patches modules
    from unittest import mock

    import numpy as np

    from course_utils import gradcheck
    from course_utils.grading.sandbox import payload

    probe.install(["course_utils.gradcheck.numerical_gradient"])
    namespace = {}
    with mock.patch.object(probe, "_user_namespace", return_value=namespace):
        namespace["_course_grading_args"] = probe.prepare(payload.encode((), lambda _: True))
        gradcheck.numerical_gradient(lambda x: float(x @ x), np.ones(2))
        namespace["_course_grading_result"] = 1.0
        mine = probe._observation(
            "a", "function", False, ["course_utils.gradcheck.numerical_gradient"]
        )
        other = probe._observation("b", "function", False, ["course_utils.optim.adam.adam"])
    queue.put((mine.library_calls, other.library_calls))


def test_a_call_to_another_question_s_library_function_costs_only_that_question():
    """Exercise 08: a call made while one question is graded is counted against the library
    names of that question only, not against every name the assignment installs."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_count_for_two_questions, args=(queue,))
    child.start()
    counts = queue.get(timeout=120)
    child.join(timeout=30)
    assert counts == (1, 0)


@pytest.mark.parametrize(
    ("assignment", "question"), WITH_LIBRARY, ids=lambda v: getattr(v, "name", v)
)
def test_check_says_what_the_grader_will_do_with_a_delegating_answer(assignment, question):
    """The instant check counts library calls too: no green tick for an answer that scores 0."""
    from course_utils.checks import CheckFailed, checker

    before = [probe._resolve(name)[2] for name in question.library_names]
    with pytest.raises(CheckFailed, match="calls the course library's own implementation"):
        checker(assignment).__call__(question.name, _direct(question))
    after = [probe._resolve(name)[2] for name in question.library_names]
    assert all(a is b for a, b in zip(before, after, strict=True))  # everything is put back
