"""Exercise 05 after referee read rr05 (points 1 and 2, cat. 6): what the statements require of
bad input is now a case. Question 1's bool refusal (an answer testing ``isinstance(v, int)``
passed all 15 cases), question 3's "finite" and question 4's bool ``margin`` each fail a visible
case, and the references raise on every new case, hidden ones included."""

import math

import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_verdict import range_test_verdict
from course_utils.specs._steps_to_floor import _steps_to_floor
from course_utils.specs._warm_restarts import _periods

SCHEDULES = "05_learning_rate_schedules"


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    assert text in str(failed.value), str(failed.value)


def _warm_restarts_taking_bools(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """rr05 1's candidate (wrong.py): isinstance(value, int), so a bool passes as 0 or 1; the
    schedule itself is right (the spec's learner-schedule builder with no slip, not the library)."""
    for value, low in ((T_0, 1), (T_mult, 1), (steps, 0)):
        if not isinstance(value, int) or value < low:
            raise ValueError("T_0 and T_mult must be whole numbers >= 1, steps >= 0.")
    return _periods(base_lr, int(T_0), int(steps), int(T_mult), eta_min)


def _steps_to_floor_taking_inf(lr, L, sigma, start_mean_square, rel=0.1):
    """The statement's old conditions, real numbers > 0 with no "finite": for sigma = inf the
    closed form's floor is inf, and |E x_0^2 - inf| <= rel * inf puts the start inside it."""
    if math.isinf(sigma):
        return 0
    return _steps_to_floor(lr, L, sigma, start_mean_square, rel)


def _verdict_taking_a_bool_margin(
    smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
):
    """The reference, except that margin=False passes as 0."""
    margin = float(margin) if isinstance(margin, bool) else margin
    return range_test_verdict(smoothed_losses, skip_start, diverge_factor, diverged, margin)


def _bad_input_cases(name, words):
    question = specs.load(SCHEDULES).question(name)
    cases = [c for c in question.cases if c.raises and any(w in c.description for w in words)]
    return question, cases


def test_warm_restarts_taking_a_bool_fails_a_visible_case():
    _fails_with("warm_restarts_lrs", _warm_restarts_taking_bools, "T_mult = True")


def test_warm_restarts_reference_refuses_a_bool_for_all_three_and_the_candidate_does_not():
    question, cases = _bad_input_cases("warm_restarts_lrs", ("a bool",))
    assert {c.hidden for c in cases} == {False, True} and len(cases) == 3
    for case in cases:
        args = case.make_inputs()
        with pytest.raises(ValueError):
            question.reference(*args)
        assert len(_warm_restarts_taking_bools(*args)) >= 0  # returns rates, raises nothing


def test_steps_to_floor_taking_inf_fails_a_visible_case():
    _fails_with("steps_to_floor", _steps_to_floor_taking_inf, "sigma = inf")


def test_steps_to_floor_reference_refuses_what_is_not_finite():
    question, cases = _bad_input_cases("steps_to_floor", ("not finite",))
    assert len(cases) == 3  # sigma, E x_0^2 and rel (fm05, after tc05 E1)
    for case in cases:
        with pytest.raises(ValueError, match="finite"):
            question.reference(*case.make_inputs())
    # the closed form without the test answers sigma = inf: a floor of inf, "already inside" it
    floor = 0.1 * math.inf**2 / (1.0 * (2 - 0.1))
    assert abs(1.0 - floor) <= 0.1 * floor


def test_range_test_verdict_taking_a_bool_margin_fails_a_visible_case():
    _fails_with("range_test_verdict", _verdict_taking_a_bool_margin, "margin = False")
    question, (case,) = _bad_input_cases("range_test_verdict", ("margin = False",))
    args = case.make_inputs()
    with pytest.raises(ValueError, match="margin"):
        question.reference(*args)
    assert question.reference(*args[:4], 0) == _verdict_taking_a_bool_margin(*args)
