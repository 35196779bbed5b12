"""Question 2 of exercise set 01 (``gradient_descent.py``): ``backtracking_step``, a variant.

The lecture picks one fixed learning rate from the curvature (2/L, 2/(L+mu), 1/L) and proves the
descent lemma at 1/L; this question asks for the step rule that needs no L: try a learning rate,
and shrink it until the step lowers f by at least a fraction ``c1`` of what the first-order model
f(x) + grad f(x) . (x_new - x) predicts (backtracking with the sufficient-decrease condition).
"""

from __future__ import annotations

import numpy as np

from ._hvp import rosenbrock_grad
from .base import Case, Mistake, Question


def _checked(lr0, shrink, c1):
    if not lr0 > 0:
        raise ValueError(f"lr0 must be positive, got {lr0}.")
    if not 0 < shrink < 1:
        raise ValueError(f"shrink must be in (0, 1), got {shrink}.")
    if not 0 < c1 < 1:
        raise ValueError(f"c1 must be in (0, 1), got {c1}.")


def backtracking_step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    """One gradient step whose learning rate is found by backtracking; returns (x_new, lr)."""
    _checked(lr0, shrink, c1)
    x = np.array(x, dtype=float)
    g = np.asarray(grad_fn(x), dtype=float)
    fx, slope = f(x), float(g @ g)  # the first-order model predicts a decrease of lr * g.g
    lr = lr0
    for _ in range(int(max_shrinks) + 1):
        x_new = x - lr * g
        if f(x_new) <= fx - c1 * lr * slope:
            return x_new, lr
        lr *= shrink
    raise FloatingPointError(
        f"no learning rate from {lr0} down to {lr0 * shrink**max_shrinks:.3g} lowered f enough: "
        "is grad_fn the gradient of f?"
    )


# ----------------------------------------------------------------------------- test functions


def half_square(x):
    """f(x) = 1/2 ||x||^2, gradient x."""
    return 0.5 * float(np.asarray(x) @ np.asarray(x))


def _identity_grad(x):
    return np.array(x, dtype=float)


def _grad_once():
    """The gradient x of half_square, as a function that raises when called a second time (the
    gradient is computed once, at x). A fresh count per function made here."""
    calls = []

    def grad_fn(x):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("grad_fn was called a second time: compute the gradient once, at x.")
        return np.array(x, dtype=float)

    return grad_fn


class _GradOnce:
    """Case argument: acts as ``_grad_once()``; each copy (``copy.deepcopy`` in the judge, the
    pickle the grader sends to the sandbox, which rebuilds it by value) starts a new count."""

    def __init__(self):
        self._grad = _grad_once()

    def __call__(self, x):
        return self._grad(x)

    def __reduce__(self):
        return _grad_once, ()


def _ascent_grad(x):
    return -np.array(x, dtype=float)  # the gradient's sign flipped: no step lowers f


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _random_quadratic(rng):
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    A = q @ np.diag(rng.uniform(0.5, 10.0, 2)) @ q.T
    return (lambda x: 0.5 * float(x @ A @ x)), (lambda x: A @ x)


def _quadratic_case(rng):
    f, grad = _random_quadratic(rng)
    return f, grad, rng.uniform(-3, 3, 2), rng.uniform(0.5, 4.0), 0.5, 0.3, 30


# ----------------------------------------------------------------------------- mistakes


def _loop(
    condition, first_shrink=False, late_lr=False, tries_extra=1, slope=lambda g: float(g @ g)
):
    """Backtracking with one thing changed: the test, a shrink before the first test, the
    learning rate shrunk once more after the step it returns was made, one try fewer, or the
    gradient's size in the predicted decrease (``slope``; the right one is g.g)."""

    def step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
        _checked(lr0, shrink, c1)
        x = np.array(x, dtype=float)
        g = np.asarray(grad_fn(x), dtype=float)
        fx, gg = f(x), slope(g)
        lr = lr0 * shrink if first_shrink else lr0
        for _ in range(int(max_shrinks) + tries_extra):
            x_new = x - lr * g
            accepted = condition(f(x_new), fx, c1, lr, gg)
            if late_lr:
                lr *= shrink
            if accepted:
                return x_new, lr
            if not late_lr:
                lr *= shrink
        raise FloatingPointError("no step")

    return step


