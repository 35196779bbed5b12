"""Exercise set 01 and lecture 01 after their seventh referee read (rm01).

E1: a backtracking answer whose predicted decrease uses the gradient's 1-norm got the hint for the
gradient's length, because at x = [3, -4] both tests accepted 1.52; the case now sits at
x = [1.5, -2], where a test without c1, the length and the 1-norm accept 1.9, 1.52 and 1.216, and
the 1-norm has a Mistake of its own. E2: cell 5 prints A's eigenvalues, 2/(L+mu) and 2/L, which its
comment uses. L3: the buggy Rosenbrock gradient of lecture §6 passes the check near x = 1."""

from pathlib import Path

import nbformat
import numpy as np
import pytest
from test_checks_01_redesign import _score
from test_checks_01_third_read import _armijo, _backtracking, _first_failure

from course_utils import gradcheck, specs
from course_utils.objectives import Rosenbrock
from course_utils.specs._backtracking import (
    _half_predicted,
    _identity_grad,
    _no_c1,
    _norm_not_squared,
    _one_norm,
    backtracking_step,
    half_square,
)

AID = "01_gradient_descent"
ROOT = Path(__file__).resolve().parents[1]


def _learner_one_norm(f, grad_fn, x, lr0=1.0, shrink=0.5, c1=1e-4, max_shrinks=30):
    """The referee's answer: the predicted decrease is c1 * lr * sum |g_i|."""
    if not (lr0 > 0 and 0 < shrink < 1 and 0 < c1 < 1):
        raise ValueError("bad argument.")
    x = np.array(x, dtype=float)
    g, lr, fx = grad_fn(x), lr0, f(x)
    for _ in range(max_shrinks + 1):
        x_new = x - lr * g
        if f(x_new) <= fx - c1 * lr * np.abs(g).sum():
            return x_new, lr
        lr *= shrink
    raise FloatingPointError("no learning rate lowered f enough.")


def _learner_length(f_new, fx, c1, lr, gg):
    return f_new <= fx - c1 * lr * np.sqrt(gg)


def test_the_case_separates_the_length_the_one_norm_and_no_c1():
    args = (half_square, _identity_grad, np.array([1.5, -2.0]), 1.9, 0.8, 0.5)
    lrs = {
        "reference": backtracking_step(*args)[1],
        "no c1": _no_c1(*args)[1],
        "length": _norm_not_squared(*args)[1],
        "1-norm": _one_norm(*args)[1],
    }
    assert lrs == pytest.approx(
        {"reference": 0.9728, "no c1": 1.9, "length": 1.52, "1-norm": 1.216}
    )
    assert _learner_one_norm(*args)[1] == pytest.approx(1.216)
    assert _half_predicted(*args)[1] == pytest.approx(1.216)  # caught by case 2 first
    # at the old x = [3, -4] the length and the 1-norm accepted the same rate
    old = (half_square, _identity_grad, np.array([3.0, -4.0]), 1.9, 0.8, 0.5)
    assert _norm_not_squared(*old)[1] == pytest.approx(_one_norm(*old)[1]) == pytest.approx(1.52)


@pytest.mark.parametrize("seed", [0, 2])
def test_the_one_norm_answer_gets_its_own_hint_and_loses_points(seed):
    case, verdict = _first_failure("backtracking_step", _learner_one_norm)
    assert "x = [1.5, -2]" in case.description
    assert "1-norm" in verdict.hint and "gradient's length" not in verdict.hint
    assert _score("backtracking_step", _learner_one_norm, seed) < 3
    assert _score("backtracking_step", _backtracking(_armijo), seed) == 3


def test_the_length_answer_keeps_its_hint():
    case, verdict = _first_failure("backtracking_step", _backtracking(_learner_length))
    assert "x = [1.5, -2]" in case.description
    assert "gradient's length" in verdict.hint and "1-norm" not in verdict.hint


def test_every_backtracking_mistake_gets_its_own_hint_at_its_first_failure():
    question = specs.load(AID).question("backtracking_step")
    for mistake in question.mistakes:
        _, verdict = _first_failure("backtracking_step", mistake.answer)
        assert verdict is not None, mistake.hint[:60]
        raised = f"comes from the computation: {mistake.hint}"  # after "the task accepts" (tc05 E2)
        assert verdict.hint == mistake.hint or verdict.hint.endswith(raised), mistake.hint[:60]


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_cell_5_prints_the_eigenvalues_and_both_thresholds(folder):
    nb = nbformat.read(ROOT / folder / f"{AID}.ipynb", as_version=4)
    source = nb.cells[5].source
    assert "np.linalg.eigvalsh(A)" in source and "2/(L+mu) = " in source and "2/L = " in source
    A = np.array([[2.0, 1.0], [1.0, 4.0]])
    mu, L = np.linalg.eigvalsh(A)
    assert 2 / (L + mu) == pytest.approx(1 / 3) and 0.3 < 2 / (L + mu) < 0.4 < 2 / L


def test_the_lecture_bug_passes_the_check_near_x_equal_one():
    rosen = Rosenbrock()

    def buggy(p):
        r = p[1] - p[0] ** 2
        return np.array([-(1 - p[0]) - 400 * p[0] * r, 200 * r])

    assert gradcheck.check_gradient(rosen.value, buggy, np.array([0.9999, 0.5])).passed
    assert not gradcheck.check_gradient(rosen.value, buggy, np.array([-1.0, 0.5])).passed
