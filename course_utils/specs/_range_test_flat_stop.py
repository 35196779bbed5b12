"""Question 4 of exercise set 05 (``range_test_verdict``) after referee read tk05 (point 5, cat. 6):
when the loss never fell, it rose only if ``diverged`` is true or a value after the first
``skip_start`` is not finite or above (1 + margin) times the first value; the stop rule (above
diverge_factor times the lowest) reads the turn only after a fall. An answer that applied one turn
test in both branches passed every case, all with diverge_factor 4 or 2, where a loss that never
fell cannot exceed diverge_factor times its lowest without exceeding (1 + margin) times its first
value. A visible case with diverge_factor 1.5 (the referee's input) and a hidden one with 1.01
tell it from the reference, and a named Mistake shows a hint in words. A private part of the
``learning_rate_schedules`` spec, split off ``_range_test_verdict`` to keep each module under 400
lines."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import LOWER_LR_MIN, RAISE_LR_MAX
from ._range_test_margin import _differs
from .base import Case, Mistake

FLAT_STOP_CASES = (
    Case(
        lambda: (np.r_[np.full(11, 1.0), 0.8, 1.22, 1.0], 10, 1.5, False, 0.25),
        "1.0 eleven times, 0.8, 1.22, 1.0 with diverge_factor = 1.5, margin = 0.25: never fell "
        "(0.8 is not below 0.75 x 1.0), and 1.22 is above 1.5 x 0.8 = 1.2 but not above "
        "1.25 x 1.0",
    ),
    Case(
        lambda: (np.r_[np.full(11, 1.0), 0.99, 1.0], 10, 1.01),
        "1.0 eleven times, 0.99, 1.0 with diverge_factor = 1.01: never fell, 1.0 is above "
        "1.01 x 0.99 but not above 1.02 x 1.0",
        hidden=True,
    ),
)


def _stop_rule_when_flat(reference):
    """One turn test in both branches: a loss that never fell also 'rose' where a value after
    the first skip_start is above diverge_factor times the lowest (tk05's learner answer)."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.asarray(s, dtype=float)
        as_inf = np.where(np.isfinite(values), values, np.inf)
        low = as_inf[k + int(np.argmin(as_inf[k:]))]
        never_fell = not low < (1 - m) * values[0]
        if answer == RAISE_LR_MAX and never_fell and np.any(as_inf[k:] > f * low):
            return LOWER_LR_MIN
        return answer

    return verdict


def _flat_stop_mistake(reference):
    """The stop rule read as a rise when the loss never fell, with its hint."""
    reading = _stop_rule_when_flat(reference)
    return Mistake(
        "This loss never fell below (1 - margin) times its first value, so the stop rule does "
        "not apply: it reads the turn only after a fall. When the loss never fell, only "
        "diverged=True, a value after the first skip_start that is not finite, or one above "
        "(1 + margin) times the first value counts as a rise; none of these here: the loss "
        "neither fell nor rose by more than the margin (raise lr_max).",
        reading,
        matches=_differs(reading, reference),
    )
