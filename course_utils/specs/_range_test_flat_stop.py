"""Question 4 of exercise set 05 (``range_test_verdict``) after referee read tk05 (point 5, cat. 6):
when the loss never fell, it rose only if ``diverged`` is true or a value after the first
``skip_start`` is not finite or above (1 + margin) times the first value; the stop rule (above
diverge_factor times the lowest) reads the turn only after a fall. An answer that applied one turn
test in both branches passed every case, all with diverge_factor 4 or 2, where a loss that never
fell cannot exceed diverge_factor times its lowest without exceeding (1 + margin) times its first
value. A visible case with diverge_factor 1.5 (the referee's input) and a hidden one with 1.01
tell it from the reference, and a named Mistake shows a hint in words. A private part of the
``learning_rate_schedules`` spec, split off ``_range_test_verdict`` to keep each module under 400
lines.

After referee read tn05 (E1, cat. 6): a non-finite value is the turn only after the lowest point.
An answer that read any non-finite value after the first ``skip_start`` as the turn, one before
the lowest point included ("a NaN anywhere means it blew up"), passed every case: none put a
non-finite value before the lowest finite one in a loss that fell. A visible case (inf, then the
fall goes on) and a hidden one (NaN) tell it from the reference; a named Mistake gives its hint."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import LOWER_LR_MIN, RAISE_LR_MAX, USABLE
from ._range_test_margin import _differs
from .base import Case, Mistake

STOP_RULE_CASES = (
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

EARLY_BLOW_UP_CASES = (
    Case(
        lambda: (np.r_[np.full(11, 2.3), np.inf, 1.0, 1.0],),
        "2.3 eleven times, inf, 1.0, 1.0: fell to 1.0 (index 12); the inf comes before the "
        "lowest point, and nothing after that point is above min(1.02 x 2.3, 4 x 1.0)",
    ),
    Case(
        lambda: (np.r_[np.full(11, 2.3), np.nan, 1.0, 0.9],),
        "2.3 eleven times, NaN, 1.0, 0.9: fell to 0.9 (the last value); the NaN comes before it",
        hidden=True,
    ),
)

FLAT_STOP_CASES = STOP_RULE_CASES + EARLY_BLOW_UP_CASES  # the question's list takes both


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


def _non_finite_anywhere(reference):
    """Any non-finite value after the first skip_start read as the turn, one before the lowest
    point included (tn05 E1's learner answer); otherwise the task's verdict."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        answer = reference(s, k, f, d, m)  # the input checks too
        values = np.asarray(s, dtype=float)
        if answer == RAISE_LR_MAX and not np.all(np.isfinite(values[k:])):
            return USABLE
        return answer

    return verdict


def _early_blow_up_mistake(reference):
    """A blow-up before the lowest point counted as the turn, with its hint."""
    reading = _non_finite_anywhere(reference)
    return Mistake(
        "A value that is not finite counts as the turn only after the lowest point; one before "
        "it is not the turn, since the loss went on to fall to its lowest point after it. Here "
        "nothing after the lowest point is not finite or above min((1 + margin) x first, "
        "diverge_factor x lowest): the sweep has not shown its turn yet (raise lr_max).",
        reading,
        matches=_differs(reading, reference),
    )


def _flat_stop_mistakes(reference):
    """The Mistakes of this part, in the order the question lists them."""
    return _flat_stop_mistake(reference), _early_blow_up_mistake(reference)
