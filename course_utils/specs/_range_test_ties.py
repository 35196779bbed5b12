"""Exact ties with the two "above" limits of question 4 of exercise set 05 (``range_test_verdict``),
referee read sf05, X2: the task's rise is a value *above* (1 + margin) times the first, its stop
rule a value *above* diverge_factor times the lowest (``lr_range_test``'s strict ``>``), and an
answer with ``>=`` for either passed every case. Three visible cases whose values are exact in
binary (margin 0.25, first value 4.0) land exactly on a limit, and two named Mistakes build the
``>=`` slips. A private part of the ``learning_rate_schedules`` spec, split off
``_range_test_verdict`` to keep each module under 400 lines."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import LOWER_LR_MIN, RAISE_LR_MAX, USABLE
from .base import Case, Mistake

_SETTLED = [4.0] * 10  # skip_start = 10 values at the first value 4.0

TIE_CASES = (
    Case(
        lambda: (np.array([*_SETTLED, 3.0, 2.0, 5.0]), 10, 4.0, False, 0.25),
        "margin 0.25: 4.0 ten times, falls to 2.0, then exactly 5.0 = (1 + margin) x 4.0 "
        "(not above it)",
    ),
    Case(
        lambda: (np.array([*_SETTLED, 4.0, 4.0, 5.0]), 10, 4.0, False, 0.25),
        "margin 0.25: 4.0 twelve times (never fell), then exactly 5.0 = (1 + margin) x 4.0 "
        "(not above it)",
    ),
    Case(
        lambda: (np.array([*_SETTLED, 1.0, 4.0]), 10, 4.0, False, 0.25),
        "margin 0.25: 4.0 ten times, falls to 1.0, then exactly 4.0 = diverge_factor x 1.0 "
        "(not above it, and not above (1 + margin) x 4.0)",
    ),
)


def _inclusive(reference, rise=False, stop=False):
    """The task's verdict with ``>=`` for the rise (``rise``) or the stop rule (``stop``); it
    differs from the reference only where a value lies exactly on that limit."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.asarray(s, dtype=float)
        as_inf = np.where(np.isfinite(values), values, np.inf)
        lowest = k + int(np.argmin(as_inf[k:]))
        start, low = values[0], as_inf[lowest]
        up = (lambda v, limit: v >= limit) if rise else (lambda v, limit: v > limit)
        blown = (lambda v, limit: v >= limit) if stop else (lambda v, limit: v > limit)
        if not low < (1 - m) * start:
            rose = d or np.any(up(as_inf[k:], (1 + m) * start)) or not np.isfinite(low)
            return LOWER_LR_MIN if rose else RAISE_LR_MAX
        after = as_inf[lowest + 1 :]
        turned = d or np.any(up(after, (1 + m) * start)) or np.any(blown(after, f * low))
        return USABLE if turned else answer

    return verdict


def _tie_mistakes(reference):
    """The two ``>=`` slips, each with a hint that holds where its tie case catches it."""
    return (
        Mistake(
            "A rise is a value ABOVE (1 + margin) times the first value (>, not >=): a value "
            "exactly equal to it is not a rise, neither as the turn after a fall nor as the rise "
            "of a loss that never fell.",
            _inclusive(reference, rise=True),
        ),
        Mistake(
            "The stop rule fires at a value ABOVE diverge_factor times the lowest (>, as "
            "lr_range_test compares): a value exactly equal to it is not the turn.",
            _inclusive(reference, stop=True),
        ),
    )
