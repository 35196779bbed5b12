"""Exercise set 01 after its fourth referee read (rj01, point E1): the task's "compute the
gradient once, at x" is checked. A backtracking answer that calls grad_fn on every try fails a
visible case whose grad_fn raises on a second call, and loses points; the reference passes it."""

import copy

import numpy as np
import pytest
from test_checks_01_redesign import _score
from test_checks_01_third_read import _first_failure

from course_utils.grading.sandbox.payload import decode, encode
from course_utils.specs._backtracking import _GradOnce, backtracking_step, half_square


def _regrad_each_try(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    """Right in every result, but the gradient is computed again for every learning rate."""
    if not (lr0 > 0 and 0 < shrink < 1 and 0 < c1 < 1):
        raise ValueError("bad argument.")
    x = np.array(x, dtype=float)
    lr = lr0
    for _ in range(max_shrinks + 1):
        g = grad_fn(x)
        x_new = x - lr * g
        if f(x_new) <= f(x) - c1 * lr * (g @ g):
            return x_new, lr
        lr *= shrink
    raise FloatingPointError("no learning rate lowered f enough.")


def test_the_once_grad_counts_its_calls_per_copy():
    grad = _GradOnce()
    assert np.array_equal(grad(np.array([2.0])), [2.0])
    with pytest.raises(RuntimeError, match="compute the gradient once"):
        grad(np.array([2.0]))
    x_new, lr = backtracking_step(half_square, _GradOnce(), np.array([1.0]), 2.5, 0.5, 0.5)
    assert np.allclose(x_new, [0.375]) and lr == 0.625


def test_each_copy_and_each_sandbox_copy_starts_a_new_count():
    """The judge deep-copies the arguments for the reference and for the answer, and the grader
    pickles them into the sandbox (where course_utils.specs cannot be imported): each copy may
    be called once."""
    grad = _GradOnce()
    grad(np.array([1.0]))
    for fresh in (copy.deepcopy(grad), decode(encode((grad,)))[0]):
        assert np.array_equal(fresh(np.array([1.0])), [1.0])
        with pytest.raises(RuntimeError):
            fresh(np.array([1.0]))


@pytest.mark.parametrize("seed", [0, 1])
def test_a_gradient_per_try_fails_the_once_case_and_loses_points(seed):
    case, verdict = _first_failure("backtracking_step", _regrad_each_try)
    assert case is not None and "compute the gradient once" in case.description
    assert "RuntimeError" in verdict.message
    assert _score("backtracking_step", _regrad_each_try, seed) < 3


def test_the_reference_passes_every_case():
    assert _first_failure("backtracking_step", backtracking_step, hidden=True) == (None, None)
