"""The edge cases of exercise 05 (issue 16, item 6; the questions of exercises 06 and 09 were
replaced in their redesigns for issue 21, tested in test_checks_06_rnn_bptt.py and
test_checks_09_redesign.py): each new case agrees with torch (or with the library convention the
question names), the wrong answer it was added for fails a VISIBLE check with the hint that names it, and a correct alternative passes.

The generic tests in ``test_checks.py`` already prove, for every Mistake the specs declare, that
the reference passes, the mistake fails with its own hint and the stub fails; here the wrong
answers are written the way a learner writes them."""

import math
import warnings

import numpy as np
import pytest
import torch

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.lr_range_test import lr_range_test

SCHEDULES = "05_learning_rate_schedules"


def _question(assignment, name):
    return specs.load(assignment).question(name)


def _fails_with(assignment, name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(assignment)(name, answer)
    assert text in str(failed.value), str(failed.value)


# ----------------------------------------------------------------------------- 05 one-cycle


def _torch_one_cycle(max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=max_lr,
        total_steps=total_steps,
        pct_start=pct_start,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        cycle_momentum=False,
    )
    lrs = []
    for t in range(total_steps):
        if t > 0:
            opt.step()
            sched.step()
        lrs.append(sched.get_last_lr()[0])
    return np.array(lrs)


@pytest.mark.parametrize(
    "args", [(0.1, 25), (0.1, 33, 0.25), (0.1, 20), (1.0, 50, 0.4, 10.0, 100.0)]
)
def test_one_cycle_reference_is_torchs_one_cycle_lr(args):
    reference = _question(SCHEDULES, "one_cycle_lrs").reference
    np.testing.assert_allclose(reference(*args), _torch_one_cycle(*args), rtol=1e-12, atol=0)


def test_the_one_cycle_checks_have_a_visible_peak_between_two_steps():
    question = _question(SCHEDULES, "one_cycle_lrs")

    def p_times_n(case):
        args = case.make_inputs()
        return (args[2] if len(args) > 2 else 0.3) * args[1]  # pct_start's default is 0.3

    for cases in (question.visible_cases, [c for c in question.cases if c.hidden]):
        assert any(p_times_n(c) != int(p_times_n(c)) for c in cases)


def _one_cycle_answer(round_peak, raise_at_zero_length=True):
    def one_cycle_lrs(max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
        initial = max_lr / div_factor
        final = initial / final_div_factor
        peak = round_peak(pct_start * total_steps) - 1
        if peak == 0 and raise_at_zero_length:
            raise ValueError("pct_start * total_steps must not be 1.")
        lrs = []
        for t in range(total_steps):
            if t <= peak:
                pct, start, end = t / peak, initial, max_lr
            else:
                pct, start, end = (t - peak) / (total_steps - 1 - peak), max_lr, final
            lrs.append(end + (start - end) / 2 * (math.cos(math.pi * pct) + 1))
        return lrs

    return one_cycle_lrs


def test_a_one_cycle_peak_rounded_to_a_whole_step_fails_a_visible_check():
    checker(SCHEDULES)("one_cycle_lrs", _one_cycle_answer(float))  # the float peak passes
    _fails_with(SCHEDULES, "one_cycle_lrs", _one_cycle_answer(int), "must not be rounded down")
    _fails_with(SCHEDULES, "one_cycle_lrs", _one_cycle_answer(round), "must not be rounded to")
    # and the case is needed: the rounded-down peak equals torch wherever p * N is whole
    np.testing.assert_allclose(_one_cycle_answer(int)(0.1, 20), _torch_one_cycle(0.1, 20))


def test_a_one_cycle_first_phase_of_length_zero_must_raise_value_error():
    # pct_start * total_steps = 1: torch (and the plain formula) divide by zero; the task asks
    # for ValueError, and an answer that lets the ZeroDivisionError through fails a visible case
    with pytest.raises(ZeroDivisionError):
        _one_cycle_answer(float, raise_at_zero_length=False)(0.1, 10, 0.1)
    with pytest.raises(ZeroDivisionError):
        _torch_one_cycle(0.1, 10, 0.1)
    _fails_with(
        SCHEDULES,
        "one_cycle_lrs",
        _one_cycle_answer(float, raise_at_zero_length=False),
        "pct_start * total_steps = 1",
    )


# ----------------------------------------------------------------------------- 05 warm-up + cosine


def _torch_warmup_cosine(base_lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
    opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=base_lr)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor, total_iters=warmup_steps)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, total_steps - warmup_steps, eta_min)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[warmup_steps])
    lrs = []
    for t in range(total_steps):
        if t > 0:  # torch divides by T_max = 0 only on a step after the last one (W = N)
            opt.step()
            sched.step()
        lrs.append(sched.get_last_lr()[0])
    return np.array(lrs)


@pytest.mark.parametrize(
    "args", [(0.1, 0, 8), (0.1, 6, 6), (0.3, 0, 50, 0.1, 1e-3), (0.3, 20, 20, 0.05), (0.1, 5, 20)]
)
def test_warmup_cosine_reference_is_torchs_with_either_phase_empty(args):
    reference = _question(SCHEDULES, "warmup_cosine_lrs").reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's notes on SequentialLR's milestone 0
        expected = _torch_warmup_cosine(*args)
    np.testing.assert_allclose(reference(*args), expected, rtol=1e-12, atol=0)


