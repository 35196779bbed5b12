"""Exercises 01 and 02 after the third referee read of lectures 00-02 (ref-a2, issue 15): each
wrong answer the read found passing or confusing, written as a learner writes it, now fails its
instant check with a message that says what to do; the right forms pass."""

from __future__ import annotations

import pytest

from course_utils.checks import CheckFailed, checker

AID_01 = "01_gradient_descent"
AID_02 = "02_batch_stochastic_minibatch"


def _valid(x, v, h):
    if not h > 0 or x.ndim != 1 or v.shape != x.shape:
        raise ValueError("h must be positive and x, v 1-D arrays of one shape.")


def _hvp_add_back(grad_fn, x, v, h=1e-5):
    # ref-a2 01-13, as it reads for the central difference of exercise 01 question 4: perturb x
    # itself, then add the step back; x ends off by an ulp in some entries.
    _valid(x, v, h)
    x += h * v
    g_plus = grad_fn(x)
    x -= 2 * h * v
    g_minus = grad_fn(x)
    x += h * v
    return (g_plus - g_minus) / (2 * h)


def _hvp_save_old(grad_fn, x, v, h=1e-5):
    _valid(x, v, h)
    old = x.copy()
    x += h * v
    g_plus = grad_fn(x)
    x[:] = old - h * v
    g_minus = grad_fn(x)
    x[:] = old
    return (g_plus - g_minus) / (2 * h)


def test_adding_h_back_is_told_that_floating_point_does_not_restore_x(capsys):
    with pytest.raises(CheckFailed) as failed:
        checker(AID_01)("hessian_vector_product", _hvp_add_back)
    message = str(failed.value)
    assert "in place, in the last digits only" in message
    assert "does not restore x exactly in floating point" in message
    checker(AID_01)("hessian_vector_product", _hvp_save_old)  # restoring exactly passes
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
