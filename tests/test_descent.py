"""Gradient descent: the 2/L threshold, the (kappa-1)/(kappa+1) rate, stopping rules, errors."""

from functools import partial

import numpy as np
import pytest

from course_utils.descent import (
    DivergenceError,
    Trajectory,
    contraction_rate,
    gradient_descent,
    run,
)
from course_utils.objectives import NonConvex1D, Quadratic, Rosenbrock
from course_utils.optim import SGD

QUAD = Quadratic([1.0, 10.0], angle=0.5, center=[0.5, -0.5])
X0 = np.array([2.0, 1.5])


def test_diverges_slightly_above_two_over_L():
    lr = 1.02 * 2 / QUAD.L
    with pytest.raises(
        DivergenceError, match=r"diverged at step \d+: .*lr = 0\.204 is above 2/L = 0\.2"
    ):
        gradient_descent(QUAD, X0, lr, max_iters=5000)


def test_converges_slightly_below_two_over_L():
    traj = gradient_descent(QUAD, X0, 0.98 * 2 / QUAD.L, max_iters=5000)
    assert traj.status == "converged"
    assert np.linalg.norm(traj.xs[-1] - QUAD.x_star) < 1e-6


def test_measured_rate_at_optimal_step_matches_theory():
    lr = 2 / (QUAD.L + QUAD.mu)
    traj = gradient_descent(QUAD, X0, lr, max_iters=100, tol=0.0)
    errors = np.linalg.norm(traj.xs - QUAD.x_star, axis=1)
    theory = (QUAD.kappa - 1) / (QUAD.kappa + 1)
    assert contraction_rate(errors[:60]) == pytest.approx(theory, abs=1e-3)


def test_steps_are_plain_gradient_steps():
    traj = gradient_descent(QUAD, X0, 0.05, max_iters=3)
    np.testing.assert_allclose(traj.xs[1], X0 - 0.05 * QUAD.grad(X0), rtol=1e-15)
    np.testing.assert_allclose(traj.losses, [QUAD.value(x) for x in traj.xs], rtol=1e-15)
    np.testing.assert_allclose(traj.grad_norms, [np.linalg.norm(QUAD.grad(x)) for x in traj.xs])


def test_start_at_minimum_takes_zero_steps():
    traj = gradient_descent(QUAD, QUAD.x_star, 0.1)
    assert (traj.status, traj.n_steps, traj.xs.shape, traj.losses.shape) == (
        "converged", 0, (1, 2), (1,),
    )  # fmt: skip
    assert traj.message.startswith("converged in 0 steps")


@pytest.mark.parametrize("max_iters", [0, 1, 7])
def test_max_iters_is_respected(max_iters):
    traj = gradient_descent(QUAD, X0, 1e-3, max_iters=max_iters)
    assert traj.status == "max_iters" and traj.n_steps == max_iters
    assert traj.xs.shape == (max_iters + 1, 2) and traj.grad_norms.shape == (max_iters + 1,)
    assert traj.message == (
        f"stopped after max_iters = {max_iters} steps: ||grad|| = {traj.grad_norms[-1]:.1e} "
        "is still >= tol 1e-06."
    )


@pytest.mark.parametrize("tol", [1e-2, 1e-6, 1e-10])
def test_tol_stops_at_first_small_gradient(tol):
    traj = gradient_descent(QUAD, X0, 0.1, tol=tol)
    assert traj.status == "converged"
    assert traj.grad_norms[-1] < tol and np.all(traj.grad_norms[:-1] >= tol)
    assert traj.message == (
        f"converged in {traj.n_steps} steps: ||grad|| = {traj.grad_norms[-1]:.1e} < tol {tol:.0e}."
    )


def test_converged_exactly_at_max_iters_counts_as_converged():
    full = gradient_descent(QUAD, X0, 0.1)
    traj = gradient_descent(QUAD, X0, 0.1, max_iters=full.n_steps)
    assert traj.status == "converged" and traj.n_steps == full.n_steps


