"""Exercise 05 after referee read rl05 (E1, E2): the wrong answers that read scored full marks,
written as a learner writes them, now fail a VISIBLE check; the references accept exactly what the
statements say (a numpy integer for T_0 is refused as torch refuses it; numpy numbers are numbers
in steps_to_floor). Tests of the other fixes are in test_checks_05_redesign.py and
test_checks_05_06_09.py."""

import math

import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_verdict import _checked

SCHEDULES = "05_learning_rate_schedules"


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    assert text in str(failed.value), str(failed.value)


def _verdict(absolute=False, rise_after_lowest=False):
    """A learner's range_test_verdict; ``absolute``: margin read as an amount of loss (rl05 E1),
    ``rise_after_lowest``: the never-fell rise looked for after the lowest point only."""

    def range_test_verdict(
        smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
    ):
        s = _checked(smoothed_losses, skip_start, diverge_factor, margin)  # the task's checks
        low_limit, high_limit = (
            (s[0] - margin, s[0] + margin)
            if absolute
            else ((1 - margin) * s[0], (1 + margin) * s[0])
        )
        v = np.where(np.isfinite(s), s, np.inf)
        i = skip_start + int(np.argmin(v[skip_start:]))
        if not v[i] < low_limit:
            seen = v[i + 1 :] if rise_after_lowest else v[skip_start:]
            return 2 if diverged or np.any(seen > high_limit) else 1
        later = v[i + 1 :]
        return 0 if diverged or np.any(later > min(high_limit, diverge_factor * v[i])) else 1

    return range_test_verdict


def test_a_learners_verdict_passes_and_margin_read_as_an_amount_fails_with_its_hint():
    checker(SCHEDULES)("range_test_verdict", _verdict())
    # rl05 E1: scored full marks in 20 of 20 grading seeds before the visible case was added
    _fails_with("range_test_verdict", _verdict(absolute=True), "not an amount of loss")


def test_a_never_fell_rise_looked_for_after_the_lowest_point_only_fails_a_visible_case():
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("range_test_verdict", _verdict(rise_after_lowest=True))
    assert "then 2.5 (a rise)" in str(failed.value), str(failed.value)


def test_the_margin_case_is_2_by_the_task_and_0_read_as_an_amount():
    question = specs.load(SCHEDULES).question("range_test_verdict")
    (case,) = [c for c in question.visible_cases if "dip to 2.27" in c.description]
    args = case.make_inputs()
    assert question.reference(*args) == 2 and _verdict(absolute=True)(*args) == 0


def test_warm_restarts_refuses_a_numpy_integer_as_torch_does_and_an_answer_that_takes_it_fails():
    def lenient(base_lr, T_0, steps, T_mult=1, eta_min=0.0):  # takes a numpy integer
        for value, low in ((T_0, 1), (T_mult, 1), (steps, 0)):
            if not isinstance(value, int | np.integer) or value < low:
                raise ValueError("T_0 and T_mult must be whole numbers >= 1, steps >= 0.")
        lrs, since, period = np.empty(steps), 0, T_0
        for t in range(steps):
            lrs[t] = eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * since / period)) / 2
            since += 1
            if since == period:
                since, period = 0, period * T_mult
        return lrs

    _fails_with("warm_restarts_lrs", lenient, "np.int64(4)")


def test_steps_to_floor_takes_numpy_numbers_as_the_statement_says():
    reference = specs.load(SCHEDULES).question("steps_to_floor").reference
    assert reference(np.float32(0.1), np.int64(1), 1.0, np.float32(1.0)) == reference(0.1, 1, 1, 1)

    def strict(lr, L, sigma, start_mean_square, rel=0.1):  # refuses numpy numbers
        for value in (lr, L, sigma, rel, start_mean_square):
            if not isinstance(value, int | float):
                raise ValueError("lr, L, sigma, rel and start_mean_square must be numbers.")
        return reference(float(lr), float(L), float(sigma), float(start_mean_square), float(rel))

    _fails_with("steps_to_floor", strict, "numpy numbers")
