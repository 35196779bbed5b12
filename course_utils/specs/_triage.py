"""Question 2 of exercise set 09 (``putting_it_together``): ``triage``, a diagnosis graded on the
decision. A training log goes in; which fault caused it and which fix comes first (codes from the
task's two lists) come out.

The lecture (§4) teaches the checklist's four tests and its table of causes and fixes, and shows
each fault alone. Here several tests can fire on one log and the learner decides which fault
*caused* the others (a gradient-norm spike before the first NaN: the explosion came first), names
a fault the four tests miss (a rising train loss, whose usual cause §4 names), and picks the fix
the table lists first. The logs are generated (cheap: no training), so hidden cases change every
grading run. A private part of that spec (the registry skips ``_`` modules).
"""

from __future__ import annotations

import numpy as np

from ._triage_bounds import BOUNDS_CASES, bounds_mistakes
from ._triage_ends import ENDS_CASES, ENDS_HINT
from ._triage_flat_spike import FLAT_SPIKE_CASES
from ._triage_inf import INF_CASES, spike_after_break_mistakes
from ._triage_late import LATE_CASES, slice_end_mistakes, still_rising_mistake
from ._triage_logs import (  # noqa: F401 - the tests read the generators from here
    _log_dip_then_partial_recovery,
    _log_flat,
    _log_flat_and_val_rises,
    _log_healthy,
    _log_inf_norm_after_spike,
    _log_inf_norms_after_break,
    _log_inf_train_after_spike,
    _log_jump_in_last_five,
    _log_last_val_nan,
    _log_nan_then_late_val,
    _log_nan_without_spike,
    _log_norm_exactly_ten_times_median,
    _log_norm_nan_at_step_1,
    _log_norm_nan_before_spike,
    _log_norms_grow_after_inf,
    _log_overfitting,
    _log_overfitting_with_spike,
    _log_rising,
    _log_rising_with_spikes,
    _log_spike_after_inf,
    _log_spike_at_first_nan,
    _log_spike_at_last_step_val_nan,
    _log_spike_one_step_before_nan,
    _log_spike_then_nan,
    _log_spike_two_steps_before_nan,
    _log_spikes,
    _log_val_rises_once,
    _log_val_rises_train_stalls,
)
from ._triage_margin import MARGIN_CASES, MARGIN_HINT
from ._triage_median import MEDIAN_CASES, prefix_median_mistakes
from ._triage_order import ENDS, ORDER_CASES, ORDER_HIDDEN, ORDERS, order_mistakes
from ._triage_rising import RISING_BASE_CASES, rising_fires, rising_mistakes
from ._triage_strict import STRICT_CASES, STRICT_HIDDEN, block_means, strict_mistakes
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
    median="finite norms",
    val_counts=True,
    blocks="from the end",
    spike_test=">",
    ends="means",
):
    """(fault, fix) of one unclipped training log, as the task decides them.

    The keywords build the learners' mistakes: `spike_order` False (a NaN is always the learning
    rate's, whatever came before it), "anywhere" (a spike at any step, even after the first
    non-finite one, makes it an explosion), "one before" (a spike in the very step before the first
    non-finite one counts too), "inclusive" (so does a spike in that step itself) or "unclamped"
    (spike[:first_bad - 1] not clamped at 0: a break at step 1 scans spike[:-1]) or "three before"
    (spike[:first_bad - 2]: a spike two steps before the break missed) or "everywhere"
    (the slice ends two steps before the break even when only a validation loss broke, so a spike
    at the last step is missed), `rising_test` False (only the lecture's four tests),
    `flat_test` "one-sided" (a loss that did not fall by 2% is flat, so a rising one is too),
    `fixes` another table of fault -> fix, `order` "reversed" (the finite-log tests in the reverse
    order: overfitting, flat, rising, exploding) or "overfitting before flat", `overfit_test` "validation only" (overfitting
    without its train-falling half), `first_bad` "train only" (the first non-finite step located
    from the train loss alone), `median` "all norms" (np.median over norms holding a NaN: NaN,
    so no spike test fires), `val_counts` False (a non-finite validation loss ignored),
    `overfit_test` "seen once" (only the last validation loss above 1.02 x the minimum) or "no
    margin" (the last two above the minimum itself, without the factor 1.02) or
    "previous block" (the last block of 10 train losses below the block before it only, not below
    every earlier one), `blocks` "from the start" (blocks of 10 aligned to the first step, not to
    the last) or "partial first" (the leftover first steps kept as a short block) or "start, true
    last" (the earlier blocks from step 1, the last 10 steps as the last one), `overfit_test`
    ">=" (validation at least 1.02 x the minimum) or "falling <=" (``_triage_strict``); `spike_test` ">=" (a norm of exactly 10 x the median counted as a spike);
    `median` "before the break" (the median of the finite norms before the first
    non-finite step only, not of all the finite norms of the log) or "nanmedian" (np.nanmedian over
    all the norms: it skips NaN but keeps +-inf); `ends` "end points" (flat and rising on
    train[0] and train[-1] instead of the means of the first and last 10 train losses); `flat_test`
    "last base" (2% of the last mean) or "<=" (``_triage_bounds``), `rising_test` "last base" (2%
    of the last mean) or ">=" (a rise of exactly 2% counted, ``_triage_rising``); `order` "rising
    last", `ends` "first block" (``_triage_order``); `order` "flat first" (``_triage_flat_spike``).
    """
    train, val, norms = (np.asarray(a, dtype=float) for a in (train_losses, val_losses, grad_norms))
    fix_of = FIRST_FIX if fixes is None else fixes
    finite_steps = np.isfinite(train) & np.isfinite(norms)
    center = np.median(norms if median == "all norms" else norms[np.isfinite(norms)])
    if median == "nanmedian":
        center = np.nanmedian(norms)
    if median == "before the break" and not finite_steps.all():
        before_break = norms[: int(np.argmin(finite_steps))]
        center = np.median(before_break[np.isfinite(before_break)])
    above = norms >= 10 * center if spike_test == ">=" else norms > 10 * center
    spike = np.isfinite(norms) & above
    if not (finite_steps.all() and (np.isfinite(val).all() or not val_counts)):
        if first_bad == "train only":
            finite_steps = np.isfinite(train)
        first_bad = len(train) if finite_steps.all() else int(np.argmin(finite_steps))
        # a spike counts when it is at least two steps before the break (the very step before is
        # the blow-up itself); when only a validation loss broke, every step counts
        broke = first_bad < len(train)
        end = {
            "inclusive": first_bad + 1,
            "one before": first_bad,
            "unclamped": first_bad - 1,
            "everywhere": max(first_bad - 1, 0),
            "three before": max(first_bad - 2, 0) if broke else first_bad,
        }
        before = (
            spike.any()
            if spike_order == "anywhere"
            else spike[: end.get(spike_order, max(first_bad - 1, 0) if broke else first_bad)].any()
        )
        fault = EXPLODING if spike_order and before else NAN
        return fault, fix_of[fault]
    first, last = np.mean(train[:10]), np.mean(train[-10:])
    if ends != "means":
        first, last = ENDS[ends](train)
    step, base = abs(last - first), last if flat_test == "last base" else first
    flat = step <= 0.02 * base if flat_test == "<=" else step < 0.02 * base
    flat = last > 0.98 * first if flat_test == "one-sided" else flat
    rises = rising_fires(first, last, rising_test)
    means = block_means(train, blocks)
    earlier = means[-2:-1] if overfit_test == "previous block" else means[:-1]
    cmp = np.less_equal if overfit_test == "falling <=" else np.less
    falling = means.size > 1 and bool(cmp(means[-1], earlier.min()))
    margin = 1.0 if overfit_test == "no margin" else 1.02
    seen = val[-(1 if overfit_test == "seen once" else 2) :]
    over = seen >= margin * np.min(val) if overfit_test == ">=" else seen > margin * np.min(val)
    rose = val.size > 1 and np.all(over)
    tests = [
        (EXPLODING, spike.any()),
        (RISING, rising_test and rises),
        (FLAT, flat),
        (OVERFITTING, rose and (falling or overfit_test == "validation only")),
    ]
    for fault, fires in (tests[i] for i in ORDERS[order]):
        if fires:
            return fault, fix_of[fault]
    return NONE, NO_FIX


