"""Question 2 of exercise set 09 (``putting_it_together``): ``triage``, a diagnosis graded on the
decision. A training log goes in; which fault caused it and which fix comes first (codes from the
task's two lists) come out.

The lecture (§4) teaches the checklist's four tests and its table of causes and fixes, and shows
each fault alone. Here several tests can fire on one log and the learner decides which fault
*caused* the others (a gradient-norm spike before the first NaN: the explosion came first), names
a fault the four tests miss (a rising train loss, whose usual cause §4 names), and picks the fix
the table lists first. The logs are generated (cheap: no training), so hidden cases change every
grading run. A private part of that spec (the registry skips modules whose name starts with
``_``).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

#: Fault codes: none, flat, nan, exploding, overfitting, rising (the task's list).
NONE, FLAT, NAN, EXPLODING, OVERFITTING, RISING = range(6)
#: Fix codes: none, raise the lr, lower the lr, clip the gradient norm, early stopping.
NO_FIX, RAISE_LR, LOWER_LR, CLIP, STOP_EARLY = range(5)
#: The first fix the lecture's table lists for each fault (rising: the fix of its usual cause).
FIRST_FIX = {
    NONE: NO_FIX,
    FLAT: RAISE_LR,
    NAN: LOWER_LR,
    EXPLODING: CLIP,
    OVERFITTING: STOP_EARLY,
    RISING: LOWER_LR,
}


def _triage(
    train_losses,
    val_losses,
    grad_norms,
    *,
    spike_order=True,
    rising_test=True,
    flat_test="either way",
    fixes=None,
    order="task",
    overfit_test="both halves",
    first_bad="train or norm",
):
    """(fault, fix) of one unclipped training log, as the task decides them.

    The keywords build the learners' mistakes: `spike_order` False (a NaN is always the learning
    rate's, whatever came before it) or "anywhere" (a spike at any step, even after the first
    non-finite one, makes it an explosion), `rising_test` False (only the lecture's four tests),
    `flat_test` "one-sided" (a loss that did not fall by 2% is flat, so a rising one is too),
    `fixes` another table of fault -> fix, `order` "reversed" (the finite-log tests in the reverse
    order: overfitting, flat, rising, exploding) or "overfitting before flat", `overfit_test` "validation only" (overfitting
    without its train-falling half), `first_bad` "train only" (the first non-finite step located
    from the train loss alone).
    """
    train, val, norms = (np.asarray(a, dtype=float) for a in (train_losses, val_losses, grad_norms))
    fix_of = FIRST_FIX if fixes is None else fixes
    finite_steps = np.isfinite(train) & np.isfinite(norms)
    spike = np.isfinite(norms) & (norms > 10 * np.median(norms[np.isfinite(norms)]))
    if not (finite_steps.all() and np.isfinite(val).all()):
        if first_bad == "train only":
            finite_steps = np.isfinite(train)
        first_bad = len(train) if finite_steps.all() else int(np.argmin(finite_steps))
        end = {"inclusive": first_bad + 1, "two before": max(first_bad - 1, 0)}
        before = (
            spike.any()
            if spike_order == "anywhere"
            else spike[: end.get(spike_order, first_bad)].any()
        )
        fault = EXPLODING if spike_order and before else NAN
        return fault, fix_of[fault]
    first, last = np.mean(train[:10]), np.mean(train[-10:])
    flat = last > 0.98 * first if flat_test == "one-sided" else abs(last - first) < 0.02 * first
    blocks = train[len(train) % 10 :].reshape(-1, 10).mean(axis=1)
    falling = blocks.size > 1 and blocks[-1] < blocks[:-1].min()
    rose = val.size > 1 and np.all(val[-2:] > 1.02 * np.min(val))
    tests = [
        (EXPLODING, spike.any()),
        (RISING, rising_test and last > 1.02 * first),
        (FLAT, flat),
        (OVERFITTING, rose and (falling or overfit_test == "validation only")),
    ]
    if order == "overfitting before flat":
        tests[2], tests[3] = tests[3], tests[2]
    for fault, fires in tests[::-1] if order == "reversed" else tests:
        if fires:
            return fault, fix_of[fault]
    return NONE, NO_FIX


def _variant(**options):
    """A learner's triage: the reference with one decision made the wrong way."""
    return lambda t, v, n: _triage(t, v, n, **options)


# ----------------------------------------------------------------------------- generated logs
# Each log: 60 steps of train loss and gradient norm, a validation loss every 10 steps (6 values),
# no clipping. A generator takes the case's rng, so hidden cases differ in every grading run.


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
    """The lecture's 4.2 run in shape: a norm spike at step 31, the loss and the norm NaN from
    step 32. A spike in the very step before the first non-finite one is before it (exploding)."""
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


TRIAGE = Question(
    name="triage",
    points=3,
    reference=_triage,
    inputs_unchanged=True,
    returns=("fault", "fix"),
    skill="diagnosis",
    cases=(
        Case(_log_healthy, "a healthy run: the train loss falls, norms near 1"),
        Case(_log_flat, "the train loss stays where it started, tiny norms"),
        Case(_log_nan_without_spike, "steady norms near 1, then NaN everywhere"),
        Case(_log_spike_then_nan, "one gradient-norm spike, then NaN a few steps later"),
        Case(_log_spikes, "three gradient-norm spikes, every loss finite"),
        Case(_log_rising, "the train loss climbs steadily, norms near 1, no NaN"),
        Case(_log_overfitting, "the train loss falls; validation has a minimum, then rises"),
        Case(_log_inf_norm_after_spike, "a norm spike at step 21, the norm inf at step 41"),
        Case(_log_nan_then_late_val, "a norm spike at step 31; only the last validation is NaN"),
        Case(_log_spike_after_inf, "the train loss inf from step 31, a finite norm spike at 36"),
        Case(_log_rising_with_spikes, "the train loss climbs and two norm spikes, no NaN"),
        Case(_log_overfitting_with_spike, "overfitting, and one norm spike, every value finite"),
        Case(
            _log_val_rises_train_stalls,
            "validation rises twice; the train loss stalled (its last block of 10 a little above "
            "the one before)",
        ),
        Case(_log_norm_nan_before_spike, "norm NaN at step 30, a spike at 35, train NaN from 40"),
        Case(
            _log_flat_and_val_rises,
            "the train loss falls by under 2% (its last block the lowest); validation rises twice",
        ),
        Case(_log_spike_one_step_before_nan, "a norm spike at step 31, NaN from step 32"),
        Case(_log_spike_at_first_nan, "a norm spike at step 31, whose train loss is the first NaN"),
        Case(_log_nan_without_spike, "NaN without a spike, another step", hidden=True),
        Case(_log_spike_then_nan, "a spike then NaN, other steps", hidden=True),
        Case(_log_rising, "a rising train loss, another slope", hidden=True),
        Case(_log_overfitting, "overfitting, another minimum", hidden=True),
        Case(_log_flat, "a flat run, other noise", hidden=True),
        Case(_log_rising_with_spikes, "a rising loss with spikes, other steps", hidden=True),
        Case(_log_overfitting_with_spike, "overfitting with a spike, other steps", hidden=True),
        Case(_log_flat_and_val_rises, "flat, and validation rises twice, other noise", hidden=True),
    ),
    mistakes=(
        Mistake(
            "A spike in the very step before the first non-finite one came before it: by the "
            "task's convention that run is an explosion (fault exploding), like the lecture's 4.2 "
            "run, whose norm jumps one step before its NaN.",
            _variant(spike_order="two before"),
        ),
        Mistake(
            "BEFORE excludes the first non-finite step itself: a spike in the same step as the "
            "first NaN did not come before the break, so the fault stays nan.",
            _variant(spike_order="inclusive"),
        ),
        Mistake(
            "A NaN is where the run ended, not always what went wrong: when a finite "
            "gradient-norm spike came at an EARLIER step than the first non-finite value, the "
            "explosion came first and is the fault (its first fix: clipping).",
            _variant(spike_order=False),
        ),
        Mistake(
            "The first broken step is the first whose train loss OR gradient norm is not "
            "finite: a NaN norm breaks the run even while the train loss is still finite, and a "
            "spike after it did not cause the break.",
            _variant(first_bad="train only"),
        ),
        Mistake(
            "Only a spike BEFORE the first non-finite value can have caused the break: a spike "
            "that comes after it is a symptom of the broken run, and the fault stays nan.",
            _variant(spike_order="anywhere"),
        ),
        Mistake(
            "A train loss that climbs is none of the lecture's four flags, yet it is a fault: "
            "the task's fault 5 (rising). The lecture names its usual cause, the learning rate, "
            "so its first fix is the one for that cause.",
            _variant(rising_test=False),
        ),
        Mistake(
            "Flat means the train loss did not MOVE (within 2% either way): a loss that climbed "
            "has moved. Test rising before flat, or test flat on both sides.",
            _variant(flat_test="one-sided", rising_test=False),
        ),
        Mistake(
            "The fix is the FIRST one the lecture's table lists for the fault: for an exploding "
            "gradient norm that is clipping by norm, not lowering the learning rate.",
            _variant(fixes=FIRST_FIX | {EXPLODING: LOWER_LR}),
        ),
        Mistake(
            "For NaN/inf the lecture's table lists lowering the learning rate first; clipping "
            "comes second (and a NaN with no spike before it had nothing to clip).",
            _variant(fixes=FIRST_FIX | {NAN: CLIP}),
        ),
        Mistake(
            "A rising train loss comes from a learning rate that is too LARGE (lecture §4): "
            "its fix lowers the rate.",
            _variant(fixes=FIRST_FIX | {RISING: RAISE_LR}),
        ),
        Mistake(
            "The task tests flat BEFORE overfitting: a train loss that moved less than 2% is "
            "flat (raise the learning rate), even when validation rose twice.",
            _variant(order="overfitting before flat"),
        ),
        Mistake(
            "The task's ORDER decides when several tests fire: a norm spike is tested before a "
            "rising, a flat or an overfitting train loss, so a log with spikes is exploding "
            "whatever else it shows.",
            _variant(order="reversed"),
        ),
        Mistake(
            "Overfitting has two halves: validation above 1.02 x its minimum at the last two "
            "evaluations AND the last block of 10 train losses below every earlier block. A "
            "train loss that stalled while validation rose is not overfitting.",
            _variant(overfit_test="validation only"),
        ),
    ),
    hint=(
        "Decide in the task's order: first any value that is not finite (then look for a "
        "finite norm spike at an earlier step), then a spike with every value finite, then a "
        "rising, a flat and an overfitting train loss; healthy otherwise. The fix is the first "
        "one the lecture's table lists for that fault. Return (fault, fix) as two ints."
    ),
)
