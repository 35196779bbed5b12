"""Exercise 01 after issue 21: ``projected_gd_step``, ``backtracking_step`` and
``hessian_vector_product``, three variants the lecture does not write, and ``ridge_lr_threshold``,
a prediction it does not make. The generic tests in test_checks.py prove that the references
pass, the stubs and every named mistake fail; these prove the references right (against torch,
against the sufficient-decrease condition itself and against measured runs), that the correct
alternative forms the exercise names pass, and that bad input gets its ValueError."""

import numpy as np
import pytest
import torch
from test_checks import _judged

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.gradcheck import hessian_vector_product
from course_utils.judging import judge, observe
from course_utils.objectives import Rosenbrock
from course_utils.specs._backtracking import backtracking_step, half_square, rosenbrock
from course_utils.specs._hvp import (
    cubic_2d_grad,
    exp_3d_grad,
    hessian_columns_then_product,
    rosenbrock_grad,
)

AID = "01_gradient_descent"


def _torch_rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _torch_cubic(x):
    return x[0] ** 2 + 3 * x[0] * x[1] + 2 * x[1] ** 3


def _torch_exp_3d(x):
    return torch.exp(x[0]) * x[1] + x[2] ** 4


@pytest.mark.parametrize(
    ("grad_fn", "torch_f", "dim", "rtol"),
    [
        (cubic_2d_grad, _torch_cubic, 2, 1e-9),  # a quadratic gradient: the difference is exact
        (rosenbrock_grad, _torch_rosenbrock, 2, 1e-7),
        (exp_3d_grad, _torch_exp_3d, 3, 1e-7),
    ],
)
def test_hessian_vector_product_matches_torch_in_float64(grad_fn, torch_f, dim, rtol):
    rng = np.random.default_rng(21)
    for _ in range(5):
        x, v = rng.uniform(-1.5, 1.5, dim), rng.standard_normal(dim)
        exact = torch.autograd.functional.hvp(
            torch_f, torch.tensor(x, dtype=torch.float64), torch.tensor(v, dtype=torch.float64)
        )[1].numpy()
        got = hessian_vector_product(grad_fn, x, v)
        np.testing.assert_allclose(got, exact, rtol=rtol, atol=1e-7 * np.abs(exact).max())


def test_the_spec_gradients_are_the_library_and_torch_gradients():
    rng = np.random.default_rng(3)
    for x in rng.uniform(-1.5, 1.5, (5, 2)):
        np.testing.assert_allclose(rosenbrock_grad(x), Rosenbrock().grad(x), rtol=1e-12)
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        _torch_rosenbrock(t).backward()
        np.testing.assert_allclose(rosenbrock_grad(x), t.grad.numpy(), rtol=1e-12)
        assert rosenbrock(x) == pytest.approx(Rosenbrock().value(x), rel=1e-12)


def test_forming_the_hessian_column_by_column_agrees_at_the_default_h_only():
    """The exercise names this estimate (2d gradient calls instead of two): it steps a distance h
    along each coordinate, so it agrees with the reference on every case at the default h and at
    h = 0.1 with v a coordinate vector, and fails the two cases with h = 0.1 and a longer v. The
    first of them (2-D, where it and a step of distance h differ) names it by its own hint, not
    by the hint for a step of distance h (ri01 E3)."""
    question = specs.load(AID).question("hessian_vector_product")
    verdicts = [
        judge(question, case, observe(question, case, hessian_columns_then_product))
        for case in question.cases
    ]
    failed = [c.description for c, v in zip(question.cases, verdicts, strict=True) if not v.passed]
    assert len(failed) == 2 and "v = [1, 2]" in failed[0] and "v = [2]" in failed[1]
    first = next(v for v in verdicts if not v.passed)
    assert first.hint.startswith("You formed the Hessian column by column")


