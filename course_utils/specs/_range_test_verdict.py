"""Question 4 of exercise set 05 (``learning_rate_schedules``): ``range_test_verdict``, a diagnosis
graded on the decision. A range test's smoothed losses go in; whether the sweep can be read, or
must be rerun higher or lower, comes out (codes ``USABLE``, ``RAISE_LR_MAX``, ``LOWER_LR_MIN``).

Lecture §6 shows the range test, its rule, its settling values and stop rule, and a sweep (seed 2)
that never "diverged" by the stop rule although its loss rose above its start; it never says when
a sweep cannot be read. Here the learner reads the failure modes off the curve and the sweep's
``diverged`` flag: a dip while the moving average settles, NaN or inf after the blow-up (recorded
by other tools), a blow-up that ``lr_range_test`` stops at without recording it (``diverged``), a
turn seen only by the stop rule or only as a rise above the start, changes within a noise
``margin``, and sweeps that stopped before the turn, began past it, or never left the rates too
small to move the loss. The curves are generated (cheap: no training), so hidden cases change
every grading run. A private part (the registry skips modules whose name starts with ``_``)."""

from __future__ import annotations

import numpy as np

from ._range_test_checks import LOWER_LR_MIN, RAISE_LR_MAX, USABLE, _checked
from ._range_test_curves import (
    GENERATED_CASES,
    _curve,
    _flat,
    _flat_then_nan,
    _lowest_at_skip_start,
    _on_the_margin,
    _recovers,
    _settling_bump,
    _small_rise,
    _sqrt_fall,
)
from ._range_test_flat_stop import FLAT_STOP_CASES, _flat_stop_mistakes
from ._range_test_inputs import INPUT_CASES, _input_mistakes
from ._range_test_margin import MARGIN_CASES, _margin_mistakes
from ._range_test_slips import FIRST_VALUE_CASES, _first_value_slips, _slip_mistakes
from ._range_test_so_far import SO_FAR_CASE, _so_far_mistake
from ._range_test_ties import TIE_CASES, _tie_mistakes
from .base import Case, Mistake, Question


def _verdict(
    smoothed_losses,
    skip_start=10,
    diverge_factor=4.0,
    diverged=False,
    margin=0.02,
    *,
    skip=0,
    fall_test=True,
    turn="either",
    non_finite_rises=True,
    nan_aware=True,
    last_only=False,
    read_diverged=True,
    use_margin=True,
    flat_is_high=False,
    turn_from_skip=False,
    diverged_usable=False,
    flat_reads_diverged=True,
    turn_margin=True,
    flat_non_finite=True,
    absolute_margin=False,
    rise_from_one=False,
    last_of_ties=False,
):
    """The task's verdict. The keywords build the learners' mistakes: ``skip`` another number of
    settling values ignored (added to skip_start; None: none), ``fall_test`` False (no check that
    the loss fell), ``turn`` "stop rule" or "start" (only one of the two signs of the turn),
    ``non_finite_rises`` False (NaN and inf after the lowest point are not a rise), ``nan_aware``
    False (plain np.argmin), ``last_only`` (only the sweep's last value read for the turn),
    ``read_diverged`` False (the flag ignored), ``use_margin`` False (no noise margin),
    ``flat_is_high`` (a loss that never fell is "lower lr_min" even when it never rose),
    ``turn_from_skip`` (the turn looked for from skip_start on, not after the lowest point),
    ``diverged_usable`` (diverged read as usable before the fall is tested), ``flat_reads_diverged``
    False (the flag read only after a fall), ``turn_margin`` False (the turn's "above the first
    value" without the margin), ``flat_non_finite`` False (NaN after a loss that never fell is
    not a rise, as a plain comparison reads it, though no finite value at all still reads as 2),
    ``absolute_margin`` (margin read as an amount of loss: start - margin and start + margin),
    ``rise_from_one`` (a loss that never fell: the rise looked for from index 1, rm05 E2),
    ``last_of_ties`` (of equal lowest values the last, not the first, ro05 7)."""
    values = _checked(smoothed_losses, skip_start, diverge_factor, margin)
    first = 0 if skip is None else max(skip_start + skip, 0)
    blew_up = bool(diverged) and read_diverged  # where lr_range_test stopped, not recorded
    m = margin if use_margin else 0.0
    if blew_up and diverged_usable:  # "it blew up, so it saw the turn"
        return USABLE
    as_inf = np.where(np.isfinite(values), values, np.inf)
    search = as_inf if nan_aware else values
    lowest = first + int(np.argmin(search[first:]))
    if last_of_ties:
        lowest = len(search) - 1 - int(np.argmin(search[first:][::-1]))
    start, low = values[0], values[lowest]
    fell_below, rose_above = (
        (start - m, start + m) if absolute_margin else ((1 - m) * start, (1 + m) * start)
    )
    if fall_test and not low < fell_below:  # NaN (a plain argmin's pick) is not below
        flat_values = as_inf if flat_non_finite else values  # NaN > x is False
        rose = (blew_up and flat_reads_diverged) or np.any(
            flat_values[1 if rise_from_one else first :] > rose_above
        )
        rose = rose or not np.any(np.isfinite(values[first:]))  # no finite value: blew up at once
        return LOWER_LR_MIN if rose or flat_is_high else RAISE_LR_MAX
    rises = as_inf if non_finite_rises else np.where(np.isfinite(values), values, -np.inf)
    after = rises[first if turn_from_skip else lowest + 1 :]
    after = after[-1:] if last_only else after
    above_start = rose_above if turn_margin else start
    limits = {"either": min(above_start, diverge_factor * low), "stop rule": diverge_factor * low}
    turned = blew_up or np.any(after > limits.get(turn, above_start))
    return USABLE if turned else RAISE_LR_MAX


