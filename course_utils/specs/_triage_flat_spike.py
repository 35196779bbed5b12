"""A log of exercise 09's ``triage`` (question 2, ``_triage.py``) on which the flat test and the
exploding test fire together, every value finite (referee read tg09, point E1).

The lecture's table of §4 and its ``diagnose`` list the faults flat first, so a learner is likely
to test flat before a norm spike; the task tests the spike first (step 2) and flat later (step 4).
Every other case has at most one of the two, so the flat-first order passed them all. Here the
reference says exploding (3, 3) and the flat-first order says flat (1, 1). A private part of the
``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case


def _log_flat_with_spike():
    """60 steps: train 4.1 + 0.01 and 4.1 - 0.01 in turn (the first and last 10 both average 4.1:
    flat); every norm 0.01 but one of 0.5 at step 31 (50 x the median 0.01: a spike); validation
    4.12, 4.11, 4.11 (not 1.02 x its minimum). Every value finite: exploding (3, 3)."""
    train = 4.1 + 0.01 * np.where(np.arange(60) % 2 == 0, 1.0, -1.0)
    norms = np.full(60, 0.01)
    norms[30] = 0.5
    return train, np.array([4.12, 4.11, 4.11]), norms


def _log_flat_with_spike_noisy(rng):
    """The same with noise: train 4.1 + N(0, 0.01) (the first and last 10 average within about
    0.02 of each other, far below 2% of 4.1), norms 0.010 to 0.011, one spike of 0.3 to 1 at a
    step from 11 to 50: exploding (3, 3)."""
    train = 4.1 + 0.01 * rng.standard_normal(60)
    norms = 0.01 + 0.001 * rng.random(60)
    norms[rng.integers(10, 50)] = rng.uniform(0.3, 1.0)
    return train, np.array([4.12, 4.11, 4.11]), norms


#: The visible and the hidden case, added to ``TRIAGE``'s cases.
FLAT_SPIKE_CASES = (
    Case(
        _log_flat_with_spike,
        "the train loss flat at 4.1 +- 0.01; every norm 0.01 but one of 0.5 at step 31; every "
        "value finite",
    ),
    Case(
        _log_flat_with_spike_noisy, "a flat train loss and one norm spike, other noise", hidden=True
    ),
)

#: The hint of the mistake "flat tested before exploding" (``_triage_order.order_mistakes``).
FLAT_FIRST_HINT = (
    "Decide in the TASK's order, not in the order of the lecture's table or its diagnose (which "
    "list flat first): with every value finite, a norm spike (step 2) is tested before rising "
    "and flat (steps 3 and 4), so a flat train loss with a spike is exploding, whose first fix is "
    "clipping."
)
