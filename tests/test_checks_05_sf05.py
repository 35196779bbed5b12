"""Exercise 05 after referee read sf05 (X1, X2, cat. 6): answers that differ from the reference
only on an exact tie with a boundary of the task's definition now fail a visible case, with a
hint that names the slip. The referee's answers (probe_q3tie.py) are written out here."""

import math
import numbers

import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.specs._range_test_verdict import range_test_verdict
from course_utils.specs._steps_to_floor import _steps_to_floor

SCHEDULES = "05_learning_rate_schedules"


def _referee_steps_to_floor(lr, L, sigma, S, rel=0.1, mode="ceil", strict=False):
    """sf05's probe_q3tie.py answer: the closed form, with ``int(t) + 1`` or a strict band."""
    for v in (lr, L, sigma, rel):
        if not isinstance(v, numbers.Real) or not math.isfinite(v) or v <= 0:
            raise ValueError("lr, L, sigma and rel must be finite numbers > 0.")
    if not isinstance(S, numbers.Real) or not math.isfinite(S) or S < 0:
        raise ValueError("start_mean_square must be a finite number >= 0.")
    a = lr * L
    if a >= 2:
        raise ValueError("lr * L >= 2: no floor.")
    floor = lr * sigma**2 / (L * (2 - a))
    d = abs(S - floor)
    if (d < rel * floor) if strict else (d <= rel * floor):
        return 0
    if a == 1:
        return 1
    t = math.log(rel * floor / d) / (2 * math.log(abs(1 - a)))
    return int(t) + 1 if mode == "int+1" else int(math.ceil(t))


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    assert text in str(failed.value), str(failed.value)


def _recursion(lr, L, sigma, start, steps):
    """E x_t^2 for t = 0 .. steps by the lecture's recursion (exact in binary for these inputs)."""
    values = [start]
    for _ in range(steps):
        values.append((1 - lr * L) ** 2 * values[-1] + lr**2 * sigma**2)
    return values


def test_the_tie_cases_are_exact_ties_and_the_reference_answers_them():
    # (1.5, 1, 1, 15, 0.25): floor 3, E x_t^2 = 15, 6, 3.75: |3.75 - 3| == 0.25 * 3 exactly
    assert _recursion(1.5, 1.0, 1.0, 15.0, 2) == [15.0, 6.0, 3.75]
    assert abs(3.75 - 3.0) == 0.25 * 3.0
    assert _steps_to_floor(1.5, 1.0, 1.0, 15.0, 0.25) == 2
    # (1, 1, 1, 1.5, 0.5): floor 1, the start's distance 0.5 == 0.5 * 1
    assert _steps_to_floor(1.0, 1.0, 1.0, 1.5, 0.5) == 0
    question = specs.load(SCHEDULES).question("steps_to_floor")
    visible = [c.make_inputs() for c in question.cases if not c.hidden]
    assert (1.5, 1.0, 1.0, 15.0, 0.25) in visible
    assert (1.0, 1.0, 1.0, 1.5, 0.5) in visible


def test_the_referees_right_answer_passes():
    checker(SCHEDULES)("steps_to_floor", _referee_steps_to_floor)


def test_int_t_plus_one_fails_with_the_ceil_hint():
    answer = lambda *a: _referee_steps_to_floor(*a, mode="int+1")  # noqa: E731
    assert answer(1.5, 1.0, 1.0, 15.0, 0.25) == 3
    _fails_with("steps_to_floor", answer, "int(t) + 1")


def test_the_strict_band_fails_with_the_edge_hint():
    answer = lambda *a: _referee_steps_to_floor(*a, strict=True)  # noqa: E731
    assert answer(1.0, 1.0, 1.0, 1.5, 0.5) == 1
    _fails_with("steps_to_floor", answer, "test with <=, not <")


def _referee_verdict(s, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02,
                     ge_rise=False, ge_stop=False):  # fmt: skip
    """sf05's probe_q4.py answer, written from the hint, with ``>=`` for the rise or the stop."""
    v = np.asarray(s, float)
    if v.ndim != 1:
        raise ValueError("smoothed_losses must be 1-D.")
    if isinstance(skip_start, bool) or not isinstance(skip_start, int | np.integer):
        raise ValueError("skip_start must be a whole number.")
    if skip_start < 0 or skip_start >= len(v):
        raise ValueError("skip_start must leave a value after it.")
    if not np.isfinite(v[0]) or np.any(v < 0):
        raise ValueError("the first loss must be finite and no loss negative.")
    if not diverge_factor > 1:
        raise ValueError("diverge_factor must be > 1.")
    if isinstance(margin, bool) or not isinstance(margin, numbers.Real) or not 0 <= margin < 1:
        raise ValueError("margin must be a number in [0, 1).")
    w = np.where(np.isfinite(v), v, np.inf)
    if diverged:
        w = np.r_[w, np.inf]
    rise = (lambda a, b: a >= b) if ge_rise else (lambda a, b: a > b)
    stop = (lambda a, b: a >= b) if ge_stop else (lambda a, b: a > b)
    after = w[skip_start:]
    lo = skip_start + int(np.argmin(after))
    low = w[lo]
    if not low < (1 - margin) * v[0]:
        return 2 if np.any(rise(after, (1 + margin) * v[0])) else 1
    rest = w[lo + 1 :]
    turned = np.any(rise(rest, (1 + margin) * v[0])) or np.any(stop(rest, diverge_factor * low))
    return 0 if turned else 1


TIES = (
    [4.0] * 10 + [3.0, 2.0, 5.0],  # fell to 2.0, then exactly (1 + m) x 4
    [4.0] * 10 + [4.0, 4.0, 5.0],  # never fell, then exactly (1 + m) x 4
    [4.0] * 10 + [1.0, 4.0],  # fell to 1.0, then exactly 4 x lowest
)


@pytest.mark.parametrize("values", TIES)
def test_the_verdict_ties_are_visible_cases_the_reference_reads_as_raise_lr_max(values):
    # "above" is strict: 1.25 * 4.0 == 5.0 and 4.0 * 1.0 == 4.0 exactly, so no rise, no stop
    assert 1.25 * 4.0 == 5.0
    assert range_test_verdict(np.array(values), 10, 4.0, False, 0.25) == 1
    question = specs.load(SCHEDULES).question("range_test_verdict")
    visible = [c.make_inputs() for c in question.cases if not c.hidden and not c.raises]
    assert any(
        len(a) == 5 and a[1:] == (10, 4.0, False, 0.25) and np.array_equal(a[0], values)
        for a in visible
    )


def test_the_referees_verdict_passes():
    checker(SCHEDULES)("range_test_verdict", _referee_verdict)


@pytest.mark.parametrize(
    ("keywords", "text"),
    [
        ({"ge_rise": True}, "ABOVE (1 + margin) times the first value"),
        ({"ge_stop": True}, "ABOVE diverge_factor times the lowest"),
        ({"ge_rise": True, "ge_stop": True}, "ABOVE (1 + margin) times the first value"),
    ],
)
def test_greater_or_equal_fails_with_the_strict_hint(keywords, text):
    answer = lambda *a: _referee_verdict(*a, **keywords)  # noqa: E731
    _fails_with("range_test_verdict", answer, text)