def range_test_verdict(smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False,
                       margin=0.02):  # fmt: skip
    return _verdict(smoothed_losses, skip_start, diverge_factor, diverged, margin)


def _slip(**keywords):
    """A learner's slip: the task's verdict with one of ``_verdict``'s mistake keywords."""
    return lambda s, k=10, f=4.0, d=False, m=0.02: _verdict(s, k, f, d, m, **keywords)


RANGE_TEST_VERDICT = Question(
    name="range_test_verdict",
    points=2,
    skill="diagnosis",
    reference=range_test_verdict,
    rtol=0.0,
    atol=0.0,
    inputs_unchanged=True,
    exact_types=True,  # "returning one code, an `int`": a float or a bool code fails (sb05 7)
    cases=(
        Case(lambda: (_curve("usable"),), "falls to 0.6, then blows up past 4x and its start"),
        Case(lambda: (_curve("falling", seed=1),), "still falling at the sweep's last rate"),
        Case(
            lambda: (_curve("seed 2", seed=2),),
            "like lecture seed 2: falls to 1.96, ends at 2.9, above its start 2.3, under 4x 1.96",
        ),
        Case(
            lambda: (_curve("stop rule", seed=3),),
            "falls to 0.3, rises to 1.3: over 4x its lowest, under its start 2.3",
        ),
        Case(
            lambda: (_curve("usable", seed=4, tail=np.nan),),
            "falls to 0.6, then NaN from 3 steps after its lowest point",
        ),
        Case(lambda: (_curve("too high", seed=5), 10), "rises from its first value on"),
        Case(
            lambda: (_curve("too high", seed=6, dip=(2, 0.1)), 10),
            "rises from its first value on, with a settling dip to 0.1 at step 2",
        ),
        Case(
            lambda: (_curve("too high", seed=7, dip=(9, 0.1)), 10),
            "rises from its first value on, with a settling dip to 0.1 at step 9 (skip_start = 10)",
        ),
        *FIRST_VALUE_CASES,  # before the next: it tells the first value at skip_start apart
        Case(
            lambda: _lowest_at_skip_start(),
            "20 steps whose lowest value is at step 10 = skip_start",
        ),
        Case(
            lambda: (_curve("usable", seed=8, tail=np.inf), 10, 2.0),
            "falls to 0.6, then inf, with diverge_factor = 2",
        ),
        Case(_recovers, "falls to 1.0, rises to 5.0, then falls again to 1.5 at its last step"),
        Case(
            lambda: (np.r_[2.3, np.full(9, 2.2), np.nan, np.nan, np.nan],),
            "13 values: 2.3, nine settling values, then NaN from step 10 = skip_start on",
        ),
        Case(
            lambda: (_curve("falling", seed=9), 10, 4.0, True),
            "still falling where it ends, diverged=True: lr_range_test stopped at a NaN loss "
            "it did not record",
        ),
        Case(_flat, "2.3 plus noise within 2% both ways (lowest 2.28, ends at 2.32): flat"),
        Case(_settling_bump, "2.3, settles through 2.42 back to 2.3 by step 7, then flat at 2.3"),
        Case(
            lambda: (_curve("too high", seed=10), 10, 4.0, True),
            "rises from its first value on, diverged=True: lr_range_test stopped at its blow-up "
            "(as the solution's sweeps from lr 30 below)",
        ),
        Case(
            lambda: (_flat(seed=11)[0], 10, 4.0, True),
            "2.3 plus noise within 2% both ways, diverged=True: it never fell, and it blew up",
        ),
        Case(
            lambda: (np.r_[np.full(10, 2.3), np.linspace(2.3, 2.27, 20)], 10, 4.0, True),
            "2.3, then a dip to 2.27 (1.3%, within margin 0.02 times 2.3), then diverged=True: "
            "it never fell, and it blew up",
        ),
        Case(
            lambda: (np.r_[np.full(10, 2.3), 2.5, 2.45, 2.4, 2.29],),
            "2.3, then 2.5 (a rise), then down to 2.29 at its last step: it never fell, and rose",
        ),
        Case(
            _small_rise,
            "falls to 1.0, rises back to 2.32: above its first value 2.3 by less than the margin",
        ),
        Case(
            _flat_then_nan,
            "22 values: 2.3, then 2.29 (within the margin), then NaN at its last step",
        ),
        Case(_sqrt_fall, "falls from 2.3 to 0.4 as a square root, still falling at its end"),
        Case(_on_the_margin, "4.0, lowest 3.0 = (1 - margin) x 4.0 (margin 0.25), then 6.0"),
        *TIE_CASES,
        SO_FAR_CASE,
        *INPUT_CASES,
        Case(
            lambda: (np.r_[2.3, np.full(9, 2.2), 1.0, 1.5, np.nan, 1.0],),
            "two equal lowest values 1.0, at steps 10 and 13, with NaN between them",
        ),
        Case(
            lambda: (np.r_[2.3, np.full(9, 2.0), 1.0, 2.1, 2.4, 5.0] - 1.2,),
            "a negative smoothed loss (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (np.stack([_curve("usable"), _curve("usable")]),),
            "a 2-D array of two sweeps (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_curve("usable"), 10, 4.0, False, 1.0),
            "margin = 1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_curve("usable"), 10, 4.0, False, False),
            "margin = False, a bool (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_curve("usable"), True),
            "skip_start = True, a bool (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_curve("usable"), 10.0),
            "skip_start = 10.0, a float (must raise ValueError)",
            raises="ValueError",
            hidden=True,
        ),
        Case(
            lambda: (_curve("usable"), -1),
            "skip_start = -1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_curve("usable", n=8), 10),
            "8 values, skip_start = 10: nothing after the settling values (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (np.r_[np.nan, _curve("usable")[1:]],),
            "the first smoothed loss is NaN (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_curve("usable"), 10, 1.0),
            "diverge_factor = 1 (must raise ValueError)",
            raises="ValueError",
        ),
        *MARGIN_CASES,
        *FLAT_STOP_CASES,
        *GENERATED_CASES,
    ),
    mistakes=(
        *_margin_mistakes(range_test_verdict),  # predicates: only where their reading differs
        *_flat_stop_mistakes(range_test_verdict),  # their predicates too
        *_tie_mistakes(range_test_verdict),  # first: off the ties they answer as the reference
        *_slip_mistakes(range_test_verdict),
        _so_far_mistake(range_test_verdict),
        *_input_mistakes(range_test_verdict),
        Mistake(
            "margin is a fraction of the first value, not an amount of loss: fell means below "
            "(1 - margin) times the first value. This loss dipped by less than that (mini-batch "
            "noise), so it never fell, and diverged=True says it then blew up: lower lr_min.",
            _slip(absolute_margin=True),
        ),
        Mistake(
            "The first skip_start values are still settling for the rise too: a loss that never "
            "fell rose only if a value after them is not finite or above (1 + margin) times the "
            "first. This moving average overshot while settling, then stayed flat: raise lr_max.",
            _slip(rise_from_one=True),
        ),
        Mistake(
            "Off by one value: the first skip_start values are indices 0 to skip_start - 1; your "
            "search for the lowest included index skip_start - 1, still settling.",
            _slip(skip=-1),
        ),
        Mistake(
            "The lowest value you found lies among the first skip_start smoothed losses, which "
            "are still settling (the lecture's lr_range_test ignores them too): look for the "
            "lowest from index skip_start on, and compare it with the first value.",
            _slip(skip=None),
        ),
        Mistake(
            "Of equal lowest values take the first (np.argmin does): the turn is looked for "
            "after the first time the loss reached its lowest value.",
            _slip(last_of_ties=True),
        ),
        Mistake(
            "diverged=True says where the sweep blew up, not that it is usable: a loss that never "
            "fell and then blew up began at rates already too large (lower lr_min). Test the "
            "fall first; the flag counts as the turn only after a fall.",
            _slip(diverged_usable=True),
        ),
        Mistake(
            "This loss never fell below (1 - margin) times its first value, and a value after "
            "the first skip_start is not finite or above (1 + margin) times it: the sweep began "
            "at rates already too large (lower lr_min), whatever it did later.",
            _slip(fall_test=False),
        ),
        Mistake(
            "The stop rule (diverge_factor times the lowest) is not the only sign of the turn: "
            "like the lecture's seed 2, this loss rose above its starting value, so the large "
            "rates undid the training although the stop rule never fired.",
            _slip(turn="stop rule"),
        ),
        Mistake(
            "Rising above the starting value is not the only sign of the turn: this loss rose to "
            "more than diverge_factor times its lowest value, the lecture's stop rule.",
            _slip(turn="start"),
        ),
        Mistake(
            "NaN or inf after the lowest point is the blow-up itself, the clearest sign of the "
            "turn: count a value that is not finite as a rise, not as missing.",
            _slip(non_finite_rises=False),
        ),
        Mistake(
            "np.argmin returned the index of a NaN (it does whenever the array holds one): a "
            "value that is not finite is never the lowest; np.isfinite finds NaN and inf.",
            _slip(nan_aware=False),
        ),
        Mistake(
            "The turn is any value after the lowest point that is not finite or above a limit, "
            "not only the last one: this loss blew up and then fell again, and the sweep still "
            "saw the turn.",
            _slip(last_only=True),
        ),
        Mistake(
            "This loss never fell, and diverged=True says the sweep then blew up: that is a rise, "
            "so lower lr_min. The flag counts in both branches: as the turn after a fall, and as "
            "a rise when the loss never fell.",
            _slip(flat_reads_diverged=False),
        ),
        Mistake(
            "lr_range_test stops before it records a loss that is not finite, so "
            "smoothed_losses can end while still falling: diverged=True says the sweep blew up "
            "there, which is the turn.",
            _slip(read_diverged=False),
        ),
        Mistake(
            "Above the first value means above (1 + margin) times it, in the turn test too: this "
            "loss rose back above its first value but not above (1 + margin) times it, and stayed "
            "under diverge_factor times its lowest; the rule counts only a rise above one of "
            "those two as the turn, so a smaller rise back, however large, is no turn here "
            "(raise lr_max).",
            _slip(turn_margin=False),
        ),
        *_first_value_slips(range_test_verdict, _slip(skip=1)),  # after the margin's: ud05
        Mistake(
            "A fall or a rise by less than margin times the first value is mini-batch noise, not "
            "a change: this loss stayed within it, so the sweep's rates were all too small to "
            "move it (raise lr_max).",
            _slip(use_margin=False),
        ),
        Mistake(
            "This loss never fell, but it never rose either (not by more than the margin): the "
            "rates were too small to move it, so raise lr_max; lower lr_min is for a loss that "
            "rose from the start.",
            _slip(flat_is_high=True),
        ),
        Mistake(
            "A value after the first skip_start that is not finite is a rise, also when the loss "
            "never fell: NaN > x is False in numpy, so a plain comparison misses it (np.isfinite "
            "finds it). This sweep blew up from rates already too large: lower lr_min.",
            _slip(flat_non_finite=False),
        ),
        Mistake(
            "The turn comes after the lowest point: values before it that lie above "
            "diverge_factor times the lowest (early in the fall) are the fall, not the turn.",
            _slip(turn_from_skip=True),
        ),
    ),
    hint=(
        "If diverged, count one more value, not finite, after the last. Ignore the first "
        "skip_start values; the lowest is the lowest finite value after them. Below (1 - margin) "
        "times the first value? If not: lower lr_min if a value after the settling ones is not "
        "finite or above (1 + margin) times the first, else raise lr_max. If it fell, after the "
        "lowest point: a value that is not finite, above (1 + margin) times the first value, or "
        "above diverge_factor times the lowest means the sweep saw the turn (usable); none of "
        "these, raise lr_max."
    ),
    library=(
        "course_utils.lr_range_test.lowest_smoothed_index",
        "course_utils.lr_range_test.lr_range_test",
    ),
)
