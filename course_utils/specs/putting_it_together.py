"""Spec for exercise set 09: putting it together (training recipes and a debugging checklist).

Questions: ``clip_coefficient``, ``diagnose`` (in ``_diagnose.py``, a private part of this
spec), ``best_config``, ``early_stopping``.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import operator

import numpy as np

from ._diagnose import DIAGNOSE
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

# ----------------------------------------------------------------------------- 2. diagnose: _diagnose.py

# ----------------------------------------------------------------------------- 3. best config


def _best_config(
    train_losses, val_losses, n_params, tol, *, relative=False, finite=True, strict=False
):
    val, params = np.asarray(val_losses, dtype=float), np.asarray(n_params)
    if finite:  # a NaN or inf validation loss (a diverged run) counts as +inf: it never wins
        val = np.where(np.isfinite(val), val, np.inf)
    bound = val.min() * (1 + tol) if relative else val.min() + tol
    tied = np.flatnonzero(val < bound if strict else val <= bound)
    return int(tied[np.argmin(params[tied])])  # argmin: the first of equal sizes


def _by_train_loss(train_losses, val_losses, n_params, tol):
    return _best_config(val_losses, train_losses, n_params, tol)


def _no_tie_rule(train_losses, val_losses, n_params, tol):
    return int(np.argmin(val_losses))


def _largest_of_tied(train_losses, val_losses, n_params, tol):
    val, params = np.asarray(val_losses, dtype=float), np.asarray(n_params)
    val = np.where(np.isfinite(val), val, np.inf)
    tied = np.flatnonzero(val <= val.min() + tol)
    return int(tied[np.argmax(params[tied])])


def _table(seed, n):
    def make():
        rng = np.random.default_rng(seed)
        val = rng.uniform(1.5, 2.5, n)
        return val - rng.uniform(0, 0.3, n), val, rng.integers(1, 100, n) * 1000, 0.01

    return make


BEST_CONFIG = Question(
    name="best_config",
    points=2,
    reference=_best_config,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: ([1.6, 1.5, 1.9], [2.1, 2.3, 2.0], [1000, 3000, 2000], 0.0),
            "train [1.6, 1.5, 1.9], val [2.1, 2.3, 2.0], params [1000, 3000, 2000], tol 0",
        ),
        Case(
            lambda: ([1.8, 1.7, 1.9, 1.6], [2.0, 2.004, 2.008, 2.5], [3000, 1000, 5000, 500], 0.01),
            "val [2.0, 2.004, 2.008, 2.5], tol 0.01 (rows 0-2 tie), params [3000, 1000, 5000, 500]",
        ),
        Case(
            lambda: ([1.8, 1.6, 1.9], [2.0, 2.0, 2.5], [2000, 2000, 9000], 0.0),
            "two rows with equal val loss and equal size: the first one",
        ),
        Case(
            lambda: ([1.9, 1.5, 1.8], [2.1, np.nan, 2.0], [3000, 2000, 1000], 0.02),
            "val [2.1, nan, 2.0] (run 1 diverged), params [3000, 2000, 1000], tol 0.02",
        ),
        Case(
            lambda: ([9.0, 9.1], [10.0, 10.05], [2000, 1000], 0.02),
            "val [10.0, 10.05], params [2000, 1000], tol 0.02 (an absolute tolerance)",
        ),
        Case(
            lambda: ([1.5, 1.6], [2.0, 2.5], [2000, 1000], 0.5),
            "val [2.0, 2.5], params [2000, 1000], tol 0.5: row 1 is exactly tol above, so tied",
        ),
        Case(_table(0, 8), "eight random rows, tol 0.01", hidden=True),
        Case(
            lambda: ([1.0, 1.2, 1.1, 0.9], [2.01, 2.0, 2.02, 2.5], [40, 30, 20, 10], 0.05),
            "three rows tied within tol 0.05",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "You chose by the TRAIN loss: the lowest train loss rewards memorizing the training "
            "set; choose by the validation loss.",
            _by_train_loss,
        ),
        Mistake(
            "Rows whose validation loss is within tol of the lowest count as tied; among them take the one with the FEWEST parameters, not simply the lowest loss.",
            _no_tie_rule,
        ),
        Mistake(
            "Among the tied rows take the SMALLEST model (fewest parameters), not the largest.",
            _largest_of_tied,
        ),
        Mistake(
            "A diverged run's NaN poisons val.min() (any comparison with NaN is False, so no row "
            "is tied): count a non-finite validation loss as +inf, so that a diverged run never "
            "wins.",
            lambda t, v, p, tol: _best_config(t, v, p, tol, finite=False),
        ),
        Mistake(
            "tol is absolute, in nats: tied rows are at most `tol` ABOVE the lowest loss "
            "(min + tol), not within a fraction tol of it (min * (1 + tol)).",
            lambda t, v, p, tol: _best_config(t, v, p, tol, relative=True),
        ),
        Mistake(
            "Tied means AT MOST tol above the lowest loss (`<=`): a row exactly tol above it is "
            "tied too.",
            lambda t, v, p, tol: _best_config(t, v, p, tol, strict=True),
        ),
    ),
    hint=(
        "Count a NaN or inf validation loss as +inf; find every configuration whose "
        "validation loss is at most tol above the lowest, then among those the one with the "
        "fewest parameters (the first if several tie); return its index as an int."
    ),
)

# ----------------------------------------------------------------------------- 4. early stopping


def _early_stopping(
    val_losses, patience, *, extra=0, strict=True, whole=False, exact=False, previous=False
):
    if patience < 0:
        raise ValueError(f"patience must be >= 0, got {patience}.")
    reached = operator.eq if exact else operator.ge  # exact: patience 0 never stops
    best, best_i = np.inf, 0
    stop = len(val_losses) - 1
    rises, last = 0, np.inf  # previous: count rises against the previous value, not the best
    for i, v in enumerate(val_losses):
        rises, last = (rises + 1 if v >= last else 0), v
        if v < best or (not strict and v <= best):
            best, best_i = v, i
        if previous and rises > 0 and rises >= patience:
            stop = i
            break
        if not previous and i != best_i and reached(i - best_i, patience + extra):
            stop = i
            break
    if whole:
        best_i = int(np.argmin(val_losses))
    return stop, best_i


def _early_inputs(vals, patience):
    return lambda: (np.array(vals, dtype=float), patience)


EARLY_STOPPING = Question(
    name="early_stopping",
    points=3,
    reference=_early_stopping,
    inputs_unchanged=True,
    cases=(
        Case(
            _early_inputs([3.0, 2.5, 2.2, 2.3, 2.4, 2.6, 2.0], 3),
            "val [3.0, 2.5, 2.2, 2.3, 2.4, 2.6, 2.0], patience 3",
        ),
        Case(
            _early_inputs([3.0, 2.5, 2.5, 2.5, 2.6, 2.7], 2),
            "val [3.0, 2.5, 2.5, 2.5, 2.6, 2.7], patience 2 (an equal value is no improvement)",
        ),
        Case(_early_inputs([3.0, 2.0, 1.5, 1.2], 1), "always improving, patience 1: never stops"),
        Case(
            _early_inputs([3.0, 2.5, 2.6, 2.4, 2.7], 0),
            "val [3.0, 2.5, 2.6, 2.4, 2.7], patience 0 (stop at the first evaluation that does "
            "not improve)",
        ),
        Case(
            _early_inputs([3.0, 2.5, 2.6], -1),
            "patience -1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(_early_inputs([2.0, 2.1, 1.0], 1), "patience 1", hidden=True),
        Case(
            _early_inputs([5.0, 4.0, 3.0, 3.0, 1.0], 0), "patience 0, an equal value", hidden=True
        ),
        Case(
            _early_inputs([4.0, 3.0, 3.1, 2.9, 3.0, 3.2, 3.3, 3.4, 1.0], 4),
            "a late dip after the stop, patience 4",
            hidden=True,
        ),
        Case(
            _early_inputs([3.0, 2.0, 2.5, 2.4, 2.45, 2.42, 2.44, 2.43, 2.5], 3),
            "val [3.0, 2.0, 2.5, 2.4, 2.45, 2.42, 2.44, 2.43, 2.5], patience 3 (a plateau that "
            "goes up and down above the best)",
        ),
    ),
    mistakes=(
        Mistake(
            "Off by one: stop at the FIRST evaluation where `patience` evaluations in a row have not improved on the best.",
            lambda v, p: _early_stopping(v, p, extra=1),
        ),
        Mistake(
            "The best index must come from the evaluations seen up to the stop: argmin over the "
            "whole list looks at losses training never reached.",
            lambda v, p: _early_stopping(v, p, whole=True),
        ),
        Mistake(
            "Only a strictly lower loss is an improvement: an equal value must not reset the "
            "patience counter.",
            lambda v, p: _early_stopping(v, p, strict=False),
        ),
        Mistake(
            "Patience 0 means no patience: training stops at the first evaluation that does not "
            "improve on the best, as Keras's EarlyStopping does. Stop once the number of "
            "evaluations since the best has reached patience, not only when it equals it.",
            lambda v, p: _early_stopping(v, p, exact=True),
        ),
        Mistake(
            "Patience counts evaluations since the BEST one, not rises in a row against the "
            "previous evaluation: a plateau that goes up and down above the best never improves "
            "on it, yet it would reset a counter of consecutive rises.",
            lambda v, p: _early_stopping(v, p, previous=True),
        ),
    ),
    hint=(
        "Walk through the validation losses remembering the lowest so far and its index; stop "
        "at the first evaluation without a new best that comes at least patience evaluations "
        "after that best one (patience 0: the first evaluation without a new best). If that "
        "never happens, training ends at the last evaluation. A negative patience is a "
        "ValueError. Return (stop index, best index)."
    ),
)

ASSIGNMENT = Assignment(
    id="09_putting_it_together",
    title="Putting it together: training recipes and a debugging checklist",
    questions=(CLIP_COEFFICIENT, DIAGNOSE, BEST_CONFIG, EARLY_STOPPING),
)
