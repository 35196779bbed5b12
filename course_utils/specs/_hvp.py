"""Question 4 of exercise set 01 (``gradient_descent.py``): ``hessian_vector_product``, a variant.

The lecture writes the central difference of f along one coordinate (``numerical_gradient``); this
question asks for the central difference of the *gradient* along a direction ``v``: an estimate of
the Hessian times ``v`` that needs two gradient calls, however large the dimension. The reference
is the library's ``gradcheck.hessian_vector_product`` (an answer calling it scores 0). Kept apart
so that the spec stays under the size limit.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import hessian_vector_product
from .base import AUTOGRAD, Case, Mistake, Question


def _checked(x, v, h):
    """Float copies of x and v, after the checks the exercise asks for."""
    x = np.array(x, dtype=float)
    v = np.array(v, dtype=float)
    if x.ndim != 1 or v.shape != x.shape:
        raise ValueError(f"x and v must be 1-D arrays of one shape, got {x.shape} and {v.shape}.")
    if not h > 0:
        raise ValueError(f"h must be positive, got {h}.")
    return x, v


# ----------------------------------------------------------------------------- test functions


def cubic_2d_grad(x):
    """Gradient of f(x) = x[0]**2 + 3*x[0]*x[1] + 2*x[1]**3 (Hessian [[2, 3], [3, 12*x[1]]])."""
    return np.array([2 * x[0] + 3 * x[1], 3 * x[0] + 6 * x[1] ** 2])


def rosenbrock_grad(x):
    """Gradient of (1 - x[0])**2 + 100 (x[1] - x[0]**2)**2."""
    r = x[1] - x[0] ** 2
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r])


def exp_3d_grad(x):
    """Gradient of f(x) = exp(x[0]) * x[1] + x[2]**4."""
    return np.array([np.exp(x[0]) * x[1], np.exp(x[0]), 4 * x[2] ** 3])


def quartic_grad(x):
    """Gradient of f(x) = x[0]**4: 4 x[0]**3 (second derivative 12 x[0]**2)."""
    return 4 * np.asarray(x, dtype=float) ** 3


def _matrix_grad(A):
    A = np.asarray(A, dtype=float)
    return lambda x: A @ x


# ----------------------------------------------------------------------------- mistakes


def _forward(grad_fn, x, v, h=1e-5):
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # h = 0 in the raising case
        return (grad_fn(x + h * v) - grad_fn(x)) / h


def _over_h(grad_fn, x, v, h=1e-5):
    return 2 * hessian_vector_product(grad_fn, x, v, h)


def _over_distance(grad_fn, x, v, h=1e-5):
    # Steps to the task's points x +- h v but divides by their DISTANCE 2 h ||v||, not by the step
    # 2 h in units of v: ||v|| times too small, as is a step h along the unit vector v/||v||.
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # v = 0 gives nan: it fails there
        return (grad_fn(x + h * v) - grad_fn(x - h * v)) / (2 * h * np.linalg.norm(v))


def _distance_h(grad_fn, x, v, h=1e-5):
    # Moves a DISTANCE h from x along v (step h / ||v|| in units of v), divided by that step: a
    # correct linear estimate too, but not at the points x +- h v that the task fixes.
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    norm = np.linalg.norm(v)
    if norm == 0:
        return np.zeros_like(x)
    s = h / norm
    with np.errstate(divide="ignore", invalid="ignore"):  # h = 0 in the raising case
        return (grad_fn(x + s * v) - grad_fn(x - s * v)) / (2 * s)


def _ignores_h(grad_fn, x, v, h=1e-5):
    return hessian_vector_product(grad_fn, x, v, 1e-6)


def _gradient_difference_only(grad_fn, x, v, h=1e-5):
    # The two gradients subtracted, without the division: a change of the gradient, not a rate.
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    return grad_fn(x + h * v) - grad_fn(x - h * v)


def hessian_columns_then_product(grad_fn, x, v, h=1e-5):
    """Another estimate: every Hessian column by central differences with step h along each
    coordinate, then H @ v (d + d gradient calls instead of two). It steps a distance h, not the
    points x +- h v: equal to the reference up to O(h**2) and round-off at the default h, not at
    h = 0.1 with ||v|| = 2 (the visible case that asks for the task's points)."""
    x, v = _checked(x, v, h)
    H = np.empty((x.size, x.size))
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        H[:, i] = (grad_fn(x + e) - grad_fn(x - e)) / (2 * h)
    return H @ v


HESSIAN_VECTOR_PRODUCT = Question(
    name="hessian_vector_product",
    points=3,
    skill="variant",
    reference=hessian_vector_product,
    library=AUTOGRAD,  # torch's autograd (autograd.functional.hvp) computes it exactly, not by h
    rtol=1e-6,
    atol=1e-7,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (
                _matrix_grad([[2.0, 1.0], [1.0, 4.0]]),
                np.array([1.0, -0.5]),
                np.array([1.0, 2.0]),
            ),
            "grad f(x) = A x with A = [[2, 1], [1, 4]] (Hessian A everywhere), x = [1, -0.5], "
            "v = [1, 2]: expect A v = [4, 9]",
        ),
        Case(
            lambda: (cubic_2d_grad, np.array([1.0, -2.0]), np.array([0.5, 2.0])),
            "f(x) = x[0]**2 + 3*x[0]*x[1] + 2*x[1]**3 at x = [1, -2], v = [0.5, 2] (a v of length "
            "other than 1)",
        ),
        Case(
            lambda: (cubic_2d_grad, np.array([1.0, -2.0]), np.array([0.0, 0.0])),
            "v = [0, 0]: the product is [0, 0]",
        ),
        Case(
            lambda: (quartic_grad, np.array([1.0]), np.array([1.0]), 0.1),
            "f(x) = x**4 (one-dimensional) at x = [1], v = [1], with a large step h = 0.1: the "
            "central difference is 12.04 (the exact second derivative is 12)",
        ),
        Case(
            lambda: (quartic_grad, np.array([1.0, 1.0]), np.array([1.0, 2.0]), 0.1),
            "f(x) = x[0]**4 + x[1]**4 at x = [1, 1], v = [1, 2], h = 0.1: the points x + h v "
            "and x - h v are [1.1, 1.2] and [0.9, 0.8], and the central difference is "
            "[12.04, 24.32] (the exact product is [12, 24])",
        ),
        Case(
            lambda: (quartic_grad, np.array([1.0]), np.array([2.0]), 0.1),
            "f(x) = x**4 at x = [1], v = [2] (length 2), h = 0.1: the points x + h v and "
            "x - h v are 1.2 and 0.8, and the central difference is 24.32 (the exact product "
            "is 24)",
        ),
        Case(
            lambda: (quartic_grad, np.array([1.0]), np.array([1.0]), 0.0),
            "h = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (cubic_2d_grad, np.array([1.0, -2.0]), np.array([1.0, 0.0, 0.0])),
            "v of length 3 for x of length 2 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (quartic_grad, np.array([1.0]), np.array([1.0]), -1e-5),
            "a negative step h = -1e-5 (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (quartic_grad, np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]])),
            "x and v of shape (1, 2), not 1-D (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda rng: (rosenbrock_grad, rng.uniform(-1.5, 1.5, 2), rng.standard_normal(2)),
            "Rosenbrock at a random point along a random direction",
            hidden=True,
        ),
        Case(
            lambda rng: (exp_3d_grad, rng.uniform(-1, 1, 3), rng.uniform(-2, 2, 3)),
            "a 3-D function along a random direction",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "This is a forward difference of the gradient (one step forward only), error O(h): "
            "the central difference steps both ways along v, error O(h^2).",
            _forward,
        ),
        Mistake(
            "Your result is exactly twice the product: the two points x + h v and x - h v are "
            "2h apart (in units of v), not h.",
            _over_h,
        ),
        Mistake(
            # One mistake for two answers: on a linear gradient (the first case) stepping h along
            # the unit vector v/||v|| gives the same output, so the hint names the output and both
            # ways to it, not one cause (rl01 E1).
            "Your result is ||v|| times too small: it is what you get by dividing the difference "
            "of the gradients at x + h v and x - h v by the distance 2h||v|| between the points, "
            "or (the same output to O(h^2)) by stepping h along the unit vector v/||v||. The "
            "derivative along v divides by the step 2h in units of v: the product is linear in "
            "v, so step along v itself and doubling v must double the result.",
            _over_distance,
        ),
        Mistake(
            "You moved a distance h from x (a step h/||v|| in units of v): a correct estimate "
            "too, with error of order h^2, but this task fixes the two points x + h v and "
            "x - h v, at the distance h ||v||, so that its value at a large h can be checked "
            "(24.32 for v = [2], h = 0.1).",
            _distance_h,
        ),
        Mistake(
            "Your result is the exact second derivative (12 for the fourth power at x = 1), not "
            "the central difference with the step h you are given (12.04 for h = 0.1): use the "
            "argument h as the step of the plain central difference, with no step of your own "
            "and no extrapolation that removes its O(h^2) error.",
            _ignores_h,
        ),
        Mistake(
            "You returned the change of the gradient between the two points, not its rate: "
            "a derivative divides that change by the distance the point moved.",
            _gradient_difference_only,
        ),
        Mistake(
            "You formed the Hessian column by column (central differences along each coordinate, "
            "a distance h) and multiplied it by v: a correct estimate too, but at 2d gradient "
            "calls, and not at the two points x + h v and x - h v that this task fixes, so it "
            "differs at a large h (here [12.04, 24.08] instead of [12.04, 24.32]).",
            hessian_columns_then_product,
        ),
    ),
    hint=(
        "The product of the Hessian with v is the derivative of the gradient along v: the rate "
        "at which grad f changes as the point moves from x along v. Estimate that rate with a "
        "central difference, from the gradients at x + h v and x - h v; raise ValueError for "
        "h <= 0 or shapes that differ."
    ),
)
