"""Exercise 05 after referee reads tc05 (E1, E3) and td05 (exercise point 1): declared inputs that
no case tested, so that a wrong answer passed every case.

* Q3 ``steps_to_floor``: ``rel`` is validated like lr, L and sigma (finite real > 0); an answer
  that never checked it passed 23/23 (tc05 E1).
* Q4 ``range_test_verdict``: a smoothed loss of -inf is refused like any negative loss (td05 E1:
  an answer mapping only NaN to inf, the sign tested on finite values, passed 47/47); a numpy
  integer ``skip_start`` is accepted and a 0-d input refused (tc05 E3).

Each new visible case fails the learner's answer written out and the named Mistake, with a hint
that is true on that case, and the reference passes."""

import math

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_checks import USABLE
from course_utils.specs._range_test_inputs import (
    _finite_sign_only,
    _no_shape_check,
    _refuses_numpy_skip,
)
from course_utils.specs._range_test_verdict import range_test_verdict
from course_utils.specs._steps_to_floor import _mistake, _steps_to_floor

SCHEDULES = "05_learning_rate_schedules"


def _failure(name, answer):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    return str(failed.value)


# Q3: rel


def _steps_rel_unchecked(lr, L, sigma, start_mean_square, rel=0.1):
    """A learner's answer written out (tc05's ``stf_norel``): lr, L, sigma and the start checked,
    rel never; numpy logs."""
    for name, value in (("lr", lr), ("L", L), ("sigma", sigma)):
        if not 0 < value < math.inf:
            raise ValueError(f"{name} must be a finite number > 0.")
    if not 0 <= start_mean_square < math.inf or lr * L >= 2:
        raise ValueError("bad start_mean_square or lr * L >= 2.")
    a = lr * L
    floor = lr * sigma**2 / (L * (2 - a))
    distance = abs(start_mean_square - floor)
    if distance <= rel * floor or a == 1:  # inside already: 0; at lr L = 1 one step
        return int(distance > rel * floor)
    with np.errstate(divide="ignore"):  # rel = 0: log(0) = -inf, then int() raises
        return int(np.ceil(np.log(rel * floor / distance) / np.log((1 - a) ** 2)))


@pytest.mark.parametrize("rel", [0, math.inf, "0.1"])
def test_the_reference_refuses_each_bad_rel(rel):
    with pytest.raises(ValueError, match="rel must be"):
        _steps_to_floor(0.1, 1.0, 1.0, 1.0, rel)


def test_the_unchecked_rel_answers_differently_from_the_reference():
    assert _steps_rel_unchecked(0.1, 1.0, 1.0, 1.0, math.inf) == 0  # returns where it must raise
    with pytest.raises(TypeError):
        _steps_rel_unchecked(0.1, 1.0, 1.0, 1.0, "0.1")
    assert _mistake(check_rel=False)(0.1, 1.0, 1.0, 1.0, math.inf) == 0
    with pytest.raises(TypeError):
        _mistake(check_rel=False)(0.1, 1.0, 1.0, 1.0, "0.1")


@pytest.mark.parametrize("answer", [_steps_rel_unchecked, _mistake(check_rel=False)])
def test_rel_not_validated_fails_with_its_hint(answer):
    message = _failure("steps_to_floor", answer)
    assert "rel = inf, not finite" in message, message
    assert "rel must be checked like lr, L and sigma" in message, message


def test_a_str_rel_gets_the_hint_too():
    """Only the str case left: the answer raising TypeError there is shown the same hint."""

    def answer(lr, L, sigma, start_mean_square, rel=0.1):
        if rel == math.inf:
            raise ValueError("rel must be finite.")
        return _steps_rel_unchecked(lr, L, sigma, start_mean_square, rel)

    message = _failure("steps_to_floor", answer)
    assert "rel = '0.1', a str" in message and "raised TypeError" in message, message
    assert "rel must be checked like lr, L and sigma" in message, message


