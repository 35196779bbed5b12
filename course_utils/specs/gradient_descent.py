"""Spec for exercise set 01: gradient descent basics.

Questions (issue 21's redesign; no answer is written in lecture 01, whose code has the plain step
x - lr * grad f(x) and the threshold 2/L of f = 1/2 x^T A x, both no longer asked):
``projected_gd_step`` (variant, 2 points; ``_projected_step.py``), ``backtracking_step``
(variant, 3; ``_backtracking.py``), ``ridge_lr_threshold`` (prediction, 2;
``_ridge_threshold.py``) and ``hessian_vector_product`` (variant, 3; ``_hvp.py``).
Each mistake in those modules is an implementation learners really write; the check names it when
the learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

from ._backtracking import BACKTRACKING_STEP
from ._hvp import HESSIAN_VECTOR_PRODUCT
from ._projected_step import PROJECTED_GD_STEP
from ._ridge_threshold import RIDGE_LR_THRESHOLD
from .base import Assignment

ASSIGNMENT = Assignment(
    id="01_gradient_descent",
    title="Gradient descent basics",
    questions=(PROJECTED_GD_STEP, BACKTRACKING_STEP, RIDGE_LR_THRESHOLD, HESSIAN_VECTOR_PRODUCT),
)
