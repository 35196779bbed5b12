"""Exercise 05 after referee read se05 (X1, X2). X1: a range_test_verdict that reads "fell" as at
or below (1 - margin) times the first value failed only the on-the-margin case and was shown the
absolute-margin hint; one that looks for the rise of a loss that never fell only after its lowest
point failed only the "2.3, 2.5, ..., 2.29" case and was shown "never fell below its first value";
each now sees a hint that holds for its case. X2: warm_restarts_lrs must refuse steps = 10.0 and
steps = np.int64(10), as the text says; answers that convert or accept numpy integers now fail."""

import math
import numbers

import numpy as np
import pytest

from course_utils.checks import CheckFailed, checker
from course_utils.judging import judge, observe
from course_utils.specs import load
from course_utils.specs._range_test_checks import _checked
from course_utils.specs._warm_restarts import _warm_restarts

SCHEDULES = "05_learning_rate_schedules"


def _verdict(s, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02, *, slip=None):
    """A learner's range_test_verdict written from the text (the referee's probe3/probe4 slips):
    ``slip`` "at or below" (fell: lowest <= (1 - margin) x first) or "rise after lowest" (a loss
    that never fell: the rise looked for only after its lowest point)."""
    v = _checked(s, skip_start, diverge_factor, margin)
    a = np.where(np.isfinite(v), v, np.inf)
    lo = skip_start + int(np.argmin(a[skip_start:]))
    start, low, above = v[0], a[lo], (1 + margin) * v[0]
    fell = low <= (1 - margin) * start if slip == "at or below" else low < (1 - margin) * start
    if not fell:
        rise_from = lo + 1 if slip == "rise after lowest" else skip_start
        return 2 if diverged or np.any(a[rise_from:] > above) else 1
    return 0 if diverged or np.any(a[lo + 1 :] > min(above, diverge_factor * low)) else 1


def _failures(answer):
    """(case number, hint) of each visible case the answer fails, as the grader reports them."""
    question = load(SCHEDULES).question("range_test_verdict")
    others = tuple(q.name for q in load(SCHEDULES).questions if q.name != question.name)
    failed = []
    for number, case in enumerate(question.cases, 1):
        if case.hidden:
            continue
        args = case.make_inputs()
        verdict = judge(question, case, observe(question, case, answer, args, others), args)
        if not verdict.passed:
            failed.append((number, case.description, verdict.hint))
    return failed


def test_the_learner_s_verdict_without_a_slip_passes_every_visible_case():
    assert _failures(_verdict) == []


def test_fell_read_as_at_or_below_the_bound_is_told_fell_means_strictly_below():
    ((_, description, hint),) = _failures(lambda *a: _verdict(*a, slip="at or below"))
    assert "lowest 3.0 = (1 - margin) x 4.0" in description
    assert hint.startswith("Fell means strictly below (1 - margin) times the first value")
    assert "amount of loss" not in hint and "diverged=True" not in hint


def test_the_rise_looked_for_only_after_the_lowest_point_is_told_so():
    ((_, description, hint),) = _failures(lambda *a: _verdict(*a, slip="rise after lowest"))
    assert description.startswith("2.3, then 2.5 (a rise), then down to 2.29")
    assert "before its lowest point too" in hint
    assert "only rises" not in hint


def test_no_fall_test_hint_no_longer_says_the_curve_only_rises():
    question = load(SCHEDULES).question("range_test_verdict")
    hints = [m.hint for m in question.mistakes]
    assert not any("only rises" in h or "never fell below its first value:" in h for h in hints)


def _steps_converted(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """se05 probe1: T_0 and T_mult checked as the text says, steps converted with int()."""
    for value in (T_0, T_mult):
        if type(value) is not int or value < 1:
            raise ValueError("T_0 and T_mult must be whole numbers >= 1 of type int.")
    if isinstance(steps, bool) or int(steps) < 0:
        raise ValueError("steps must be a whole number >= 0.")
    return _cosine_periods(base_lr, T_0, int(steps), T_mult, eta_min)


def _steps_integral(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """se05 probe1's second answer: steps accepted as any numbers.Integral but a bool."""
    for value in (T_0, T_mult):
        if type(value) is not int or value < 1:
            raise ValueError("T_0 and T_mult must be whole numbers >= 1 of type int.")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError("steps must be a whole number >= 0.")
    return _cosine_periods(base_lr, T_0, int(steps), T_mult, eta_min)


def _cosine_periods(base_lr, T_0, steps, T_mult, eta_min):
    out, start, period = [], 0, T_0
    for t in range(steps):
        while t >= start + period:
            start, period = start + period, period * T_mult
        out.append(
            eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * (t - start) / period)) / 2
        )
    return np.array(out, dtype=float)


@pytest.mark.parametrize("steps", [10.0, np.int64(10)])
def test_the_reference_refuses_a_float_or_numpy_steps(steps):
    with pytest.raises(ValueError, match="steps must be a whole number"):
        _warm_restarts(0.1, 4, steps)


@pytest.mark.parametrize(
    ("answer", "shown"),
    [(_steps_converted, "steps = 10.0, a float"), (_steps_integral, "steps = np.int64(10)")],
)
def test_a_loose_steps_check_fails_a_visible_case(answer, shown):
    assert np.array_equal(answer(0.1, 2, 14, 2), _warm_restarts(0.1, 2, 14, 2))
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("warm_restarts_lrs", answer)
    assert shown in str(failed.value), str(failed.value)
