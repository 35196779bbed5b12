"""A log and a Mistake of exercise 09's ``triage`` (question 2, ``_triage.py``) from referee read sj09.

E1: the blocks of 10 cut from step 1 (whole blocks only), the last one then swapped for the last 10
steps when the length is not a multiple of 10, passed all 62 cases: of 25 steps it compares steps
16-25 with steps 1-10 only, not with steps 6-15. The referee's 25-step log is visible here: the
back-counted block 6-15 (1.0) is below the last block (1.5), so the train loss is not falling and
the fault is none (0, 0); compared with steps 1-10 (2.0) it looks falling: overfitting (4, 4).
A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake


def _log_last_block_above_a_back_counted_one():
    """The referee's log: 25 steps, train 3.0 for 5 steps, 1.0 for 10, 1.5 for 10; validation 3,
    2, 2.5, 2.5; every norm 1. Blocks counted back from the last step: 6-15 (1.0), 16-25 (1.5):
    not falling, fault none (0, 0)."""
    train = np.array([3.0] * 5 + [1.0] * 10 + [1.5] * 10)
    return train, np.array([3.0, 2.0, 2.5, 2.5]), np.ones(25)


#: The visible case, added to ``TRIAGE``'s cases (through ``_triage_strict.STRICT_CASES``).
SWAPPED_CASES = (
    Case(
        _log_last_block_above_a_back_counted_one,
        "25 steps: train 3.0 for 5 steps, 1.0 for 10, 1.5 for 10; validation 3, 2, 2.5, 2.5 "
        "(steps 6-15 are below the last 10)",
    ),
)

SWAPPED_HINT = (
    "Blocks counted from step 1: the blocks of 10 are counted back from the last step, the "
    "earlier ones too. Of 25 steps they are steps 6-15 and 16-25, so the last 10 steps are "
    "compared with steps 6-15, not with steps 1-10 (whole blocks cut from step 1 with the last "
    "one swapped for the last 10 steps)."
)


def swapped_block_means(train):
    """The learner's blocks: whole blocks of 10 from step 1, the last swapped for the last 10 steps
    when the length is not a multiple of 10."""
    n = len(train) // 10 * 10
    means = train[:n].reshape(-1, 10).mean(axis=1)
    return np.append(means[:-1], train[-10:].mean()) if n != len(train) else means


def swapped_mistake(variant):
    """The Mistake 'blocks counted from step 1'; `variant` builds a learner's triage."""
    return Mistake(SWAPPED_HINT, variant(blocks="whole from start, last swapped"))
