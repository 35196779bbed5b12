"""Exercise 05 question 4 after referee read sk05 (point 1, cat. 6): the stop rule (a value above
diverge_factor times the lowest) uses no margin, and two readings that give it one passed every
case. The referee's inputs are now visible cases, and each reading, written out as the referee
wrote it (/work/ref/sk05/variants2.py, variants3.py), fails with its own hint."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_margin import MARGIN_CASES
from course_utils.specs._range_test_verdict import RAISE_LR_MAX, USABLE, range_test_verdict

SCHEDULES = "05_learning_rate_schedules"


def _after_a_fall(sm, skip_start, diverge_factor, diverged, margin):
    """The referee's shared start: the reference's verdict (and input checks), the values as inf
    where not finite, the lowest point's index, the lowest value, and (1 + margin) x first."""
    r = range_test_verdict(sm, skip_start, diverge_factor, diverged, margin)
    v = np.asarray(sm, float)
    a = np.where(np.isfinite(v), v, np.inf)
    lo = skip_start + int(np.argmin(a[skip_start:]))
    return r, v, a, lo, a[lo], (1 + margin) * v[0]


def _margin_added(sm, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """The referee's rtv_dfmargin: turn above diverge_factor * low + margin * first."""
    r, v, a, lo, low, above = _after_a_fall(sm, skip_start, diverge_factor, diverged, margin)
    if not low < (1 - margin) * v[0]:
        return r
    t = diverged or np.any(a[lo + 1 :] > min(above, diverge_factor * low + margin * v[0]))
    return USABLE if t else RAISE_LR_MAX


def _rise_over_margin(sm, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """The referee's rtv_blanket: the rise above diverge_factor * low must also exceed margin *
    first above the lowest."""
    r, v, a, lo, low, above = _after_a_fall(sm, skip_start, diverge_factor, diverged, margin)
    if not low < (1 - margin) * v[0]:
        return r
    after = a[lo + 1 :]
    t = (
        diverged
        or np.any(after > above)
        or np.any((after > diverge_factor * low) & (after - low > margin * v[0]))
    )
    return USABLE if t else RAISE_LR_MAX


def test_the_reference_reads_both_referee_inputs_as_turned():
    (a,), (b,) = (case.make_inputs() for case in MARGIN_CASES)
    assert range_test_verdict(a) == USABLE and range_test_verdict(b) == USABLE
    assert 4 * 0.3 < 1.21 < 4 * 0.3 + 0.02 * 2.3  # the margin-added limit is not reached
    assert 1.21 - 0.3 > 0.02 * 2.3  # but the rise exceeds the margin
    assert 4 * 0.01 < 0.05 and 0.05 - 0.01 < 0.02 * 2.3  # a rise under the margin
    assert _margin_added(a) == _margin_added(b) == RAISE_LR_MAX
    assert _rise_over_margin(a) == USABLE and _rise_over_margin(b) == RAISE_LR_MAX


@pytest.mark.parametrize(
    ("answer", "case", "hint"),
    [
        (_margin_added, "then 1.21", "not that plus margin times the first value"),
        (_rise_over_margin, "then 0.05", "however small that rise is"),
    ],
)
def test_each_margin_reading_fails_with_its_hint(answer, case, hint):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("range_test_verdict", answer)
    message = str(failed.value)
    assert case in message and hint in message, message


def test_the_reference_passes_the_new_cases():
    checker(SCHEDULES)("range_test_verdict", range_test_verdict)
