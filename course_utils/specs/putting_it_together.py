"""Spec for exercise set 09: putting it together (training recipes and a debugging checklist).

Questions (issue 21: none is the lecture's code): ``clip_coefficient`` (warm-up), ``triage`` (a
diagnosis graded on the decision, in ``_triage.py``), ``best_under_budget`` (warm-up: the
lecture's selection rule under a compute budget) and ``early_stopping_min_delta`` (a variant of
the lecture's early stopping, in ``_early_stopping.py``). The private parts keep each module small.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ._early_stopping import EARLY_STOPPING_MIN_DELTA
from ._triage import TRIAGE
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- 1. clipping


def _clip_coefficient(grads, max_norm):
    """(global L2 norm of all arrays together, torch's clip coefficient min(1, c / (norm + 1e-6)))."""
    total = float(np.sqrt(sum(float(np.sum(np.asarray(g, dtype=float) ** 2)) for g in grads)))
    return total, min(1.0, max_norm / (total + 1e-6))


def _largest_tensor_norm(grads, max_norm):
    total = max(float(np.linalg.norm(np.ravel(g))) for g in grads)
    return total, min(1.0, max_norm / (total + 1e-6))


def _sum_of_tensor_norms(grads, max_norm):
    total = sum(float(np.linalg.norm(np.ravel(g))) for g in grads)
    return total, min(1.0, max_norm / (total + 1e-6))


def _unclamped(grads, max_norm):
    total = _clip_coefficient(grads, max_norm)[0]
    return total, max_norm / (total + 1e-6)


def _grads(seed, shapes, scale):
    def make():
        rng = np.random.default_rng(seed)
        return [rng.normal(scale=scale, size=s) for s in shapes], 1.0

    return make


CLIP_COEFFICIENT = Question(
    name="clip_coefficient",
    points=2,
    reference=_clip_coefficient,
    inputs_unchanged=True,
    returns=("norm", "coef"),
    skill="warm-up",
    library=(
        "course_utils.clipping.total_norm",
        "course_utils.clipping.clip_grad_norm",
        "course_utils.clipping.clip_grad_value",
    ),
    cases=(
        Case(
            lambda: ([np.array([3.0, 0.0]), np.array([[0.0, 4.0]]), np.array([12.0])], 1.0),
            "three arrays [3, 0], [[0, 4]], [12] (global norm 13), max_norm = 1",
        ),
        Case(
            lambda: ([np.array([0.1, -0.2]), np.array([0.2])], 1.0),
            "small gradients [0.1, -0.2], [0.2] (norm 0.3 < max_norm = 1: nothing to clip)",
        ),
        Case(_grads(0, [(4, 3), (4,), (2, 4)], 2.0), "random W (4, 3), b (4,), W (2, 4)"),
        Case(_grads(1, [(5, 5), (5,)], 0.05), "small random gradients", hidden=True),
        Case(_grads(2, [(3,), (2, 2), (6,)], 3.0), "large random gradients", hidden=True),
    ),
    mistakes=(
        Mistake(
            "You took the largest per-tensor norm: clip_grad_norm_ uses ONE global norm, the "
            "square root of the sum of squares of every entry of every array.",
            _largest_tensor_norm,
        ),
        Mistake(
            "You added the per-tensor norms: the global norm is the norm of all arrays as one long vector, which combines their SQUARED norms, not the norms themselves.",
            _sum_of_tensor_norms,
        ),
        Mistake(
            "Clipping only ever shrinks: the coefficient is never above 1, so gradients already below max_norm are left as they are, not scaled up.",
            _unclamped,
        ),
    ),
    hint=(
        "The global norm treats all arrays as one long vector; the coefficient is max_norm "
        "over that norm (with the formula's 1e-6), never above 1. Return (norm, coefficient)."
    ),
)

# ----------------------------------------------------------------------------- 2. triage: _triage.py

# ----------------------------------------------------------------------------- 3. best under budget


def _best_under_budget(
    val_losses, costs, budget, tol, *, band="eligible", strict=False, tie="cheapest"
):
    """Index of the chosen run among those whose cost fits the budget. The keywords build the
    learners' mistakes: `band` "all" (the tie band measured from the lowest loss of ALL runs,
    over-budget ones included: no eligible run may fall in it, and the empty choice raises),
    `strict` (a cost equal to the budget does not fit), `tie` "none" (no tie rule: the lowest
    loss) or "first" (the first tied run, not the cheapest)."""
    val, cost = np.asarray(val_losses, dtype=float), np.asarray(costs, dtype=float)
    val = np.where(np.isfinite(val), val, np.inf)  # a diverged run never wins
    fits = cost < budget if strict else cost <= budget
    if not fits.any():
        raise ValueError(f"no run fits the budget {budget}: the cheapest costs {cost.min()}.")
    lowest = val.min() if band == "all" else val[fits].min()
    tied = np.flatnonzero(fits & (val <= lowest + tol))
    if tie == "none":
        return int(tied[np.argmin(val[tied])])
    if tie == "first":
        return int(tied[0])
    return int(tied[np.argmin(cost[tied])])  # argmin: the first of equal costs


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
            lambda: ([2.0, 2.5], [20.0, 10.0], 30.0, 0.5),
            "val [2.0, 2.5], costs [20, 10], budget 30, tol 0.5: row 1 is exactly tol above",
        ),
        Case(
            lambda: ([2.0, 2.1], [20.0, 30.0], 10.0, 0.02),
            "costs [20, 30], budget 10: no run fits",
            raises="ValueError",
        ),
        Case(_table, "a random table, budget the median cost, tol 2/64", hidden=True),
        Case(
            lambda: ([1.8, 2.01, 2.0, 2.03], [90.0, 20.0, 40.0, 10.0], 50.0, 0.02),
            "the best run over budget, two eligible runs tied",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "Runs whose loss is within tol of the lowest are tied; among them take the CHEAPEST "
            "run, not simply the lowest loss.",
            lambda v, c, b, tol: _best_under_budget(v, c, b, tol, tie="none"),
        ),
        Mistake(
            "Among tied runs the cheapest wins; the run listed first wins only among tied runs "
            "of EQUAL cost.",
            lambda v, c, b, tol: _best_under_budget(v, c, b, tol, tie="first"),
        ),
        Mistake(
            "Measure the tie band from the lowest loss among the runs that FIT the budget: a run "
            "you cannot afford sets no standard (measured from it, no affordable run may be "
            "tied, and nothing is left to choose from).",
            lambda v, c, b, tol: _best_under_budget(v, c, b, tol, band="all"),
        ),
        Mistake(
            "A run that costs exactly the budget fits it: the budget is the most a run may cost.",
            lambda v, c, b, tol: _best_under_budget(v, c, b, tol, strict=True),
        ),
    ),
    hint=(
        "Keep only the runs whose cost is at most the budget (none: ValueError); count a NaN "
        "or inf loss as +inf; among the kept runs, those at most tol above their lowest loss "
        "are tied, and the cheapest of them wins (the first listed among equal costs). Return "
        "its index in the whole table as an int."
    ),
)

# ----------------------------------------------------------------------------- 4. early stopping: _early_stopping.py

ASSIGNMENT = Assignment(
    id="09_putting_it_together",
    title="Putting it together: training recipes and a debugging checklist",
    questions=(CLIP_COEFFICIENT, TRIAGE, BEST_UNDER_BUDGET, EARLY_STOPPING_MIN_DELTA),
)
