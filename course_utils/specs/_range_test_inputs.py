"""Declared inputs of question 4 of exercise set 05 (``range_test_verdict``) that no case tested
(referee reads td05, E1, and tc05, E3): a smoothed loss of -inf (refused like any negative loss;
an answer that checked the sign of finite values only read it as a blow-up), a numpy integer
``skip_start`` (the task allows one; an answer refusing it passed every case) and a 0-d input (not
one-dimensional: an answer with no shape check raised TypeError on it). The cases and the named
Mistakes, each built on the task's reference. A private part of the ``learning_rate_schedules``
spec, split off ``_range_test_verdict`` to keep each module under 400 lines."""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake

#: 2.3 twelve times, then -inf after the first skip_start = 10 values, then 2.3.
_NEGATIVE_INFINITY = (2.3,) * 12 + (-np.inf, 2.3)

INPUT_CASES = (
    Case(
        lambda: (np.array(_NEGATIVE_INFINITY),),
        "2.3 twelve times, then -inf at step 12 (after skip_start = 10), then 2.3: a loss is "
        "never negative, -inf included (must raise ValueError)",
        raises="ValueError",
    ),
    Case(
        lambda: (np.r_[2.3, np.full(9, 2.2), 1.0, 1.5, 5.0], np.int64(10)),
        "skip_start = np.int64(10), a numpy integer: falls to 1.0, then 5.0 (> 4 x 1.0)",
    ),
    Case(
        lambda: (np.array(2.3),),
        "a 0-d array, np.array(2.3), not one-dimensional (must raise ValueError)",
        raises="ValueError",
    ),
)


def _finite_sign_only(reference):
    """The sign checked on finite values only: -inf passes the check and is read as a blow-up,
    like +inf (the old rule; also an answer that maps only NaN to inf and then tests finite
    values)."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        values = np.asarray(s, dtype=float)
        return reference(np.where(np.isneginf(values), np.inf, values), k, f, d, m)

    return verdict


def _refuses_numpy_skip(reference):
    """``skip_start`` checked with ``isinstance(skip_start, int)``: a numpy integer is refused."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        if isinstance(k, np.integer):
            raise ValueError(f"skip_start must be a whole number >= 0, got {k!r}.")
        return reference(s, k, f, d, m)

    return verdict


def _no_shape_check(reference):
    """No test of the shape: on a 0-d array ``len`` raises TypeError (on a 2-D one the later
    checks happen to raise ValueError, as the reference does)."""

    def verdict(s, k=10, f=4.0, d=False, m=0.02):
        values = np.asarray(s, dtype=float)
        if values.ndim == 0:
            len(values)  # TypeError: len() of unsized object
        return reference(s, k, f, d, m)

    return verdict


def _input_mistakes(reference):
    """The named Mistakes of the three cases above, built on the task's ``reference``."""
    return (
        Mistake(
            "A loss is never negative, and -inf is negative: refuse it with ValueError like any "
            "negative value, not as a blow-up (test values < 0 on all the values: NaN compares "
            "False, -inf < 0 is True).",
            _finite_sign_only(reference),
            missing_raise="ValueError",
        ),
        Mistake(
            "skip_start may be a numpy integer such as np.int64(10) (the task allows a Python or "
            "numpy integer): accept np.integer as well as int, and refuse only a bool or a "
            "number that is not whole.",
            _refuses_numpy_skip(reference),
        ),
        Mistake(
            "A 0-d array (one number) is not one-dimensional: test the number of dimensions of "
            "the array (ndim == 1) and raise ValueError, before anything takes its length.",
            _no_shape_check(reference),
            missing_raise="ValueError",
        ),
    )
