"""Objectives: values, gradients and Hessians against torch autograd; minimizers; errors."""

import numpy as np
import pytest
import torch

from course_utils.gradcheck import numerical_gradient, relative_error
from course_utils.objectives import (
    DoubleWell2D,
    NonConvex1D,
    Objective,
    Quadratic,
    Rosenbrock,
    Saddle,
)

QUAD = Quadratic([1.0, 10.0], angle=0.6, center=[0.5, -1.0])
QUAD3 = Quadratic([0.5, 2.0, 7.0], angle=1.0, center=[1.0, 2.0, 3.0])


def _torch_quadratic(obj):
    A, c = torch.tensor(obj.A), torch.tensor(obj.x_star)
    return lambda t: 0.5 * (t - c) @ A @ (t - c)


# Each objective next to an independent torch formula of the same function.
CASES = [
    (QUAD, _torch_quadratic(QUAD)),
    (QUAD3, _torch_quadratic(QUAD3)),
    (Rosenbrock(), lambda t: (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2),
    (Rosenbrock(a=-0.5, b=5.0), lambda t: (-0.5 - t[0]) ** 2 + 5 * (t[1] - t[0] ** 2) ** 2),
    (NonConvex1D(), lambda t: t[0] ** 4 - 3 * t[0] ** 2 + t[0]),
    (DoubleWell2D(), lambda t: (t[0] ** 2 - 1) ** 2 + t[1] ** 2 + 0.3 * t[0]),
    (Saddle(), lambda t: 0.5 * t[0] ** 2 + 0.25 * t[1] ** 4 - 0.5 * t[1] ** 2),
]
IDS = [
    "quadratic2d",
    "quadratic3d",
    "rosenbrock",
    "rosenbrock_ab",
    "nonconvex1d",
    "doublewell",
    "saddle",
]


def _points(dim, k=5):
    return np.random.default_rng(7).uniform(-2, 2, size=(k, dim))


@pytest.mark.parametrize(("obj", "torch_f"), CASES, ids=IDS)
def test_value_grad_hessian_match_torch_autograd(obj, torch_f):
    for x in _points(obj.dim):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        value = torch_f(t)
        (grad,) = torch.autograd.grad(value, t)
        hess = torch.autograd.functional.hessian(torch_f, torch.tensor(x, dtype=torch.float64))
        assert obj.value(x) == pytest.approx(value.item(), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(obj.grad(x), grad.numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(obj.hessian(x), hess.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("obj", "torch_f"), CASES, ids=IDS)
def test_grad_matches_numerical_gradient(obj, torch_f):
    for x in _points(obj.dim):
        assert relative_error(obj.grad(x), numerical_gradient(obj.value, x)) < 1e-7


@pytest.mark.parametrize(("obj", "torch_f"), CASES, ids=IDS)
def test_minimizers_are_stationary_with_psd_hessian_and_global_first(obj, torch_f):
    mins = obj.minimizers
    assert mins.ndim == 2 and mins.shape[1] == obj.dim and len(mins) >= 1
    for m in mins:
        assert np.linalg.norm(obj.grad(m)) < 1e-12
        assert np.linalg.eigvalsh(obj.hessian(m)).min() > 0
    values = [obj.value(m) for m in mins]
    assert obj.min_value == values[0] == min(values)


@pytest.mark.parametrize(("obj", "torch_f"), CASES, ids=IDS)
def test_batched_value_equals_pointwise_value(obj, torch_f):
    pts = _points(obj.dim, k=6).T.reshape(obj.dim, 2, 3)
    batched = obj.value(pts)
    assert batched.shape == (2, 3)
    expected = [[obj.value(pts[:, i, j]) for j in range(3)] for i in range(2)]
    np.testing.assert_allclose(batched, expected, rtol=1e-14)
    assert isinstance(obj.value(pts[:, 0, 0]), float)


def test_minimizers_is_a_copy():
    q = Quadratic([1.0, 2.0])
    q.minimizers[0, 0] = 99.0
    np.testing.assert_array_equal(q.minimizers, [[0.0, 0.0]])


def test_quadratic_properties_and_rotation():
    q = Quadratic([2.0, 8.0], angle=np.pi / 6, center=[1.0, -1.0])
    assert (q.L, q.mu, q.kappa) == (8.0, 2.0, 4.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.A), [2.0, 8.0], rtol=1e-14)
    v = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])  # R e1 has eigenvalue 2
    np.testing.assert_allclose(q.A @ v, 2.0 * v, atol=1e-14)
    np.testing.assert_array_equal(q.x_star, [1.0, -1.0])
    assert q.value(q.x_star) == 0.0 and q.min_value == 0.0


