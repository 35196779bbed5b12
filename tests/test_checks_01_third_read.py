"""Exercise set 01 after its third referee read (ri01, points E1-E3): a backtracking answer that
tries one learning rate too many scores less than full marks, a projected step that follows the
stated input types passes the visible cases, and three plausible wrong answers get their own
hints (not another mistake's)."""

import numpy as np
import pytest
from test_checks_01_redesign import _score

from course_utils import specs
from course_utils.judging import judge, observe
from course_utils.specs._backtracking import backtracking_step, half_square
from course_utils.specs._ridge_threshold import WEIGHT_DECAY, X_QUESTION

AID = "01_gradient_descent"


def _first_failure(name, answer, hidden=False):
    question = specs.load(AID).question(name)
    cases = question.cases if hidden else question.visible_cases
    for case in cases:
        verdict = judge(question, case, observe(question, case, answer))
        if not verdict.passed:
            return case, verdict
    return None, None


def _backtracking(accept, tries=lambda max_shrinks: max_shrinks + 1):
    """A learner's backtracking with the task's checks, its own test and its own try count."""

    def step(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
        if not (lr0 > 0 and 0 < shrink < 1 and 0 < c1 < 1):
            raise ValueError("bad argument.")
        x = np.array(x, dtype=float)
        g, lr = grad_fn(x), lr0
        fx = f(x)
        for _ in range(tries(max_shrinks)):
            x_new = x - lr * g
            if accept(f(x_new), fx, c1, lr, g @ g):
                return x_new, lr
            lr *= shrink
        raise FloatingPointError("no learning rate lowered f enough.")

    return step


def _armijo(f_new, fx, c1, lr, gg):
    return f_new <= fx - c1 * lr * gg


@pytest.mark.parametrize("seed", [0, 1])
def test_one_try_too_many_is_caught_by_a_visible_case_with_its_own_hint(seed):
    """E1: the reference raises on max_shrinks = 1 where the next learning rate would pass."""
    with pytest.raises(FloatingPointError, match="no learning rate from 2.5 down to 1.25"):
        backtracking_step(half_square, lambda x: np.array(x), np.array([1.0]), 2.5, 0.5, 0.5, 1)
    extra = _backtracking(_armijo, tries=lambda m: m + 2)
    case, verdict = _first_failure("backtracking_step", extra)
    assert "max_shrinks = 1" in case.description and case.raises == "FloatingPointError"
    assert verdict.hint.startswith("You tried one learning rate too many")
    assert _score("backtracking_step", extra, seed) < 3
    assert _score("backtracking_step", _backtracking(_armijo), seed) == 3  # the task's count


def test_one_minus_c1_is_named_and_no_c1_keeps_its_hint():
    """E3: with c1 = 0.9, (1 - c1) = 0.1 accepts what a test without c1 accepts; each answer
    gets the hint about its own slip at its first failing case."""
    one_minus = _backtracking(lambda f_new, fx, c1, lr, gg: f_new <= fx - (1 - c1) * lr * gg)
    case, verdict = _first_failure("backtracking_step", one_minus)
    assert "c1 = 0.9" in case.description and "a test asking for (1 - c1)" in verdict.hint
    no_c1 = _backtracking(lambda f_new, fx, c1, lr, gg: f_new <= fx)
    _, verdict = _first_failure("backtracking_step", no_c1)
    assert "a test without c1 accepts, the first learning rate that lowers f at all" in verdict.hint


def test_a_gershgorin_bound_is_told_it_used_a_bound_not_the_frobenius_norm():
    """E3: Gershgorin's 2 / (largest row sum of |H|) equals the Frobenius answer here (6.5):
    the hint names both as bounds on the largest eigenvalue."""
    hessian = X_QUESTION.T @ X_QUESTION + WEIGHT_DECAY * np.eye(2)
    gershgorin = 2 / np.abs(hessian).sum(axis=1).max()
    frobenius = 2 / (np.linalg.norm(X_QUESTION) ** 2 + WEIGHT_DECAY)
    assert gershgorin == pytest.approx(frobenius, rel=1e-15)
    question = specs.load(AID).question("ridge_lr_threshold")
    (case,) = question.cases
    verdict = judge(question, case, observe(question, case, gershgorin))
    assert not verdict.passed and "Gershgorin" in verdict.hint and "bound" in verdict.hint


def test_a_projected_step_that_follows_the_stated_types_passes_the_visible_cases():
    """E2: the task allows floats or 1-D arrays for the bounds; an answer that compares them
    without np.asarray is right for those types, so no visible case passes lists."""

    def as_stated(grad_fn, x, lr, lower, upper):
        if not lr > 0:
            raise ValueError("lr must be positive.")
        if np.any(lower > upper):
            raise ValueError("lower must not exceed upper.")
        x = np.array(x, dtype=float)
        return np.clip(x - lr * grad_fn(x), lower, upper)

    question = specs.load(AID).question("projected_gd_step")
    for case in question.visible_cases:
        assert not any(isinstance(a, list) for a in case.make_inputs()), case.description
    assert _first_failure("projected_gd_step", as_stated) == (None, None)
