"""Exercise set 01 after its sixth referee read (rl01, points E1-E3).

E1: an hvp that steps to x +- h v but divides by the distance 2h||v|| gets a hint that names that
output (and the unit-vector step, which gives the same output on a linear gradient), not a fix the
learner already applied. E2: the backtracking hints name the test whose accepted learning rate the
answer returned, not a cause the output does not prove; a test for a relative decrease,
f(x) - f(x_new) >= c1 f(x), gets a hint of its own at its first failing case. E3: the singular
values the ridge spec's comment quotes."""

from pathlib import Path

import numpy as np
import pytest
from test_checks_01_redesign import _score
from test_checks_01_third_read import _armijo, _backtracking, _first_failure

from course_utils import specs
from course_utils.judging import judge, observe
from course_utils.specs._backtracking import (
    _relative,
    backtracking_step,
    half_square,
    half_square_plus_one,
)
from course_utils.specs._hvp import _checked, _over_distance, quartic_grad
from course_utils.specs._ridge_threshold import X_QUESTION

AID = "01_gradient_descent"


def _learner_hvp(unit_step):
    """A learner's answer with the task's checks: the points x +- h v divided by their distance
    2h||v|| (the referee's answer), or (unit_step) the points x +- h v/||v|| divided by 2h."""

    def hvp(grad_fn, x, v, h=1e-5):
        x, v = _checked(x, v, h)  # the task's ValueErrors
        n = np.linalg.norm(v)
        if n == 0:
            return np.zeros_like(x)
        if unit_step:
            return (grad_fn(x + h * v / n) - grad_fn(x - h * v / n)) / (2 * h)
        return (grad_fn(x + h * v) - grad_fn(x - h * v)) / (2 * h * n)

    return hvp


_hvp_over_distance = _learner_hvp(unit_step=False)
_hvp_unit_step = _learner_hvp(unit_step=True)


def _relative_decrease(f_new, fx, c1, lr, gg):
    return fx - f_new >= c1 * fx  # "lower f by a fraction c1"


@pytest.mark.parametrize("seed", [0, 3])
def test_dividing_by_the_distance_gets_a_hint_that_names_it(seed):
    case, verdict = _first_failure("hessian_vector_product", _hvp_over_distance)
    assert verdict.hint.startswith("Your result is ||v|| times too small")
    assert "distance 2h||v||" in verdict.hint and "divides by the step 2h" in verdict.hint
    assert "A = [[2, 1], [1, 4]]" in case.description  # the first visible case, linear
    assert _score("hessian_vector_product", _hvp_over_distance, seed) < 3


def test_the_unit_step_answer_is_told_its_output_and_its_own_step():
    _, verdict = _first_failure("hessian_vector_product", _hvp_unit_step)
    assert "unit vector v/||v||" in verdict.hint and "too small" in verdict.hint


def test_the_named_mistake_is_the_distance_answer():
    """On x**4 at x = 1 with v = 2, h = 0.1 the distance answer gives 24.32 / 2 = 12.16 and the
    unit step 12.04: the Mistake is the distance answer itself, and both fail that case."""
    args = (quartic_grad, np.array([1.0]), np.array([2.0]), 0.1)
    assert _over_distance(*args) == pytest.approx([12.16])
    assert _hvp_over_distance(*args) == pytest.approx([12.16])
    assert _hvp_unit_step(*args) == pytest.approx([12.04])
    question = specs.load(AID).question("hessian_vector_product")
    case = next(c for c in question.visible_cases if "v = [2] (length 2)" in c.description)
    for answer in (_hvp_over_distance, _hvp_unit_step):
        assert not judge(question, case, observe(question, case, answer)).passed


def test_backtracking_hints_name_the_accepted_rate_not_a_cause():
    question = specs.load(AID).question("backtracking_step")
    worded = [m for m in question.mistakes if "learning rate is the one that" in m.hint]
    assert len(worded) == 7  # the 1-norm Mistake (rm01 E1) is one; the strict test is not:
    # its only failing visible case is a zero gradient, where it raises (ro01), so its hint
    # says how the function behaves, not which rate it accepted
    strict = [m for m in question.mistakes if "behaves as a strict test" in m.hint]
    assert len(strict) == 1 and "raises" in strict[0].hint
    assert not any(m.hint.startswith("Your test is") for m in question.mistakes)


def test_the_new_first_case_separates_a_relative_decrease_from_every_other_mistake():
    args = (half_square_plus_one, lambda x: np.array(x), np.array([1.0]), 0.8, 0.5, 0.5)
    x_new, lr = backtracking_step(*args)
    assert lr == 0.8 and x_new == pytest.approx([0.2])
    with pytest.raises(FloatingPointError):
        _relative(*args)
    # On half_square (f's zero at the minimum) the relative test accepts what a halved
    # prediction accepts on case 1: only the shifted f tells them apart.
    shifted = (half_square, lambda x: np.array(x), np.array([1.0]), 3.0, 0.6, 0.5)
    assert _relative(*shifted)[1] == pytest.approx(1.08)


@pytest.mark.parametrize("seed", [0, 5])
def test_a_relative_decrease_gets_its_own_hint_and_loses_points(seed):
    answer = _backtracking(_relative_decrease)
    case, verdict = _first_failure("backtracking_step", answer)
    assert "x[0]**2 / 2 + 1" in case.description
    assert "relative decrease" in verdict.hint and "half the predicted" not in verdict.hint
    assert _score("backtracking_step", answer, seed) < 3
    assert _score("backtracking_step", _backtracking(_armijo), seed) == 3


def test_the_ridge_comment_quotes_the_singular_values():
    s = np.linalg.svd(X_QUESTION, compute_uv=False)
    assert s == pytest.approx([2.288, 0.874], abs=5e-4)
    text = (Path(specs.__file__).parent / "_ridge_threshold.py").read_text(encoding="utf-8")
    assert "(0.874 and 2.288)" in text
