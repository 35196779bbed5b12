"""Exercise 05 question 4 after referee read rw05 (point 5, cat. 6): an answer that copies the
lecture's stop rule (above diverge_factor times the lowest value so far, as ``lr_range_test``
stops) passed every case; the task's stop rule is measured from the curve's lowest value. A
visible case now tells the two apart, and the named Mistake's hint says so in words."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_so_far import _lowest_so_far, _spike_before_the_lowest
from course_utils.specs._range_test_verdict import RAISE_LR_MAX, USABLE, range_test_verdict

SCHEDULES = "05_learning_rate_schedules"
HINT = "measured from the curve's lowest value, not from the lowest so far"


def _copied_from_the_lecture(
    smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
):
    """A learner's answer written out (not the spec's Mistake): the task's fall test and the rise
    above the start, but the turn's stop rule as lr_range_test's loop runs it, from the lowest so
    far, from skip_start on, once the loss has fallen."""
    v = np.asarray(smoothed_losses, dtype=float)
    verdict = range_test_verdict(v, skip_start, diverge_factor, diverged, margin)  # the checks
    lowest = np.inf
    for value in v[skip_start:]:
        fallen = lowest < (1 - margin) * v[0]
        if fallen and (not np.isfinite(value) or value > diverge_factor * lowest):
            return USABLE
        lowest = min(lowest, value) if np.isfinite(value) else lowest
    return verdict


def test_the_case_separates_the_two_stop_rules_with_exact_values():
    (losses,) = _spike_before_the_lowest()
    assert losses.min() == 0.25 and losses[0] == 2.5  # every value exact in binary
    assert 2.0 < 2.25 < 1.02 * 2.5  # the spike: above 4 x 0.5, under the start's limit
    assert range_test_verdict(losses) == RAISE_LR_MAX
    assert _lowest_so_far(range_test_verdict)(losses) == USABLE
    assert _copied_from_the_lecture(losses) == USABLE


@pytest.mark.parametrize("answer", [_lowest_so_far(range_test_verdict), _copied_from_the_lecture])
def test_the_lowest_so_far_stop_rule_fails_with_its_hint(answer):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("range_test_verdict", answer)
    message = str(failed.value)
    assert "falls from 2.5 to 0.5, one value 2.25" in message, message
    assert HINT in message, message


def test_the_reference_passes_the_new_case():
    checker(SCHEDULES)("range_test_verdict", range_test_verdict)
