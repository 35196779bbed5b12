"""Question 4 of exercise set 05 (``learning_rate_schedules``): ``pick_lr``, the learning rate a
range test suggests, by the rule of the lecture's ``lr_range_test`` (fast.ai's: a tenth of the lr at
the lowest smoothed loss, ignoring the first ``skip_start`` values and every non-finite one).

A private part of that spec (the registry skips modules whose name starts with ``_``), kept apart
so that each module stays small. The reference is the library's rule, defined once in
:func:`course_utils.lr_range_test.lowest_smoothed_index`.
"""

from __future__ import annotations

import numpy as np

from ..lr_range_test import lowest_smoothed_index
from .base import Case, Mistake, Question


def _pick_lr(lrs, smoothed_losses, skip_start=10):
    lrs = np.asarray(lrs, dtype=float)
    return float(lrs[lowest_smoothed_index(smoothed_losses, skip_start)] / 10)


def _picked(lrs, losses, skip_start=10, *, step=0, factor=10.0, skip=None, nan_aware=True):
    """A variant of the rule: the lr ``step`` places from the chosen index, divided by
    ``factor``, skipping ``skip`` values (default: skip_start), NaN-aware or plain argmin."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    skip = skip_start if skip is None else skip
    if nan_aware:
        index = lowest_smoothed_index(losses, skip)
    else:
        index = skip + int(np.argmin(losses[skip:]))
    return float(lrs[min(max(index + step, 0), len(lrs) - 1)] / factor)


def _sweep(seed, n=60, blow_up=45):
    rng = np.random.default_rng(seed)
    lrs = 1e-4 * (1e5 ** (np.arange(n) / (n - 1)))
    loss = 2.3 - 2.0 / (1 + np.exp(-(np.log10(lrs) + 2.5) * 3))
    loss[blow_up:] += np.exp(np.arange(n - blow_up) / 3) - 1
    return lrs, loss + 0.01 * rng.standard_normal(n)


def _settling_dip(seed=3, dip_at=2):
    """A sweep whose smoothed loss dips below its real minimum while the average settles."""
    lrs, loss = _sweep(seed)
    loss[dip_at] = loss.min() - 0.2
    return lrs, loss


def _short_settling(seed=4):
    """skip_start = 4: the lowest value after it sits at step 6, inside the default 10."""
    lrs = 1e-3 * (1e3 ** (np.arange(30) / 29))
    loss = 1.0 + 0.02 * np.random.default_rng(seed).random(30)
    loss[6], loss[12], loss[0] = 0.7, 0.8, 0.5
    return lrs, loss, 4


def _blown_up(seed=5, n=60, blow_up=45):
    """The smoothed loss went to inf, then NaN after the blow-up (a sweep without a divergence stop)."""
    lrs, loss = _sweep(seed, n, blow_up)
    loss[blow_up + 3 : blow_up + 5] = np.inf
    loss[blow_up + 5 :] = np.nan
    return lrs, loss


def _tied(seed=6, first=20, second=30):
    """Two equal lowest values, ten steps apart: the rule takes the first."""
    lrs, loss = _sweep(seed)
    loss[first] = loss[second] = loss.min() - 0.05
    return lrs, loss


def _last_of_ties(lrs, losses, skip_start=10):
    """The rule, but the last of equally lowest values."""
    lowest_smoothed_index(losses, skip_start)  # raises where the rule does
    losses = np.asarray(losses, dtype=float)[skip_start:]
    candidates = np.where(np.isfinite(losses), losses, np.inf)[::-1]
    return float(
        np.asarray(lrs)[skip_start + len(candidates) - 1 - int(np.argmin(candidates))] / 10
    )


def _blown_up_generated(rng):
    n = int(rng.integers(60, 120))
    lrs, loss = _sweep(int(rng.integers(1000)), n, int(0.7 * n))
    loss[int(rng.integers(1, 8))] = loss.min() - 0.1  # dips while the average settles
    loss[int(0.7 * n) + 2 :] = np.nan
    return lrs, loss, 8


PICK_LR = Question(
    name="pick_lr",
    points=2,
    skill="warm-up",
    reference=_pick_lr,
    rtol=1e-12,
    atol=0.0,
    inputs_unchanged=True,
    cases=(
        Case(lambda: _sweep(0), "a 60-step range test that blows up after step 45"),
        Case(lambda: _sweep(1, 80, 70), "an 80-step range test that blows up after step 70"),
        Case(
            _settling_dip,
            "a 60-step test whose smoothed loss dips at step 2, while the average still settles",
        ),
        Case(_short_settling, "a 30-step test with skip_start = 4"),
        Case(
            _blown_up,
            "a 60-step test whose smoothed loss became inf at step 48 and NaN from step 50",
        ),
        Case(
            lambda: (np.geomspace(1e-4, 1.0, 20), np.r_[np.linspace(2.0, 1.0, 10), [np.nan] * 10]),
            "20 steps, NaN from step 10: nothing left after skip_start = 10 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(_tied, "a 60-step test whose lowest smoothed loss occurs twice, at steps 20 and 30"),
        Case(
            lambda: (np.geomspace(1e-4, 1.0, 20), np.r_[np.linspace(2.0, 1.0, 10), [np.inf] * 10]),
            "20 steps, inf (no NaN) from step 10: nothing finite after skip_start = 10 "
            "(must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (*_sweep(0), -5),
            "skip_start = -5, negative (must raise ValueError)",
            raises="ValueError",
        ),
        Case(lambda: _sweep(2, 100, 50), "a 100-step range test", hidden=True),
        Case(_blown_up_generated, "a test that dips early and ends in NaN", hidden=True),
    ),
    mistakes=(
        Mistake(
            "That is the lr at the lowest loss itself: the rule steps back by a factor of 10 "
            "(the lowest point sits close to where the loss blows up).",
            lambda *a: _picked(*a, factor=1.0),
        ),
        Mistake(
            "That is based on the LAST lr of the sweep, where the loss had already blown up: "
            "use the lr at the lowest loss, divided by 10.",
            lambda lrs, losses, skip_start=10: float(lrs[-1] / 10),
        ),
        Mistake(
            "Off by one: take lrs at the index of the lowest loss (np.argmin), not the next one.",
            lambda *a: _picked(*a, step=1),
        ),
        Mistake(
            "Off by one: take lrs at the index of the lowest loss, not the one before it.",
            lambda *a: _picked(*a, step=-1),
        ),
        Mistake(
            "The lowest value you found lies among the first skip_start smoothed losses, which "
            "the rule ignores: the moving average is still settling there (the lecture's "
            "lr_range_test skips them too). Look for the lowest from index skip_start on.",
            lambda *a: _picked(*a, skip=0),
        ),
        Mistake(
            "Skip the number of values the argument skip_start says, not always 10.",
            lambda *a: _picked(*a, skip=10),
        ),
        Mistake(
            "np.argmin returned the index of a NaN (it does whenever the array holds one): the "
            "values after the blow-up are NaN or inf and can never be the lowest loss; ignore "
            "every value that is not finite: np.isfinite finds both NaN and inf (np.nanargmin "
            "skips NaN only, not inf).",
            lambda *a: _picked(*a, nan_aware=False),
        ),
        Mistake(
            "Two smoothed losses are equally lowest: take the first of them (as np.argmin does), "
            "not the last.",
            _last_of_ties,
        ),
    ),
    hint=(
        "The rule: ignore the first skip_start smoothed losses and every value that is not "
        "finite; find the learning rate at which the remaining smoothed loss is lowest, then "
        "take one ten times smaller. Nothing left to choose from is a ValueError."
    ),
    library=("course_utils.lr_range_test.lowest_smoothed_index",),
)
