"""Exercise 05 after referee read rm05 (E1, E2): the wrong answers that read scored full marks,
written as a learner writes them, now fail a VISIBLE check with their named Mistake's message,
and the references give the answers the statements ask for on the new cases."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_checks import _checked
from course_utils.specs._range_test_curves import _settling_bump
from course_utils.specs._range_test_verdict import range_test_verdict
from course_utils.specs._which_loop import _drop_inside, _which_loop

SCHEDULES = "05_learning_rate_schedules"


def _which_loop_last_rate(logged, intended, steps_per_epoch):
    """rm05 E1's candidate: each loop judged by the last logged rate alone."""
    logged, intended = np.asarray(logged, dtype=float), np.asarray(intended, dtype=float)
    whole = isinstance(steps_per_epoch, int | np.integer) and not isinstance(steps_per_epoch, bool)
    if not whole or steps_per_epoch < 1:
        raise ValueError("steps_per_epoch must be a whole number >= 1.")
    if len(logged) == 0 or len(intended) < 2 * len(logged):
        raise ValueError("the log is empty or intended is too short.")
    n = len(logged) - 1
    used = [n, n + 1, n // steps_per_epoch, 2 * n]
    fits = [k for k, t in enumerate(used) if logged[-1] == intended[t]]
    if not fits:
        raise ValueError("none of the four loops gives this log.")
    return fits[0] if len(fits) == 1 else -1


def _verdict_rise_from_one(
    smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
):
    """rm05 E2's candidate: a loss that never fell, its rise looked for from index 1 on."""
    v = _checked(smoothed_losses, skip_start, diverge_factor, margin)
    a = np.where(np.isfinite(v), v, np.inf)
    lo = skip_start + int(np.argmin(a[skip_start:]))
    start, low = v[0], a[lo]
    if not low < (1 - margin) * start:
        return 2 if diverged or np.any(a[1:] > (1 + margin) * start) else 1
    turned = diverged or np.any(a[lo + 1 :] > min((1 + margin) * start, diverge_factor * low))
    return 0 if turned else 1


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    assert text in str(failed.value), str(failed.value)


def test_the_new_cases_have_the_answers_the_statements_ask_for():
    # the rate drops inside the log: only loop 0 gives every logged rate
    assert _which_loop(*_drop_inside()) == 0
    assert _which_loop_last_rate(*_drop_inside()) == -1
    # overshoot while settling, then flat: it neither fell nor rose after skip_start
    assert range_test_verdict(*_settling_bump()) == 1
    assert _verdict_rise_from_one(*_settling_bump()) == 2


def test_which_loop_from_the_last_rate_alone_fails_a_visible_case_with_its_hint():
    # rm05 E1: scored full marks in 10 of 10 grading seeds before the case was added
    _fails_with("which_loop", _which_loop_last_rate, "not only the last")


def test_a_never_fell_rise_read_among_the_settling_values_fails_with_its_hint():
    # rm05 E2: scored full marks in 8 of 8 grading seeds before the case was added
    _fails_with("range_test_verdict", _verdict_rise_from_one, "still settling for the rise too")
