"""Exercises 01 and 02 after the third referee read of lectures 00-02 (ref-a2, issue 15): each
wrong answer the read found passing or confusing, written as a learner writes it, now fails its
instant check with a message that says what to do; the right forms pass."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker

AID_01 = "01_gradient_descent"
AID_02 = "02_batch_stochastic_minibatch"


def _gd_norm_grew(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    # ref-a2 01-9: "diverged" as soon as ||x_(k+1)|| > ||x_k||; passed all 9 cases before.
    x = np.array(x0, dtype=float)
    for k in range(max_iters):
        g = grad_fn(x)
        if np.linalg.norm(g) < tol:
            return x, k
        x_new = x - lr * g
        if np.linalg.norm(x_new) > np.linalg.norm(x):
            raise FloatingPointError(f"diverged at step {k + 1}")
        x = x_new
    return x, max_iters


def test_a_divergence_test_on_a_growing_norm_fails_with_its_hint():
    question = specs.load(AID_01).question("gradient_descent")
    hint = [m.hint for m in question.mistakes if "||x|| grew" in m.hint]
    assert len(hint) == 1
    with pytest.raises(CheckFailed) as failed:
        checker(AID_01)("gradient_descent", _gd_norm_grew)
    assert f"hint: {hint[0]}" in str(failed.value)
    assert "minimizer c = [2, -1]" in str(failed.value)  # the visible case that catches it


def test_the_minimizer_off_the_origin_cases_converge_and_the_norm_is_not_monotone():
    question = specs.load(AID_01).question("gradient_descent")
    off = [c for c in question.cases if "minimizer" in c.description and "0" in c.description]
    assert len(off) == 2 and sum(c.hidden for c in off) == 1
    for seed in range(5):
        grad_fn, x0, lr, tol, max_iters = off[1].make_inputs(np.random.default_rng(seed))
        x, n = question.reference(grad_fn, x0, lr, tol, max_iters)
        assert n < max_iters and np.linalg.norm(grad_fn(x)) < tol  # it converges
        assert np.linalg.norm(x) > 10 * np.linalg.norm(x0)  # while ||x|| grows from near 0


def _numerical_gradient_add_back(f, x, h=1e-5):
    # ref-a2 01-13: perturb x itself, then add h back; x ends off by an ulp in some entries.
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _numerical_gradient_save_old(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def test_adding_h_back_is_told_that_floating_point_does_not_restore_x(capsys):
    with pytest.raises(CheckFailed) as failed:
        checker(AID_01)("numerical_gradient", _numerical_gradient_add_back)
    message = str(failed.value)
    assert "in place, in the last digits only" in message
    assert "does not restore x exactly in floating point" in message
    checker(AID_01)("numerical_gradient", _numerical_gradient_save_old)  # restoring exactly passes
    assert "✓" in capsys.readouterr().out


def _indices_generator(n, batch_size, n_epochs, rng):
    # ref-a2 02-8: the lecture's old word "generator" invited a yield answer.
    for _epoch in range(n_epochs):
        order = rng.permutation(n)
        for i in range(0, n, batch_size):
            yield order[i : i + batch_size]


def test_a_generator_answer_is_told_to_return_a_list(capsys):
    with pytest.raises(CheckFailed) as failed:
        checker(AID_02)("minibatch_indices", _indices_generator)
    assert "the answer is a generator" in str(failed.value)
    assert "return a list" in str(failed.value)

    def as_list(*args):
        return list(_indices_generator(*args))

    checker(AID_02)("minibatch_indices", as_list)
    assert "✓" in capsys.readouterr().out