def test_hessian_vector_product_is_linear_in_v_and_leaves_its_inputs():
    x, v = np.array([0.3, -0.7]), np.array([1.5, 2.0])
    x_before, v_before = x.copy(), v.copy()
    double = hessian_vector_product(rosenbrock_grad, x, 2 * v, h=1e-6)
    np.testing.assert_allclose(double, 2 * hessian_vector_product(rosenbrock_grad, x, v, h=2e-6))
    assert np.array_equal(x, x_before) and np.array_equal(v, v_before)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((cubic_2d_grad, np.zeros(2), np.ones(2), 0.0), "h must be positive"),
        ((cubic_2d_grad, np.zeros(2), np.ones(2), -1e-5), "h must be positive"),
        ((cubic_2d_grad, np.zeros(2), np.ones(3)), "one shape"),
        ((cubic_2d_grad, np.zeros((2, 2)), np.ones((2, 2))), "1-D"),
    ],
)
def test_hessian_vector_product_bad_input_is_one_sentence(args, words):
    with pytest.raises(ValueError, match=words):
        hessian_vector_product(*args)


def test_hessian_vector_product_type_errors_are_one_sentence():
    with pytest.raises(TypeError, match="grad_fn must be callable"):
        hessian_vector_product(None, np.zeros(2), np.ones(2))
    with pytest.raises(TypeError, match="h must be a real number"):
        hessian_vector_product(cubic_2d_grad, np.zeros(2), np.ones(2), h="1e-5")
    with pytest.raises(ValueError, match="must return an array of shape"):
        hessian_vector_product(lambda x: np.zeros(3), np.zeros(2), np.ones(2))


def test_the_reference_is_the_library_function_and_an_answer_calling_it_scores_0():
    question = specs.load(AID).question("hessian_vector_product")
    assert question.reference is hessian_vector_product
    assert "course_utils.gradcheck.hessian_vector_product" in question.library_names


def _sufficient(f, x, g, lr, c1):
    return f(x - lr * g) <= f(x) - c1 * lr * (g @ g)