def _armijo(f_new, fx, c1, lr, gg):
    return f_new <= fx - c1 * lr * gg


_no_c1 = _loop(lambda f_new, fx, c1, lr, gg: f_new <= fx)
_wrong_sign = _loop(lambda f_new, fx, c1, lr, gg: f_new <= fx + c1 * lr * gg)
_norm_not_squared = _loop(lambda f_new, fx, c1, lr, gg: f_new <= fx - c1 * lr * np.sqrt(gg))


# Backtracking whose predicted decrease uses the gradient's 1-norm, sum |g_i| (rm01 E1).
_one_norm = _loop(
    lambda f_new, fx, c1, lr, g1: f_new <= fx - c1 * lr * g1, slope=lambda g: float(np.abs(g).sum())
)


_shrinks_first = _loop(_armijo, first_shrink=True)
_lr_shrunk_after = _loop(_armijo, late_lr=True)
_one_try_short = _loop(_armijo, tries_extra=0)
_lr_squared = _loop(lambda f_new, fx, c1, lr, gg: f_new <= fx - c1 * lr**2 * gg)
_strict = _loop(lambda f_new, fx, c1, lr, gg: f_new < fx - c1 * lr * gg)
_one_minus_c1 = _loop(lambda f_new, fx, c1, lr, gg: f_new <= fx - (1 - c1) * lr * gg)
_one_try_extra = _loop(_armijo, tries_extra=2)
_half_predicted = _loop(lambda f_new, fx, c1, lr, gg: f_new <= fx - c1 * lr * gg / 2)
_relative = _loop(lambda f_new, fx, c1, lr, gg: fx - f_new >= c1 * fx)  # "lower f by a fraction c1"


def half_square_plus_one(x):
    """f(x) = 1/2 ||x||^2 + 1: the gradient and steps of half_square, f shifted by 1."""
    return half_square(x) + 1.0


