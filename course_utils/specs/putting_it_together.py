"""Spec for exercise set 09: putting it together (training recipes and a debugging checklist).

Questions (issue 21: none is the lecture's code): ``adam_spike_step`` (a prediction: the size of
Adam's step at a gradient spike, in closed form, in ``_adam_spike.py``), ``triage`` (a
diagnosis graded on the decision, in ``_triage.py``), ``best_under_budget`` (warm-up: the
lecture's selection rule under a compute budget) and ``early_stopping_min_delta`` (a variant of
the lecture's early stopping, in ``_early_stopping.py``). The private parts keep each module small.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ._adam_spike import ADAM_SPIKE_STEP
from ._early_stopping import EARLY_STOPPING_MIN_DELTA
from ._triage import TRIAGE
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- 1. adam_spike_step: _adam_spike.py

# ----------------------------------------------------------------------------- 2. triage: _triage.py

# ----------------------------------------------------------------------------- 3. best under budget


def _best_under_budget(
    val_losses,
    costs,
    budget,
    tol,
    *,
    band="eligible",
    strict=False,
    tie="cheapest",
    below_tol=False,
    diverged="tied",
):
    """Index of the chosen run among those whose cost fits the budget. The keywords build the
    learners' mistakes: `band` "all" (the tie band measured from the lowest loss of ALL runs,
    over-budget ones included: no eligible run may fall in it, and the empty choice raises),
    "all, else cheapest" (that band, and the cheapest affordable run when none falls in it),
    "all, else lowest" (that band, and the lowest-loss affordable run when none falls in it) or
    "relative" (the band min * (1 + tol) instead of min + tol),
    `strict` (a cost equal to the budget does not fit), `tie` "none" (no tie rule: the lowest
    loss), "first" (the first tied run, not the cheapest) or "lower loss" (among tied runs
    of equal cost the lower loss, not the first listed) or "argsort" (the cheapest found with
    np.argsort's default, unstable sort: among many equal costs it need not return the first
    listed), `below_tol` (tied only when LESS than tol above the lowest, so a run exactly
    tol above is not), `diverged` "raise" (a
    ValueError when every run that fits diverged), "nan only" (only a NaN loss counts as +inf,
    so a -inf one wins) or "nanmin" (a NaN loss left as NaN, so never tied, and the lowest taken
    with np.nanmin over the runs that fit: all NaN raises)."""
    val, cost = np.asarray(val_losses, dtype=float), np.asarray(costs, dtype=float)
    diverged_runs = np.isnan(val) if diverged == "nan only" else ~np.isfinite(val)
    if diverged == "nanmin":
        diverged_runs = np.isinf(val)
    val = np.where(diverged_runs, np.inf, val)  # a diverged run never wins
    fits = cost < budget if strict else cost <= budget
    if not fits.any():
        raise ValueError(f"no run fits the budget {budget}: the cheapest costs {cost.min()}.")
    if diverged == "raise" and not np.isfinite(val[fits]).any():
        raise ValueError("every run that fits the budget diverged.")
    if diverged == "nanmin" and np.isnan(val[fits]).all():
        raise ValueError("min() arg is an empty sequence")
    lowest = val.min() if band.startswith("all") else val[fits].min()
    if diverged == "nanmin":
        lowest = np.nanmin(val[fits])
    bound = lowest * (1 + tol) if band == "relative" else lowest + tol
    band_ = (val < bound) | (val == lowest) if below_tol else val <= bound
    tied = np.flatnonzero(fits & band_)  # all affordable runs diverged: all tied at inf
    if band == "all, else cheapest" and tied.size == 0:
        tied = np.flatnonzero(fits)
    if band == "all, else lowest" and tied.size == 0:
        tied = np.flatnonzero(fits)
        tied = tied[[np.argmin(val[tied])]]  # the lowest-loss affordable run alone
    if tie == "none":
        return int(tied[np.argmin(val[tied])])
    if tie == "first":
        return int(tied[0])
    if tie == "argsort":
        return int(tied[np.argsort(cost[tied])[0]])  # default kind: quicksort, not stable
    if tie == "lower loss":
        return int(tied[np.lexsort((val[tied], cost[tied]))[0]])  # by cost, then by loss
    return int(tied[np.argmin(cost[tied])])  # argmin: the first of equal costs


def _variant(**options):
    """A learner's best_under_budget: the reference with one decision made the wrong way."""
    return lambda v, c, b, tol: _best_under_budget(v, c, b, tol, **options)


