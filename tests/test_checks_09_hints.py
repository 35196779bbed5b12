"""Exercise set 09, hints after the referee read tj09 (E1, E2): a learner's answer written by hand
gets the hint that names its error on its first failing case, not a neighbour's."""

import math

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker

SET = "09_putting_it_together"
TIE_NONE = "among them take the CHEAPEST run, not simply the lowest loss"
BAND_ELSE_LOWEST = "(not the affordable run with the lowest loss)"
LATE = "waits one evaluation more"


def _failure(name, answer):
    with pytest.raises(CheckFailed) as failed:
        checker(SET)(name, answer)
    return str(failed.value)


def _budget_answer(band_of_all, tie_cheapest):
    """best_under_budget as a learner writes it (tj09's variants2.py): the band from the lowest
    loss of the affordable runs or of all runs (then, when no affordable run is in it, the
    lowest-loss affordable run), and the cheapest tied run or the lowest loss."""

    def answer(val_losses, costs, budget, tol):
        val = np.asarray(val_losses, dtype=float)
        cost = np.asarray(costs, dtype=float)
        val = np.where(np.isfinite(val), val, np.inf)
        fit = np.flatnonzero(cost <= budget)
        if fit.size == 0:
            raise ValueError("no run fits the budget.")
        lowest = val.min() if band_of_all else val[fit].min()
        tied = fit[val[fit] <= lowest + tol]
        if tied.size == 0:
            tied = fit[[np.argmin(val[fit])]]
        if not tie_cheapest:
            return int(tied[np.argmin(val[tied])])
        return int(tied[np.argmin(cost[tied])])

    return answer


def test_the_budget_answer_written_by_hand_passes():
    checker(SET)("best_under_budget", _budget_answer(band_of_all=False, tie_cheapest=True))


def test_the_band_of_all_runs_else_the_lowest_gets_the_band_hint_not_the_tie_hint():
    text = _failure("best_under_budget", _budget_answer(band_of_all=True, tie_cheapest=True))
    assert "costs [100, 5, 3], budget 10" in text, text  # its first failing case
    assert BAND_ELSE_LOWEST in text and TIE_NONE not in text, text


def test_the_lowest_loss_without_a_tie_rule_still_gets_its_own_hint():
    text = _failure("best_under_budget", _budget_answer(band_of_all=False, tie_cheapest=False))
    assert "costs [30, 10, 50, 5]" in text, text  # its first failing case, before the band one
    assert TIE_NONE in text and BAND_ELSE_LOWEST not in text, text


def _early_stopping(late):
    """early_stopping_min_delta as a learner writes it, counting non-improvements in `wait`;
    `late` tests wait > patience instead of wait >= patience."""

    def answer(val_losses, patience, min_delta):
        if patience < 0 or min_delta < 0:
            raise ValueError("patience and min_delta must be >= 0.")
        best, kept, wait = math.inf, 0, 0
        for i, v in enumerate(val_losses):
            if v < best - min_delta:
                best, kept, wait = v, i, 0
                continue
            wait += 1
            if (wait > patience) if late else (wait >= patience):
                return i, kept
        return len(val_losses) - 1, kept

    return answer


def test_the_early_stopping_counter_written_by_hand_passes():
    checker(SET)("early_stopping_min_delta", _early_stopping(late=False))


def test_the_patience_off_by_one_gets_the_patience_hint():
    text = _failure("early_stopping_min_delta", _early_stopping(late=True))
    assert "patience 2, min_delta 0.25" in text, text  # test 1
    assert LATE in text, text
