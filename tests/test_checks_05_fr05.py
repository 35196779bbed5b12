"""Exercise 05, Q3 ``steps_to_floor``, after referee read te05 (E1, E2; cat. 6).

* E1: an answer with the small-step factor exp(-2 lr L) per step (log(1 - lr L) ~ -lr L),
  otherwise right, failed the lr = 0.1 case with 26 against 25 and the hint of "one step late"
  (ceil(t) + 1 gives 26 there too), false for it. It now has its own Mistake, placed before "one
  step late", and a first visible case (lr L = 0.5) where the two differ (7 and 6 against 5).
* E2: the text promised that a mean square exactly on the band's edge counts as inside, but the
  reference decides in float64: at a tie that float64 does not hold exactly it answers one step
  late. The text now says so, with the example it quotes; the tests below prove that example and
  that no fixed case of the check is such a tie.
"""

import math
import numbers
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.judging import judge, observe
from course_utils.specs._steps_to_floor import _steps_to_floor

SCHEDULES = "05_learning_rate_schedules"
QUESTION = specs.load(SCHEDULES).question("steps_to_floor")
(SMALL_STEP_HINT,) = [
    m.hint for m in QUESTION.mistakes if m.hint.startswith("Replacing the log of 1 - lr L")
]
(ONE_LATE_HINT,) = [m.hint for m in QUESTION.mistakes if m.hint.startswith("One step late")]


def _exp_factor(lr, L, sigma, start_mean_square, rel=0.1):
    """te05's answer (hints2.py ``stf_exp1``): exact floor, |distance|, lr L = 1 handled, but the
    distance shrinks by exp(-2 lr L) per step."""
    for value in (lr, L, sigma, rel):
        if not isinstance(value, numbers.Real) or not 0 < value < math.inf:
            raise ValueError("lr, L, sigma and rel must be finite numbers > 0.")
    if not 0 <= start_mean_square < math.inf or lr * L >= 2:
        raise ValueError("start_mean_square must be finite and >= 0, and lr * L < 2.")
    floor = lr * sigma**2 / (L * (2 - lr * L))
    gap = abs(start_mean_square - floor)
    if gap <= rel * floor:
        return 0
    if lr * L == 1:
        return 1
    return int(np.ceil(np.log(rel * floor / gap) / (-2 * lr * L)))


def _one_step_late(lr, L, sigma, start_mean_square, rel=0.1):
    """The reference's count plus one wherever steps are needed (ceil(t) + 1)."""
    steps = _steps_to_floor(lr, L, sigma, start_mean_square, rel)
    return steps + 1 if steps > 0 else 0


def _case(description_start):
    (case,) = [c for c in QUESTION.cases if c.description.startswith(description_start)]
    return case


def _verdict(case, answer):
    return judge(QUESTION, case, observe(QUESTION, case, answer))


def _first_failure(answer):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("steps_to_floor", answer)
    return str(failed.value)


# ------------------------------------------------------------------------------------------ E1


@pytest.mark.parametrize(
    ("start", "expected", "got"),
    [("lr = 0.25, L = 2", 5, 7), ("lr = 0.1, L = 1, sigma = 1, from x_0 = 1", 25, 26),
     ("lr = 0.4, L = 4", 6, 2)],
)  # fmt: skip
def test_the_small_step_factor_gets_its_own_hint_on_each_case(start, expected, got):
    case = _case(start)
    assert _steps_to_floor(*case.make_inputs()) == expected
    assert _exp_factor(*case.make_inputs()) == got
    verdict = _verdict(case, _exp_factor)
    assert not verdict.passed
    assert verdict.hint == SMALL_STEP_HINT


def test_the_small_step_factor_fails_the_check_with_its_hint_not_one_step_late():
    message = _first_failure(_exp_factor)
    assert "lr = 0.25, L = 2" in message and "expected 5, got 7" in message, message
    assert "(1 - lr L)^2, not by e^(-2 lr L)" in message and "One step late" not in message


