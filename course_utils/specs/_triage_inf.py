"""A log and a Mistake of exercise 09's ``triage`` (question 2, ``_triage.py``) from referee read
ul09 (E1): an answer that tests ``np.isnan`` where the task says "not finite" reads +inf as a value.

In every earlier log an inf came with a NaN validation loss or after a spike, and such an answer
failed first on the log whose spike follows the break, where it gets the hint of a spike counted
after the break, not one about inf. Here the train and validation losses overflow to +inf with
every norm finite and no NaN anywhere: the fault is nan (2, 2); read as values, the last 10 train
losses have mean inf and the log is rising (5, 2). The two Mistakes go together, in this order:
the spike-after-the-break Mistake shows its own hint on that log, and an answer that reads inf as
a value fails this log first. A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from ._triage_logs import _healthy
from .base import Case, Mistake


def _log_inf_without_spike(rng):
    """Steady norms; the train loss +inf from a random step 26-45 on and the validation loss +inf
    from the next evaluation on (no NaN): fault nan, fix lower the lr."""
    train, val, norms = _healthy(rng)
    start = int(rng.integers(25, 45))
    train[start:], val[start // 10 + 1 :] = np.inf, np.inf
    return train, val, norms


#: The visible case (placed among the first ones) and its hidden twin, added to ``TRIAGE``'s cases.
INF_CASES = (
    Case(
        lambda: _log_inf_without_spike(np.random.default_rng(16)),
        "steady norms near 1, then the train and validation losses +inf (no NaN, no spike)",
    ),
    Case(_log_inf_without_spike, "+inf without NaN or a spike, another step", hidden=True),
)


def spike_after_break_mistakes(variant, reference):
    """The Mistake of a spike counted after the first non-finite value (`variant`: the task's
    triage with one keyword changed), then that of +-inf read as a value (`reference`: the task's
    triage, given the log with each +-inf replaced by +-1e300, a finite value no log reaches)."""

    def inf_as_value(train_losses, val_losses, grad_norms):
        arrays = (np.asarray(a, dtype=float) for a in (train_losses, val_losses, grad_norms))
        return reference(*(np.where(np.isinf(a), np.sign(a) * 1e300, a) for a in arrays))

    return (
        Mistake(
            "Only a spike BEFORE the first non-finite value can have caused the break: a spike "
            "that comes after it is a symptom of the broken run, and the fault stays nan.",
            variant(spike_order="anywhere"),
        ),
        Mistake(
            "+inf is not finite either: the first test is for any value that is not finite, NaN "
            "OR +-inf (np.isfinite, not np.isnan); a loss that overflowed to inf broke the run "
            "as a NaN does.",
            inf_as_value,
        ),
    )
