"""Question 4 of exercise set 09 (``putting_it_together``): ``early_stopping_min_delta``, early
stopping with patience AND a minimum improvement, restoring the weights of the last improvement.

A variant of the lecture's ``early_stopping`` (§4.4), which counts any strictly lower loss as an
improvement: here a loss must fall more than ``min_delta`` below the best kept one, and the
evaluation kept (the "restored weights") is the last one that counted as an improvement, not the
lowest loss seen. The convention is Keras's ``EarlyStopping(min_delta=..., patience=...,
restore_best_weights=True)`` in min mode (tests/test_checks_09_redesign.py rewrites its logic and
compares). A private part of that spec.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _early_stopping_min_delta(
    val_losses,
    patience,
    min_delta,
    *,
    delta=True,
    keep="improvement",
    against="best",
    rel=False,
    best_moves=False,
    gap=False,
    late=False,
):
    """(stop index, kept index): the keywords build the learners' mistakes: `delta` False (any
    lower loss improves, the lecture's rule), `keep` "lowest" (the lowest loss seen up to the
    stop is kept), `against` "previous" (improvement judged against the previous evaluation),
    `rel` True (a relative margin, best * (1 - min_delta)), `best_moves` True (the best loss also
    follows a loss lower by min_delta or less, which is no improvement), `gap` True (the
    improvement tested as best - v > min_delta, which rounds the other way at the tie 2.2, 2.1,
    min_delta 0.1: 2.2 - 0.1 == 2.1 in float64, while 2.2 - 2.1 = 0.10000000000000009), `late`
    True (stop only when MORE than patience evaluations follow the last improvement,
    `i - kept > patience`, or a counter of non-improvements tested `wait > patience`)."""
    if patience < 0:
        raise ValueError(f"patience must be >= 0, got {patience}.")
    if min_delta < 0:
        raise ValueError(f"min_delta must be >= 0, got {min_delta}.")
    best, best_i, previous = np.inf, 0, np.inf
    stop = len(val_losses) - 1
    for i, v in enumerate(val_losses):
        reference = previous if against == "previous" else best
        if not delta:
            bar = reference
        elif rel:
            bar = reference * (1 - min_delta)
        else:
            bar = reference - min_delta
        previous = v
        if (reference - v > min_delta) if gap else (v < bar):
            best, best_i = v, i
            continue
        best = min(best, v) if best_moves else best
        if (i - best_i > patience) if late else (i - best_i >= patience):
            stop = i
            break
    if keep == "lowest":
        best_i = int(np.argmin(np.asarray(val_losses[: stop + 1], dtype=float)))
    return stop, best_i


def _inputs(vals, patience, min_delta):
    return lambda: (np.array(vals, dtype=float), patience, min_delta)


def _random_curve(patience, min_delta):
    """A noisy validation curve on a grid of 1/8 (values exact in binary, so ties are real)."""

    def make(rng):
        n = int(rng.integers(8, 20))
        steps = rng.integers(-3, 3, size=n) / 8
        return 4.0 + np.cumsum(steps), patience, min_delta

    return make


EARLY_STOPPING_MIN_DELTA = Question(
    name="early_stopping_min_delta",
    points=3,
    reference=_early_stopping_min_delta,
    inputs_unchanged=True,
    returns=("stop_index", "kept_index"),
    skill="variant",
    cases=(
        Case(
            _inputs([3.0, 2.5, 2.375, 2.25, 2.375, 2.5], 2, 0.25),
            "val [3, 2.5, 2.375, 2.25, 2.375, 2.5], patience 2, min_delta 0.25",
        ),
        Case(
            _inputs([3.0, 2.5, 2.375, 2.25], 5, 0.25),
            "val [3, 2.5, 2.375, 2.25], patience 5, min_delta 0.25: runs to the end, its lowest "
            "loss less than min_delta below the best",
        ),
        Case(
            _inputs([3.0, 2.875, 3.0, 2.625], 4, 0.25),
            "val [3, 2.875, 3, 2.625], patience 4, min_delta 0.25: a dip of less than min_delta, "
            "then a fall of 0.375 below the first",
        ),
        Case(
            _inputs([3.0, 2.875, 2.75, 2.625, 2.5, 2.375, 2.25], 3, 0.2),
            "val falls 0.125 per evaluation from 3 to 2.25, patience 3, min_delta 0.2",
        ),
        Case(
            _inputs([2.0, 1.75, 1.5, 1.5, 1.5], 1, 0.25),
            "val [2, 1.75, 1.5, 1.5, 1.5], patience 1, min_delta 0.25: falls of exactly min_delta",
        ),
        Case(
            _inputs([4.0, 3.0, 2.5, 2.0, 1.5], 0, 0.5),
            "val [4, 3, 2.5, 2, 1.5], patience 0, min_delta 0.5: every fall is exactly min_delta",
        ),
        Case(
            _inputs([3.0, 2.0, 2.0, 2.0], 2, 0.0),
            "val [3, 2, 2, 2], patience 2, min_delta 0 (equal losses do not improve)",
        ),
        Case(
            _inputs([5.0, 4.0, 3.0, 2.0], 2, 0.5),
            "val [5, 4, 3, 2], patience 2, min_delta 0.5: never stops",
        ),
        Case(_inputs([2.5], 3, 0.1), "one evaluation [2.5], patience 3, min_delta 0.1"),
        Case(
            _inputs([3.0, 2.5, 2.0], 0, 1.0),
            "val [3, 2.5, 2], patience 0, min_delta 1: no fall is large enough",
        ),
        Case(
            _inputs([2.2, 2.1, 2.05, 2.15], 2, 0.1),
            "val [2.2, 2.1, 2.05, 2.15], patience 2, min_delta 0.1: 2.1 is an exact tie (in "
            "float64 2.2 - 0.1 == 2.1, so 2.1 < 2.2 - 0.1 is False: no improvement), 2.05 is "
            "an improvement",
        ),
        Case(_inputs([3.0, 2.0], -1, 0.1), "patience -1", raises="ValueError"),
        Case(_inputs([3.0, 2.0], 1, -0.1), "min_delta -0.1", raises="ValueError"),
        Case(_random_curve(2, 0.25), "a random curve on a grid of 1/8, patience 2", hidden=True),
        Case(_random_curve(0, 0.125), "a random curve, patience 0", hidden=True),
        Case(_random_curve(4, 0.375), "a random curve, patience 4", hidden=True),
    ),
    mistakes=(
        Mistake(
            "A loss lower than the best by min_delta or less is NOT an improvement: it must "
            "fall MORE than min_delta below the best kept loss (exactly min_delta lower does "
            "not count either).",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, delta=False),
        ),
        Mistake(
            "The check tests an improvement as `v < best - min_delta`; the form `best - v > "
            "min_delta` differs from it in float64 at this exact tie: 2.2 - 0.1 == 2.1 exactly, "
            "so `2.1 < 2.2 - 0.1` is False (no improvement), while 2.2 - 2.1 = "
            "0.10000000000000009, so `2.2 - 2.1 > 0.1` is True (an improvement). Write the test "
            "as `v < best - min_delta` (Keras's `v + min_delta < best` gives the same answer on "
            "this case).",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, gap=True),
        ),
        Mistake(
            "The weights restored are those of the LAST IMPROVEMENT (the evaluation that reset "
            "the patience), not of the lowest loss seen: a loss that dipped below the best by "
            "less than min_delta was never kept.",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, keep="lowest"),
        ),
        Mistake(
            "Measure an improvement against the BEST kept loss, not the previous evaluation: a "
            "slow steady fall never drops min_delta below the evaluation just before it.",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, against="previous"),
        ),
        Mistake(
            "The best kept loss changes only on an improvement: a loss lower by min_delta or "
            "less does not become the new best (later losses are still measured against the "
            "best of the last improvement).",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, best_moves=True),
        ),
        Mistake(
            "min_delta is absolute, in the loss's own units (nats), not a fraction of the best "
            "loss.",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, rel=True),
        ),
        Mistake(
            "With patience p >= 1, stop at the p-th evaluation in a row without an improvement: "
            "the first non-improvement with i - kept >= patience (patience p tolerates p - 1 of "
            "them); testing i - kept > patience (or a counter wait > patience) waits one "
            "evaluation more.",
            lambda v, p, d: _early_stopping_min_delta(v, p, d, late=True),
        ),
    ),
    hint=(
        "Walk through the losses keeping the best loss and its index; a loss is an improvement "
        "only when it is more than min_delta below that best; stop at the first evaluation "
        "that is not an improvement and comes at least patience evaluations after the last "
        "improvement; a negative patience or min_delta is a ValueError. Return (stop index, "
        "kept index)."
    ),
)