def test_divergence_step_and_stop_mode_on_1d_quadratic():
    # x_k = (-2)^k, loss 0.5 * 4^k first exceeds 1e8 * max(1, 0.5) at k = 14.
    q = Quadratic([1.0])
    with pytest.raises(
        DivergenceError, match=r"at step 14: the loss grew from 0\.5 to 1\.34e\+08"
    ) as info:
        gradient_descent(q, [1.0], 3.0)
    assert isinstance(info.value, RuntimeError)
    assert "lr = 3 is above 2/L = 2, so try a smaller learning rate." in str(info.value)
    assert info.value.trajectory.n_steps == 13
    traj = gradient_descent(q, [1.0], 3.0, on_divergence="stop")
    assert traj.status == "diverged" and traj.n_steps == 13 and traj.xs.shape == (14, 1)
    assert np.all(np.isfinite(traj.xs)) and traj.losses[-1] <= 1e8
    assert traj.message.startswith("diverged at step 14:")


def test_divergence_without_L_suggests_smaller_lr():
    with pytest.raises(DivergenceError, match=r"try a learning rate smaller than lr = 0\.01\.$"):
        gradient_descent(Rosenbrock(), [-1.5, 2.0], 0.01)


def test_divergence_to_non_finite_values_is_caught():
    traj = gradient_descent(Rosenbrock(), [-1.5, 2.0], 1.0, on_divergence="stop")
    assert traj.status == "diverged" and np.all(np.isfinite(traj.losses))


def test_duck_typed_objective_without_dim():
    class Bowl:
        def value(self, x):
            return float(x @ x)

        def grad(self, x):
            return 2 * x

    traj = gradient_descent(Bowl(), [1.0, 1.0, 1.0], 0.25)
    assert traj.status == "converged" and traj.xs.shape[1] == 3


def test_nonconvex_start_finds_the_nearby_local_minimum():
    f = NonConvex1D()
    traj = gradient_descent(f, [2.0], 0.01)
    assert traj.xs[-1, 0] == pytest.approx(f.minimizers[1, 0], abs=1e-6)


def test_trajectory_is_frozen():
    traj = gradient_descent(QUAD, X0, 0.1, max_iters=2)
    assert isinstance(traj, Trajectory)
    with pytest.raises(AttributeError):
        traj.status = "converged"


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"lr": -0.1}, ValueError, r"^lr must be positive, got -0\.1\.$"),
        ({"lr": 0}, ValueError, r"^lr must be positive, got 0\.$"),
        ({"lr": float("nan")}, ValueError, r"^lr must be finite, got nan\.$"),
        ({"lr": "0.1"}, TypeError, r"^lr must be a real number, got str\.$"),
        ({"max_iters": -1}, ValueError, r"^max_iters must be >= 0, got -1\.$"),
        ({"max_iters": 2.5}, TypeError, r"^max_iters must be an int, got float\.$"),
        ({"tol": -1e-3}, ValueError, r"^tol must be non-negative, got -0\.001\.$"),
        ({"on_divergence": "ignore"}, ValueError, r"on_divergence must be 'raise' or 'stop'"),
        ({"x0": [1.0, 2.0, 3.0]}, ValueError, r"^x0 must have shape \(2,\), got \(3,\)\.$"),
        (
            {"x0": [np.nan, 0.0]},
            ValueError,
            r"^x0 must contain only finite values, got \[nan, 0\.0\]\.$",
        ),
        ({"objective": object()}, TypeError, r"objective must have a callable \.value\(x\)"),
    ],
)
def test_clear_errors(kwargs, error, pattern):
    args = {"objective": QUAD, "x0": X0, "lr": 0.1} | kwargs
    with pytest.raises(error, match=pattern):
        gradient_descent(**args)