def _table(rng):
    """Losses on a grid of 1/64 and tol 2/64: exact in binary, so a loss exactly tol above the
    lowest is tied however a learner writes the comparison."""
    n = int(rng.integers(5, 10))
    val = 2.0 + rng.integers(-8, 12, n) / 64
    costs = rng.integers(1, 20, n) * 10.0
    return val, costs, float(np.median(costs)), 2 / 64


BEST_UNDER_BUDGET = Question(
    name="best_under_budget",
    points=2,
    reference=_best_under_budget,
    inputs_unchanged=True,
    skill="warm-up",
    cases=(
        Case(
            lambda: ([2.1, 2.3, 2.0], [10.0, 30.0, 20.0], 25.0, 0.0),
            "val [2.1, 2.3, 2.0], costs [10, 30, 20], budget 25, tol 0",
        ),
        Case(
            lambda: ([2.005, 2.0, 2.5], [20.0, 10.0, 5.0], 100.0, 0.01),
            "val [2.005, 2.0, 2.5], costs [20, 10, 5], budget 100, tol 0.01 (rows 0, 1 tie)",
        ),
        Case(
            lambda: ([2.0, 2.004, 2.008, 2.5], [30.0, 10.0, 50.0, 5.0], 100.0, 0.01),
            "val [2.0, 2.004, 2.008, 2.5], costs [30, 10, 50, 5], budget 100, tol 0.01",
        ),
        Case(
            lambda: ([1.5, 2.0, 2.01], [100.0, 5.0, 3.0], 10.0, 0.02),
            "val [1.5, 2.0, 2.01], costs [100, 5, 3], budget 10, tol 0.02 (row 0 is over budget)",
        ),
        Case(
            lambda: ([2.2, 2.0], [10.0, 20.0], 20.0, 0.0),
            "val [2.2, 2.0], costs [10, 20], budget 20: row 1 costs exactly the budget",
        ),
        Case(
            lambda: ([2.1, np.nan, 2.0], [30.0, 20.0, 10.0], 50.0, 0.02),
            "val [2.1, nan, 2.0] (run 1 diverged), costs [30, 20, 10], budget 50, tol 0.02",
        ),
        Case(
            lambda: ([2.1, -np.inf, 2.0], [30.0, 20.0, 10.0], 50.0, 0.02),
            "val [2.1, -inf, 2.0] (run 1 diverged), costs [30, 20, 10], budget 50, tol 0.02",
        ),
        Case(
            lambda: ([2.0, 2.5], [20.0, 10.0], 30.0, 0.5),
            "val [2.0, 2.5], costs [20, 10], budget 30, tol 0.5: row 1 is exactly tol above",
        ),
        Case(
            lambda: ([2.0, 2.035], [20.0, 10.0], 30.0, 0.02),
            "val [2.0, 2.035], costs [20, 10], budget 30, tol 0.02: 2.035 is 0.035 above",
        ),
        Case(
            lambda: ([np.nan, np.inf, 1.9], [20.0, 10.0, 100.0], 50.0, 0.02),
            "val [nan, inf, 1.9], costs [20, 10, 100], budget 50: every affordable run diverged",
        ),
        Case(
            lambda: ([np.nan, np.inf, 1.9], [5.0, 10.0, 100.0], 50.0, 0.02),
            "val [nan, inf, 1.9], costs [5, 10, 100], budget 50: every affordable run diverged, "
            "the NaN one the cheapest",
        ),
        Case(
            lambda: ([2.01, 2.0, 2.5], [10.0, 10.0, 5.0], 100.0, 0.02),
            "val [2.01, 2.0, 2.5], costs [10, 10, 5], budget 100, tol 0.02 (rows 0, 1 tie at "
            "equal cost)",
        ),
        Case(
            lambda: ([2.0] * 32, [30.0, 20.0] + [10.0] * 30, 50.0, 0.02),
            "32 runs, every val 2.0 (all tied), costs [30, 20, then 10 thirty times], budget "
            "50, tol 0.02: rows 2 to 31 tie at equal cost",
        ),
        Case(
            lambda: ([2.0, 2.1], [20.0, 30.0], 10.0, 0.02),
            "costs [20, 30], budget 10: no run fits",
            raises="ValueError",
        ),
        Case(_table, "a random table, budget the median cost, tol 2/64", hidden=True),
        Case(
            lambda: ([1.8, 2.01, 2.0, 2.03], [90.0, 20.0, 40.0, 10.0], 50.0, 0.02),
            "val [1.8, 2.01, 2.0, 2.03], costs [90, 20, 40, 10], budget 50, tol 0.02: the best "
            "run is over budget, rows 1 and 2 tie",
        ),
    ),
    mistakes=(
        Mistake(
            "A run whose loss is EXACTLY tol above the lowest is tied too: tied means at most "
            "tol above (<=), not less than tol above.",
            _variant(below_tol=True),
        ),
        Mistake(
            "When every run that fits the budget diverged, they are all tied at +inf and the "
            "cheapest of them is chosen, as the lecture's best_config does: do not raise.",
            _variant(diverged="raise"),
        ),
        Mistake(
            "A NaN loss counts as +inf too, so it is tied with the other diverged runs: left as "
            "NaN (np.nanmin skips it, and every comparison with it is False) it is never tied, "
            "and a cheaper NaN run loses to a dearer inf one.",
            _variant(diverged="nanmin"),
        ),
        Mistake(
            "NaN OR +-inf counts as +inf: a loss of -inf is not finite either (the run "
            "diverged), so it never wins.",
            _variant(diverged="nan only"),
        ),
        Mistake(
            "Among tied runs of EQUAL cost the one listed FIRST wins, whatever their losses: "
            "within tol the losses count as tied, as in the lecture's best_config.",
            _variant(tie="lower loss"),
        ),
        Mistake(
            "Among tied runs of EQUAL cost the one listed FIRST wins: np.argsort's default sort "
            "(quicksort) is not stable, so among many equal costs its first index need not be "
            'the first listed; np.argmin (or np.argsort(..., kind="stable")) returns the '
            "first.",
            _variant(tie="argsort"),
        ),
        Mistake(  # before tie="none": on the over-budget case both return the lowest-loss run
            "The tie band is measured from the lowest loss among the runs that FIT the budget, "
            "not from the lowest of all runs: with the best run over budget, the affordable runs "
            "within tol of the best AFFORDABLE loss are tied, and the cheapest of them wins (not "
            "the affordable run with the lowest loss).",
            _variant(band="all, else lowest"),
        ),
        Mistake(
            "Runs whose loss is within tol of the lowest are tied; among them take the CHEAPEST "
            "run, not simply the lowest loss.",
            _variant(tie="none"),
        ),
        Mistake(
            "Among tied runs the cheapest wins; the run listed first wins only among tied runs "
            "of EQUAL cost.",
            _variant(tie="first"),
        ),
        Mistake(
            "Measure the tie band from the lowest loss among the runs that FIT the budget: a run "
            "you cannot afford sets no standard (measured from it, no affordable run may be "
            "tied, and nothing is left to choose from).",
            _variant(band="all"),
        ),
        Mistake(
            "The tie band is measured from the lowest loss among the runs that FIT the budget, "
            "not from the lowest of all runs: with the best run over budget, the affordable runs "
            "within tol of the best AFFORDABLE loss are tied, and the cheapest of them wins (not "
            "simply the cheapest affordable run).",
            _variant(band="all, else cheapest"),
        ),
        Mistake(
            "A run that costs exactly the budget fits it: the budget is the most a run may cost.",
            _variant(strict=True),
        ),
        Mistake(
            "tol is an ABSOLUTE margin in nats: a run is tied when its loss is at most tol "
            "above the lowest, not when it is within a FRACTION tol of it.",
            _variant(band="relative"),
        ),
    ),
    hint=(
        "Keep only the runs whose cost is at most the budget (none: ValueError); count a NaN "
        "or inf loss as +inf; among the kept runs, those at most tol above their lowest loss "
        "are tied, and the cheapest of them wins (the first listed among equal costs; if every "
        "kept run diverged, all are tied at +inf). Return its index in the whole table as an "
        "int."
    ),
)

# ----------------------------------------------------------------------------- 4. early stopping: _early_stopping.py

ASSIGNMENT = Assignment(
    id="09_putting_it_together",
    title="Putting it together: training recipes and a debugging checklist",
    questions=(ADAM_SPIKE_STEP, TRIAGE, BEST_UNDER_BUDGET, EARLY_STOPPING_MIN_DELTA),
)
