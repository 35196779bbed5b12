"""Exercise 05 question 4 after referee read tk05 (point 5, cat. 6): when the loss never fell, the
stop rule (above diverge_factor times the lowest) is no rise. An answer that applied one turn
test in both branches, as the referee wrote it, passed every case (all with diverge_factor 4 or
2); the referee's inputs are now cases, and that answer and the named Mistake fail with its hint."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_flat_stop import (
    STOP_RULE_CASES,
    _flat_stop_mistake,
)
from course_utils.specs._range_test_verdict import (
    LOWER_LR_MIN,
    RAISE_LR_MAX,
    USABLE,
    range_test_verdict,
)

SCHEDULES = "05_learning_rate_schedules"
HINT = "so the stop rule does not apply: it reads the turn only after a fall"


def _one_turn_test(sm, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """The referee's learner answer: np.any(v[skip:] > min((1+margin)*first, df*low)) in the
    never-fell branch too; otherwise the task's verdict."""
    r = range_test_verdict(sm, skip_start, diverge_factor, diverged, margin)
    v = np.asarray(sm, float)
    a = np.where(np.isfinite(v), v, np.inf)
    low = a[skip_start + int(np.argmin(a[skip_start:]))]
    if low < (1 - margin) * v[0]:
        return r
    limit = min((1 + margin) * v[0], diverge_factor * low)
    rose = diverged or np.any(a[skip_start:] > limit) or not np.isfinite(low)
    return LOWER_LR_MIN if rose else RAISE_LR_MAX


def test_the_cases_tell_the_one_turn_test_from_the_reference():
    for case in STOP_RULE_CASES:
        args = case.make_inputs()
        assert range_test_verdict(*args) == RAISE_LR_MAX
        assert _one_turn_test(*args) == LOWER_LR_MIN
    assert 1.5 * 0.8 < 1.22 <= 1.25 * 1.0 and not 0.8 < 0.75 * 1.0
    assert 1.01 * 0.99 < 1.0 <= 1.02 * 1.0 and not 0.99 < 0.98 * 1.0
    assert USABLE not in (range_test_verdict(*c.make_inputs()) for c in STOP_RULE_CASES)


@pytest.mark.parametrize("answer", [_one_turn_test, _flat_stop_mistake(range_test_verdict).answer])
def test_the_stop_rule_when_flat_fails_with_its_hint(answer):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("range_test_verdict", answer)
    message = str(failed.value)
    assert "diverge_factor = 1.5" in message and HINT in message, message


def test_the_reference_passes_the_new_cases():
    checker(SCHEDULES)("range_test_verdict", range_test_verdict)