def test_contraction_rate_of_geometric_sequence():
    errors = 3.0 * 0.5 ** np.arange(21)
    assert contraction_rate(errors) == pytest.approx(0.5, rel=1e-12)
    # Only the tail from `start` counts: a different early phase does not matter.
    mixed = np.concatenate([[100.0, 1.0], 0.8 ** np.arange(1, 11)])
    assert contraction_rate(mixed, start=2) == pytest.approx(0.8, rel=1e-12)
    assert contraction_rate(mixed, start=0) != pytest.approx(0.8, rel=1e-3)


def test_contraction_rate_errors():
    with pytest.raises(ValueError, match=r"errors must be a 1-D array with at least 2 entries"):
        contraction_rate([1.0])
    with pytest.raises(ValueError, match=r"errors\[1:\] must be positive and finite"):
        contraction_rate([1.0, 0.5, 0.0])
    with pytest.raises(ValueError, match=r"start must be in \[0, 1\], got 2\."):
        contraction_rate([1.0, 0.5, 0.25], start=2)


# ----------------------------------------------------------------------------- run: any optimizer


class HeavyBall:
    """A minimal optimizer in torch.optim's shape (params updated in place), for the tests."""

    def __init__(self, params, lr, momentum=0.9):
        self.params = params
        self.param_groups = [{"lr": lr, "momentum": momentum}]
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, grads):
        group = self.param_groups[0]
        for p, v, g in zip(self.params, self.velocity, grads, strict=True):
            v *= group["momentum"]
            v += g
            p -= group["lr"] * v


def test_run_records_any_optimizers_iterates():
    traj = run(QUAD, X0, HeavyBall, 0.05, max_iters=3, tol=0)
    x, v = X0.copy(), np.zeros(2)
    expected = [x.copy()]
    for _ in range(3):
        v = 0.9 * v + QUAD.grad(x)
        x = x - 0.05 * v
        expected.append(x)
    np.testing.assert_allclose(traj.xs, expected, rtol=1e-14)
    assert traj.optimizer == "HeavyBall(lr=0.05, momentum=0.9)" and traj.lr_limit is None
    np.testing.assert_array_equal(traj.lrs, [0.05, 0.05, 0.05])


def test_run_records_a_learning_rate_changed_between_steps():
    class Halving(HeavyBall):
        def step(self, grads):
            super().step(grads)
            self.param_groups[0]["lr"] /= 2

    traj = run(QUAD, X0, partial(Halving, momentum=0.0), 0.08, max_iters=3, tol=0)
    np.testing.assert_allclose(traj.lrs, [0.08, 0.04, 0.02])


def test_divergence_of_a_momentum_optimizer_names_no_two_over_L():
    with pytest.raises(
        DivergenceError, match=r"^HeavyBall\(lr=0\.5, momentum=0\.9\) diverged"
    ) as e:
        run(QUAD, X0, HeavyBall, 0.5, max_iters=500)
    assert "2/L" not in str(e.value) and str(e.value).endswith("smaller than lr = 0.5.")


def test_plain_sgd_gets_the_two_over_L_diagnosis():
    traj = run(QUAD, X0, SGD, 0.3, max_iters=500, on_divergence="stop")
    assert traj.status == "diverged" and traj.lr_limit == pytest.approx(0.2)
    assert "lr = 0.3 is above 2/L = 0.2" in traj.message


def test_a_nan_iterate_is_divergence_not_convergence():
    # A norm(grad) >= tol loop stops on NaN (nan >= tol is False): the loop must not.
    traj = run(QUAD, X0, SGD, 0.3, max_iters=5000, on_divergence="stop")
    assert traj.status == "diverged" and np.all(np.isfinite(traj.xs))

    class NanAfterOne:
        L = 1.0
        dim = 1

        def value(self, x):
            return float("nan") if abs(x[0]) < 1 else float(x[0] ** 2)

        def grad(self, x):
            return 2 * x

    traj = gradient_descent(NanAfterOne(), [2.0], 0.6, on_divergence="stop")
    assert traj.status == "diverged" and traj.n_steps == 0 and "not finite" in traj.message