@pytest.mark.parametrize("seed", range(5))
def test_backtracking_returns_the_first_learning_rate_that_passes(seed):
    """On Rosenbrock and random quadratics: the returned lr passes the sufficient-decrease test,
    lr / shrink (the try before it) fails it, and x_new is the step at lr."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    A = q @ np.diag(rng.uniform(0.5, 10.0, 2)) @ q.T
    problems = [(rosenbrock, rosenbrock_grad), (lambda x: 0.5 * x @ A @ x, lambda x: A @ x)]
    for f, grad in problems:
        x = rng.uniform(-1.5, 1.5, 2)
        lr0, shrink, c1 = rng.uniform(0.5, 3.0), rng.uniform(0.2, 0.9), rng.uniform(1e-4, 0.5)
        x_new, lr = backtracking_step(f, grad, x, lr0, shrink, c1, max_shrinks=60)
        g = grad(x)
        assert _sufficient(f, x, g, lr, c1)
        np.testing.assert_allclose(x_new, x - lr * g, rtol=0, atol=0)
        k = round(np.log(lr / lr0) / np.log(shrink))
        assert lr == pytest.approx(lr0 * shrink**k, rel=1e-12)
        if k > 0:
            assert not _sufficient(f, x, g, lr / shrink, c1)


def test_backtracking_accepts_every_lr_up_to_one_over_l_when_c1_is_at_most_one_half():
    # The descent lemma of lecture 01 §5: on an L-smooth f the step 1/L lowers f by ||g||^2/(2L).
    A = np.array([[2.0, 1.0], [1.0, 4.0]])
    L = np.linalg.eigvalsh(A).max()
    rng = np.random.default_rng(0)
    for x in rng.uniform(-3, 3, (20, 2)):
        _, lr = backtracking_step(lambda y: 0.5 * y @ A @ y, lambda y: A @ y, x, 1 / L, 0.5, 0.5)
        assert lr == 1 / L


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"lr0": 0.0}, "lr0 must be positive"),
        ({"lr0": -1.0}, "lr0 must be positive"),
        ({"shrink": 0.0}, r"shrink must be in \(0, 1\)"),
        ({"shrink": 1.0}, r"shrink must be in \(0, 1\)"),
        ({"c1": 0.0}, r"c1 must be in \(0, 1\)"),
        ({"c1": 1.0}, r"c1 must be in \(0, 1\)"),
    ],
)
def test_backtracking_bad_input_is_one_sentence(kwargs, words):
    with pytest.raises(ValueError, match=words):
        backtracking_step(half_square, lambda x: x, np.array([1.0]), **kwargs)


def test_backtracking_raises_when_no_step_lowers_f():
    with pytest.raises(FloatingPointError, match="is grad_fn the gradient of f"):
        backtracking_step(half_square, lambda x: -x, np.array([1.0, 2.0]))


def test_backtracking_with_its_own_convention_for_the_tries_fails(capsys):
    """An answer that never gives up (no max_shrinks) passes every returning case but not the
    raising one: the check asks for FloatingPointError."""

    def never_gives_up(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
        if not (lr0 > 0 and 0 < shrink < 1 and 0 < c1 < 1):
            raise ValueError("bad")
        x = np.array(x, dtype=float)
        g, lr = grad_fn(x), lr0
        while not _sufficient(f, x, g, lr, c1):
            lr *= shrink
        return x - lr * g, lr

    with pytest.raises(CheckFailed, match="FloatingPointError"):
        checker(AID)("backtracking_step", never_gives_up)


def test_redesigned_set_has_no_lecture_answer_and_keeps_its_points():
    assignment = specs.load(AID)
    kinds = {q.name: (q.skill, q.points) for q in assignment.questions}
    assert kinds == {
        "projected_gd_step": ("variant", 2),
        "backtracking_step": ("variant", 3),
        "ridge_lr_threshold": ("prediction", 2),
        "hessian_vector_product": ("variant", 3),
    }
    assert assignment.max_score == 10
    assert [q.kind for q in assignment.questions].count("value") == 1  # the value attacks' target
    assert assignment.question("backtracking_step").returns == ("x_new", "lr")


# ------------------------------------------- after the referee read rf01 (issues 15/16/20)


def _score(name, answer, seed):
    """The grade of ``answer`` on every case, hidden ones drawn as a grading run with ``seed``."""
    return _judged(AID, name, answer, seed).score


def _hvp_without_ndim_check(grad_fn, x, v, h=1e-5):
    """The referee's answer: only h == 0 and a v of another length raise."""
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    if h == 0 or v.shape != x.shape:
        raise ValueError("bad input")
    return (grad_fn(x + h * v) - grad_fn(x - h * v)) / (2 * h)


@pytest.mark.parametrize("seed", [0, 7])
def test_an_hvp_that_skips_the_asked_checks_scores_0_and_the_solution_full(seed):
    question = specs.load(AID).question("hessian_vector_product")
    hidden_raising = [c.description for c in question.cases if c.hidden and c.raises]
    assert any("negative step" in d for d in hidden_raising)
    assert any("not 1-D" in d for d in hidden_raising)
    assert _score("hessian_vector_product", _hvp_without_ndim_check, seed) == 0
    assert _score("hessian_vector_product", hessian_vector_product, seed) == question.points


def _hvp_richardson(grad_fn, x, v, h=1e-5):
    """A more accurate estimate than the task asks for (error O(h^4)): exact on x**4."""
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    if x.ndim != 1 or v.shape != x.shape or not h > 0:
        raise ValueError("bad input")

    def central(step):
        return (grad_fn(x + step * v) - grad_fn(x - step * v)) / (2 * step)

    return (4 * central(h / 2) - central(h)) / 3


def test_an_extrapolated_hvp_is_told_it_returned_the_exact_value_not_that_it_ignores_h():
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("hessian_vector_product", _hvp_richardson)
    message = str(failed.value)
    assert "exact second derivative" in message and "does not depend on h" not in message
