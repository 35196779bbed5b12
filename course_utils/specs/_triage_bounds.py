"""Logs of exercise 09's ``triage`` (question 2, ``_triage.py``) at the edges of the flat and rising
tests, with the Mistakes they tell apart (lead's triage E1/E2 of the rw09 read).

The flat test takes its 2% of the mean of the FIRST 10 train losses, and both 2% tests are strict:
a move of exactly 2% of that mean is neither flat (< 0.02 x first) nor rising (> 1.02 x first).
Every value below is exact in binary, and 0.02 x 50 == 1.0 and 1.02 x 50 == 51.0 in float64, so the
boundary cases land on the boundary. A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake

_VAL = np.full(2, 3.0)  # validation never rises: overfitting stays out of these logs


def _log_fall_between_two_percents():
    """Train 50 (x10), then 50 - 63/64 = 49.015625 (x10): a fall of 0.984375, under 2% of the first
    mean (1.0) but over 2% of the last (0.98031...): flat (fault 1, fix 1)."""
    return np.repeat([50.0, 50.0 - 63 / 64], 10), _VAL.copy(), np.ones(20)


def _log_rise_of_exactly_two_percent():
    """Train 50 (x10), then 51 (x10): the last mean is exactly 1.02 x the first, not more: not rising,
    and a move of exactly 2% is not flat either: fault none (0, 0)."""
    return np.repeat([50.0, 51.0], 10), _VAL.copy(), np.ones(20)


def _log_fall_of_exactly_two_percent():
    """Train 50 (x10), then 49 (x10): a fall of exactly 0.02 x the first mean, not less: not flat,
    not rising: fault none (0, 0)."""
    return np.repeat([50.0, 49.0], 10), _VAL.copy(), np.ones(20)


#: Visible cases, added to ``TRIAGE``'s cases (the exact fall before the exact rise: a '<=' answer
#: fails first where only its own Mistake matches, not on the rise, where the one-sided flat does).
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
        _log_rise_of_exactly_two_percent,
        "train loss means 50 then 51: a rise of exactly 2% of the first mean",
    ),
)

BASE_HINT = (
    "Flat takes its 2% of the mean of the FIRST 10 train losses (where the run started), not of "
    "the last 10: a fall of 0.984375 from 50 is under 0.02 x 50 = 1, so the run is flat."
)
RISING_EDGE_HINT = (
    "Rising asks for the last mean MORE than 1.02 x the first (the test is strict, >): a rise of "
    "exactly 2% (50 to 51) is not rising."
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
        Mistake(RISING_EDGE_HINT, variant(rising_test=">=")),
        Mistake(FLAT_EDGE_HINT, variant(flat_test="<=")),
    )
