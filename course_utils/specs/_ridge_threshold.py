"""Question 3 of exercise set 01 (``gradient_descent.py``): ``ridge_lr_threshold``, a prediction.

The lecture measures the threshold 2/L of gradient descent on f(x) = 1/2 x^T A x with A given.
This question gives least squares with an L2 penalty (ridge regression),
f(w) = 1/2 ||X w - y||^2 + (weight_decay / 2) ||w||^2, and asks for its threshold: the learner
finds the Hessian X^T X + weight_decay I (the same at every w) and its largest eigenvalue, the
square of X's largest singular value plus the weight decay. The notebook then measures it. The
data are the ones the notebook defines as ``X``, ``y`` and ``weight_decay``.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

# Square, so that its own eigenvalues (2 and 1) exist and differ from its singular values
# (0.874 and 2.288); not symmetric, so that X^T X differs from X @ X and from X^2 entrywise.
X_QUESTION = np.array([[2.0, 1.0], [0.0, 1.0]])
Y_QUESTION = np.array([1.0, 2.0])  # moves the minimizer, not the threshold
WEIGHT_DECAY = 0.5


def _singular_values():
    return np.linalg.svd(X_QUESTION, compute_uv=False)


def _hessian_eigenvalues():
    """Eigenvalues of X^T X + weight_decay I, ascending."""
    return np.linalg.eigvalsh(X_QUESTION.T @ X_QUESTION) + WEIGHT_DECAY


def ridge_lr_threshold():
    """2 / L with L the largest eigenvalue of the Hessian X^T X + weight_decay I."""
    return 2.0 / _hessian_eigenvalues().max()


_TOP = _singular_values().max() ** 2  # the largest eigenvalue of X^T X
_L = _hessian_eigenvalues().max()  # the largest curvature of f

RIDGE_LR_THRESHOLD = Question(
    name="ridge_lr_threshold",
    kind="value",
    points=2,
    skill="prediction",
    reference=ridge_lr_threshold,
    rtol=1e-6,
    atol=0.0,
    cases=(
        Case(
            lambda: (),
            "f(w) = 1/2 ||X w - y||^2 + (weight_decay / 2) ||w||^2 with X = [[2, 1], [0, 1]], "
            "y = [1, 2], weight_decay = 0.5",
        ),
    ),
    mistakes=(
        Mistake(
            "That is the threshold without the penalty: the term (weight_decay / 2) ||w||^2 adds "
            "its own curvature to every direction, so it lowers the threshold.",
            lambda: 2 / _TOP,
        ),
        Mistake(
            "You used the largest singular value of X itself. The Hessian of the data term is "
            "built from X twice (differentiate 1/2 ||X w - y||^2 twice), so its eigenvalues are "
            "the squares of X's singular values.",
            lambda: 2 / (_singular_values().max() + WEIGHT_DECAY),
        ),
        Mistake(
            "You used the eigenvalues of X. X is not the Hessian of this f (it is not even "
            "symmetric); write the gradient of f, then differentiate it again.",
            lambda: 2 / (np.linalg.eigvals(X_QUESTION).real.max() + WEIGHT_DECAY),
        ),
        Mistake(
            "Your L is an upper bound on the Hessian's largest eigenvalue, not the eigenvalue "
            "itself: here the squared Frobenius norm of X plus weight_decay (the sum of the data "
            "term's eigenvalues) and Gershgorin's largest row sum of |Hessian| both give 6.5. "
            "A step of 2 over a bound is stable but below the threshold; ask numpy for the "
            "largest eigenvalue.",
            lambda: 2 / (np.linalg.norm(X_QUESTION) ** 2 + WEIGHT_DECAY),
        ),
        Mistake(
            "The penalty enters with half its coefficient: the Hessian of (weight_decay / 2) "
            "||w||^2 is weight_decay times the identity, not weight_decay / 2.",
            lambda: 2 / (_TOP + WEIGHT_DECAY / 2),
        ),
        Mistake(
            "The penalty enters twice over: (weight_decay / 2) ||w||^2 has the Hessian "
            "weight_decay times the identity (the 1/2 cancels the 2 of the square), not "
            "2 weight_decay.",
            lambda: 2 / (_TOP + 2 * WEIGHT_DECAY),
        ),
        Mistake(
            "You divided the data term by the number of samples: this f sums the squared "
            "residuals (1/2 ||X w - y||^2), with no 1/n.",
            lambda: 2 / (_TOP / X_QUESTION.shape[0] + WEIGHT_DECAY),
        ),
        Mistake(
            "2/(L + mu) is the BEST fixed step (fastest contraction), not the largest stable one.",
            lambda: 2 / _hessian_eigenvalues().sum(),
        ),
        Mistake("1/L is a safe step, but not the largest stable one.", lambda: 1 / _L),
        Mistake(
            "That uses the smallest Hessian eigenvalue mu: the stiffest direction (largest "
            "eigenvalue L) diverges first.",
            lambda: 2 / _hessian_eigenvalues().min(),
        ),
        Mistake(
            "The diagonal entries of the Hessian are not its eigenvalues when it is not "
            "diagonal: ask numpy for the eigenvalues.",
            lambda: 2 / ((X_QUESTION.T @ X_QUESTION).diagonal().max() + WEIGHT_DECAY),
        ),
    ),
    hint=(
        "Write the gradient of f (data term and penalty), and differentiate once more: the "
        "Hessian is the same at every w, so f is a quadratic, and the lecture's threshold holds "
        "with L the Hessian's largest eigenvalue (checked to a relative 1e-6: compute it, do not "
        "measure it)."
    ),
)
