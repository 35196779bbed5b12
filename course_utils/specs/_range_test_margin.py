"""Question 4 of exercise set 05 (``range_test_verdict``) after referee read sk05 (point 1, cat. 6):
the task's stop rule (a value above diverge_factor times the lowest) uses no margin, and two
readings that give it one passed every case: a margin added to the threshold (diverge_factor x
lowest + margin x first), and the rise also required to exceed margin x first above the lowest.
Two visible cases (the referee's inputs) tell them from the reference, and two named Mistakes,
placed first in the question's list with predicates that fire only where their reading differs
from the reference, show a hint in words. A private part of the ``learning_rate_schedules`` spec,
split off ``_range_test_verdict`` to keep each module under 400 lines."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import RAISE_LR_MAX, USABLE
from .base import Case, Mistake

MARGIN_CASES = (
    Case(
        lambda: (np.r_[np.full(11, 2.3), 0.3, 1.21],),
        "2.3 eleven times, falls to 0.3, then 1.21 (above 4 x 0.3 = 1.2, under 4 x 0.3 + "
        "0.02 x 2.3 = 1.246)",
    ),
    Case(
        lambda: (np.r_[np.full(11, 2.3), 0.01, 0.05],),
        "2.3 eleven times, falls to 0.01, then 0.05 (above 4 x 0.01 = 0.04; a rise of 0.04, "
        "under 0.02 x 2.3 = 0.046)",
    ),
)


def _reading(reference, extra):
    """The task's verdict, but a value after the lowest point counts as the diverge_factor turn
    only if ``extra(after, low, first, f, m)`` holds too (the margin reading)."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.asarray(s, dtype=float)
        as_inf = np.where(np.isfinite(values), values, np.inf)
        lowest = k + int(np.argmin(as_inf[k:]))
        first, low, after = values[0], as_inf[lowest], as_inf[lowest + 1 :]
        if answer != USABLE or d or np.any(after > (1 + m) * first):
            return answer  # no fall, or a turn that does not rest on diverge_factor alone
        return USABLE if np.any(extra(after, low, first, f, m)) else RAISE_LR_MAX

    return verdict


def _margin_added(after, low, first, f, m):
    return after > f * low + m * first


def _rise_over_margin(after, low, first, f, m):
    return (after > f * low) & (after - low > m * first)


def _differs(reading, reference):
    """A predicate: the learner's code is this reading's and differs from the reference's."""

    def matches(args, got):
        return got == reading(*args) != reference(*args)

    return matches


def _margin_mistakes(reference):
    """The two margin readings of the stop rule, each with its hint."""
    rise_over_margin = _reading(reference, _rise_over_margin)
    margin_added = _reading(reference, _margin_added)
    return (
        Mistake(
            "The stop rule uses no margin: any value after the lowest point above diverge_factor "
            "times the lowest is the turn, however small that rise is next to margin times the "
            "first value (the margin applies only to fell and to above the first value).",
            rise_over_margin,
            matches=_differs(rise_over_margin, reference),
        ),
        Mistake(
            "The stop rule uses no margin: its limit is diverge_factor times the lowest itself, "
            "not that plus margin times the first value; a value just above diverge_factor times "
            "the lowest is the turn.",
            margin_added,
            matches=_differs(margin_added, reference),
        ),
    )
