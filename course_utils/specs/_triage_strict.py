"""Logs of exercise 09's ``triage`` (question 2, ``_triage.py``) for the overfitting test's strict
1.02 factor and its train half's strict fall, and for the blocks of 10 when the length is not a
multiple of 10 (referee read sc09, E2 and E4), with the Mistakes they tell apart.

Every value is exact in binary, and 1.02 x 50 == 51.0 in float64, so the boundary case lands on
the boundary for the comparison as the task writes it (``v > 1.02 * min``). A private part of the
``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from ._triage_swapped import SWAPPED_CASES, swapped_block_means, swapped_mistake
from .base import Case, Mistake


def _log_val_exactly_two_percent_above_min():
    """Train 4 - k/32 (k = 0..59), falling; every norm 1; validation 60, 50, then 51 and 51: each
    exactly 1.02 x the minimum, not more: not overfitting, fault none (0, 0)."""
    train = 4.0 - np.arange(60) / 32
    return train, np.array([60.0, 50.0, 51.0, 51.0]), np.ones(60)


def _log_partial_first_block():
    """25 steps: 5 at 1.0, then 5 at 6.0 and 5 at 2.0 (the block of steps 6-15, mean 4.0), then 10
    at 1.5 (steps 16-25); validation 3, 2, 2.5, 2.5; every norm 1. The whole blocks counted back
    from the last step fall (4.0, then 1.5) and validation rose twice: overfitting (4, 4). Keeping
    the 5 leftover first steps as a short block (mean 1.0) makes the last block not the lowest."""
    train = np.repeat([1.0, 6.0, 2.0, 1.5], [5, 5, 5, 10])
    return train, np.array([3.0, 2.0, 2.5, 2.5]), np.ones(25)


def _log_earlier_blocks_from_the_end():
    """25 steps: 10 at 4.0, 10 at 1.0, 5 at 1.5; validation 3, 2, 2.5, 2.5; every norm 1 (referee
    read se09, E1). Counted back from the last step, the blocks are steps 6-15 (mean 2.5) and 16-25
    (mean 1.25): falling, and validation rose twice: overfitting (4, 4). Earlier blocks counted
    from step 1 (steps 1-10, 11-20: 4.0, 1.0) put one below the last 10 (1.25): none."""
    train = np.repeat([4.0, 1.0, 1.5], [10, 10, 5])
    return train, np.array([3.0, 2.0, 2.5, 2.5]), np.ones(25)


def _log_noisy_earlier_blocks_from_the_end(rng):
    """The hidden twin of ``_log_earlier_blocks_from_the_end``: noise within +-0.01 on each train
    loss (every block mean moves by under 0.01, every verdict stays)."""
    train, val, norms = _log_earlier_blocks_from_the_end()
    return train + rng.uniform(-0.01, 0.01, train.size), val, norms


def block_means(train, blocks="from the end"):
    """Means of the blocks of 10 train losses, counted back from the last step (the reference); the
    learners' readings: `blocks` "from the start", "partial first", "start, true last" or "whole
    from start, last swapped" (``_triage_swapped``)."""
    n = len(train)
    if blocks == "whole from start, last swapped":
        return swapped_block_means(train)
    aligned = train[: n // 10 * 10] if blocks == "from the start" else train[n % 10 :]
    means = aligned.reshape(-1, 10).mean(axis=1)
    if blocks == "partial first" and n % 10:
        means = np.r_[train[: n % 10].mean(), means]
    if blocks == "start, true last":
        means = np.r_[[train[i : i + 10].mean() for i in range(0, n - 10, 10)], train[-10:].mean()]
    return means


def _log_last_block_equals_an_earlier_one():
    """30 steps: 10 at 3.0, 10 at 2.0, 10 at 2.0; validation 4, 3, 2, 2.5, 2.5; every norm 1. The
    last block of 10 equals the one before, so it is not lower than every earlier block: not
    overfitting, fault none (0, 0), although validation rose twice."""
    train = np.repeat([3.0, 2.0, 2.0], 10)
    return train, np.array([4.0, 3.0, 2.0, 2.5, 2.5]), np.ones(30)


#: Visible cases, added to ``TRIAGE``'s cases.
STRICT_CASES = (
    Case(
        _log_val_exactly_two_percent_above_min,
        "the train loss falls; validation 60, 50, 51, 51: the last two exactly 1.02 x the "
        "minimum 50",
    ),
    Case(
        _log_partial_first_block,
        "25 steps (not a multiple of 10): train 1.0 for 5 steps, 6.0 for 5, 2.0 for 5, 1.5 for "
        "10; validation 3, 2, 2.5, 2.5",
    ),
    Case(
        _log_last_block_equals_an_earlier_one,
        "train 3.0 for 10 steps, then 2.0 for 20 (the last block of 10 equals the one before); "
        "validation 4, 3, 2, 2.5, 2.5",
    ),
    Case(
        _log_earlier_blocks_from_the_end,
        "25 steps: train 4.0 for 10 steps, 1.0 for 10, 1.5 for 5; validation 3, 2, 2.5, 2.5",
    ),
    *SWAPPED_CASES,
)
#: The hidden twin, appended to ``TRIAGE``'s hidden cases.
STRICT_HIDDEN = (
    Case(
        _log_noisy_earlier_blocks_from_the_end,
        "25 steps: train 4.0 x 10, 1.0 x 10, 1.5 x 5, other noise; validation rises twice",
        hidden=True,
    ),
)

OVERFIT_EDGE_HINT = (
    "Overfitting asks for each of the last two validation losses MORE than 1.02 x the minimum "
    "(strict, >): exactly 1.02 x (51 after a minimum of 50) is not a rise. Compare as the task "
    "writes it, v > 1.02 * min: written as v / min - 1 > 0.02 it fails here by rounding, since "
    "51 / 50 - 1 is 0.020000000000000018 in float64."
)
FALLING_EDGE_HINT = (
    "The overfitting test's train half asks for the last block of 10 train losses LOWER than "
    "every earlier block (strict, <): a last block equal to an earlier one (2.0 after 2.0) has "
    "stalled, not fallen."
)
PARTIAL_BLOCK_HINT = (
    "When the length is not a multiple of 10, the first len % 10 steps are in NO block: keep only "
    "the whole blocks of 10 counted back from the last step (of 25 steps, steps 6-15 and 16-25), "
    "not the leftover first steps as a short block."
)
EARLIER_FROM_END_HINT = (
    "The EARLIER blocks are counted back from the last step too, not from step 1: of 25 steps the "
    "blocks are steps 6-15 and 16-25 (the first 5 steps in none), so the last block of 10 is "
    "compared with steps 6-15, not with steps 1-10 and 11-20 (which overlaps it)."
)


def strict_mistakes(variant):
    """The Mistakes of these logs; `variant` builds a learner's triage from the reference's
    options. Listed before the margin and the block-alignment Mistakes, which give the same
    output on these logs but fail earlier cases of their own."""
    return (
        Mistake(OVERFIT_EDGE_HINT, variant(overfit_test=">=")),
        Mistake(PARTIAL_BLOCK_HINT, variant(blocks="partial first")),
        Mistake(FALLING_EDGE_HINT, variant(overfit_test="falling <=")),
        Mistake(EARLIER_FROM_END_HINT, variant(blocks="start, true last")),
        swapped_mistake(variant),
    )
