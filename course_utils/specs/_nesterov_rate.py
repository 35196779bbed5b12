"""Question 1 of exercise set 04 (``momentum_adaptive``): ``nesterov_rate``, the asymptotic
contraction rate of torch's Nesterov momentum on a quadratic, predicted from the eigenvalues of
the Hessian. Lecture 04 §2b derives heavy ball's 2x2 map per eigenvalue; Nesterov's map is not in
the lecture: the learner derives it from the update rule (§3) and the solution notebook then
measures the rate. The reference is checked against the eigenvalues of the map built from torch's
update in tests/test_checks_04_momentum_adaptive.py, and the notebook against measured runs.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _largest_root(trace, det):
    """Largest modulus of the roots of z^2 - trace z + det (arrays allowed)."""
    disc = np.sqrt((np.asarray(trace, dtype=float) ** 2 - 4 * det).astype(complex))
    return np.maximum(abs(trace + disc), abs(trace - disc)) / 2


def _nesterov_rate(eigenvalues, lr, momentum):
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.size == 0:
        raise ValueError("eigenvalues must hold at least one eigenvalue, got an empty array.")
    if not (lam > 0).all():
        raise ValueError(
            f"eigenvalues must all be positive (A is positive definite), got {lam.min():g}."
        )
    shrink = 1 - lr * lam  # what one gradient step leaves of the error along each eigenvector
    return float(_largest_root((1 + momentum) * shrink, momentum * shrink).max())


def _heavy_ball_map(eigenvalues, lr, momentum):
    lam = np.asarray(eigenvalues, dtype=float)
    return float(_largest_root(1 + momentum - lr * lam, momentum + 0 * lam).max())


def _product_without_shrink(eigenvalues, lr, momentum):
    lam = np.asarray(eigenvalues, dtype=float)
    return float(_largest_root((1 + momentum) * (1 - lr * lam), momentum + 0 * lam).max())


def _smallest_eigenvalue_only(eigenvalues, lr, momentum):
    return _nesterov_rate([np.min(eigenvalues)], lr, momentum)


def _largest_real_part(eigenvalues, lr, momentum):
    """The largest real part of the roots (e.g. ``np.roots(...).real.max()``), not the modulus."""
    shrink = 1 - lr * np.asarray(eigenvalues, dtype=float)
    trace, det = (1 + momentum) * shrink, momentum * shrink
    disc = np.sqrt((trace**2 - 4 * det).astype(complex))
    return float(np.maximum((trace + disc).real, (trace - disc).real).max() / 2)


def _unsigned_shrink(eigenvalues, lr, momentum):
    """|1 - lr * lambda| in place of 1 - lr * lambda: the shrink written as a size."""
    lam = np.asarray(eigenvalues, dtype=float)
    shrink = np.abs(1 - lr * lam)
    return float(_largest_root((1 + momentum) * shrink, momentum * shrink).max())


def _smallest_or_real_part(args, got):
    """The three slips agree wherever the soft direction's roots are real and positive and the
    soft direction is the slow one (visible case 1: 0.777 all three ways), so one hint names all
    three without saying which one the learner made: the smallest eigenvalue only, the largest real
    part of the roots (or its absolute value), or |1 - lr * lambda| for the shrink."""
    eigenvalues, lr, momentum = args
    real = _largest_real_part(eigenvalues, lr, momentum)
    candidates = (
        _smallest_eigenvalue_only(eigenvalues, lr, momentum),
        real,
        abs(real),
        _unsigned_shrink(eigenvalues, lr, momentum),
    )
    value = float(np.asarray(got, dtype=float).reshape(-1)[0])
    return any(np.isclose(value, c, rtol=1e-6, atol=1e-6) for c in candidates)


def _complex_when_product_positive(eigenvalues, lr, momentum):
    """sqrt(beta (1 - lr lambda)) whenever that root product is positive, as if the roots were then
    always complex (heavy ball's ringing modulus, §2b), the real-root formula otherwise (sc04 E1)."""
    shrink = 1 - lr * np.asarray(eigenvalues, dtype=float)
    trace, det = (1 + momentum) * shrink, momentum * shrink
    real_roots = (np.abs(trace) + np.sqrt(np.maximum(trace**2 - 4 * det, 0.0))) / 2
    return float(np.where(det > 0, np.sqrt(np.maximum(det, 0.0)), real_roots).max())


def _bound_factor(eigenvalues, lr, momentum):
    """Lecture §3b's factor 1 - 1/sqrt(kappa), whatever lr and momentum."""
    with np.errstate(divide="ignore", invalid="ignore"):  # kappa of a case with a 0 eigenvalue
        return float(1 - 1 / np.sqrt(np.max(eigenvalues) / np.min(eigenvalues)))


def _smaller_root(eigenvalues, lr, momentum):
    shrink = 1 - lr * np.asarray(eigenvalues, dtype=float)
    trace, det = (1 + momentum) * shrink, momentum * shrink
    disc = np.sqrt((trace**2 - 4 * det).astype(complex))
    return float(np.minimum(abs(trace + disc), abs(trace - disc)).max() / 2)


def _sqrt_momentum(eigenvalues, lr, momentum):
    return float(np.sqrt(momentum))


def _optimal_heavy_ball_rate(eigenvalues, lr, momentum):
    with np.errstate(divide="ignore", invalid="ignore"):  # kappa of a case with a 0 eigenvalue
        root_kappa = np.sqrt(np.max(eigenvalues) / np.min(eigenvalues))
        return float((root_kappa - 1) / (root_kappa + 1))


def _not_positive(rng):
    """A random problem with one eigenvalue replaced by a negative value and, at random, one more
    by 0 (always a negative one: an answer that raises only on 0 must fail every draw)."""
    lam, lr, momentum = _random_problem(rng)
    lam = np.append(lam, -rng.uniform(0.1, 10.0))
    if rng.random() < 0.5:
        lam = np.append(lam, 0.0)
    return rng.permutation(lam), lr, momentum


def _random_problem(rng, lr_times_l=(0.05, 1.0)):
    """1 to 6 eigenvalues between 0.1 and 100, lr * L in ``lr_times_l``, momentum in [0, 0.99)."""
    lam = 10 ** rng.uniform(-1, 2, int(rng.integers(1, 7)))
    return lam, float(rng.uniform(*lr_times_l) / lam.max()), float(rng.uniform(0.0, 0.99))


NESTEROV_RATE = Question(
    name="nesterov_rate",
    points=3,
    skill="prediction",
    reference=_nesterov_rate,
    # eigenvalues of a 2x2 map with a double root carry an error of about sqrt(machine eps)
    # (1e-8 where the rate is 0: the case lr * lambda = 1 in torch's (x, b) form)
    rtol=1e-6,
    atol=1e-6,
    inputs_unchanged=True,
    exact_types=True,  # one float: an array or list holding it is refused
    cases=(
        Case(
            lambda: (np.array([1.0, 10.0]), 0.15, 0.3),
            "eigenvalues [1, 10], lr = 0.15, momentum = 0.3 (lr * L = 1.5: the stiff direction "
            "is the slow one)",
        ),
        Case(
            lambda: (np.array([1.0, 100.0]), 0.01, 0.9),
            "eigenvalues [1, 100], lr = 0.01, momentum = 0.9",
        ),
        Case(
            lambda: (np.array([100.0, 1.0, 10.0]), 0.01, 9 / 11),
            "eigenvalues [100, 1, 10] (any order), lr = 1/L = 0.01, momentum = (sqrt(kappa) - 1)"
            " / (sqrt(kappa) + 1) = 9/11",
        ),
        Case(
            lambda: (np.array([1.0, 10.0]), 0.19, 0.3),
            "eigenvalues [1, 10], lr = 0.19, momentum = 0.3 (lr * L = 1.9: a rate above 1, the "
            "run diverges)",
        ),
        Case(
            lambda: (np.array([0.125, 4.0]), 0.375, 0.5),
            "eigenvalues [0.125, 4], lr = 0.375, momentum = 0.5 (lr * L = 1.5: the edge of "
            "stability, a root at -1, so the rate is exactly 1: the run neither converges nor "
            "diverges)",
        ),
        Case(
            lambda: (np.array([1.0, 3.0]), 0.4, 0.0),
            "momentum = 0 (plain gradient descent): eigenvalues [1, 3], lr = 0.4",
        ),
        Case(
            lambda: (np.array([4.0, 4.0]), 0.25, 0.9),
            "a repeated eigenvalue with lr * lambda = 1: eigenvalues [4, 4], lr = 0.25, "
            "momentum = 0.9",
        ),
        Case(lambda: (np.array([2.5]), 0.1, 0.6), "one eigenvalue, 2.5, lr = 0.1, momentum = 0.6"),
        Case(
            lambda: (np.array([1.0, 2.0]), 0.1, 0.1),
            "eigenvalues [1, 2], lr = 0.1, momentum = 0.1 (small lr and momentum: the slow "
            "direction is over-damped)",
        ),
        Case(
            lambda: (np.array([1.0, 0.0]), 0.1, 0.9),
            "an eigenvalue that is not positive, eigenvalues [1, 0] (ValueError: A is not "
            "positive definite)",
            raises="ValueError",
        ),
        Case(
            lambda: (np.array([1.0, -2.0]), 0.1, 0.9),
            "a negative eigenvalue, eigenvalues [1, -2] (ValueError: A is not positive definite)",
            raises="ValueError",
        ),
        Case(lambda rng: _random_problem(rng), "random eigenvalues, lr * L below 1", hidden=True),
        Case(
            lambda rng: _random_problem(rng, (1.0, 1.5)),
            "random eigenvalues and momentum, lr * L between 1 and 1.5",
            hidden=True,
        ),
        Case(
            _not_positive,
            "random eigenvalues, one of them negative and at times one 0 (ValueError)",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "That is heavy ball's map (lecture §2b), whose gradient is taken at x_k. Nesterov "
            "takes it at the look-ahead point, so the gradient step acts on the momentum term "
            "too. Or you used the old buffer b_k in the step where torch uses the new b_{k+1} "
            "(the same map). Derive the recursion of the error from torch's rule before reading "
            "off roots.",
            _heavy_ball_map,
        ),
        Mistake(
            "Your product of the two roots is momentum alone, as for heavy ball. In Nesterov's "
            "recursion the older error also passes through the gradient step at the look-ahead "
            "point, so it is shrunk like the newer one.",
            _product_without_shrink,
        ),
        Mistake(
            "Your number is the rate of the soft direction (smallest eigenvalue) alone. Three "
            "slips give it on this input; check which one you made: using the smallest "
            "eigenvalue only; taking the largest REAL PART of the roots instead of their MODULUS "
            "(where the roots are complex their real part is below their modulus); or writing "
            "the shrink that one gradient step leaves along an eigenvector as a size, dropping "
            "its SIGN, which is negative where lr times the eigenvalue exceeds 1. The rate of the whole run is the largest root MODULUS over ALL "
            "eigenvalues: with a large lr the stiff direction (largest eigenvalue) is the slow "
            "one, or the one that diverges, and its slow root is negative.",
            _smallest_eigenvalue_only,
            matches=_smallest_or_real_part,
        ),
        Mistake(
            "The roots are complex only where the discriminant of the characteristic "
            "polynomial is negative, not wherever their product is positive. With a small step "
            "and a small momentum both roots are real and positive (over-damped, as heavy ball's "
            "are in §2b), and the larger one, above the square root of their product, sets the "
            "rate: take the largest root modulus in every case.",
            _complex_when_product_positive,
        ),
        Mistake(
            "The error shrinks by the LARGER modulus of the two roots (the spectral radius); the "
            "smaller root's part dies out first and does not set the rate.",
            _smaller_root,
        ),
        Mistake(
            "sqrt(momentum) is heavy ball's modulus when its roots are complex (§2b). It ignores "
            "lr and the eigenvalues; derive Nesterov's own map and take the largest root "
            "modulus for each eigenvalue.",
            _sqrt_momentum,
        ),
        Mistake(
            "That is 1 - 1/sqrt(kappa), lecture §3b's bound factor: it holds at §3b's own lr and "
            "momentum (1/L and (sqrt(kappa) - 1)/(sqrt(kappa) + 1)), and it bounds f - f*, not "
            "the error. The task asks for the rate of the error at the lr and momentum you are "
            "given: derive the map per eigenvalue and take its largest root modulus.",
            _bound_factor,
        ),
        Mistake(
            "That is the optimal heavy-ball rate at Polyak's parameters (§2). The task asks for "
            "the rate at the lr and momentum you are given: it depends on both.",
            _optimal_heavy_ball_rate,
        ),
        Mistake(
            "That is the rate squared, the factor of f - f* (quadratic in the error). The task "
            "asks for the rate of the error itself: the largest root modulus, not its square.",
            lambda eigenvalues, lr, momentum: _nesterov_rate(eigenvalues, lr, momentum) ** 2,
        ),
        Mistake(
            "Your rate stops at 1, but a rate above 1 is allowed: it means the run diverges, "
            "the error growing by that factor per step. Return the largest root modulus as it "
            "is, whatever its size.",
            lambda eigenvalues, lr, momentum: min(_nesterov_rate(eigenvalues, lr, momentum), 1.0),
        ),
    ),
    hint=(
        "Along one eigenvector the error of torch's Nesterov obeys a two-term linear recursion "
        "(derive it from the update rule, as §2b does for heavy ball); its rate is the largest "
        "root modulus of that recursion's characteristic polynomial, and the run's rate is the "
        "largest over the eigenvalues. Return one float (float(...) of it: an array or a list "
        "holding the number is refused); raise a ValueError when an eigenvalue is "
        "not positive."
    ),
)
