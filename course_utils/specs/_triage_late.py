"""Logs and mistakes of exercise 09's ``triage`` (question 2, ``_triage.py``) from referee read sb09.

E1: a spike EXACTLY two steps before the first non-finite step counts as the cause (exploding).
An answer that counts a spike only when it is at least THREE steps before the break
(``spikes[:first_bad - 2]``) failed one visible case only, with the hint of a median holding a NaN,
which it took right; here it gets its own Mistake, listed before the median ones, and a hidden case
whose spike is two steps before the break at a random step.

E2: overfitting asks for each of the last two validation losses above 1.02 x the minimum, not for
validation still rising at the end. An answer that also asked ``val[-1] >= val[-2]`` passed every
case; the referee's log (the last loss above the margin but below the one before it) is visible
here, with a hidden one like it. The Mistakes of the end of the slice of spikes (not clamped,
inclusive) moved here from ``_triage.py`` with the new one, whose place in the list they share.
A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from ._triage_logs import _healthy
from .base import Case, Mistake


def _log_spike_two_steps_before_nan_anywhere(rng):
    """A norm spike of 50 to 100 x the median exactly two steps before the first NaN (step 32 to
    50, the loss and the norm NaN from there): exploding (fault 3, fix 3)."""
    train, val, norms = _healthy(rng)
    first_bad = int(rng.integers(31, 50))
    norms[first_bad - 2] = rng.uniform(50.0, 100.0) * np.median(norms)
    train[first_bad:], norms[first_bad:], val[first_bad // 10 + 1 :] = np.nan, np.nan, np.nan
    return train, val, norms


def _log_overfitting_val_falls_last():
    """The referee's log: train linspace(4, 2, 60), falling; validation 3, 2.5, 2.2, 2.6, 2.5, its
    last two above 1.02 x the minimum 2.2 (2.244), the last below the one before it; every norm 1:
    overfitting (fault 4, fix 4)."""
    return np.linspace(4.0, 2.0, 60), np.array([3.0, 2.5, 2.2, 2.6, 2.5]), np.ones(60)


def _log_overfitting_val_falls_last_noisy(rng):
    """The same with noise: a healthy falling run whose validation falls to 2.2, then rises to 1.10
    to 1.20 x it and falls back to 1.05 x it up to 0.03 below that: overfitting (fault 4, fix 4)."""
    train, _, norms = _healthy(rng)
    high = rng.uniform(1.10, 1.20)
    back = rng.uniform(1.05, high - 0.03)
    val = np.concatenate([np.linspace(4.0, 2.2, 4), 2.2 * np.array([high, back])])
    return train, val, norms


#: The visible and the hidden cases, added to ``TRIAGE``'s cases.
LATE_CASES = (
    Case(
        _log_overfitting_val_falls_last,
        "the train loss falls; validation 3, 2.5, 2.2, 2.6, 2.5: the last two above 1.02 x the "
        "minimum, the last below the one before it",
    ),
    Case(
        _log_spike_two_steps_before_nan_anywhere,
        "a norm spike exactly two steps before the first NaN, another step",
        hidden=True,
    ),
    Case(
        _log_overfitting_val_falls_last_noisy,
        "validation rose above 1.02 x its minimum and fell back a little, still above it, other "
        "noise",
        hidden=True,
    ),
)

THREE_BEFORE_HINT = (
    "A spike EXACTLY two steps before the first non-finite step counts (a spike at step 30 and the "
    "first NaN at step 32 make the fault exploding): only a spike in the very step before the "
    "break is excluded."
)

STILL_RISING_HINT = (
    "Overfitting asks for each of the last two validation losses MORE than 1.02 x the minimum; "
    "they need not still be rising: a last loss below the one before it, both above the margin, "
    "is overfitting too."
)


def slice_end_mistakes(variant):
    """The Mistakes of the end of the slice of spikes before the break, in the order their hints must
    be tried (`variant` builds a learner's triage from the reference's options): not clamped at 0,
    the first non-finite step included, and (sb09 E1) a spike counted only three steps before."""
    return (
        Mistake(
            "When the very first step is already non-finite, no step lies two before the break "
            "and the fault is nan: clamp the end of the slice at 0. An end of -1 does not mean "
            "no step: it slices off only the last step and scans the whole log for a spike.",
            variant(spike_order="unclamped"),
        ),
        Mistake(
            "BEFORE excludes the first non-finite step itself: a spike in the same step as the "
            "first NaN did not come before the break, so the fault stays nan.",
            variant(spike_order="inclusive"),
        ),
        Mistake(THREE_BEFORE_HINT, variant(spike_order="three before")),
    )


def still_rising_mistake(reference):
    """The Mistake "overfitting only while validation still rises": `reference`'s answer, but none
    where the last validation loss is below the one before (overfitting is the task's last test,
    so the answer falls through to none)."""

    def still_rising(train_losses, val_losses, grad_norms):
        fault, fix = reference(train_losses, val_losses, grad_norms)
        val = np.asarray(val_losses, dtype=float)
        return (0, 0) if fault == 4 and val[-1] < val[-2] else (fault, fix)

    return Mistake(STILL_RISING_HINT, still_rising)
