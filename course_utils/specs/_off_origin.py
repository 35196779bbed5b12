"""Exercise 01's gradient_descent with its minimizer away from 0 (ref-a2 01-9): the cases that tell
a divergence test on ||x|| growing from the right one, and that wrong answer itself. Kept apart so
that ``gradient_descent.py`` stays under 400 lines."""

from __future__ import annotations

import numpy as np


def shifted_quadratic_grad(A, center):
    """The gradient A (x - center) of a quadratic whose minimizer is ``center``."""
    A = np.asarray(A, dtype=float)
    c = np.asarray(center, dtype=float)
    return lambda x: A @ (x - c)


def raises_when_norm_grows(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    """A divergence test on ||x|| growing: right only when the minimizer is 0 and no factor
    1 - lr*lambda is negative (||x|| then falls every step); wrong from a start near 0."""
    x = np.array(x0, dtype=float)
    n_steps = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while n_steps < max_iters and np.linalg.norm(grad_fn(x)) >= tol:
            x_new = x - lr * grad_fn(x)
            n_steps += 1
            if not np.linalg.norm(x_new) <= np.linalg.norm(x):
                raise FloatingPointError(f"diverged at step {n_steps}: ||x|| grew")
            x = x_new
    return x, n_steps


def off_origin_overshoot(rng):
    """A rotated quadratic whose minimizer is away from 0, started near 0, at a step above 1/L
    (the stiff component flips sign every step): ||x|| is not monotone, yet the run converges.
    Eigenvalues in [0.5, 2]: lr = 0.9 is stable, and above 1/L when L > 1.1."""
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    A = q @ np.diag(rng.uniform(0.5, 2.0, 2)) @ q.T
    center = rng.uniform(2, 4, 2) * rng.choice([-1, 1], 2)
    return shifted_quadratic_grad(A, center), rng.uniform(-0.1, 0.1, 2), 0.9, 1e-6, 2000
