"""Spec for exercise set 01: gradient descent basics.

Questions (issue 21's redesign; none is written in lecture 01): ``gd_step`` (warm-up, 2 points),
``backtracking_step`` (variant, 3; ``_backtracking.py``), ``max_stable_lr`` (warm-up, 2;
``_max_stable_lr.py``) and ``hessian_vector_product`` (variant, 3; ``_hvp.py``).
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ._backtracking import BACKTRACKING_STEP
from ._hvp import HESSIAN_VECTOR_PRODUCT
from ._max_stable_lr import MAX_STABLE_LR
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- test functions


def _random_spd(rng):
    """A random 2x2 symmetric matrix with eigenvalues in [0.5, 2] (lr <= 0.5 is then stable)."""
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    return q @ np.diag(rng.uniform(0.5, 2.0, 2)) @ q.T


def _quadratic_grad(A):
    A = np.asarray(A, dtype=float)
    return lambda x: A @ x


# ----------------------------------------------------------------------------- 1. gd_step


def _gd_step(grad_fn, x, lr):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}.")
    return x - lr * grad_fn(x)


GD_STEP = Question(
    name="gd_step",
    points=2,
    skill="warm-up",
    reference=_gd_step,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_quadratic_grad([[1.0, 0.0], [0.0, 10.0]]), np.array([1.0, 1.0]), 0.05),
            "grad f(x) = A x with A = diag(1, 10), x = [1, 1], lr = 0.05",
        ),
        Case(
            lambda: (lambda x: np.cos(x), np.array([0.0, 1.0, 2.0]), 0.5),
            "grad f(x) = cos(x), x = [0, 1, 2], lr = 0.5",
        ),
        Case(
            lambda: (lambda x: 2 * x, np.array([1.0]), -0.1),
            "a negative learning rate, lr = -0.1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda rng: (
                _quadratic_grad(_random_spd(rng)),
                rng.uniform(-4, 4, 2),
                rng.uniform(0.1, 0.5),
            ),
            "a rotated quadratic",
            hidden=True,
        ),
        Case(
            lambda: (lambda x: x, np.array([2.0]), 0.0), "lr = 0", hidden=True, raises="ValueError"
        ),
    ),
    mistakes=(
        Mistake(
            "You moved UP the gradient: descent steps against it, subtracting the learning rate times the gradient.",
            lambda g, x, lr: x + lr * g(x),
        ),
        Mistake(
            "The step ignores the learning rate: the gradient must be scaled by lr before it moves x.",
            lambda g, x, lr: x - g(x),
        ),
    ),
    hint=(
        "One step moves against the gradient at x, by the learning rate times that gradient; "
        "a learning rate that is not positive is an error (ValueError)."
    ),
)

ASSIGNMENT = Assignment(
    id="01_gradient_descent",
    title="Gradient descent basics",
    questions=(GD_STEP, BACKTRACKING_STEP, MAX_STABLE_LR, HESSIAN_VECTOR_PRODUCT),
)