def _warmup_answer(check_range=True):
    def warmup_cosine_lrs(base_lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
        if check_range and not 0 <= warmup_steps <= total_steps:
            raise ValueError("warmup_steps must be between 0 and total_steps.")
        lrs = []
        for t in range(total_steps):
            # both phases computed at every step: divides by zero when one of them is empty
            warm = base_lr * (start_factor + (1 - start_factor) * t / warmup_steps)
            phase = (t - warmup_steps) / (total_steps - warmup_steps)
            cosine = eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * phase)) / 2
            lrs.append(warm if t < warmup_steps else cosine)
        return lrs

    return warmup_cosine_lrs


def test_an_empty_warmup_or_cosine_phase_is_checked_visibly():
    check = checker(SCHEDULES)
    question = _question(SCHEDULES, "warmup_cosine_lrs")
    described = " ".join(c.description for c in question.visible_cases)
    assert "warmup_steps = 0" in described and "warmup_steps = total_steps" in described
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check("warmup_cosine_lrs", _warmup_answer())


def test_a_warmup_longer_than_the_run_must_raise():
    def unchecked(base_lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
        # right on every valid input (written as a learner would, no library call), no range check
        lrs = []
        for t in range(total_steps):
            if t < warmup_steps:
                lrs.append(base_lr * (start_factor + (1 - start_factor) * t / warmup_steps))
            else:
                phase = (t - warmup_steps) / (total_steps - warmup_steps)
                lrs.append(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * phase)) / 2)
        return np.array(lrs)

    _fails_with(SCHEDULES, "warmup_cosine_lrs", unchecked, "expected a ValueError to be raised")


# ----------------------------------------------------------------------------- 05 pick_lr


def test_pick_lr_reference_is_the_lecture_range_tests_suggestion():
    rng = np.random.default_rng(0)
    w = np.zeros(3)
    X = rng.standard_normal((256, 3))
    y = X @ np.array([1.0, -2.0, 0.5])

    def step(lr):
        nonlocal w
        idx = rng.choice(256, 32, replace=False)
        r = X[idx] @ w - y[idx]
        w = w - lr * X[idx].T @ r / 32
        return 0.5 * float(np.mean(r**2))

    result = lr_range_test(step, lr_min=1e-4, lr_max=10.0, num_steps=100, skip_start=10)
    reference = _question(SCHEDULES, "pick_lr").reference
    assert reference(result.lrs, result.smoothed, 10) == result.suggested_lr


def _argmin_answer(skip, finite):
    def pick_lr(lrs, smoothed_losses, skip_start=10):
        losses = np.asarray(smoothed_losses, dtype=float)
        start = skip_start if skip else 0
        if finite:
            return float(lrs[start + int(np.nanargmin(losses[start:]))] / 10)
        return float(lrs[start + int(np.argmin(losses[start:]))] / 10)

    return pick_lr


def test_pick_lr_ignoring_skip_start_or_landing_on_a_nan_fails_a_visible_check():
    _fails_with(SCHEDULES, "pick_lr", _argmin_answer(skip=False, finite=True), "skip_start")
    _fails_with(SCHEDULES, "pick_lr", _argmin_answer(skip=True, finite=False), "index of a NaN")
    # exercise 05's answer before skip_start and NaN were specified fails on both counts
    old = lambda lrs, smoothed_losses: float(np.asarray(lrs)[int(np.argmin(smoothed_losses))] / 10)  # noqa: E731
    with pytest.raises(CheckFailed):
        checker(SCHEDULES)("pick_lr", old)


def test_pick_lr_with_nanargmin_fails_on_a_tail_of_inf():
    # np.nanargmin skips NaN but not inf: a tail that is all inf must raise, nanargmin returns an lr
    _fails_with(
        SCHEDULES, "pick_lr", _argmin_answer(skip=True, finite=True), "inf (no NaN) from step 10"
    )


def test_warmup_cosine_with_zero_total_steps_must_raise():
    # the guard 0 <= W <= N alone lets N = 0 through (an empty array); the question asks N >= 1
    def guard_without_n(base_lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
        if not 0 <= warmup_steps <= total_steps:
            raise ValueError("warmup_steps must be between 0 and total_steps.")
        t = np.arange(total_steps)
        warm = base_lr * (start_factor + (1 - start_factor) * t / max(warmup_steps, 1))
        phase = (t - warmup_steps) / max(total_steps - warmup_steps, 1)
        cosine = eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * phase)) / 2
        return np.where(t < warmup_steps, warm, cosine)

    _fails_with(SCHEDULES, "warmup_cosine_lrs", guard_without_n, "total_steps = 0")


def test_pick_lr_with_nothing_left_to_choose_must_raise():
    def masked(lrs, smoothed_losses, skip_start=10):
        losses = np.asarray(smoothed_losses, dtype=float)[skip_start:]
        return float(
            lrs[skip_start + int(np.argmin(np.where(np.isfinite(losses), losses, np.inf)))] / 10
        )

    _fails_with(SCHEDULES, "pick_lr", masked, "expected a ValueError to be raised")
