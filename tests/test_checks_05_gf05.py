"""Exercise 05 question 4 after referee read tn05 (E1, cat. 6): a non-finite value is the turn only
after the lowest point. An answer that read any non-finite value after the first skip_start as the
turn (one before the lowest point included) passed every case; the referee's inputs are now cases,
and that answer and the named Mistake fail with its hint."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_flat_stop import (
    EARLY_BLOW_UP_CASES,
    FLAT_STOP_CASES,
    _early_blow_up_mistake,
)
from course_utils.specs._range_test_verdict import (
    RAISE_LR_MAX,
    USABLE,
    range_test_verdict,
)

SCHEDULES = "05_learning_rate_schedules"
HINT = "counts as the turn only after the lowest point"
INPUTS = ([2.3] * 11 + [np.inf, 1.0, 1.0], [2.3] * 11 + [np.nan, 1.0, 0.9])


def _nan_anywhere(sm, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """The referee's learner answer (q4_nanany): any non-finite value after the first skip_start
    is the turn; otherwise the task's verdict."""
    r = range_test_verdict(sm, skip_start, diverge_factor, diverged, margin)
    v = np.asarray(sm, float)
    if r == RAISE_LR_MAX and np.any(~np.isfinite(v[skip_start:])):
        return USABLE
    return r


def test_the_cases_tell_the_early_blow_up_from_the_reference():
    assert set(EARLY_BLOW_UP_CASES) <= set(FLAT_STOP_CASES)  # the question's list takes them
    for case, raw in zip(EARLY_BLOW_UP_CASES, INPUTS, strict=True):
        args = case.make_inputs()
        np.testing.assert_array_equal(args[0], raw)
        assert range_test_verdict(*args) == RAISE_LR_MAX
        assert _nan_anywhere(*args) == USABLE
    assert [case.hidden for case in EARLY_BLOW_UP_CASES] == [False, True]


def _failure(answer):
    """The check's message for ``answer`` on question 4 ("" when it passes)."""
    try:
        checker(SCHEDULES)("range_test_verdict", answer)
    except CheckFailed as failed:
        return str(failed)
    return ""


@pytest.mark.parametrize(
    ("answer", "fails"),
    [
        (_nan_anywhere, True),
        (_early_blow_up_mistake(range_test_verdict).answer, True),
        (range_test_verdict, False),  # the reference passes every case, the new ones included
    ],
)
def test_the_early_blow_up_fails_with_its_hint_and_the_reference_passes(answer, fails):
    message = _failure(answer)
    if fails:
        assert "inf, 1.0, 1.0" in message and HINT in message, message
    else:
        assert message == "", message
