"""Two logs of exercise 09's ``triage`` (question 2, ``_triage.py``) whose length, 25, is not a
multiple of 10, so the first 10 steps are not the first block of 10 counted back from the end
(referee read sf09, points E1 and E2).

- Rising tested after overfitting (the lecture's ``diagnose`` order with rising appended last)
  passed every other case: the two tests fire together only on such a log.
- Flat and rising on ``blocks[0]`` and ``blocks[-1]`` (the first and last blocks counted back from
  the end) instead of the means of the first and last 10 train losses passed every other case.

A private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np

from ._triage_flat_spike import FLAT_FIRST_HINT
from ._triage_strict import block_means
from .base import Case, Mistake

#: The finite-log tests (exploding, rising, flat, overfitting) in the order each reading checks
#: them: the task's, and the learners' ``order`` options.
ORDERS = {
    "task": (0, 1, 2, 3),
    "reversed": (3, 2, 1, 0),
    "overfitting before flat": (0, 1, 3, 2),
    "rising last": (0, 2, 3, 1),
    "flat first": (2, 0, 1, 3),
}

#: The (first, last) train-loss levels of flat and rising for the learners' ``ends`` options.
ENDS = {
    "end points": lambda train: (train[0], train[-1]),
    "first block": lambda train: tuple(block_means(train)[[0, -1]]),
}


def _log_rising_and_overfitting():
    """25 steps: train 0.5 (x5), 3.0 (x10), 2.0 (x10), exact in binary; validation 3, 2, 2.5, 2.5;
    every norm 1. The first 10 average 1.75, the last 10 2.0: rising (fault 5, fix 2). The blocks
    counted back from the end are 3.0 and 2.0 and validation rose twice, so overfitting fires too."""
    train = np.repeat([0.5, 3.0, 2.0], [5, 10, 10])
    return train, np.array([3.0, 2.0, 2.5, 2.5]), np.ones(25)


def _log_rising_and_overfitting_noisy(rng):
    """The same with noise of at most 0.01 on every train loss: rising (fault 5, fix 2)."""
    train, val, norms = _log_rising_and_overfitting()
    return train + rng.uniform(-0.01, 0.01, size=25), val, norms


def _log_rising_first_steps_low():
    """25 steps: train 1.0 (x5), then 2.0 (x20); validation 3, 2.5, 2.4, 2.4; every norm 1. The
    first 10 average 1.5, the last 10 2.0: rising (fault 5, fix 2); both blocks counted back from
    the end are 2.0 (flat, if they stood for the first and last 10)."""
    train = np.repeat([1.0, 2.0], [5, 20])
    return train, np.array([3.0, 2.5, 2.4, 2.4]), np.ones(25)


#: Visible cases (first-block first: its variant also fails the other log, with another output).
ORDER_CASES = (
    Case(_log_rising_first_steps_low, "25 steps: train 1.0 for 5 steps, then 2.0 for 20"),
    Case(
        _log_rising_and_overfitting,
        "25 steps: train 0.5 for 5 steps, 3.0 for 10, 2.0 for 10; validation rises twice",
    ),
)
ORDER_HIDDEN = (
    Case(
        _log_rising_and_overfitting_noisy,
        "rising over the first and last 10 steps, overfitting over the blocks, other noise",
        hidden=True,
    ),
)

RISING_LAST_HINT = (
    "Rising is tested BEFORE flat and overfitting, in the task's order: a log whose last 10 train "
    "losses average more than 1.02 x its first 10 is rising, even when its last block of 10 is "
    "its lowest and validation rose twice."
)
FIRST_BLOCK_HINT = (
    "Flat and rising compare the mean of the first 10 STEPS of the log with the mean of the last "
    "10, not the first block of 10 counted back from the end: when the length is not a multiple "
    "of 10 the two differ."
)


def order_mistakes(variant):
    """The Mistakes "flat tested before exploding" (``_triage_flat_spike``), "rising tested last"
    and "flat and rising on the first block"; `variant` builds a learner's triage from the
    reference's options."""
    return (
        Mistake(FLAT_FIRST_HINT, variant(order="flat first")),
        Mistake(RISING_LAST_HINT, variant(order="rising last")),
        Mistake(FIRST_BLOCK_HINT, variant(ends="first block")),
    )