def test_quadratic_high_dim_rotation_is_deterministic_and_not_diagonal():
    a, b = Quadratic([1.0, 3.0, 9.0], angle=0.1), Quadratic([1.0, 3.0, 9.0], angle=0.1)
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_allclose(np.linalg.eigvalsh(a.A), [1.0, 3.0, 9.0], rtol=1e-12)
    assert np.abs(a.A - np.diag(np.diag(a.A))).max() > 0.1
    np.testing.assert_array_equal(Quadratic([1.0, 3.0, 9.0]).A, np.diag([1.0, 3.0, 9.0]))


def test_nonconvex1d_minimizers_match_brute_force():
    f = NonConvex1D()
    grid = np.linspace(-3, 3, 600_001)
    assert f.value(grid[None, :]).min() == pytest.approx(f.min_value, abs=1e-9)
    assert f.minimizers.shape == (2, 1)
    glob, loc = f.minimizers[:, 0]
    assert glob < 0 < loc and f.value([loc]) - f.value([glob]) > 1.0
    np.testing.assert_allclose(4 * f.minimizers**3 - 6 * f.minimizers + 1, 0, atol=1e-13)


def test_doublewell_has_two_minima_of_different_depth():
    f = DoubleWell2D()
    assert f.minimizers.shape == (2, 2)
    (x_glob, y_glob), (x_loc, y_loc) = f.minimizers
    assert x_glob < 0 < x_loc and y_glob == y_loc == 0
    assert f.value(f.minimizers[1]) - f.value(f.minimizers[0]) > 0.3
    grid = np.linspace(-2, 2, 400_001)
    assert f.value(np.stack([grid, np.zeros_like(grid)])).min() == pytest.approx(
        f.min_value, abs=1e-9
    )


def test_saddle_point_hessian_has_eigenvalues_plus_and_minus_one():
    s = Saddle()
    np.testing.assert_array_equal(s.saddle_point, [0.0, 0.0])
    np.testing.assert_array_equal(s.grad(s.saddle_point), [0.0, 0.0])
    np.testing.assert_allclose(np.linalg.eigvalsh(s.hessian(s.saddle_point)), [-1.0, 1.0])
    np.testing.assert_array_equal(s.minimizers, [[0.0, 1.0], [0.0, -1.0]])
    assert s.min_value == -0.25


def test_objective_is_callable_and_has_a_repr():
    r = Rosenbrock()
    assert r([1.0, 1.0]) == 0.0
    assert "Rosenbrock" in repr(r) and r.dim == 2 and isinstance(r, Objective)


@pytest.mark.parametrize("method", ["value", "grad", "hessian"])
def test_wrong_shape_is_a_clear_error(method):
    with pytest.raises(ValueError, match=r"x must have shape \(2,\).*got \(3,\)\."):
        getattr(Rosenbrock(), method)([1.0, 2.0, 3.0])


def test_grad_rejects_batched_input():
    with pytest.raises(ValueError, match=r"x must have shape \(2,\), got \(2, 4\)\."):
        Saddle().grad(np.zeros((2, 4)))


@pytest.mark.parametrize("bad", [[np.nan, 0.0], [0.0, np.inf]])
def test_non_finite_x_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"x must contain only finite values"):
        Saddle().grad(bad)


def test_non_numeric_x_is_a_type_error():
    with pytest.raises(TypeError, match=r"x must be an array of real numbers"):
        Saddle().value(["a", "b"])


@pytest.mark.parametrize("eigs", [[1.0, -2.0], [0.0, 1.0], [1.0, np.nan]])
def test_quadratic_rejects_non_positive_eigenvalues(eigs):
    with pytest.raises(ValueError, match=r"eigenvalues must be positive and finite"):
        Quadratic(eigs)


def test_quadratic_rejects_bad_center_and_empty_eigenvalues():
    with pytest.raises(ValueError, match=r"center must have shape \(2,\), got \(3,\)\."):
        Quadratic([1.0, 2.0], center=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"eigenvalues must be a non-empty 1-D sequence"):
        Quadratic([])


def test_constructor_parameter_errors():
    with pytest.raises(ValueError, match=r"b must be positive, got -1"):
        Rosenbrock(b=-1.0)
    with pytest.raises(TypeError, match=r"a must be a real number, got str\."):
        Rosenbrock(a="1")
    with pytest.raises(ValueError, match=r"tilt must be non-zero"):
        DoubleWell2D(tilt=0.0)
    with pytest.raises(ValueError, match=r"tilt must be non-zero with \|tilt\| < 1\.5396"):
        DoubleWell2D(tilt=2.0)