BACKTRACKING_STEP = Question(
    name="backtracking_step",
    returns=("x_new", "lr"),
    points=3,
    skill="variant",
    reference=backtracking_step,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(
            # First: a test for a relative decrease, f(x) - f(x_new) >= c1 f(x), finds no step
            # here (f never falls below 1) and raises; every other listed mistake returns (rl01 E2).
            lambda: (half_square_plus_one, _identity_grad, np.array([1.0]), 0.8, 0.5, 0.5),
            "f(x) = x[0]**2 / 2 + 1 at x = [1] (f(x) = 1.5), lr0 = 0.8, shrink = 0.5, c1 = 0.5: "
            "the first-order model predicts a decrease of 0.8, and f falls to 1.02, by more than "
            "c1 times 0.8 (expect x_new = [0.2], lr = 0.8)",
        ),
        Case(
            # A predicted decrease halved accepts 1.08 here, one without c1 1.8 (with shrink 0.5
            # the two accept the same learning rate at c1 = 0.5): each gets its own hint.
            lambda: (half_square, _identity_grad, np.array([1.0]), 3.0, 0.6, 0.5),
            "f(x) = x[0]**2 / 2 at x = [1], lr0 = 3, shrink = 0.6, c1 = 0.5: 3, 1.8 and 1.08 "
            "fail the test, 0.648 passes (expect x_new = [0.352], lr = 0.648)",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([1.0]), 2.5, 0.5, 0.9),
            "f(x) = x[0]**2 / 2 at x = [1], lr0 = 2.5, shrink = 0.5, c1 = 0.9 (a demanding c1): "
            "2.5, 1.25, 0.625 and 0.3125 fail, 0.15625 passes",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([3.0, -4.0]), 1.0, 0.5, 1e-4),
            "f(x) = ||x||**2 / 2 at x = [3, -4], lr0 = 1: the first learning rate passes "
            "(expect x_new = [0, 0], lr = 1)",
        ),
        Case(
            # A test without c1 accepts 1.9 here, a predicted decrease with the gradient's length
            # (2.5) 1.52, one with its 1-norm (3.5) 1.216: each gets its own hint (rm01 E1: at
            # x = [3, -4] the length and the 1-norm both accepted 1.52).
            lambda: (half_square, _identity_grad, np.array([1.5, -2.0]), 1.9, 0.8, 0.5),
            "f(x) = ||x||**2 / 2 at x = [1.5, -2] (gradient length 2.5), lr0 = 1.9, shrink = 0.8, "
            "c1 = 0.5: 1.9, 1.52 and 1.216 fail, 1.9 * 0.8**3 = 0.9728 passes",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([0.0, 0.0]), 1.0),
            "at the minimizer x = [0, 0] (gradient 0): lr0 passes, x_new = x",
        ),
        Case(
            lambda: (rosenbrock, rosenbrock_grad, np.array([-1.2, 1.0])),
            "Rosenbrock at [-1.2, 1] with the defaults (lr0 = 1, shrink = 0.5, c1 = 1e-4)",
        ),
        Case(
            lambda: (half_square, _ascent_grad, np.array([1.0, 2.0]), 1.0, 0.5, 1e-4, 30),
            "a grad_fn that returns minus the gradient: no learning rate passes (must raise "
            "FloatingPointError)",
            raises="FloatingPointError",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([1.0]), 1.0, 1.0),
            "shrink = 1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([1.0]), 0.0),
            "lr0 = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (half_square, _GradOnce(), np.array([1.0]), 2.5, 0.5, 0.5),
            "f(x) = x[0]**2 / 2 at x = [1], lr0 = 2.5, shrink = 0.5, c1 = 0.5, with a grad_fn "
            "that raises RuntimeError when called a second time: compute the gradient once, at x "
            "(2.5 and 1.25 fail the test; expect x_new = [0.375], lr = 0.625)",
        ),
        Case(_quadratic_case, "a rotated quadratic, c1 = 0.3", hidden=True),
        Case(
            lambda rng: (rosenbrock, rosenbrock_grad, rng.uniform(-1.5, 1.5, 2), 1.0, 0.5, 1e-4),
            "Rosenbrock at a random point",
            hidden=True,
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([1.0]), 2.5, 0.5, 0.5, 2),
            "max_shrinks = 2: the last learning rate allowed, 2.5 * 0.5**2 = 0.625, passes",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([1.0]), 1.0, 0.5, 1.0),
            "c1 = 1 (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: (half_square, _identity_grad, np.array([1.0]), 2.5, 0.5, 0.5, 1),
            "max_shrinks = 1: only 2.5 and 1.25 may be tried, and both fail (must raise "
            "FloatingPointError; the next learning rate, 0.625, would pass)",
            raises="FloatingPointError",
        ),
    ),
    mistakes=(
        Mistake(
            # Before the no-c1 mistake: with c1 = 0.9 the two accept the same learning rate.
            "Your accepted learning rate is the one that a test asking for (1 - c1) times the "
            "predicted decrease accepts: the sufficient-decrease condition asks for c1 times it (c1 is small, 1e-4 by default, so that nearly any "
            "true decrease passes); 1 - c1 belongs to another test, Goldstein's lower bound.",
            _one_minus_c1,
        ),
        Mistake(
            "Your accepted learning rate is the one that a test without c1 accepts, the first "
            "learning rate that lowers f at all: the test asks for a decrease of at least c1 times the decrease the first-order model predicts for "
            "that step, so c1 belongs in it.",
            _no_c1,
        ),
        Mistake(
            "Your accepted learning rate is the one that a test that lets f go UP accepts "
            "(f(x_new) <= f(x) + c1 times the predicted decrease): the first-order model predicts f to fall by lr times the "
            "gradient's squared length, and the step must achieve c1 of that fall; you added it.",
            _wrong_sign,
        ),
        Mistake(
            "Your accepted learning rate is the one that a test whose predicted decrease uses the "
            "gradient's length accepts; the predicted decrease uses its squared length: the first-order model changes f by grad f(x) . (x_new - x), and the step is "
            "-lr grad f(x).",
            _norm_not_squared,
        ),
        Mistake(
            # Before the half-predicted mistake, which accepts the same 1.216 on the [1.5, -2]
            # case; case 2 catches it first.
            "Your accepted learning rate is the one that a test whose predicted decrease uses the "
            "sum of the gradient's absolute values (its 1-norm) accepts; the predicted decrease "
            "uses its squared length: the first-order model changes f by grad f(x) . (x_new - x), "
            "and the step is -lr grad f(x).",
            _one_norm,
        ),
        Mistake(
            "Your accepted learning rate is the one that a test whose predicted decrease squares "
            "the learning rate accepts: along the step minus lr times "
            "the gradient, the first-order model's change is linear in lr (lr times the "
            "gradient's squared length).",
            _lr_squared,
        ),
        Mistake(
            # After the lr-squared mistake, which accepts the same learning rate at c1 = 0.9;
            # case 1 tells this one apart from the no-c1 mistake (rk01 E2).
            "Your accepted learning rate is the one that a test with half the predicted decrease "
            "accepts: for the step minus lr times the gradient, the model f(x) + grad f(x) . (x_new - x) falls by "
            "lr times the gradient's squared length, not half of it; the 1/2 of the descent lemma "
            "(at the step 1/L, a decrease of the squared length over 2L) comes from its "
            "curvature term.",
            _half_predicted,
        ),
        Mistake(
            "Your answer raised FloatingPointError where a learning rate passes the test, as a "
            "test for a relative decrease, f(x) - f(x_new) >= c1 f(x), does on this case: such a "
            "test depends on where the zero of f lies. The condition compares the decrease with "
            "c1 times the decrease the first-order model predicts for the step (lr times the "
            "gradient's squared length), which adding a constant to f does not change.",
            _relative,
        ),
        Mistake(
            "Your function behaves as a strict test (<) does: the sufficient-decrease condition "
            "holds with equality too (<=). Where the gradient is 0 the step changes nothing and "
            "the predicted decrease is 0, so a strict test rejects every learning rate and "
            "raises, while <= accepts lr0 there.",
            _strict,
        ),
        Mistake(
            "You shrank the learning rate before the first test: lr0 itself must be tried "
            "first (here it passes).",
            _shrinks_first,
        ),
        Mistake(
            "The lr you returned is one shrink smaller than the one that made x_new: return "
            "the learning rate that passed the test, shrinking only after a failed test.",
            _lr_shrunk_after,
        ),
        Mistake(
            "You raised one try too early: max_shrinks counts the shrinks, so lr0 and "
            "max_shrinks smaller learning rates, max_shrinks + 1 tries in all, come before "
            "FloatingPointError (here the last one passes).",
            _one_try_short,
        ),
        Mistake(
            "You tried one learning rate too many: max_shrinks counts the shrinks, so after "
            "lr0 and max_shrinks smaller learning rates (max_shrinks + 1 tries in all) raise "
            "FloatingPointError, without shrinking once more.",
            _one_try_extra,
            missing_raise="FloatingPointError",
        ),
    ),
    hint=(
        "Compute the gradient once, at x. Try lr0 first, then shrink it by the factor shrink "
        "after each failed test (at most max_shrinks times), and return the first step against "
        "the gradient that lowers f by at least c1 times the decrease the first-order model "
        "predicts for it; "
        "raise FloatingPointError when none passes and ValueError for a bad lr0, shrink or c1."
    ),
)
