"""A log and a Mistake of exercise 09's ``triage`` (question 2, ``_triage.py``) from referee read sh09.

E1: "the median of all the finite norms of the log" read as the median of the norms BEFORE the
first non-finite norm (``norms[:first_nonfinite]``) passed every case: in each log with finite norms
after a non-finite one, the prefix median was no spike threshold apart from the reference's. The
referee's log is visible here: the median of all 29 finite norms is 2 (15 is no spike: nan), the
prefix's is 1 (15 would be a spike four steps before the break: exploding).
A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake


def _log_finite_norms_after_inf():
    """The referee's log: train linspace(4, 3, 30), validation 4, 3.5, 3.2; norms 1 (steps 1-10),
    15 (step 11), 1 (steps 12-15), inf (step 16), 2 (steps 17-30). The median of the 29 finite
    norms is 2 (fourteen 1s, 15, fourteen 2s), 15 < 20 is no spike: nan (fault 2, fix 2)."""
    norms = np.array([1.0] * 10 + [15.0] + [1.0] * 4 + [np.inf] + [2.0] * 14)
    return np.linspace(4.0, 3.0, 30), np.array([4.0, 3.5, 3.2]), norms


#: The visible case, added to ``TRIAGE``'s cases.
MEDIAN_CASES = (
    Case(
        _log_finite_norms_after_inf,
        "norms 1, a 15 at step 11, inf at step 16, then 2 to the end (the median of all the finite "
        "norms is 2)",
    ),
)

PREFIX_HINT = (
    "The median covers EVERY finite gradient norm of the log, including those after the first "
    "non-finite one: not only the norms before the first inf or NaN."
)


def prefix_median_mistakes(reference):
    """The Mistakes of the median over the norms before the break only (`reference`: the task's
    triage): before the first non-finite NORM (sh09 E1; `reference` on norms whose every value after
    the first non-finite one is NaN: the spikes there come after the break and never count), and
    (rk09) before the first non-finite STEP, train loss or norm."""

    def before_nonfinite_norm(train_losses, val_losses, grad_norms):
        norms = np.array(grad_norms, dtype=float)
        bad = np.flatnonzero(~np.isfinite(norms))
        if bad.size:
            norms[bad[0] + 1 :] = np.nan
        return reference(train_losses, val_losses, norms)

    return (
        Mistake(PREFIX_HINT, before_nonfinite_norm),
        Mistake(
            "The median is that of ALL the finite gradient norms of the log, those after the "
            "first non-finite step included, not only of the norms before it.",
            lambda t, v, n: reference(t, v, n, median="before the break"),
        ),
    )
