"""The generated training logs of exercise 09's ``triage`` (question 2, ``_triage.py``).

Each log: 60 steps of train loss and gradient norm (65 in one), a validation loss every 10 steps
(6 values), no clipping. A generator that takes the case's rng makes hidden cases that differ in
every grading run; the fixed ones (no argument) pin one boundary of the task's rules each. A
private part of the ``putting_it_together`` spec.
"""

from __future__ import annotations

import numpy as np


def _healthy(rng, n=60):
    train = np.linspace(4.0, 2.0, n) + rng.normal(scale=0.02, size=n)
    val = np.linspace(4.0, 2.1, n // 10)
    norms = 1.0 + 0.3 * rng.random(n)
    return train, val, norms


def _log_healthy(rng):
    return _healthy(rng)


def _log_flat(rng):
    _, val, _ = _healthy(rng)
    train = 4.17 + rng.normal(scale=0.005, size=60)
    val = np.full(val.size, 4.17) + rng.normal(scale=0.002, size=val.size)
    return train, val, 0.01 + 0.002 * rng.random(60)


def _log_nan_without_spike(rng):
    """A log of 0 or a too-large lr: steady norms, then NaN everywhere from a random step."""
    train, val, norms = _healthy(rng)
    start = int(rng.integers(25, 45))
    train[start:], norms[start:], val[start // 10 + 1 :] = np.nan, np.nan, np.nan
    return train, val, norms


def _log_spike_then_nan(rng):
    """No clipping on a long sequence: a norm spike, then NaN some steps later."""
    train, val, norms = _healthy(rng)
    spike = int(rng.integers(15, 30))
    norms[spike] = float(rng.uniform(30.0, 80.0))
    start = spike + int(rng.integers(3, 10))
    train[start:], norms[start:], val[start // 10 + 1 :] = np.nan, np.nan, np.nan
    return train, val, norms


def _log_spikes(rng):
    """Spikes with finite losses: the run survives, but steps jump."""
    train, val, norms = _healthy(rng)
    norms[rng.choice(np.arange(5, 55), size=3, replace=False)] = rng.uniform(20.0, 60.0, size=3)
    return train, val, norms


def _log_rising(rng):
    """A learning rate too large but not yet NaN: the train loss climbs, norms stay moderate."""
    _, _, norms = _healthy(rng)
    train = np.linspace(2.0, float(rng.uniform(3.0, 5.0)), 60) + rng.normal(scale=0.02, size=60)
    return train, np.linspace(2.0, train[-1], 6), norms


def _log_overfitting(rng):
    train, _, norms = _healthy(rng)
    low = int(rng.integers(2, 4))
    val = np.concatenate([np.linspace(4.0, 2.4, low + 1), 2.4 + 0.2 * np.arange(1, 6 - low)])
    return train, val, norms


def _log_inf_norm_after_spike():
    """The gradient overflowed to inf at step 41 after a spike at 20; every loss stayed finite."""
    train, val, norms = _healthy(np.random.default_rng(7))
    norms[20], norms[40] = 45.0, np.inf
    return train, val, norms


def _log_nan_then_late_val():
    """Only the last validation loss is NaN; a norm spike at step 31 came before it."""
    train, val, norms = _healthy(np.random.default_rng(8))
    norms[30], val[-1] = 40.0, np.nan
    return train, val, norms


def _log_spike_after_inf():
    """The train loss overflows to inf at step 31 with steady norms; a finite norm spike follows
    at step 36: it came after the break, so it did not cause it (fault nan)."""
    train, val, norms = _healthy(np.random.default_rng(9))
    train[30:], val[4:], norms[35] = np.inf, np.nan, 50.0
    return train, val, norms


def _log_rising_with_spikes(rng):
    """Two faults at once: the train loss climbs AND the norm spikes (exploding comes first)."""
    train, val, _ = _log_rising(rng)
    norms = 1.0 + 0.3 * rng.random(60)
    norms[rng.choice(np.arange(10, 50), size=2, replace=False)] = rng.uniform(20.0, 60.0, size=2)
    return train, val, norms


def _log_overfitting_with_spike(rng):
    """Overfitting whose run also had one norm spike: the spike is tested first (exploding)."""
    train, val, norms = _log_overfitting(rng)
    norms[int(rng.integers(10, 50))] = float(rng.uniform(20.0, 60.0))
    return train, val, norms


def _log_val_rises_train_stalls():
    """Validation rises twice, but the train loss stalled: its last block of 10 is a little above
    the one before (1.96 against 1.95: neither rising nor flat by the first/last-10 tests), so
    overfitting's second half fails, and it is none of the others (none)."""
    rng = np.random.default_rng(10)
    train = np.concatenate([np.linspace(4.0, 2.0, 40), np.full(10, 1.95), np.full(10, 1.96)])
    train += rng.normal(scale=0.005, size=60)
    val = np.array([4.0, 3.0, 2.4, 2.3, 2.5, 2.6])
    return train, val, 1.0 + 0.3 * rng.random(60)


def _log_flat_and_val_rises(rng):
    """Flat AND overfitting: the train loss falls slowly, under 2% in all (its last block of 10 the
    lowest), and validation rises twice. The task tests flat first (flat, raise the lr)."""
    train = np.linspace(4.0, 3.95, 60) + rng.normal(scale=0.002, size=60)
    val = np.array([4.1, 4.0, 3.95, 3.9, 4.0, 4.05]) + rng.normal(scale=0.002, size=6)
    return train, val, 1.0 + 0.3 * rng.random(60)


def _log_spike_one_step_before_nan():
    """The lecture's 4.2 runs in shape: a norm spike at step 31, the loss and the norm NaN from
    step 32. A spike in the very step before the first non-finite one is the blow-up itself, not
    its cause (nan)."""
    train, val, norms = _healthy(np.random.default_rng(12))
    norms[30], train[31:], norms[31:], val[4:] = 2e6, np.nan, np.nan, np.nan
    return train, val, norms


def _log_spike_at_first_nan():
    """A finite norm spike at step 31, the very step whose train loss is the first NaN: it is not
    before the first non-finite step (nan)."""
    train, val, norms = _healthy(np.random.default_rng(13))
    norms[30], train[30:], norms[31:], val[4:] = 50.0, np.nan, np.nan, np.nan
    return train, val, norms


def _log_norm_nan_before_spike():
    """The norm is NaN at step 30 only, a finite spike follows at 35, the train loss is NaN from
    step 40: the first non-finite step (30, the norm's) came before the spike (nan)."""
    train, val, norms = _healthy(np.random.default_rng(11))
    norms[29], norms[34], train[39:], val[4:] = np.nan, 50.0, np.nan, np.nan
    return train, val, norms


def _log_val_rises_once(rng):
    """The train loss falls; validation falls, then only its LAST value rises above 1.02 x the
    minimum: one noisy evaluation, not overfitting (none)."""
    train, _, norms = _healthy(rng)
    val = np.concatenate([np.linspace(4.0, 2.2, 5), [2.2 * float(rng.uniform(1.05, 1.2))]])
    return train, val, norms


def _log_last_val_nan(rng):
    """A healthy run whose last validation loss is NaN, with no norm spike: the log is not finite
    (fault nan, lower the lr)."""
    train, val, norms = _healthy(rng)
    val[-1] = np.nan
    return train, val, norms


def _log_spike_at_last_step_val_nan(rng):
    """A healthy run whose last validation loss is NaN and whose one norm spike is at the LAST
    step: every train loss and norm is finite, so every step counts and the fault is exploding; a
    slice that stops two steps before the end of the log misses the spike (nan)."""
    train, val, norms = _healthy(rng)
    norms[-1], val[-1] = rng.uniform(20.0, 60.0), np.nan
    return train, val, norms


def _log_inf_train_after_spike():
    """A norm spike at step 21; the train loss overflows to inf from step 41 (a log of 0) while
    every norm stays finite: the spike came first (exploding)."""
    train, val, norms = _healthy(np.random.default_rng(14))
    norms[20], train[40:], val[5:] = 45.0, np.inf, np.nan
    return train, val, norms


def _log_jump_in_last_five():
    """65 steps: the train loss falls to 2.0 by step 60, then jumps to 3.0 for the last 5 steps;
    validation rises twice. The blocks of 10 are the LAST ones (steps 56-65, 46-55, ...): the last
    block is not the lowest, so not overfitting (none); blocks counted from step 1 would end at
    step 60 and call it overfitting."""
    rng = np.random.default_rng(15)
    train = np.concatenate([np.linspace(4.0, 2.0, 60), np.full(5, 3.0)])
    train += rng.normal(scale=0.005, size=65)
    val = np.array([4.0, 3.0, 2.4, 2.3, 2.5, 2.6])
    return train, val, 1.0 + 0.3 * rng.random(65)


def _log_norms_grow_after_inf():
    """A norm spike of 15 at step 21; the train loss overflows to inf from step 31 while the norms,
    still finite, grow to 100. The median of ALL the finite norms (57.5, over 29 steady ones, the
    spike and 30 of 100) makes 15 no spike (nan); the median of the norms before the break only
    (about 1.15) would make it one (exploding)."""
    train, val, norms = _healthy(np.random.default_rng(16))
    norms[20], train[30:], norms[30:], val[4:] = 15.0, np.inf, 100.0, np.nan
    return train, val, norms


def _log_dip_then_partial_recovery():
    """Block means of the train loss 3.5, 3.0, 2.0, 2.6, 2.4, 2.2: it dipped, rose and fell back
    part of the way. The last block is below the one before but not below EVERY earlier block (the
    third is lower), so overfitting's train half fails although validation rose twice (none)."""
    rng = np.random.default_rng(17)
    train = np.repeat([3.5, 3.0, 2.0, 2.6, 2.4, 2.2], 10) + rng.normal(scale=0.005, size=60)
    val = np.array([3.5, 3.0, 2.5, 2.8, 2.9, 3.0])
    return train, val, 1.0 + 0.3 * rng.random(60)


def _log_spike_two_steps_before_nan():
    """A norm spike at step 30, steady norms at 31, the loss and the norm NaN from step 32: two
    steps before the break, the spike counts as its cause (exploding)."""
    train, val, norms = _healthy(np.random.default_rng(18))
    norms[29], train[31:], norms[31:], val[4:] = 2e6, np.nan, np.nan, np.nan
    return train, val, norms


def _log_inf_norms_after_break():
    """A norm spike of 15 at step 21; the train loss and the gradient norm overflow to inf from step
    31, validation NaN from its fifth evaluation. The median of the finite norms (about 1.15) makes
    15 a spike two steps or more before the break (exploding); np.nanmedian skips NaN but keeps the
    30 infinite norms, so its median is inf and no spike is found (nan)."""
    train, val, norms = _healthy(np.random.default_rng(19))
    norms[20], train[30:], norms[30:], val[4:] = 15.0, np.inf, np.inf, np.nan
    return train, val, norms


def _log_norm_nan_at_step_1():
    """The gradient norm is NaN at step 1 only, a finite spike of 50 follows at step 11, every loss
    finite: the run broke at its first step, so no step lies two before the break and the fault is
    nan. A slice spike[:first_bad - 1] that is not clamped at 0 becomes spike[:-1] and finds the
    later spike (exploding)."""
    train, val, norms = _healthy(np.random.default_rng(20))
    norms[0], norms[10] = np.nan, 50.0
    return train, val, norms


def _log_norm_exactly_ten_times_median():
    """A healthy log whose gradient norms are all exactly 1 but one of exactly 10 at step 31 (both
    exact in binary): 10 is 10 times the median, not more, so it is no spike and the fault is none.
    An exploding test written with >= instead of the lecture's > reads it as a spike (exploding)."""
    train, val, _ = _healthy(np.random.default_rng(21))
    norms = np.ones(60)
    norms[30] = 10.0
    return train, val, norms
