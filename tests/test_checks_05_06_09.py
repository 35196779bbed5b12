"""The edge cases of exercise 05 (`pick_lr`, issue 16, item 6; the questions issue 21 replaced
are tested in ``test_checks_05_redesign.py``, and those of exercises 06 and 09, replaced in their
redesigns for issue 21, in test_checks_06_rnn_bptt.py and test_checks_09_redesign.py): each new
case agrees with torch (or with the library convention the question names), the wrong answer it
was added for fails a VISIBLE check with the hint that names it, and a correct alternative passes.

The generic tests in ``test_checks.py`` already prove, for every Mistake the specs declare, that
the reference passes, the mistake fails with its own hint and the stub fails; here the wrong
answers are written the way a learner writes them."""

import numpy as np
import pytest

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


def test_pick_lr_with_nothing_left_to_choose_must_raise():
    def masked(lrs, smoothed_losses, skip_start=10):
        losses = np.asarray(smoothed_losses, dtype=float)[skip_start:]
        return float(
            lrs[skip_start + int(np.argmin(np.where(np.isfinite(losses), losses, np.inf)))] / 10
        )

    _fails_with(SCHEDULES, "pick_lr", masked, "expected a ValueError to be raised")
