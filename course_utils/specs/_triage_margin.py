"""Logs of exercise 09's ``triage`` (question 2, ``_triage.py``) whose validation loss rises above
its minimum, at the last two evaluations, by less than the overfitting test's 2% (referee read
rw09, point 8).

Every other log's validation either stays at its minimum or rises well past 1.02 x it, so an
answer that drops the 1.02 factor (``val[-2:] > val.min()``) passed every case. Here validation is
above its minimum but within 2% of it, and the train loss falls: not overfitting (fault none), while
the answer without the margin says overfitting. A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case


def _log_val_within_two_percent():
    """Train 4 - k/32 (k = 0..59, exact in binary), falling; every norm 1; validation 4, 3, 2, then
    2 + 1/64 and 2 + 1/32 (1.0078 and 1.0156 x the minimum, below 1.02 x 2 = 2.04): fault none."""
    train = 4.0 - np.arange(60) / 32
    val = np.array([4.0, 3.0, 2.0, 2.0 + 1 / 64, 2.0 + 1 / 32])
    return train, val, np.ones(60)


def _log_val_within_two_percent_noisy(rng):
    """The same with noise: a healthy falling run whose last two validation losses are each 1.002 to
    1.015 x the minimum (2.2): above it, within 2% of it (fault none)."""
    train = np.linspace(4.0, 2.0, 60) + rng.normal(scale=0.02, size=60)
    val = np.concatenate([np.linspace(4.0, 2.2, 4), 2.2 * rng.uniform(1.002, 1.015, size=2)])
    return train, val, 1.0 + 0.3 * rng.random(60)


#: The visible and the hidden case, added to ``TRIAGE``'s cases.
MARGIN_CASES = (
    Case(
        _log_val_within_two_percent,
        "the train loss falls; the last two validation losses are above the minimum 2.0 but "
        "within 2% of it (2.015625 and 2.03125)",
    ),
    Case(
        _log_val_within_two_percent_noisy,
        "validation within 2% above its minimum at the last two evaluations, other noise",
        hidden=True,
    ),
)

#: The hint of the mistake "overfitting test without the 2% margin".
MARGIN_HINT = (
    "Overfitting asks for the last two validation losses each MORE than 1.02 x the minimum, not "
    "merely above it (the threshold in the table of lecture §4): validation that rose above its "
    "minimum by less than 2% has not risen by that test, so the run is not overfitting."
)
