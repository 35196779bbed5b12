"""Finite-difference gradients, the relative error, and the gradient check report."""

import dataclasses

import numpy as np
import pytest

from course_utils.gradcheck import (
    GradientCheck,
    check_gradient,
    numerical_gradient,
    relative_error,
)


def cube_sum(x):
    return float(np.sum(x**3))


def test_numerical_gradient_of_a_matrix_argument():
    x = np.arange(6.0).reshape(2, 3) / 4 - 0.5
    g = numerical_gradient(cube_sum, x)
    assert g.shape == (2, 3) and g.dtype == np.float64
    np.testing.assert_allclose(g, 3 * x**2, atol=1e-9)


def test_numerical_gradient_is_exact_for_quadratics_up_to_rounding():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(numerical_gradient(lambda v: 0.5 * v @ A @ v, x), A @ x, atol=1e-10)


def test_numerical_gradient_does_not_modify_x():
    x = np.array([1.0, -2.0, 0.5])
    before = x.copy()
    numerical_gradient(cube_sum, x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_gives_f_a_fresh_array_each_call():
    x = np.array([1.0, 2.0])

    def vandal(v):
        value = float(v @ v)
        v[:] = 1e6  # must not leak into later evaluations
        return value

    np.testing.assert_allclose(numerical_gradient(vandal, x), 2 * x, atol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_accepts_ints_and_scalars():
    g = numerical_gradient(lambda v: float(np.sum(v**2)), [1, 2])
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [2.0, 4.0], atol=1e-8)
    assert numerical_gradient(lambda v: float(v) ** 2, 3.0) == pytest.approx(6.0)


def test_numerical_gradient_errors():
    with pytest.raises(TypeError, match=r"f must be callable, got int\."):
        numerical_gradient(3, [1.0])
    with pytest.raises(ValueError, match=r"h must be positive, got -1e-05\."):
        numerical_gradient(cube_sum, [1.0], h=-1e-5)
    with pytest.raises(TypeError, match=r"f must return a scalar, got shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"x must contain only finite values, got \[nan\]\."):
        numerical_gradient(cube_sum, [np.nan])


def test_relative_error_definition():
    # max|a - b| / max(max|a| + max|b|, eps)
    assert relative_error([1.0, 2.0], [1.0, 3.0]) == pytest.approx(1 / 5)
    assert relative_error([1.0, -4.0], [1.0, -4.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([0.0], [1e-13]) == pytest.approx(0.1)  # eps = 1e-12 is the floor
    assert relative_error([0.0], [1e-13], eps=1e-10) == pytest.approx(1e-3)
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(1.0)


def test_relative_error_errors():
    with pytest.raises(
        ValueError, match=r"a and b must have the same shape, got \(2,\) and \(3,\)"
    ):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"eps must be positive"):
        relative_error([1.0], [1.0], eps=0)
    with pytest.raises(ValueError, match=r"a and b must be non-empty"):
        relative_error([], [])


def test_check_gradient_passes_for_correct_and_fails_for_wrong_gradient():
    x = np.array([0.5, -1.5, 2.0])
    good = check_gradient(cube_sum, lambda v: 3 * v**2, x)
    assert isinstance(good, GradientCheck) and good.passed and bool(good)
    assert good.relative_error < 1e-8
    np.testing.assert_allclose(good.analytic, 3 * x**2)
    bad = check_gradient(cube_sum, lambda v: 2 * v, x)
    assert not bad.passed and bad.relative_error > 0.1
    assert "FAILED" in str(bad) and "index (1,)" in str(bad)
    assert str(good).startswith("gradient check PASSED: relative error")


def test_gradient_check_is_frozen_and_arrays_read_only():
    result = check_gradient(cube_sum, lambda v: 3 * v**2, [1.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.passed = False
    with pytest.raises(ValueError):
        result.analytic[0] = 0.0


def test_check_gradient_tolerance_is_respected():
    x = np.array([1.0, 2.0])
    slightly_off = check_gradient(cube_sum, lambda v: 3 * v**2 + 1e-4, x, tol=1e-3)
    assert slightly_off.passed
    assert not check_gradient(cube_sum, lambda v: 3 * v**2 + 1e-4, x, tol=1e-6).passed


def test_check_gradient_errors():
    with pytest.raises(ValueError, match=r"grad_f must return an array of shape \(2,\) like x"):
        check_gradient(cube_sum, lambda v: np.zeros(3), [1.0, 2.0])
    with pytest.raises(TypeError, match=r"grad_f must be callable"):
        check_gradient(cube_sum, None, [1.0])
    with pytest.raises(ValueError, match=r"tol must be positive, got 0\."):
        check_gradient(cube_sum, lambda v: 3 * v**2, [1.0], tol=0)


@pytest.mark.parametrize(
    ("f", "pattern"),
    [
        (lambda x: None, r"^f must return a real number, got None at x\[0\] \+ h \(is a `return` missing\?\)\.$"),
        (lambda x: "1", r"^f must return a real number, got a str '1' at x\[0\] \+ h\.$"),
        (lambda x: 1j * x[0], r"^f must return a real number, got dtype complex128 at x\[0\] \+ h\.$"),
    ],
)  # fmt: skip
def test_wrong_function_outputs_get_one_sentence(f, pattern):
    with pytest.raises(TypeError, match=pattern):
        numerical_gradient(f, np.array([1.0, 2.0]))


def test_gradient_of_wrong_type_gets_one_sentence():
    with pytest.raises(TypeError, match=r"^grad_f must return an array of real numbers, got None"):
        check_gradient(lambda x: x @ x, lambda x: None, np.ones(2))