def test_tol_and_max_iters_are_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        gradient_descent(QUAD, X0, 0.1, 1e-6, 1000)


def test_run_takes_a_class_or_a_partial_called_with_lr():
    momentum = run(QUAD, X0, partial(SGD, momentum=0.9), 0.05, max_iters=20, tol=0)
    by_hand, x = [X0.copy()], X0.copy()
    opt = SGD([x], lr=0.05, momentum=0.9)
    for _ in range(20):
        opt.step([QUAD.grad(x)])
        by_hand.append(x.copy())
    np.testing.assert_array_equal(momentum.xs, by_hand)
    assert momentum.optimizer == "SGD(lr=0.05, momentum=0.9)"
    plain = run(QUAD, X0, SGD, 0.05, max_iters=20, tol=0)
    np.testing.assert_array_equal(
        plain.xs, gradient_descent(QUAD, X0, 0.05, max_iters=20, tol=0).xs
    )


SHAPE = r"^optimizer must be an optimizer class or a functools\.partial of one, called as "


@pytest.mark.parametrize(
    ("optimizer", "pattern"),
    [
        (0.1, SHAPE + r".*; got a float\.$"),
        (SGD([np.zeros(2)], lr=0.1), SHAPE + r".*; got an SGD instance, not the class\.$"),
        (lambda params: SGD(params, lr=0.1), SHAPE + r".*got <lambda>\(params\), which does not"),
        (lambda lr: lambda p: SGD(p, lr=lr), SHAPE + r".*got <lambda>\(lr\), which does not"),
    ],
    ids=["number", "instance", "old factory", "race factory"],
)
def test_run_rejects_anything_but_the_one_optimizer_shape(optimizer, pattern):
    with pytest.raises(TypeError, match=pattern):
        run(QUAD, X0, optimizer, 0.1)


def test_run_checks_lr_and_what_the_optimizer_builds():
    with pytest.raises(ValueError, match=r"^lr must be positive, got -1\.0\.$"):
        run(QUAD, X0, SGD, -1.0)
    with pytest.raises(TypeError, match=r"^lr must be a real number, got NoneType\.$"):
        run(QUAD, X0, SGD, None)
    with pytest.raises(TypeError, match=r"must return an optimizer with a \.step\(grads\) method"):
        run(QUAD, X0, lambda params, lr: None, 0.1)


class Broken:
    """An objective whose value or gradient returns the wrong thing."""

    dim = 2

    def __init__(self, value=1.0, grad=(0.5, 0.5)):
        self._value, self._grad = value, grad

    def value(self, x):
        return self._value

    def grad(self, x):
        return self._grad


@pytest.mark.parametrize(
    ("objective", "error", "pattern"),
    [
        (Broken(value=None), TypeError, r"^objective\.value\(x\) must return a real number, got None at x0 \(is a `return` missing\?\)\.$"),
        (Broken(value="1.0"), TypeError, r"^objective\.value\(x\) must return a real number, got a str '1\.0' at x0\.$"),
        (Broken(value=1 + 2j), TypeError, r"^objective\.value\(x\) must return a real number, got dtype complex128 at x0\.$"),
        (Broken(value=np.ones(2)), TypeError, r"^objective\.value\(x\) must return a scalar, got shape \(2,\) at x0\.$"),
        (Broken(grad=None), TypeError, r"^objective\.grad\(x\) must return an array of real numbers, got None at x0"),
        (Broken(grad=[1.0, 2.0, 3.0]), ValueError, r"^objective\.grad\(x\) must return an array of shape \(2,\) like x, got \(3,\) at x0\.$"),
    ],
)  # fmt: skip
def test_wrong_objective_outputs_get_one_sentence(objective, error, pattern):
    with pytest.raises(error, match=pattern):
        gradient_descent(objective, X0, 0.1)
