"""Spec for exercise set 01: gradient descent basics.

Questions: ``numerical_gradient``, ``gd_step``, ``gradient_descent``, ``max_stable_lr``.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from ._max_stable_lr import MAX_STABLE_LR
from ._off_origin import off_origin_overshoot, raises_when_norm_grows, shifted_quadratic_grad
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- test functions


def _cubic_2d(x):
    return x[0] ** 2 + 3 * x[0] * x[1] + 2 * x[1] ** 3


def _sin_cubic_1d(x):
    return np.sin(x[0]) + x[0] ** 3


def _exp_3d(x):
    return np.exp(x[0]) * x[1] + x[2] ** 4


def _rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _random_spd(rng):
    """A random 2x2 symmetric matrix with eigenvalues in [0.5, 2] (lr <= 0.5 is then stable)."""
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    return q @ np.diag(rng.uniform(0.5, 2.0, 2)) @ q.T


def _quadratic_grad(A):
    A = np.asarray(A, dtype=float)
    return lambda x: A @ x


# ----------------------------------------------------------------------------- 1. numerical_gradient


def _forward_difference(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        grad.flat[i] = (f(x + e) - f(x)) / h
    return grad


def _central_over_h(f, x, h=1e-5):
    return 2 * numerical_gradient(f, x, h)


def _ignores_h(f, x, h=1e-5):
    # A step of its own instead of the argument h (the referee's pass: a forward difference with
    # h = 1e-8); any answer that ignores h is close to the exact derivative on every case.
    return numerical_gradient(f, x, 1e-6)


def _cube(x):
    return x[0] ** 3


def _all_coordinates_at_once(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    return np.full_like(x, (f(x + h) - f(x - h)) / (2 * h))


NUMERICAL_GRADIENT = Question(
    name="numerical_gradient",
    points=3,
    reference=numerical_gradient,
    rtol=1e-6,
    atol=1e-7,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_cubic_2d, np.array([1.0, -2.0])),
            "f(x) = x0**2 + 3*x0*x1 + 2*x1**3 at x = [1, -2] (true gradient [-4, 27])",
        ),
        Case(
            lambda: (_sin_cubic_1d, np.array([0.5])),
            "f(x) = sin(x0) + x0**3 at x = [0.5]",
        ),
        Case(lambda rng: (_exp_3d, rng.uniform(-1.5, 1.5, 3)), "a 3-D function", hidden=True),
        Case(
            lambda rng: (_rosenbrock, rng.uniform(-1.5, 1.5, 2)),
            "Rosenbrock at a random point",
            hidden=True,
        ),
        # Visible, listed last so that cases[2] stays a hidden generated case (test_grading_units).
        Case(
            lambda: (_cube, np.array([1.0]), 0.1),
            "f(x) = x0**3 at x = [1] with a large step h = 0.1: the central difference is "
            "exactly 3.01 (the derivative is 3; a forward difference gives 3.31)",
        ),
    ),
    mistakes=(
        Mistake(
            "This is the forward difference (one step forward only): its error is O(h). The central difference steps both ways, by +h and by -h, and its error is O(h^2).",
            _forward_difference,
        ),
        Mistake(
            "Your result does not depend on h: with h = 0.1 it is the exact derivative, where "
            "the central difference with that step is not. Use the argument h as the step, in "
            "the two evaluations and in the division, not a step of your own.",
            _ignores_h,
        ),
        Mistake(
            "Your result is exactly twice the gradient: the central difference divides by 2h, "
            "not h.",
            _central_over_h,
        ),
        Mistake(
            "Every component is the same number: perturb ONE coordinate at a time "
            "(x + h*e_i, with e_i the i-th unit vector), not all of them at once.",
            _all_coordinates_at_once,
        ),
    ),
    hint=(
        "Perturb one coordinate at a time, once by +h and once by -h, and divide the "
        "difference of the two function values by the distance between the two points (the "
        "central difference)."
    ),
)

# ----------------------------------------------------------------------------- 2. gd_step


def _gd_step(grad_fn, x, lr):
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}.")
    return x - lr * grad_fn(x)


GD_STEP = Question(
    name="gd_step",
    points=2,
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

# ----------------------------------------------------------------------------- 3. gradient_descent


def _gradient_descent(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    x = np.array(x0, dtype=float)
    n_steps = 0
    with np.errstate(over="ignore", invalid="ignore"):
        g = grad_fn(x)  # one gradient per iterate
        while n_steps < max_iters and np.linalg.norm(g) >= tol:
            x = x - lr * g
            n_steps += 1
            if not np.all(np.isfinite(x)):
                raise FloatingPointError(f"diverged at step {n_steps}: x is not finite")
            g = grad_fn(x)
    return x, n_steps


def _stops_on_nan(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    # The trap: once x is NaN, norm(grad) >= tol is False and the loop ends as if converged.
    x = np.array(x0, dtype=float)
    n_steps = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while n_steps < max_iters and np.linalg.norm(grad_fn(x)) >= tol:
            x = x - lr * grad_fn(x)
            n_steps += 1
    return x, n_steps


def _raises_on_large_x(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    # A divergence test on the size of x: it raises on a run that is far away but converging.
    x = np.array(x0, dtype=float)
    n_steps = 0
    while n_steps < max_iters and np.linalg.norm(grad_fn(x)) >= tol:
        if np.linalg.norm(x) > 1e6:
            raise FloatingPointError(f"diverged at step {n_steps}: ||x|| > 1e6")
        x = x - lr * grad_fn(x)
        n_steps += 1
    return x, n_steps


def _count_from_loop_index(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    # `for n_steps in range(max_iters)` returned as the count: one short when max_iters is hit.
    x = np.array(x0, dtype=float)
    n_steps = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for n_steps in range(max_iters):  # noqa: B007 - the index is the (wrong) count
            if np.linalg.norm(grad_fn(x)) < tol:
                break
            x = x - lr * grad_fn(x)
    return x, n_steps


def _far_start(rng):
    """A rotated quadratic (stable at lr = 0.4) started 10**20 to 10**100 from its minimizer."""
    direction = rng.standard_normal(2)
    scale = 10.0 ** rng.uniform(20, 100)
    x0 = scale * direction / np.linalg.norm(direction)
    return _quadratic_grad(_random_spd(rng)), x0, 0.4, 1e-6, 5000


def _ignores_tol(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    x = np.array(x0, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iters):
            x = x - lr * grad_fn(x)
    return x, max_iters


def _one_step_too_many(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    x = np.array(x0, dtype=float)
    n_steps = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while n_steps < max_iters:
            x = x - lr * grad_fn(x)
            n_steps += 1
            if np.linalg.norm(grad_fn(x)) < tol:
                break
    return x, n_steps


_A_ILL = [[1.0, 0.0], [0.0, 10.0]]
_A_EXERCISE = [[3.0, 1.0], [1.0, 3.0]]  # eigenvalues 2 and 4: 2/L = 0.5

#: Shown when a case fails without a more specific hint, and for the NaN trap: the checker
#: reports "expected a FloatingPointError" with the question's hint when the loop returns.
_GD_HINT = (
    "Return (x, n_steps): stop when the gradient's norm falls below tol or the step count "
    "reaches max_iters, and raise FloatingPointError as soon as x is not finite: once x "
    "is NaN, every comparison with tol is False, so the loop would end as if it had "
    "converged."
)

GRADIENT_DESCENT = Question(
    name="gradient_descent",
    returns=("x", "n_steps"),
    points=3,
    reference=_gradient_descent,
    rtol=1e-6,
    atol=1e-9,
    inputs_unchanged=True,
    library=("course_utils.descent.gradient_descent",),
    cases=(
        Case(
            lambda: (_quadratic_grad(_A_ILL), np.array([1.0, 1.0]), 0.1, 1e-6, 1000),
            "A = diag(1, 10), x0 = [1, 1], lr = 0.1, tol = 1e-6, max_iters = 1000",
        ),
        Case(
            lambda: (_quadratic_grad(_A_ILL), np.array([0.0, 0.0]), 0.1, 1e-6, 1000),
            "starting AT the minimum x0 = [0, 0] (expect 0 steps)",
        ),
        Case(
            lambda: (_quadratic_grad(_A_ILL), np.array([1.0, 1.0]), 0.1, 1e-6, 5),
            "max_iters = 5 reached before the tolerance",
        ),
        Case(
            lambda rng: (_quadratic_grad(_random_spd(rng)), rng.uniform(-3, 3, 2), 0.4),
            "a rotated quadratic with default tol and max_iters",
            hidden=True,
        ),
        Case(
            lambda: (_quadratic_grad(_A_ILL), np.array([1.0, 1.0]), 0.5, 1e-6, 2000),
            "lr = 0.5 > 2/L = 0.2 on A = diag(1, 10) (must raise FloatingPointError)",
            hidden=True,
            raises="FloatingPointError",
        ),
        Case(
            lambda: (lambda x: 4 * x**3, np.array([1.0]), 0.1, 1e-2, 10_000),
            "f(x) = x**4 (slow near the flat minimum)",
            hidden=True,
        ),
        # Visible, listed last so that cases[3] stays the first hidden case (test_grading).
        Case(
            lambda: (_quadratic_grad(_A_EXERCISE), np.array([1.0, -0.5]), 0.75, 1e-6, 5000),
            "lr = 0.75 > 2/L = 0.5 on A = [[3, 1], [1, 3]]: x overflows to inf, then NaN "
            "(must raise FloatingPointError)",
            raises="FloatingPointError",
        ),
        Case(
            lambda: (_quadratic_grad(_A_EXERCISE), np.array([3e8, -4e8]), 0.4, 1e-6, 1000),
            "a far start x0 = [3e8, -4e8] at lr = 0.4 < 2/L = 0.5: the iterates are huge but "
            "finite and shrink every step (it converges; no FloatingPointError)",
        ),
        Case(_far_start, "a far start, large but finite iterates", hidden=True),
        Case(
            lambda: (
                shifted_quadratic_grad(_A_EXERCISE, [2.0, -1.0]),
                np.array([0.0, 0.0]),
                0.2,
                1e-6,
                1000,
            ),
            "grad f(x) = A (x - c) with A = [[3, 1], [1, 3]] and minimizer c = [2, -1], from "
            "x0 = [0, 0] at lr = 0.2 < 2/L = 0.5: ||x|| grows from 0 towards ||c|| while the run "
            "converges (no FloatingPointError)",
        ),
        Case(off_origin_overshoot, "a minimizer away from 0, started near 0", hidden=True),
    ),
    mistakes=(
        Mistake(
            "This run converges from a far start: its iterates are large but finite and shrink "
            "every step, and you raised. A large x is not divergence: raise only when x is not "
            "finite (inf or NaN).",
            _raises_on_large_x,
        ),
        Mistake(
            "You always ran max_iters steps: stop as soon as ||grad f(x)|| < tol "
            "(check it BEFORE each step, so starting at the minimum takes 0 steps).",
            _ignores_tol,
        ),
        Mistake(
            "You took one step before the first stopping test: check ||grad f(x)|| < tol "
            "before each step, so starting at the minimum takes 0 steps.",
            _one_step_too_many,
        ),
        Mistake(
            "Your step count is one short when the loop runs to max_iters: the index of a for "
            "loop over range(max_iters) ends at max_iters - 1, after max_iters steps. Count "
            "the steps taken, not the last index.",
            _count_from_loop_index,
        ),
        Mistake(_GD_HINT, _stops_on_nan),
        Mistake(
            "This run converges, and you raised because ||x|| grew: the distance from 0 is "
            "not the distance from the minimizer (here away from 0), and even there it need "
            "not fall every step. Raise only when x is not finite (inf or NaN).",
            raises_when_norm_grows,
        ),
    ),
    hint=_GD_HINT,
)

ASSIGNMENT = Assignment(
    id="01_gradient_descent",
    title="Gradient descent basics",
    questions=(NUMERICAL_GRADIENT, GD_STEP, GRADIENT_DESCENT, MAX_STABLE_LR),
)
