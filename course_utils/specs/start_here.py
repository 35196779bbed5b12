"""Spec for the practice question of notebook 00: shows how ``check`` works; not graded.

Its hidden cases (referee ri00, 00-2): a fixed vector of 6 entries, so an answer fitted to the
visible examples' lengths (2 and 3 entries) fails every grading run, and three generated vectors
drawn anew at every run, so an answer wrong on a share p of such vectors passes a run with
probability (1 - p)^3 at most.
"""

from __future__ import annotations

import numpy as np

from .base import Assignment, Case, Mistake, Question

#: How many vectors of random length a grading run draws (one generated hidden case each).
DRAWS = 3


def _l2_norm(g):
    return float(np.sqrt(np.sum(np.asarray(g, dtype=float) ** 2)))


def _rounded(args, got):
    """A right norm rounded for display (to 0-5 decimals), which the tolerance refuses."""
    try:
        value = float(np.asarray(got, dtype=float).reshape(()))
    except (TypeError, ValueError):
        return False
    exact = _l2_norm(*args)
    return any(abs(value - round(exact, k)) <= 1e-12 * max(1.0, abs(exact)) for k in range(6))


def _random_vector(rng):
    """A generated hidden case: a vector of random length and entries (new at every grading)."""
    return (rng.normal(size=int(rng.integers(1, 20))) * 10.0,)


L2_NORM = Question(
    name="l2_norm",
    exact_types=True,
    points=1,
    reference=_l2_norm,
    inputs_unchanged=True,
    cases=(
        Case(lambda: (np.array([1.0, -2.0, 2.0]),), "g = [1, -2, 2] (a negative entry)"),
        Case(lambda: (np.array([3.0, 4.0]),), "g = [3, 4]"),
        Case(lambda: (np.array([1.0, 1.0]),), "g = [1, 1] (the norm is not a whole number)"),
        Case(
            lambda: (np.array([0.5, -1.5, 2.0, -3.0, 1.0, 4.0]),),
            "a vector of 6 entries",
            hidden=True,
        ),
        *(
            Case(_random_vector, f"a random vector of random length (draw {i + 1})", hidden=True)
            for i in range(DRAWS)
        ),
    ),
    mistakes=(
        Mistake(
            "That is the squared norm: take the square root of the sum of squares.",
            lambda g: float(np.sum(g**2)),
        ),
        Mistake(
            "That is the sum of absolute values (the L1 norm); the L2 norm squares the entries, adds them and takes the square root.",
            lambda g: float(np.sum(np.abs(g))),
        ),
        Mistake(
            "Square the entries before adding them, then take the square root.",
            lambda g: float(np.sum(g)),
        ),
        Mistake(
            "The norm is right but rounded: do not round, return the full float (round only "
            'when you print it, e.g. `f"{norm:.4f}"`).',
            lambda g: round(_l2_norm(g), 4),
            matches=_rounded,
        ),
        Mistake(
            "The function computes but returns nothing: end it with `return` and the norm.",
            lambda g: None,
            matches=lambda args, got: got is None,
        ),
    ),
    hint=(
        "The Euclidean length: the square root of the sum of the squared entries, returned as a "
        "Python number (`float(...)` of a numpy result, `.item()` of a torch tensor)."
    ),
)

ASSIGNMENT = Assignment(id="00_start_here", title="Practice: how checks work", questions=(L2_NORM,))
