"""Exercise 05 after referee read rt05 (points 5 and 6).

Point 5: question 3's text says a bool is accepted as the number it stands for (``lr=True`` is
1), but no case held an answer to it: one that refused bools passed every case. A visible case
``(True, 1.0, 1.0, 1.0)`` now does (lr L = 1 and the start on the floor 1: 0 steps).

Point 6: question 4's "fell" means strictly below (1 - margin) times the first value, but no curve
sat on that bound, so an answer using ``<=`` passed every case. A curve now has its lowest value
exactly on it, with numbers exact in binary (4.0, 3.0, margin 0.25)."""

import numbers

import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.specs import _range_test_verdict as rtv
from course_utils.specs import _steps_to_floor as stf
from course_utils.specs._range_test_curves import _on_the_margin

SCHEDULES = "05_learning_rate_schedules"


def _refuses_bools(lr, L, sigma, start_mean_square, rel=0.1):
    """The reference, but a bool raises ValueError, as in questions 1, 2 and 4."""
    for value in (lr, L, sigma, start_mean_square, rel):
        if isinstance(value, bool):
            raise ValueError(f"a bool is not a number here, got {value!r}.")
    return stf._steps_to_floor(lr, L, sigma, start_mean_square, rel)


def _at_or_below(smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    """The reference with "fell" read as at or below (1 - margin) times the first value: the bound
    moved up by one float, which is what ``<=`` does on a lowest value exactly on it."""
    values = np.asarray(smoothed_losses, dtype=float)
    first = values[0]
    bound = np.nextafter((1 - margin) * first, np.inf)
    return rtv._verdict(smoothed_losses, skip_start, diverge_factor, diverged, 1 - bound / first)


def _case(name, text):
    question = specs.load(SCHEDULES).question(name)
    return next(c for c in question.cases if text in c.description)


def test_the_bool_case_is_visible_and_the_reference_accepts_it():
    case = _case("steps_to_floor", "lr = True")
    assert not case.hidden
    args = case.make_inputs()
    assert args[0] is True and isinstance(args[0], numbers.Real)
    assert stf._steps_to_floor(*args) == 0  # floor 1 / (1 (2 - 1)) = 1 = E x_0^2
    checker(SCHEDULES)("steps_to_floor", stf._steps_to_floor)


def test_an_answer_refusing_bools_fails_question_3():
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("steps_to_floor", _refuses_bools)
    assert "lr = True" in str(failed.value), str(failed.value)


def test_the_margin_curve_sits_exactly_on_the_bound():
    losses, skip_start, factor, diverged, margin = _on_the_margin()
    low = float(np.min(losses[skip_start:]))
    assert low == (1 - margin) * losses[0] == losses[0] - margin * losses[0] == 3.0
    assert rtv.range_test_verdict(losses, skip_start, factor, diverged, margin) == rtv.LOWER_LR_MIN
    assert _at_or_below(losses, skip_start, factor, diverged, margin) == rtv.USABLE
    assert not _case("range_test_verdict", "(margin 0.25)").hidden


def test_an_answer_reading_fell_as_at_or_below_fails_question_4():
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("range_test_verdict", _at_or_below)
    assert "margin 0.25" in str(failed.value), str(failed.value)
    checker(SCHEDULES)("range_test_verdict", rtv.range_test_verdict)
