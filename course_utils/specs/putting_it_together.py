"""Spec for exercise set 09: putting it together (training recipes and a debugging checklist).

Questions: ``clip_coefficient``, ``diagnose``, ``best_config``, ``early_stopping``.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import operator

import numpy as np

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

# ----------------------------------------------------------------------------- 2. diagnose


def _diagnose(train_losses, val_losses, grad_norms, *, val_for_overfit=True, centre=np.median):
    """(flat, nan, exploding, overfitting) flags of a training log, as the lecture defines them."""
    train, val, norms = (np.asarray(a, dtype=float) for a in (train_losses, val_losses, grad_norms))
    nan = not (np.isfinite(train).all() and np.isfinite(val).all() and np.isfinite(norms).all())
    finite = norms[np.isfinite(norms)]
    exploding = bool(finite.size) and bool(finite.max() > 10 * centre(finite))
    flat = bool(np.mean(train[-10:]) > 0.98 * np.mean(train[:10]))
    watched = val if val_for_overfit else train
    overfitting = bool(watched[-1] > 1.02 * np.min(watched))
    return (flat, nan, exploding, overfitting)


def _diagnose_nan_by_equality(train_losses, val_losses, grad_norms):
    flat, _, exploding, overfitting = _diagnose(train_losses, val_losses, grad_norms)
    nan = bool(
        np.any(np.asarray(train_losses) == np.nan) or np.any(np.asarray(grad_norms) == np.nan)
    )
    return (flat, nan, exploding, overfitting)


def _log(n=40, start=4.0, end=2.0, seed=0):
    """A healthy-looking log: train loss falling from start to end, noisy norms near 1."""
    rng = np.random.default_rng(seed)
    train = np.linspace(start, end, n) + rng.normal(scale=0.01, size=n)
    val = np.linspace(start, end + 0.1, n // 5)
    norms = 1.0 + 0.2 * rng.random(n)
    return train, val, norms


def _case_overfit():
    train, _, norms = _log()
    val = np.array([4.0, 3.0, 2.5, 2.4, 2.6, 2.8, 3.0, 3.2])  # minimum, then rising
    return train, val, norms


def _case_spikes():
    train, val, norms = _log(seed=1)
    norms[[10, 25, 30]] = 30.0  # three spikes, 30x the typical norm of about 1.1
    return train, val, norms


def _case_nan():
    train, val, norms = _log(seed=2)
    train[30:], norms[30:], val[-2:] = np.nan, np.nan, np.nan
    return train, val, norms


def _case_flat():
    rng = np.random.default_rng(3)
    train = 4.17 + rng.normal(scale=0.005, size=40)
    return train, np.full(8, 4.17), 0.01 + 0.001 * rng.random(40)


DIAGNOSE = Question(
    name="diagnose",
    points=3,
    reference=_diagnose,
    inputs_unchanged=True,
    cases=(
        Case(_log, "a healthy run: both losses fall, norms near 1 (all flags False)"),
        Case(_case_overfit, "train loss falls, validation loss has a minimum and then rises"),
        Case(_case_spikes, "three gradient-norm spikes of 30 among norms near 1.1"),
        Case(_case_nan, "the run turns NaN at step 30 (losses and norms)"),
        Case(_case_flat, "the train loss stays at 4.17, tiny norms"),
        Case(lambda: _log(seed=5, start=3.0, end=2.7), "a slow but real decrease", hidden=True),
        Case(
            lambda: (np.linspace(3, 1, 50), np.array([3.0, 2.0, 1.9, 2.2]), np.ones(50)),
            "overfitting, clean norms",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "Overfitting is read from the VALIDATION loss (it rises while the train loss keeps "
            "falling); the train loss of an overfitting run keeps going down.",
            lambda t, v, n: _diagnose(t, v, n, val_for_overfit=False),
        ),
        Mistake(
            "Compare the largest norm with the MEDIAN norm: a few spikes pull the mean up with "
            "them, so max > 10 * mean misses the very spikes it should flag.",
            lambda t, v, n: _diagnose(t, v, n, centre=np.mean),
        ),
        Mistake(
            "x == np.nan is always False (NaN equals nothing, itself included): test with "
            "np.isfinite, which also catches inf.",
            _diagnose_nan_by_equality,
        ),
    ),
    hint=(
        "Test the four conditions exactly as the task states them, each on its own: a value "
        "that is not finite anywhere; a finite gradient norm far above the median norm; a "
        "training loss whose last ten values are barely below its first ten; a last "
        "validation loss above the lowest one by the task's margin. Return (flat, nan, "
        "exploding, overfitting)."
    ),
)

# ----------------------------------------------------------------------------- 3. best config


def _best_config(train_losses, val_losses, n_params, tol):
    val, params = np.asarray(val_losses, dtype=float), np.asarray(n_params)
    tied = np.flatnonzero(val <= val.min() + tol)
    return int(tied[np.argmin(params[tied])])  # argmin: the first of equal sizes


def _by_train_loss(train_losses, val_losses, n_params, tol):
    return _best_config(val_losses, train_losses, n_params, tol)


def _no_tie_rule(train_losses, val_losses, n_params, tol):
    return int(np.argmin(val_losses))


def _largest_of_tied(train_losses, val_losses, n_params, tol):
    val, params = np.asarray(val_losses, dtype=float), np.asarray(n_params)
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
    ),
    hint=(
        "Find every configuration whose validation loss is within tol of the lowest, then "
        "among those the one with the fewest parameters (the first if several tie); return "
        "its index as an int."
    ),
)

# ----------------------------------------------------------------------------- 4. early stopping


def _early_stopping(val_losses, patience, *, extra=0, strict=True, whole=False, exact=False):
    if patience < 0:
        raise ValueError(f"patience must be >= 0, got {patience}.")
    reached = operator.eq if exact else operator.ge  # exact: patience 0 never stops
    best, best_i = np.inf, 0
    stop = len(val_losses) - 1
    for i, v in enumerate(val_losses):
        if v < best or (not strict and v <= best):
            best, best_i = v, i
        elif reached(i - best_i, patience + extra):
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
    ),
    hint=(
        "Walk through the validation losses remembering the lowest so far and its epoch; stop "
        "at the first epoch without a new best that comes at least patience epochs after "
        "that best one (patience 0: the first epoch without a new best). If that never "
        "happens, training ends at the last epoch. A negative patience is a ValueError. "
        "Return (stop epoch, best epoch)."
    ),
)

ASSIGNMENT = Assignment(
    id="09_putting_it_together",
    title="Putting it together: training recipes and a debugging checklist",
    questions=(CLIP_COEFFICIENT, DIAGNOSE, BEST_CONFIG, EARLY_STOPPING),
)
