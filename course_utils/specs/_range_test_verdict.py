"""Question 4 of exercise set 05 (``learning_rate_schedules``): ``range_test_verdict``, a diagnosis
graded on the decision. A range test's smoothed losses go in; whether the sweep can be read, or
must be rerun higher or lower, comes out (codes ``USABLE``, ``RAISE_LR_MAX``, ``LOWER_LR_MIN``).

Lecture §6 shows the range test, its rule, its settling values and stop rule, and a sweep (seed 2)
that never "diverged" by the stop rule although its loss rose above its start; it never says when
a sweep cannot be read. Here the learner reads the failure modes off the curve: a dip while the
moving average settles, NaN or inf after the blow-up, a turn seen only by the stop rule or only as
a rise above the start, and sweeps that stopped before the turn or began past it. The curves are
generated (cheap: no training), so hidden cases change every grading run. A private part of that
spec (the registry skips modules whose name starts with ``_``).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

#: The verdicts (the task's codes): read the sweep; rerun it to larger rates; rerun it from
#: smaller rates.
USABLE, RAISE_LR_MAX, LOWER_LR_MIN = 0, 1, 2


def _checked(smoothed_losses, skip_start, diverge_factor):
    """The smoothed losses as floats, checked (one sentence each)."""
    values = np.asarray(smoothed_losses, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"smoothed_losses must be one loss per step (1-D), got {values.shape}.")
    if isinstance(skip_start, bool) or not isinstance(skip_start, int | np.integer):
        raise ValueError(f"skip_start must be a whole number >= 0, got {skip_start!r}.")
    if skip_start < 0 or len(values) <= skip_start:
        raise ValueError(
            f"skip_start must be >= 0 and leave a value after it, got {skip_start} for "
            f"{len(values)} values."
        )
    if not np.isfinite(values[0]):
        raise ValueError(f"the first smoothed loss must be finite, got {values[0]}.")
    if np.any(values[np.isfinite(values)] < 0):
        raise ValueError("a loss is >= 0, got a negative smoothed loss.")
    if not diverge_factor > 1:
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor!r}.")
    return values


def _verdict(
    smoothed_losses,
    skip_start=10,
    diverge_factor=4.0,
    *,
    skip=None,
    fall_test=True,
    turn="either",
    non_finite_rises=True,
    nan_aware=True,
    last_only=False,
):
    """The task's verdict. The keywords build the learners' mistakes: ``skip`` another number of
    settling values ignored, ``fall_test`` False (no check that the loss fell), ``turn`` "stop rule"
    or "start" (only one of the two signs of the turn), ``non_finite_rises`` False (NaN and inf
    after the lowest point are not a rise), ``nan_aware`` False (plain np.argmin), ``last_only``
    (only the sweep's last value read for the turn)."""
    values = _checked(smoothed_losses, skip_start, diverge_factor)
    skip = skip_start if skip is None else max(skip, 0)
    as_inf = np.where(np.isfinite(values), values, np.inf)
    search = as_inf if nan_aware else values
    lowest = skip + int(np.argmin(search[skip:]))
    start, low = values[0], values[lowest]
    if fall_test and not low < start:  # NaN (a plain argmin's pick) is not below the start
        return LOWER_LR_MIN
    after = (as_inf if non_finite_rises else np.where(np.isfinite(values), values, -np.inf))[
        lowest + 1 :
    ]
    after = after[-1:] if last_only else after
    limits = {"either": min(start, diverge_factor * low), "stop rule": diverge_factor * low}
    return USABLE if np.any(after > limits.get(turn, start)) else RAISE_LR_MAX


def range_test_verdict(smoothed_losses, skip_start=10, diverge_factor=4.0):
    return _verdict(smoothed_losses, skip_start, diverge_factor)


def _curve(kind, n=80, seed=0, dip=None, tail=None):
    """A smoothed range-test loss of ``n`` steps from 2.3 (ln 10: chance for ten classes).
    ``kind``: "usable" (falls to 0.6, then blows up past 4x its lowest), "falling" (still falls
    at the end), "seed 2" (falls to 1.96, rises to 2.9: above the start, under 4x its lowest),
    "stop rule" (falls to 0.3, rises to 1.3: 4x its lowest, under the start), "too high" (rises
    from the start). ``dip``: (index, value) of a settling dip; ``tail``: NaN or inf after the
    lowest point (the finite values there stay under both limits)."""
    noise = 0.003 * np.random.default_rng(seed).standard_normal(n)
    x = np.linspace(0.0, 1.0, n)
    bottom, top, turn = {
        "usable": (0.6, 2.6, 0.75),
        "falling": (0.5, 0.5, 1.5),
        "seed 2": (1.96, 2.9, 0.6),
        "stop rule": (0.3, 1.3, 0.75),
        "too high": (2.3, 6.0, 0.0),
    }[kind]
    fall = 2.3 - (2.3 - bottom) * np.clip(x / max(turn, 1e-9), 0, 1) ** 0.7
    rise = (top - bottom) * np.clip((x - turn) / max(1 - turn, 1e-9), 0, 1) ** 2
    loss = np.abs(fall + rise + noise * (kind != "too high"))
    loss[0] = 2.3
    if kind == "too high":
        loss[1:] = 2.3 + 3.7 * x[1:] + 0.01
    if dip is not None:
        loss[dip[0]] = dip[1]
    if tail is not None:
        lowest = int(np.argmin(loss[10:])) + 10
        loss[lowest + 1 : lowest + 3] = np.minimum(loss[lowest + 1 : lowest + 3], bottom + 0.05)
        loss[lowest + 3 :] = tail
    return loss


def _lowest_at_skip_start(skip_start=10):
    """Lowest exactly at index skip_start, then a blow-up: a 20-step sweep."""
    loss = np.r_[2.3, np.full(skip_start - 1, 2.35), 1.0, np.linspace(2.5, 6.0, 19 - skip_start)]
    return loss, skip_start


def _recovers():
    """Falls to 1.0, blows up to 5.0 (over 4x the lowest, above the start), then falls again to
    1.5: the turn was seen, although the last value is under both limits."""
    return (np.r_[2.3, np.full(9, 2.35), 2.0, 1.5, 1.0, 2.0, 5.0, 3.0, 1.5],)


def _generated(kind):
    def make(rng):
        n = int(rng.integers(60, 140))
        dip = (int(rng.integers(1, 10)), float(rng.uniform(0.05, 0.2)))
        tail = [None, np.nan, np.inf][int(rng.integers(3))] if kind == "usable" else None
        return _curve(kind, n, int(rng.integers(1000)), dip, tail), 10

    return make


RANGE_TEST_VERDICT = Question(
    name="range_test_verdict",
    points=2,
    skill="diagnosis",
    reference=range_test_verdict,
    rtol=0.0,
    atol=0.0,
    inputs_unchanged=True,
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
        Case(_generated("usable"), "a usable sweep, maybe ending in NaN or inf", hidden=True),
        Case(_generated("falling"), "a sweep that stopped while its loss fell", hidden=True),
        Case(_generated("seed 2"), "a sweep whose loss rose above its start", hidden=True),
        Case(_generated("too high"), "a sweep that began past its best rates", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Off by one value: the first skip_start values are indices 0 to skip_start - 1; your "
            "search for the lowest included index skip_start - 1, still settling.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, skip=k - 1),
        ),
        Mistake(
            "The lowest value you found lies among the first skip_start smoothed losses, which "
            "are still settling (the lecture's lr_range_test ignores them too): look for the "
            "lowest from index skip_start on, and compare it with the first value.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, skip=0),
        ),
        Mistake(
            "Off by one value: index skip_start is the first value to count, not to ignore.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, skip=k + 1),
        ),
        Mistake(
            "This loss never fell below its first value: a curve that only rises says the sweep "
            "began at rates already too large (lower lr_min), whatever it did later.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, fall_test=False),
        ),
        Mistake(
            "The stop rule (diverge_factor times the lowest) is not the only sign of the turn: "
            "like the lecture's seed 2, this loss rose above its starting value, so the large "
            "rates undid the training although the stop rule never fired.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, turn="stop rule"),
        ),
        Mistake(
            "Rising above the starting value is not the only sign of the turn: this loss rose to "
            "more than diverge_factor times its lowest value, the lecture's stop rule.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, turn="start"),
        ),
        Mistake(
            "NaN or inf after the lowest point is the blow-up itself, the clearest sign of the "
            "turn: count a value that is not finite as a rise, not as missing.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, non_finite_rises=False),
        ),
        Mistake(
            "np.argmin returned the index of a NaN (it does whenever the array holds one): a "
            "value that is not finite is never the lowest; np.isfinite finds NaN and inf.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, nan_aware=False),
        ),
        Mistake(
            "The turn is any value after the lowest point that is not finite or above a limit, "
            "not only the last one: this loss blew up and then fell again, and the sweep still "
            "saw the turn.",
            lambda s, k=10, f=4.0: _verdict(s, k, f, last_only=True),
        ),
    ),
    hint=(
        "Ignore the first skip_start values; the lowest is the lowest finite value after them. "
        "Below the first value? If not, lower lr_min. Then after the lowest point: a value that "
        "is not finite, above the first value, or above diverge_factor times the lowest means "
        "the sweep saw the turn (usable); none of these, raise lr_max."
    ),
    library=(
        "course_utils.lr_range_test.lowest_smoothed_index",
        "course_utils.lr_range_test.lr_range_test",
    ),
)
