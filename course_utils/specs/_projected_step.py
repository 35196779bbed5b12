"""Question 1 of exercise set 01 (``gradient_descent.py``): ``projected_gd_step``, a variant.

The lecture writes the unconstrained step x - lr * grad f(x); this question asks for the step of
*projected* gradient descent on a box lower <= x <= upper (coordinate by coordinate): the plain
step, then the nearest point of the box to where it landed, which is each coordinate clipped to
its interval. Infinite bounds leave a side open; lower == upper fixes a coordinate.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _box(x, lower, upper):
    """The bounds as float arrays of x's shape, after the check the exercise asks for."""
    lower = np.broadcast_to(np.asarray(lower, dtype=float), x.shape)
    upper = np.broadcast_to(np.asarray(upper, dtype=float), x.shape)
    if np.any(lower > upper):
        raise ValueError("lower must not exceed upper in any coordinate (the box would be empty).")
    return lower, upper


def projected_gd_step(grad_fn, x, lr, lower, upper):
    """One step of projected gradient descent on the box lower <= x <= upper; x is not modified."""
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}.")
    x = np.array(x, dtype=float)
    lower, upper = _box(x, lower, upper)
    return np.minimum(np.maximum(x - lr * np.asarray(grad_fn(x), dtype=float), lower), upper)


# ----------------------------------------------------------------------------- test functions


def _towards(c):
    """Gradient of f(x) = 1/2 ||x - c||^2: x - c."""
    c = np.asarray(c, dtype=float)
    return lambda x: x - c


def _matrix_grad(A):
    A = np.asarray(A, dtype=float)
    return lambda x: A @ x


def _random_case(rng):
    """A rotated quadratic with its minimizer somewhere in [-3, 3]^2, a random box of width 0.5
    to 2 per coordinate around a random centre, a start in the box and a learning rate in
    [0.2, 0.9] (eigenvalues in [0.5, 2], so the plain step often lands outside the box)."""
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    A = q @ np.diag(rng.uniform(0.5, 2.0, 2)) @ q.T
    c = rng.uniform(-3, 3, 2)
    centre, width = rng.uniform(-1, 1, 2), rng.uniform(0.5, 2.0, 2)
    lower, upper = centre - width / 2, centre + width / 2
    x = rng.uniform(lower, upper)
    return (lambda y: A @ (y - c)), x, rng.uniform(0.2, 0.9), lower, upper


# ----------------------------------------------------------------------------- mistakes


def _plain_step(grad_fn, x, lr, lower, upper):
    return np.asarray(x, dtype=float) - lr * grad_fn(np.asarray(x, dtype=float))


def _ascending(grad_fn, x, lr, lower, upper):
    x = np.asarray(x, dtype=float)
    return np.clip(x + lr * grad_fn(x), lower, upper)


def _clipped_gradient(grad_fn, x, lr, lower, upper):
    # The gradient brought into the box instead of the point.
    x = np.asarray(x, dtype=float)
    return x - lr * np.clip(grad_fn(x), lower, upper)