def test_one_step_late_still_gets_its_own_hint_first():
    assert _one_step_late(0.25, 2.0, 1.0, 4.0) == 6  # not the small-step factor's 7
    message = _first_failure(_one_step_late)
    assert "lr = 0.25, L = 2" in message and "expected 5, got 6" in message, message
    assert ONE_LATE_HINT in message and "e^(-2 lr L)" not in message


def test_the_new_mistake_comes_before_one_step_late_and_the_reference_passes():
    hints = [m.hint for m in QUESTION.mistakes]
    assert hints.index(SMALL_STEP_HINT) < hints.index(ONE_LATE_HINT)
    assert [c.description for c in QUESTION.cases if not c.hidden][0].startswith("lr = 0.25")
    checker(SCHEDULES)("steps_to_floor", _steps_to_floor)


def test_the_small_step_hint_states_the_exact_factor():
    # the distance to the floor after one step is exactly (1 - lr L)^2 times the one before
    lr, L, sigma, start = Fraction(1, 4), Fraction(2), Fraction(1), Fraction(4)
    floor = lr * sigma**2 / (L * (2 - lr * L))
    after = (1 - lr * L) ** 2 * start + lr**2 * sigma**2
    assert after - floor == (1 - lr * L) ** 2 * (start - floor)


# ------------------------------------------------------------------------------------------ E2


def _exact_count(lr, L, sigma, start, rel=0.1):
    """The count in exact rational arithmetic on the float64 inputs: the recursion iterated."""
    lr, L, sigma, start, rel = (Fraction(float(v)) for v in (lr, L, sigma, start, rel))
    floor = lr * sigma**2 / (L * (2 - lr * L))
    steps = 0
    while abs(start - floor) > rel * floor:
        start, steps = (1 - lr * L) ** 2 * start + lr**2 * sigma**2, steps + 1
    return steps


def test_the_texts_float64_tie_is_on_the_edge_exactly_and_the_reference_answers_two():
    lr, L, sigma, start, rel = 0.5, 1.0, 1.0, 1.0, 0.5
    after_one = Fraction(1 - lr * L) ** 2 * Fraction(start) + Fraction(lr * sigma) ** 2
    assert after_one == Fraction(1, 2)
    assert abs(after_one - Fraction(1, 3)) == Fraction(1, 6) == Fraction(rel) * Fraction(1, 3)
    assert _exact_count(lr, L, sigma, start, rel) == 1
    assert _steps_to_floor(lr, L, sigma, start, rel) == 2
    assert lr * sigma**2 / (L * (2 - lr * L)) != Fraction(1, 3)  # the floor rounds in float64


def test_the_texts_exact_edges_and_every_fixed_case_agree_with_the_exact_count():
    assert (
        _exact_count(1.5, 1.0, 1.0, 15.0, 0.25) == 2 == _steps_to_floor(1.5, 1.0, 1.0, 15.0, 0.25)
    )
    assert _exact_count(1.0, 1.0, 1.0, 1.5, 0.5) == 0 == _steps_to_floor(1.0, 1.0, 1.0, 1.5, 0.5)
    checked = 0
    for case in QUESTION.cases:
        if case.raises or "random" in case.description:
            continue
        args = case.make_inputs()
        expected = _steps_to_floor(*args)
        if expected > 1000:  # lr = 1e-8: 1.07e9 steps, graded with relative tolerance 1e-6
            continue
        assert _exact_count(*args) == expected, case.description
        checked += 1
    assert checked >= 14


def test_the_solution_text_states_the_float64_tie():
    import nbformat

    path = Path(__file__).resolve().parents[1] / "solutions" / f"{SCHEDULES}.ipynb"
    solution = nbformat.read(path, as_version=4)
    (text,) = [c.source for c in solution.cells if c.source.startswith("## 3. Prediction")]
    assert "where float64 holds the tie exactly" in text
    assert "the check has no such case" in text and "the check's\n  reference returns 2" in text
