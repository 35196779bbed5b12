"""Exercise set 01 after its fifth referee read (rk01, point E2): a backtracking answer that halves
the predicted decrease (the 1/2 of the descent lemma) gets its own hint, not the hint that c1 is
missing from its test; an answer without c1 still gets that one."""

import numpy as np
import pytest
from test_checks_01_redesign import _score
from test_checks_01_third_read import _armijo, _backtracking, _first_failure

from course_utils.specs._backtracking import backtracking_step, half_square


def _halved(f_new, fx, c1, lr, gg):
    return f_new <= fx - c1 * lr * gg / 2


def _without_c1(f_new, fx, c1, lr, gg):
    return f_new <= fx


def test_the_first_case_tells_a_halved_prediction_from_a_missing_c1():
    args = (half_square, lambda x: np.array(x), np.array([1.0]), 3.0, 0.6, 0.5)
    lrs = [_backtracking(accept)(*args)[1] for accept in (_armijo, _halved, _without_c1)]
    assert lrs == pytest.approx([0.648, 1.08, 1.8])
    assert backtracking_step(*args)[1] == pytest.approx(0.648)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_halved_prediction_gets_its_own_hint_and_loses_points(seed):
    case, verdict = _first_failure("backtracking_step", _backtracking(_halved))
    assert "lr0 = 3, shrink = 0.6, c1 = 0.5" in case.description
    assert verdict.hint.startswith(
        "Your accepted learning rate is the one that a test with half the predicted decrease"
    )
    assert "c1 belongs in it" not in verdict.hint
    assert _score("backtracking_step", _backtracking(_halved), seed) < 3


def test_an_answer_without_c1_keeps_its_hint():
    case, verdict = _first_failure("backtracking_step", _backtracking(_without_c1))
    assert "lr0 = 3, shrink = 0.6, c1 = 0.5" in case.description
    assert "a test without c1 accepts, the first learning rate that lowers f at all" in verdict.hint
