"""Grader parts without a kernel: reading submissions, case inputs, observations, verdicts."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from course_utils import specs
from course_utils.answers import Observation, PlainArray, to_plain
from course_utils.checks import CheckFailed, checker
from course_utils.grading import scoring, submission, view
from course_utils.grading.sandbox import payload
from course_utils.judging import Verdict, judge, render_case

SPEC = specs.load("01_gradient_descent")


# ------------------------------------------------------------------ reading submissions


def test_symlink_fifo_and_device_are_never_opened(tmp_path):
    real = tmp_path / "real.ipynb"
    real.write_text(json.dumps({"nbformat": 4, "cells": []}))
    (tmp_path / "link.ipynb").symlink_to(real)
    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.ipynb")
    for name in ("link.ipynb", "zero.ipynb", "pipe.ipynb"):
        with pytest.raises(submission.SubmissionError):
            submission.read_notebook(tmp_path / name)
    found = {f.student: f for f in submission.find(tmp_path, None)}
    assert found["real"].path == real
    assert found["link"].path is None and "symbolic link" in found["link"].problem
    assert found["pipe"].path is None and "not a regular file" in found["pipe"].problem


def test_a_single_regular_file_is_found_without_a_problem(tmp_path):
    nb = tmp_path / "alice.ipynb"
    nb.write_text(json.dumps({"nbformat": 4, "cells": []}))
    assert submission.find(nb, None) == [submission.Found("alice", nb)]


def test_ambiguous_student_ids_are_reported_not_overwritten(tmp_path):
    (tmp_path / "alice.ipynb").write_text(json.dumps({"nbformat": 4, "cells": []}))
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "01_gradient_descent.ipynb").write_text("{}")
    (found,) = submission.find(tmp_path, None)
    assert found.student == "alice" and found.path is None
    assert "more than one submission" in found.problem and "alice.ipynb" in found.problem


def test_deep_nesting_and_size_limits(tmp_path, monkeypatch):
    deep = tmp_path / "deep.ipynb"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(submission.SubmissionError, match="nested too deeply"):
        submission.read_notebook(deep)
    monkeypatch.setattr(submission, "MAX_NOTEBOOK_BYTES", 10)
    with pytest.raises(submission.SubmissionError, match="larger than"):
        submission.read_notebook(deep)


def test_assignment_comes_from_names_never_from_metadata(tmp_path):
    nb = tmp_path / "alice" / "01_gradient_descent.ipynb"
    assert submission.assignment_from_name(nb, specs.ASSIGNMENT_IDS) == "01_gradient_descent"
    assert submission.assignment_from_name(tmp_path / "alice.ipynb", specs.ASSIGNMENT_IDS) is None


# ------------------------------------------------------------------ inputs: generated, encoded


def test_hidden_generated_inputs_change_with_the_seed_and_visible_ones_do_not():
    q = SPEC.question("hessian_vector_product")
    hidden = next(i for i, c in enumerate(q.cases) if c.hidden and c.generated)
    a, b = scoring.case_inputs(q, 1), scoring.case_inputs(q, 2)
    assert np.array_equal(a[0][1], b[0][1])  # a visible fixed case
    assert not np.array_equal(a[hidden][1], b[hidden][1])  # a hidden generated case
    assert np.array_equal(a[hidden][1], scoring.case_inputs(q, 1)[hidden][1])  # per seed


def test_payload_carries_spec_functions_by_value_not_by_module():
    args = SPEC.question("projected_gd_step").cases[0].make_inputs()
    text = payload.encode(args)
    assert b"course_utils.specs" not in __import__("base64").b64decode(text)
    grad_fn, x, lr, lower, upper = payload.decode(text)
    np.testing.assert_allclose(grad_fn(x), args[0](x))


def test_sandbox_view_has_no_specs_judging_or_solutions(tmp_path):
    root = view.build(tmp_path)
    package = root / "course_utils"
    assert (package / "gradcheck.py").exists()
    assert {p.name for p in (package / "grading" / "sandbox").glob("*.py")} == {
        "__init__.py",
        "payload.py",
        "probe.py",
        "runner.py",
    }
    assert {p.name for p in (package / "grading").iterdir()} == {"__init__.py", "sandbox"}
    assert not (package / "judging.py").exists() and not (package / "authoring.py").exists()
    assert "raise ImportError" in (package / "specs" / "__init__.py").read_text()
    assert [p.name for p in (package / "specs").iterdir()] == ["__init__.py"]
    assert "skipped while grading" in (package / "checks.py").read_text()
    assert not list(root.rglob("*.ipynb"))
    copied = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    expected = {p for p in view.package_files() if view.classify(p) == "sandbox"}
    assert copied == expected | set(view.STAND_INS)


def test_every_module_is_classified_for_the_sandbox():
    assert view.unclassified() == []
    both = set(view.IN_SANDBOX) & set(view.GRADER_ONLY)
    assert not both, f"classified twice: {both}"
    folders = [e for e in view.IN_SANDBOX if e.endswith("/")]
    assert folders == ["grading/sandbox/"], "allowed modules are named one by one"


def test_a_planted_module_is_reported_unclassified(tmp_path):
    package = tmp_path / "course_utils"
    shutil.copytree(view.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "answer_key.py").write_text("ANSWERS = {}\n")
    (package / "data" / "hidden_cases.py").write_text("CASES = []\n")
    (package / "grading" / "keys.py").write_text("KEY = 1\n")  # grader-only folder: classified
    assert view.unclassified(package) == ["answer_key.py", "data/hidden_cases.py"]
    assert view.classify("grading/keys.py") == "grader"
    assert view.classify("grading/sandbox/runner.py") == "sandbox"


# ------------------------------------------------------------------ observations and verdicts


def test_observation_round_trips_and_rejects_malformed_json():
    obs = Observation("value", PlainArray((2,), (1.0, 2.0)), inputs_after=(None,), library_calls=1)
    assert Observation.from_json(json.loads(json.dumps(obs.to_json()))) == obs
    for bad in [None, [], {"outcome": "won"}, {"outcome": "value", "value": {"shape": [3]}}]:
        assert Observation.from_json(bad).outcome == "tampered"


@pytest.mark.parametrize(
    "value",
    [
        10**400,
        -(10**400),
        {"shape": [0, 10**19], "data": []},
        {"shape": [2**40, 2**40, 0], "data": []},
        {"shape": [1] * 33, "data": [1.0]},
        {"shape": [2], "data": [1.0, 10**400]},
        {
            "items": [
                {"items": [{"items": [{"items": [{"items": [{"items": [{"items": [1]}]}]}]}]}]}
            ]
        },
    ],
)
def test_untrusted_values_out_of_bounds_are_tampered_never_a_crash(value):
    obs = Observation.from_json({"outcome": "value", "value": value})
    assert obs.outcome == "tampered"
    question = SPEC.question("projected_gd_step")
    result = scoring.judge_question(
        question, scoring.case_inputs(question, 0), [obs.to_json()] * len(question.cases)
    )
    assert result.score == 0.0


def test_an_exception_while_judging_fails_the_case_not_the_run(monkeypatch):
    q = SPEC.question("projected_gd_step")
    inputs = scoring.case_inputs(q, 0)
    n = len(q.cases)

    def explode(*args, **kwargs):
        raise OverflowError("judging blew up")

    monkeypatch.setattr(scoring, "judge", explode)
    result = scoring.judge_question(q, inputs, [{"outcome": "value", "value": 1.0}] * n)
    assert result.score == 0.0
    assert result.output.count("tampered") == n  # every case failed; nothing was raised


def test_hidden_case_shows_only_grader_text_for_died_and_odd_exceptions():
    q = SPEC.question("projected_gd_step")
    case = next(c for c in q.cases if c.hidden and c.raises is None)
    died = judge(q, case, Observation("died", error="LEAKED [1, 2]"))
    assert "LEAKED" not in render_case(4, 5, case, died)
    odd = judge(q, case, Observation("error", error_type="x_is_0_3", error="x_is_0_3: 0.3"))
    assert render_case(4, 5, case, odd) == "hidden test 4 of 5 failed: raised an exception."


def test_hidden_case_never_renders_a_revealing_message():
    q = SPEC.question("projected_gd_step")
    case = next(c for c in q.cases if c.hidden and c.raises is None)
    verdict = judge(q, case, Observation("value", PlainArray((2,), (9.0, 9.0))))
    assert verdict.reveals and "expected" in verdict.message
    line = render_case(4, 5, case, verdict)
    assert line == "hidden test 4 of 5 failed: returned a wrong result."
    raised = judge(q, case, Observation("error", error_type="KeyError", error="KeyError: 0.3"))
    assert render_case(4, 5, case, raised) == "hidden test 4 of 5 failed: raised KeyError."


def test_library_call_fails_with_its_message():
    # A question whose reference is the library's own function (exercise 01 asked for it until
    # issue 21 moved the set to a variant the lecture does not write).
    from course_utils.gradcheck import numerical_gradient

    case = specs.Case(lambda: (lambda x: x[0] ** 2 + 3 * x[0] * x[1], np.array([1.0, -2.0])), "c")
    q = specs.Question("numerical_gradient", 1, numerical_gradient, (case,))
    args = case.make_inputs()
    right = q.reference(*args)
    after = (None, to_plain(args[1]))
    obs = Observation("value", PlainArray((2,), tuple(right)), inputs_after=after)
    assert judge(q, case, obs).passed
    verdict = judge(q, case, Observation("value", obs.value, library_calls=1))
    assert not verdict.passed and "course_utils.gradcheck.numerical_gradient" in verdict.message
    assert isinstance(verdict, Verdict)


def test_check_interrupts_a_function_that_never_returns():
    check = checker("01_gradient_descent")
    q = SPEC.question("projected_gd_step")
    object.__setattr__(q, "timeout", 0.5)
    try:

        def forever(grad_fn, x, lr, lower, upper):
            while True:
                pass

        with pytest.raises(CheckFailed, match=r"took longer than 0\.5 s"):
            check("projected_gd_step", forever)
    finally:
        object.__setattr__(q, "timeout", 20.0)
