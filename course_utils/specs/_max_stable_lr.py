"""Question 3 of exercise set 01 (``gradient_descent.py``): ``max_stable_lr``, a number.

In a module of its own so that the spec stays under the size limit; ``gradient_descent.py``
imports it into its ``ASSIGNMENT``. The matrix is the one the notebook defines as ``A``.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

# ----------------------------------------------------------------------------- 4. max_stable_lr

# Eigenvalues 3 -+ sqrt(2) (about 1.59 and 4.41); the top eigenvector is not (1, 1), so no row
# sum, column sum or matrix norm other than the spectral one equals L (on [[3, 1], [1, 3]],
# 2/||A||_inf, 2/||A||_1 and 2/(A00 + A01) all gave the right 0.5).
A_QUESTION = np.array([[2.0, 1.0], [1.0, 4.0]])


def _eigs():
    return np.linalg.eigvalsh(A_QUESTION)


MAX_STABLE_LR = Question(
    name="max_stable_lr",
    kind="value",
    points=2,
    skill="warm-up",
    reference=lambda: 2.0 / _eigs().max(),
    rtol=1e-6,
    atol=0.0,
    cases=(Case(lambda: (), "f(x) = 1/2 x^T A x with A = [[2, 1], [1, 4]]"),),
    mistakes=(
        Mistake("1/L is a safe step, but not the largest stable one.", lambda: 1 / _eigs().max()),
        Mistake(
            "2/(L + mu) is the BEST fixed step (fastest contraction), not the largest stable one.",
            lambda: 2 / _eigs().sum(),
        ),
        Mistake(
            "That uses the smallest eigenvalue mu: the stiffest direction (largest eigenvalue L) "
            "diverges first.",
            lambda: 2 / _eigs().min(),
        ),
        Mistake(
            "The diagonal entries of A are not its eigenvalues when A is not diagonal: "
            "use np.linalg.eigvalsh(A).",
            lambda: 2 / A_QUESTION.diagonal().max(),
        ),
        Mistake(
            "You divided by the largest row sum (or column sum) of A, its infinity-norm or "
            "1-norm: that bounds the largest eigenvalue from above (Gershgorin), so this step "
            "is stable but smaller than the threshold. For a matrix with non-negative entries, "
            "like this one, it equals L only when the top eigenvector is (1, 1), which it is not "
            "here; ask for the eigenvalues.",
            lambda: 2 / np.abs(A_QUESTION).sum(axis=1).max(),
        ),
        Mistake(
            "You divided by the sum of the first row of A. That sum is an eigenvalue when (1, 1) "
            "is an eigenvector, which is not so here: ask for the eigenvalues.",
            lambda: 2 / A_QUESTION[0].sum(),
        ),
        Mistake(
            "np.linalg.norm(A) of a matrix is the Frobenius norm (root of the sum of all squared "
            "entries), larger than the largest eigenvalue whenever A has more than one nonzero "
            "eigenvalue. The threshold needs the largest eigenvalue itself.",
            lambda: 2 / np.linalg.norm(A_QUESTION),
        ),
    ),
    hint=(
        "Give the formula's value 2/L, with L the largest eigenvalue of A (checked to a "
        "relative 1e-6): gradient descent on this quadratic converges from every start "
        "exactly when lr < 2/L. A measured threshold is not that precise: just above 2/L a "
        "run needs many steps to blow up."
    ),
)
