"""Exercise 05 after referee read ro05 (points 6 and 7): a which_loop that compares with
np.allclose, otherwise the reference, passed all 14 visible tests; it now fails a visible case
with its named Mistake's message. A range_test_verdict that keeps the last of equal lowest values
got the skip_start off-by-one hint; it now gets its own."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_checks import _checked
from course_utils.specs._range_test_verdict import range_test_verdict
from course_utils.specs._which_loop import _slow_cosine, _which_loop

SCHEDULES = "05_learning_rate_schedules"


def _which_loop_allclose(logged, intended, steps_per_epoch):
    """ro05 6's candidate (scratch/wrong.py, W2): np.allclose where the task says equal."""
    logged, intended = np.asarray(logged, dtype=float), np.asarray(intended, dtype=float)
    whole = isinstance(steps_per_epoch, int | np.integer) and not isinstance(steps_per_epoch, bool)
    if not whole or steps_per_epoch < 1:
        raise ValueError("steps_per_epoch must be a whole number >= 1.")
    if len(logged) == 0 or len(intended) < 2 * len(logged):
        raise ValueError("the log is empty or intended is too short.")
    n = np.arange(len(logged))
    used = [n, n + 1, n // steps_per_epoch, 2 * n]
    fits = [k for k, t in enumerate(used) if np.allclose(logged, intended[t])]
    if not fits:
        raise ValueError("none of the four loops gives this log.")
    return fits[0] if len(fits) == 1 else -1


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    assert text in str(failed.value), str(failed.value)


def test_the_slow_cosine_case_is_what_its_description_says():
    logged, intended, per_epoch = _slow_cosine()
    steps = np.abs(np.diff(intended))
    assert np.all(steps > 0) and np.all(steps < 1e-8)
    assert _which_loop(logged, intended, per_epoch) == 0
    assert _which_loop_allclose(logged, intended, per_epoch) == -1


def test_which_loop_with_allclose_fails_a_visible_case_with_its_hint():
    _fails_with("which_loop", _which_loop_allclose, "Equal means equal")


def _verdict_last_of_ties(
    smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
):
    """ro05 7's candidate (scratch/wrong2.py, "lastlowest"): the reference, except that of equal
    lowest values it keeps the last."""
    v = _checked(smoothed_losses, skip_start, diverge_factor, margin)
    a = np.where(np.isfinite(v), v, np.inf)
    tail = a[skip_start:]
    lo = skip_start + len(tail) - 1 - int(np.argmin(tail[::-1]))
    start, low = v[0], a[lo]
    above = (1 + margin) * start
    if not low < (1 - margin) * start:
        return 2 if diverged or np.any(a[skip_start:] > above) else 1
    turned = diverged or np.any(a[lo + 1 :] > min(above, diverge_factor * low))
    return 0 if turned else 1


def test_range_test_verdict_keeping_the_last_of_equal_lowest_values_gets_its_own_hint():
    # ro05 7: it got the skip_start off-by-one hint, which sends this learner to correct code
    _fails_with("range_test_verdict", _verdict_last_of_ties, "take the first")
    ties = (np.r_[2.3, np.full(9, 2.2), 1.0, 1.5, np.nan, 1.0],)
    assert range_test_verdict(*ties) == 0
    assert _verdict_last_of_ties(*ties) == 1
