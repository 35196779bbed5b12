"""Logs of exercise 09's ``triage`` (question 2, ``_triage.py``) whose train loss rises by more than
2% of the mean of its FIRST 10 losses but by at most 2% of the mean of its LAST 10 (referee read
sa09, point E1).

Every other rising log climbed well past 1.02 x its first mean, so an answer that takes the rising
test's 2% of the last mean (``last - first > 0.02 * last``, rising only above 1/0.98 = 1.0204 x the
first mean) passed every case. Here last / first lies in (1.02, 1.0204]: rising (fault 5, fix 2)
by the task, none (0, 0) by that answer.

It also holds the rising test's exact boundary (referee read tm09, point 7): first mean 50, last
mean 51, both exact in binary, and 1.02 x 50 == 51.0 in float64, so a rise of exactly 2% is not
rising by the task's strict ``last > 1.02 * first``, while ``>=`` says rising. A private part of
the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake


def _log_rise_between_two_percents():
    """Train 50 (x10), then 51.0078125 (x10, 1.02015625 x 50; exact in binary): a rise of
    1.0078125, over 2% of the first mean (1.0), not over 2% of the last (1.02016); validation
    3.0, 2.9; every norm 1: rising (fault 5, fix 2)."""
    return np.repeat([50.0, 51.0078125], 10), np.array([3.0, 2.9]), np.ones(20)


def _log_rise_between_two_percents_noisy(rng):
    """The same with noise: the first 10 train losses about 50, the last 10 with a mean 1.0201 to
    1.0203 x the first mean; validation falls; norms 1 to 1.3: rising (fault 5, fix 2)."""
    first = 50.0 + rng.normal(scale=0.1, size=10)
    last = rng.normal(scale=0.1, size=10)
    last += rng.uniform(1.0201, 1.0203) * first.mean() - last.mean()
    return np.concatenate([first, last]), np.array([3.0, 2.9]), 1.0 + 0.3 * rng.random(20)


def _log_rise_exactly_two_percent():
    """Train 50 (x10), then 51 (x10): the last mean exactly 1.02 x the first (1.02 * 50 == 51.0 in
    float64), a rise of exactly 2%, not more; not flat either (a move of 1, not less than
    0.02 x 50); validation 3.0, 2.9; every norm 1: fault none (0, 0)."""
    return np.repeat([50.0, 51.0], 10), np.array([3.0, 2.9]), np.ones(20)


def rising_fires(first, last, test=True):
    """The rising test on the first and last means: the task's ``last > 1.02 * first``, or a
    learner's `test` "last base" (2% of the last mean) or ">=" (a rise of exactly 2% counted)."""
    if test == "last base":
        return last - first > 0.02 * last
    return last >= 1.02 * first if test == ">=" else last > 1.02 * first


#: The visible cases, then the hidden one, added to ``TRIAGE``'s cases.
RISING_BASE_CASES = (
    Case(
        _log_rise_between_two_percents,
        "train loss means 50 then 51.0078125: a rise over 2% of the first mean, under 2% of the "
        "last",
    ),
    Case(
        _log_rise_exactly_two_percent,
        "train loss means 50 then 51: a rise of exactly 2% (51 == 1.02 x 50 in float64)",
    ),
    Case(
        _log_rise_between_two_percents_noisy,
        "a rise between 2% of the first mean and 2% of the last, other noise",
        hidden=True,
    ),
)

RISING_BASE_HINT = (
    "Rising takes its 2% of the FIRST mean, as flat does: the last mean more than 1.02 x the mean "
    "of the first 10 train losses. A rise from 50 to 51.0078125 is more than 0.02 x 50 = 1, so "
    "the run is rising, although it is less than 2% of the last mean."
)


RISING_EDGE_HINT = (
    "Rising asks for the last mean MORE than 1.02 x the first (strict, >): a rise of exactly 2% "
    "(50 to 51) is not rising. Compare the last mean with 1.02 times the first: written as "
    "last / first - 1 > 0.02 it fails here by rounding, since 51 / 50 - 1 is "
    "0.020000000000000018 in float64."
)


def rising_mistakes(variant):
    """The Mistakes "rising measured as 2% of the last mean" and "a rise of exactly 2% counted"
    (``>=``); `variant` builds a learner's triage from the reference's options."""
    return (
        Mistake(RISING_BASE_HINT, variant(rising_test="last base")),
        Mistake(RISING_EDGE_HINT, variant(rising_test=">=")),
    )
