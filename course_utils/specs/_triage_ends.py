"""Two generated logs of exercise 09's ``triage`` (question 2, ``_triage.py``) whose single end
points flip the verdict while the means of 10 train losses do not (referee read ru09, point 2).

Every other log has a trend with little noise, so ``train[0]`` and ``train[-1]`` agree with the
means of the first and last 10 train losses, and an answer that compares the end points passes.
Here one outlier at an end tells the two apart. A private part of the ``putting_it_together``
spec.
"""

from __future__ import annotations

from ._triage_logs import _healthy, _log_flat
from .base import Case


def _log_flat_first_step_high(rng):
    """A flat run whose first train loss is 10% above the rest: the means of 10 say flat (1% apart),
    the end points say it fell by 9% (fault none)."""
    train, val, norms = _log_flat(rng)
    train[0] *= 1.1
    return train, val, norms


def _log_healthy_last_step_jumps(rng):
    """A healthy falling run whose last train loss jumps to 4.5, above the first: the means of 10
    say it fell (fault none), the end points say it rose."""
    train, val, norms = _healthy(rng)
    train[-1] = 4.5
    return train, val, norms


#: The visible and hidden cases of the two logs, appended to ``TRIAGE``'s cases.
ENDS_CASES = (
    Case(
        _log_flat_first_step_high, "a flat run whose FIRST train loss alone is 10% above the rest"
    ),
    Case(
        _log_healthy_last_step_jumps,
        "a healthy falling run whose LAST train loss alone jumps to 4.5, above the first",
    ),
    Case(_log_flat_first_step_high, "a flat run, one high first loss, other noise", hidden=True),
    Case(
        _log_healthy_last_step_jumps, "a falling run, one high last loss, other noise", hidden=True
    ),
)

#: The hint of the mistake "end points instead of means".
ENDS_HINT = (
    "Flat and rising compare the MEAN of the first 10 train losses with the MEAN of the last 10, "
    "not the very first train loss with the very last one: a single noisy step at either end "
    "can flip the verdict, while in a mean of 10 it weighs only a tenth."
)