def _variant(**options):
    """A learner's triage: the reference with one decision made the wrong way."""
    return lambda t, v, n: _triage(t, v, n, **options)


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
        *INF_CASES[:1],
        Case(
            _log_inf_train_after_spike,
            "a norm spike at step 21, the train loss inf from step 41, every norm finite",
        ),
        Case(_log_spike_then_nan, "one gradient-norm spike, then NaN a few steps later"),
        Case(_log_spikes, "three gradient-norm spikes, every loss finite"),
        Case(_log_rising, "the train loss climbs steadily, norms near 1, no NaN"),
        Case(_log_overfitting, "the train loss falls; validation has a minimum, then rises"),
        Case(_log_inf_norm_after_spike, "a norm spike at step 21, the norm inf at step 41"),
        Case(
            _log_inf_norms_after_break,
            "a norm spike of 15 at step 21; the train loss and the norm inf from step 31",
        ),
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
        Case(_log_norm_nan_at_step_1, "norm NaN at step 1 only, a finite spike of 50 at step 11"),
        Case(
            _log_flat_and_val_rises,
            "the train loss falls by under 2% (its last block the lowest); validation rises twice",
        ),
        Case(_log_spike_at_first_nan, "a norm spike at step 31, whose train loss is the first NaN"),
        Case(_log_spike_one_step_before_nan, "a norm spike at step 31, NaN from step 32"),
        Case(_log_spike_two_steps_before_nan, "a norm spike at step 30, NaN from step 32"),
        Case(
            _log_val_rises_once,
            "the train loss falls; only the LAST validation loss rises above 1.02 x the minimum",
        ),
        Case(_log_last_val_nan, "a healthy run whose last validation loss is NaN, no spike"),
        Case(
            _log_jump_in_last_five,
            "65 steps: the train loss falls to 2 by step 60, then 3.0 for the last 5 steps; "
            "validation rises twice",
        ),
        Case(
            _log_norms_grow_after_inf,
            "a norm spike of 15 at step 21; the train loss inf from step 31 while the norms, still "
            "finite, grow to 100",
        ),
        Case(
            _log_dip_then_partial_recovery,
            "block means of the train loss 3.5, 3.0, 2.0, 2.6, 2.4, 2.2; validation rises twice",
        ),
        Case(
            _log_norm_exactly_ten_times_median,
            "a healthy run, every norm exactly 1 but one of exactly 10 (10 x the median, not more)",
        ),
        Case(
            _log_spike_at_last_step_val_nan,
            "only the last validation loss is NaN; the one norm spike is at the last step",
        ),
        *ENDS_CASES[:2],
        *MARGIN_CASES[:1],
        *BOUNDS_CASES,
        *STRICT_CASES,
        *RISING_BASE_CASES[:-1],
        *LATE_CASES[:1],
        *ORDER_CASES,
        *MEDIAN_CASES,
        Case(_log_nan_without_spike, "NaN without a spike, another step", hidden=True),
        Case(_log_val_rises_once, "validation rises once at the end, another rise", hidden=True),
        Case(_log_last_val_nan, "the last validation loss NaN, other noise", hidden=True),
        Case(
            _log_spike_at_last_step_val_nan,
            "the last validation loss NaN, a spike at the last step, other noise",
            hidden=True,
        ),
        Case(_log_spike_then_nan, "a spike then NaN, other steps", hidden=True),
        Case(_log_rising, "a rising train loss, another slope", hidden=True),
        Case(_log_overfitting, "overfitting, another minimum", hidden=True),
        Case(_log_flat, "a flat run, other noise", hidden=True),
        Case(_log_rising_with_spikes, "a rising loss with spikes, other steps", hidden=True),
        Case(_log_overfitting_with_spike, "overfitting with a spike, other steps", hidden=True),
        Case(_log_flat_and_val_rises, "flat, and validation rises twice, other noise", hidden=True),
        *ENDS_CASES[2:],
        *MARGIN_CASES[1:],
        *RISING_BASE_CASES[-1:],
        *LATE_CASES[1:],
        *STRICT_HIDDEN,
        *ORDER_HIDDEN,
        *INF_CASES[1:],
        *FLAT_SPIKE_CASES,  # the visible one last of the visible cases, the hidden one last
    ),
    mistakes=(
        *order_mistakes(_variant),  # before rising_test=False: (4, 4) on rising-last's case too
        *rising_mistakes(_variant),  # before rising_test=False: both say none on its case
        Mistake(ENDS_HINT, _variant(ends="end points")),
        *strict_mistakes(_variant),
        Mistake(MARGIN_HINT, _variant(overfit_test="no margin")),
        still_rising_mistake(_triage),
        Mistake(
            "A spike in the VERY step before the first non-finite one is the blow-up itself, not "
            "its cause: by the task's convention only a spike at least TWO steps before the break "
            "makes the fault exploding (4.2's runs in seeds 0 and 2 spike in the step before "
            "their NaN; 4.3 measured lowering the rate as better than clipping at 1 for 4.2's "
            "setting).",
            _variant(spike_order="one before"),
        ),
        Mistake(
            "When only a validation loss is non-finite, every train loss and norm is finite and "
            "no step broke: EVERY step counts, the last one included. The two-steps-before rule "
            "applies only to a break in the train loss or the norm.",
            _variant(spike_order="everywhere"),
        ),
        *slice_end_mistakes(_variant),  # the last one (sb09 E1) before the median ones
        Mistake(
            "The median is that of the FINITE gradient norms: np.nanmedian skips NaN but keeps "
            "+-inf, so after an overflow to inf its median can be inf and no spike is found; "
            "keep only the finite norms (np.isfinite) before taking the median.",
            _variant(median="nanmedian"),
        ),
        Mistake(
            "The median is that of the FINITE gradient norms: np.median of norms that hold a NaN "
            "is NaN, every comparison with it is False, and no spike is ever found.",
            _variant(median="all norms"),
        ),
        *prefix_median_mistakes(_triage),
        Mistake(
            "A spike is a norm MORE than 10 times the median of the finite norms (the lecture's "
            "test is >): a norm of exactly 10 times the median is not a spike.",
            _variant(spike_test=">="),
        ),
        Mistake(
            "A NaN is where the run ended, not always what went wrong: when a finite "
            "gradient-norm spike came at least two steps BEFORE the first non-finite value, the "
            "explosion came first and is the fault (its first fix: clipping).",
            _variant(spike_order=False),
        ),
        Mistake(
            "The first broken step is the first whose train loss OR gradient norm is not "
            "finite: a NaN norm breaks the run even while the train loss is still finite, and a "
            "spike after it did not cause the break.",
            _variant(first_bad="train only"),
        ),
        *spike_after_break_mistakes(_variant, _triage),
        Mistake(
            "A train loss that climbs is not one of the lecture's four faults, yet it is a fault: "
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
            "A rising train loss usually comes from a learning rate too LARGE (lecture §4): "
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
            "The blocks of 10 train losses are the LAST ones, aligned to the end of the log "
            "(as in the lecture's diagnose): when the length is not a multiple of 10, the "
            "first steps are left out of the blocks, not the last ones.",
            _variant(blocks="from the start"),
        ),
        Mistake(
            "The train half of overfitting asks for the last block of 10 train losses below the "
            "mean of EVERY earlier block, not only below the block just before it: a loss that "
            "dipped, rose and fell back part of the way is not falling.",
            _variant(overfit_test="previous block"),
        ),
        *bounds_mistakes(_variant),
    ),
    hint=(
        "Decide in the task's order: first any value that is not finite (then look for a finite "
        "norm spike at least two steps before the first broken step), then a spike with every "
        "value finite, then a rising, a flat and an overfitting train loss; fault none otherwise. "
        "The fix is the first one the lecture's table lists for it. Return (fault, fix), two ints."
    ),
)
