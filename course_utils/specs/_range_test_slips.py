"""Three named Mistakes of question 4 of exercise set 05 (``range_test_verdict``) whose hints were
shown another slip's text (referee reads se05, X1, and ud05, 5): "fell" read as at or below
(1 - margin) times the first value, the rise of a loss that never fell looked for only after its
lowest point, and the first value read as the one at index skip_start.
Each is built on the task's ``reference`` and differs from it only where its slip changes the
verdict. A private part of the ``learning_rate_schedules`` spec, split off
``_range_test_verdict`` to keep each module under 400 lines."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import LOWER_LR_MIN, RAISE_LR_MAX, USABLE
from .base import Case, Mistake


def _lowest(values, k):
    """The index of the lowest finite value from index ``k`` on (None if there is none)."""
    finite = np.where(np.isfinite(values), values, np.inf)
    i = k + int(np.argmin(finite[k:]))
    return i if np.isfinite(finite[i]) else None


def _at_or_below(reference):
    """'Fell' read as at or below (1 - m) times the first value: where the lowest value is exactly
    on that bound, the slip sees a fall and looks for the turn after it."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.asarray(s, dtype=float)
        i = _lowest(values, k)
        if i is None or values[i] != (1 - m) * values[0]:
            return answer
        after = np.where(np.isfinite(values), values, np.inf)[i + 1 :]
        limit = min((1 + m) * values[0], f * values[i])
        return USABLE if d or np.any(after > limit) else RAISE_LR_MAX

    return verdict


def _rise_after_lowest(reference):
    """A loss that never fell: the rise looked for only after its lowest point (the turn test's
    logic reused), so a rise before a last, lower value is missed."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)
        values = np.asarray(s, dtype=float)
        i = _lowest(values, k)
        if answer != LOWER_LR_MIN or d or i is None or values[i] < (1 - m) * values[0]:
            return answer
        after = np.where(np.isfinite(values), values, np.inf)[i + 1 :]
        return LOWER_LR_MIN if np.any(after > (1 + m) * values[0]) else RAISE_LR_MAX

    return verdict


def _first_at_skip(reference):
    """The first value read as smoothed_losses[skip_start], the first value after the settling
    ones, for the fall and the rise (ud05, 5): the reference on the losses with that value first."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.array(s, dtype=float)
        if not np.isfinite(values[k]):
            return answer
        values[0] = values[k]
        return reference(values, k, f, d, m)

    return verdict


def _slip_mistakes(reference):
    """The first two named Mistakes, placed first in the question's list: each case they catch is one
    where another Mistake's output is the same but its text does not describe the curve."""
    return (
        Mistake(
            "Fell means strictly below (1 - margin) times the first value: this loss's lowest "
            "value is exactly on that bound, not below it, so it never fell: lower lr_min if a "
            "value after the first skip_start is not finite or above (1 + margin) times the "
            "first, else raise lr_max.",
            _at_or_below(reference),
        ),
        Mistake(
            "A loss that never fell rose if any value after the first skip_start is not finite "
            "or above (1 + margin) times the first, before its lowest point too: this loss never "
            "fell below (1 - margin) times its first value, but before its lowest point a value "
            "was not finite or above (1 + margin) times the first, so the sweep began at rates "
            "already too large: lower lr_min.",
            _rise_after_lowest(reference),
        ),
    )


def _first_value_slips(reference, skip_one):
    """The first value read at index skip_start (ud05, 5), then the off-by-one skip (its hint was
    shown to that answer before; the off-by-one first, FIRST_VALUE_CASES tells the two apart): both
    after the margin's Mistakes, whose outputs they can share."""
    return (
        Mistake(
            "Off by one value: index skip_start is the first value to count, not to ignore.",
            skip_one,
        ),
        Mistake(
            "The first value is smoothed_losses[0], the first mini-batch's loss: the fall and "
            "the rise are measured against it, although the search for the lowest value starts "
            "at index skip_start.",
            _first_at_skip(reference),
        ),
    )


# settles from 2.3 to 1.0 before skip_start, stays, then rises a little: the task's verdict is a
# fall without a turn; measured against the value at skip_start it never fell and rose (ud05, 5)
FIRST_VALUE_CASES = (
    Case(
        lambda: (
            np.array([2.3, 2.1, 1.9, 1.7, 1.5, 1.3, 1.15, 1.05] + [1.0] * 7 + [1.01, 1.05, 1.1]),
            10,
        ),
        "settles from 2.3 to 1.0 before skip_start = 10, stays there, ends at 1.1: it fell",
    ),
)