def _stopped_at_the_wall(grad_fn, x, lr, lower, upper):
    # The whole step shortened until the first coordinate reaches its bound: a point inside the
    # box, on the line from x along -grad f, but not the nearest point of the box to x - lr g.
    x = np.asarray(x, dtype=float)
    d = -lr * np.asarray(grad_fn(x), dtype=float)
    lower, upper = np.broadcast_to(lower, x.shape), np.broadcast_to(upper, x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(d > 0, (upper - x) / d, np.where(d < 0, (lower - x) / d, np.inf))
    return x + min(1.0, float(np.min(room))) * d


def _swapped_bounds(grad_fn, x, lr, lower, upper):
    # np.clip(y, upper, lower): numpy does not check the order, and every coordinate comes back
    # at its lower bound.
    return np.clip(_plain_step(grad_fn, x, lr, lower, upper), upper, lower)


def _projected_twice(grad_fn, x, lr, lower, upper):
    # x moved into the box before the step as well: the step must start from x as given.
    x = np.clip(np.asarray(x, dtype=float), lower, upper)
    return np.clip(x - lr * grad_fn(np.asarray(x, dtype=float)), lower, upper)


def _lower_bound_only(grad_fn, x, lr, lower, upper):
    return np.maximum(_plain_step(grad_fn, x, lr, lower, upper), lower)


PROJECTED_GD_STEP = Question(
    name="projected_gd_step",
    points=2,
    skill="variant",
    reference=projected_gd_step,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_towards([3.0, -1.0]), np.array([1.0, 0.5]), 0.75, 0.0, 2.0),
            "grad f(x) = x - [3, -1] (f = 1/2 ||x - [3, -1]||^2), x = [1, 0.5], lr = 0.75, the "
            "box [0, 2] x [0, 2] given as lower = 0, upper = 2: the plain step lands at "
            "[2.5, -0.625], outside the box",
        ),
        Case(
            lambda: (
                _matrix_grad([[2.0, 1.0], [1.0, 4.0]]),
                np.array([1.0, -0.5]),
                0.8,
                np.array([-np.inf, -1.0]),
                np.array([0.5, 0.25]),
            ),
            "grad f(x) = A x with A = [[2, 1], [1, 4]], x = [1, -0.5], lr = 0.8, lower = "
            "[-inf, -1], upper = [0.5, 0.25]: the plain step lands at [-0.2, 0.3]",
        ),
        Case(
            lambda: (_towards([0.0, 0.0, 0.0]), np.array([0.5, 1.0, 2.0]), 0.5, 0.0, 1.0),
            "grad f(x) = x, x = [0.5, 1, 2] (its last coordinate outside the box [0, 1]^3), "
            "lr = 0.5: the plain step lands at [0.25, 0.5, 1]",
        ),
        Case(
            lambda: (_towards([1.0]), np.array([0.0]), -0.1, -1.0, 1.0),
            "a negative learning rate, lr = -0.1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (
                _towards([1.0, 1.0]),
                np.array([0.0, 0.0]),
                0.5,
                np.array([0.0, 1.0]),
                np.array([1.0, 0.5]),
            ),
            "lower = [0, 1] above upper = [1, 0.5] in the second coordinate (must raise "
            "ValueError)",
            raises="ValueError",
        ),
        Case(_random_case, "a rotated quadratic in a random box", hidden=True),
        Case(
            lambda: (
                _towards([4.0, -4.0, 0.0]),
                np.array([0.2, 0.3, 0.4]),
                0.25,
                np.array([0.0, 0.3, -1.0]),
                np.array([1.0, 0.3, 1.0]),
            ),
            "a coordinate with lower == upper (fixed) in three dimensions",
            hidden=True,
        ),
        Case(
            lambda: (_towards([1.0]), np.array([0.0]), 0.0, -1.0, 1.0),
            "lr = 0",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "Your point is the plain gradient step: it left the box. Projected gradient descent "
            "takes that step and then moves the point it landed on to the nearest point of the "
            "box.",
            _plain_step,
        ),
        Mistake(
            "You moved UP the gradient: descent steps against it, subtracting the learning rate "
            "times the gradient, before the projection.",
            _ascending,
        ),
        Mistake(
            "You brought the gradient into the box, not the point: the box bounds where x may "
            "be, not how steep f is. Take the full step first, then bring the new point back "
            "into the box.",
            _clipped_gradient,
        ),
        Mistake(
            "You shortened the whole step until the first coordinate reached its bound. That "
            "point is in the box but not the nearest one to where the full step landed: the "
            "projection treats each coordinate on its own, so the other coordinates still move "
            "their full step (the point slides along the face it reached).",
            _stopped_at_the_wall,
        ),
        Mistake(
            "Every coordinate came back at its lower bound: the two bounds are swapped in your "
            "projection (the lower bound must be the floor of each coordinate, the upper bound "
            "its ceiling).",
            _swapped_bounds,
        ),
        Mistake(
            "You moved x into the box before the step: the step starts from x as it is given, "
            "also when x lies outside the box; only the point the step lands on is projected.",
            _projected_twice,
        ),
        Mistake(
            "Only the lower bound is applied: a coordinate above its upper bound must come back "
            "down to it too.",
            _lower_bound_only,
        ),
    ),
    hint=(
        "Take the plain gradient step from x, then move the point it landed on to the nearest "
        "point of the box, coordinate by coordinate; a learning rate that is not positive, or a "
        "lower bound above its upper bound, is an error (ValueError)."
    ),
)
