"""Exercise 05 question 4 after referee read ud05 (point 5, cat. 6): an answer that measures the
fall and the rise against ``smoothed_losses[skip_start]`` instead of the first value was told
"index skip_start is the first value to count, not to ignore", the hint of another slip. It now
fails a visible case with a hint that names its own error."""

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_verdict import range_test_verdict

SCHEDULES = "05_learning_rate_schedules"
HINT = "The first value is smoothed_losses[0]"


def _first_after_settling(
    smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
):
    """A learner's answer: the task's verdict, written with the first value taken after the
    settling ones (the referee's probe q4.py), as 'ignore the first skip_start values' misread."""
    values = np.array(smoothed_losses, dtype=float)
    if values.ndim == 1 and values.size > skip_start and np.isfinite(values[skip_start]):
        values[0] = values[skip_start]
        return range_test_verdict(values, skip_start, diverge_factor, diverged, margin)
    return range_test_verdict(smoothed_losses, skip_start, diverge_factor, diverged, margin)


def test_ud05_first_value_after_the_settling_ones_fails_with_its_own_hint():
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("range_test_verdict", _first_after_settling)
    message = str(failed.value)
    assert HINT in message, message
    assert "index skip_start is the first value to count" not in message, message
