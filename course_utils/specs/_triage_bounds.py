"""Logs of exercise 09's ``triage`` (question 2, ``_triage.py``) at the edges of the flat and rising
tests, with the Mistakes they tell apart (lead's triage E1/E2 of the rw09 read).

The flat test takes its 2% of the mean of the FIRST 10 train losses, and both 2% tests are strict:
a move of exactly 2% of that mean is neither flat (< 0.02 x first) nor rising (> 1.02 x first).
Every value below is exact in binary, and 0.02 x 50 == 1.0 in float64, so the exact fall lands on
the boundary, where every correct way of writing the flat test agrees (49 / 50 - 1 rounds away
from 0, to -0.020000000000000018). An exact RISE of 2% is not tested (referee read sc09, E1): the
correct `last / first - 1 > 0.02` reads 51 / 50 - 1 as 0.020000000000000018 and calls it rising,
so the check uses a rise just under 2% (here, flat) and just over 2% (``_triage_rising``) instead,
which every correct form decides alike. A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake

_VAL = np.full(2, 3.0)  # validation never rises: overfitting stays out of these logs


def _log_fall_between_two_percents():
    """Train 50 (x10), then 50 - 63/64 = 49.015625 (x10): a fall of 0.984375, under 2% of the first
    mean (1.0) but over 2% of the last (0.98031...): flat (fault 1, fix 1)."""
    return np.repeat([50.0, 50.0 - 63 / 64], 10), _VAL.copy(), np.ones(20)


def _log_rise_just_under_two_percent():
    """Train 50 (x10), then 51 - 1/64 = 50.984375 (x10): a rise of 0.984375, under 2% of the first
    mean (1.0) by 1/64, far beyond rounding: not rising, and flat (fault 1, fix 1)."""
    return np.repeat([50.0, 51.0 - 1 / 64], 10), _VAL.copy(), np.ones(20)


def _log_fall_of_exactly_two_percent():
    """Train 50 (x10), then 49 (x10): a fall of exactly 0.02 x the first mean, not less: not flat,
    not rising: fault none (0, 0)."""
    return np.repeat([50.0, 49.0], 10), _VAL.copy(), np.ones(20)


#: Visible cases, added to ``TRIAGE``'s cases.
BOUNDS_CASES = (
    Case(
        _log_fall_between_two_percents,
        "train loss means 50 then 49.015625: a fall under 2% of the first mean, over 2% of the last",
    ),
    Case(
        _log_fall_of_exactly_two_percent,
        "train loss means 50 then 49: a fall of exactly 2% of the first mean",
    ),
    Case(
        _log_rise_just_under_two_percent,
        "train loss means 50 then 50.984375: a rise just under 2% of the first mean",
    ),
)

BASE_HINT = (
    "Flat takes its 2% of the mean of the FIRST 10 train losses (where the run started), not of "
    "the last 10: a fall of 0.984375 from 50 is under 0.02 x 50 = 1, so the run is flat."
)
FLAT_EDGE_HINT = (
    "Flat asks for a move of LESS than 2% of the first mean (the test is strict, <): a fall of "
    "exactly 2% (50 to 49) has moved by 2% and is not flat."
)


def bounds_mistakes(variant):
    """The Mistakes of the overfitting test moved out of ``_triage.py`` (400-line cap), then those
    of the 2% boundaries; `variant` builds a learner's triage from the reference's options."""
    return (
        Mistake(
            "Overfitting has two halves: validation above 1.02 x its minimum at the last two "
            "evaluations AND the last block of 10 train losses below every earlier block. A "
            "train loss that stalled while validation rose is not overfitting.",
            variant(overfit_test="validation only"),
        ),
        Mistake(
            "Overfitting needs the rise SEEN TWICE: the last two validation losses each above "
            "1.02 x the minimum. One evaluation above it can be noise (lecture §4).",
            variant(overfit_test="seen once"),
        ),
        Mistake(
            "A validation loss that is not finite makes the log not finite too (rule 1): a NaN "
            "validation loss is the nan fault, not a healthy run.",
            variant(val_counts=False),
        ),
        Mistake(BASE_HINT, variant(flat_test="last base")),
        Mistake(FLAT_EDGE_HINT, variant(flat_test="<=")),
    )
