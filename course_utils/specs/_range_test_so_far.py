"""Question 4 of exercise set 05 (``range_test_verdict``): the case and the Mistake that tell the
task's stop rule, measured from the curve's lowest value, apart from the lecture's
``lr_range_test``, which measures it from the lowest value so far (referee read rw05, point 5: a
copy of the lecture's rule passed every case). A private part of the ``learning_rate_schedules``
spec, split off ``_range_test_verdict`` to keep each module under 400 lines."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import RAISE_LR_MAX, USABLE
from .base import Case, Mistake


def _spike_before_the_lowest():
    """Falls from 2.5 to 0.5, one value of 2.25 (above 4 x 0.5 = 2.0, under 1.02 x 2.5), falls to
    0.25, then flat (every value exact in binary): the stop rule from the lowest so far fires at
    the 2.25; from the curve's lowest value (4 x 0.25 = 1.0) nothing after the lowest point is a
    turn, so the sweep stopped before it (raise lr_max)."""
    fall = np.arange(2.5, 0.49, -0.25)  # 2.5, 2.25, ..., 0.5
    return (np.r_[np.full(10, 2.5), fall, 2.25, 1.0, 0.5, np.full(10, 0.25)],)


def _lowest_so_far(reference):
    """The lecture's stop rule copied into ``reference`` (the task's verdict): a value above f
    times the lowest finite value so far (from index k on, once that is below (1 - m) times the
    first) is a turn, also before the lowest point."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.asarray(s, dtype=float)
        so_far = np.minimum.accumulate(np.where(np.isfinite(values), values, np.inf)[k:])
        fallen = so_far[:-1] < (1 - m) * values[0]
        spiked = fallen & ~(values[k + 1 :] <= f * so_far[:-1])  # NaN and inf count as above
        return USABLE if answer == RAISE_LR_MAX and spiked.any() else answer

    return verdict


SO_FAR_CASE = Case(
    _spike_before_the_lowest,
    "falls from 2.5 to 0.5, one value 2.25 (> 4 x 0.5), falls to 0.25, then flat at 0.25",
)


def _so_far_mistake(reference):
    """The named Mistake 'stop rule from the lowest so far', built on the task's ``reference``."""
    return Mistake(
        "The stop rule here is measured from the curve's lowest value, not from the lowest so far "
        "as lr_range_test's is: this loss rose above diverge_factor times its lowest so far "
        "before it fell to its lowest value, and after that lowest point it stayed under every "
        "limit, so the sweep stopped before the turn (raise lr_max).",
        _lowest_so_far(reference),
    )