# Q4: -inf, np.int64 skip_start, 0-d input


def _nan_only(smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """td05's answer written out: NaN mapped to inf (blown up), -inf left in; the sign tested on
    finite values; the rest is the task's verdict (the reference on the mapped curve)."""
    v = np.asarray(smoothed_losses, dtype=float)
    if v.ndim == 1 and np.any(v[np.isfinite(v)] < 0):
        raise ValueError("a loss is >= 0.")
    return range_test_verdict(np.where(np.isneginf(v), np.inf, v), skip_start, diverge_factor,
                              diverged, margin)  # fmt: skip


def test_the_reference_refuses_negative_infinity_and_still_reads_nan():
    losses = np.array((2.3,) * 12 + (-np.inf, 2.3))
    with pytest.raises(ValueError, match="negative"):
        range_test_verdict(losses)
    assert _finite_sign_only(range_test_verdict)(losses) == 2  # read as a blow-up
    nan_curve = np.r_[2.3, np.full(9, 2.2), 1.0, np.nan]
    assert range_test_verdict(nan_curve) == USABLE  # NaN compares False with 0: still a blow-up


@pytest.mark.parametrize("answer", [_nan_only, _finite_sign_only(range_test_verdict)])
def test_the_sign_on_finite_values_only_fails_with_its_hint(answer):
    message = _failure("range_test_verdict", answer)
    assert "then -inf at step 12" in message, message
    assert "A loss is never negative, and -inf is negative" in message, message


def _refuses_np_int(smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False,
                    margin=0.02):  # fmt: skip
    """tc05's ``rtv_np_skip`` written out: skip_start must be a Python int."""
    if type(skip_start) is not int:
        raise ValueError("skip_start must be an int.")
    return range_test_verdict(smoothed_losses, skip_start, diverge_factor, diverged, margin)


@pytest.mark.parametrize("answer", [_refuses_np_int, _refuses_numpy_skip(range_test_verdict)])
def test_refusing_a_numpy_skip_start_fails_with_its_hint(answer):
    assert range_test_verdict(np.r_[2.3, np.full(9, 2.2), 1.0, 1.5, 5.0], np.int64(10)) == USABLE
    message = _failure("range_test_verdict", answer)
    assert "skip_start = np.int64(10)" in message, message
    assert "skip_start may be a numpy integer" in message, message


def _no_shape(smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """An answer with no shape check: len() of a 0-d array raises TypeError."""
    v = np.asarray(smoothed_losses, dtype=float)
    if not 0 <= skip_start < len(v):
        raise ValueError("skip_start leaves no value.")
    return range_test_verdict(v, skip_start, diverge_factor, diverged, margin)


@pytest.mark.parametrize("answer", [_no_shape, _no_shape_check(range_test_verdict)])
def test_no_shape_check_fails_on_the_0d_case_with_its_hint(answer):
    with pytest.raises(TypeError):
        answer(np.array(2.3))
    message = _failure("range_test_verdict", answer)
    assert "a 0-d array, np.array(2.3)" in message and "raised TypeError" in message, message
    assert "A 0-d array (one number) is not one-dimensional" in message, message


@pytest.mark.parametrize("name", ["steps_to_floor", "range_test_verdict"])
def test_the_references_pass_the_new_cases(name):
    answer = _steps_to_floor if name == "steps_to_floor" else range_test_verdict
    checker(SCHEDULES)(name, answer)


def test_rel_zero_fails_an_answer_that_refuses_only_inf_and_str():
    def answer(lr, L, sigma, start_mean_square, rel=0.1):
        if not isinstance(rel, float | int) or not rel < math.inf:  # no test of rel > 0
            raise ValueError("rel must be a finite number.")
        return _steps_rel_unchecked(lr, L, sigma, start_mean_square, rel)

    message = _failure("steps_to_floor", answer)
    assert "rel = 0 (must raise ValueError)" in message, message
