"""The edge cases of exercises 05 (`pick_lr`; the questions issue 21 replaced are tested in
``test_checks_05_redesign.py``) and 09 (issue 16, item 6; exercise 06's questions were replaced
in its redesign for issue 21, tested in test_checks_06_rnn_bptt.py): each new case agrees with
torch (or with the library convention the question names), the wrong answer it was added for fails a
VISIBLE check with the hint that names it, and a correct alternative passes.

The generic tests in ``test_checks.py`` already prove, for every Mistake the specs declare, that
the reference passes, the mistake fails with its own hint and the stub fails; here the wrong
answers are written the way a learner writes them."""

import math

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


# ----------------------------------------------------------------------------- 09 early stopping


def _keras_early_stopping(val_losses, patience):
    """The stop and best epochs of keras.callbacks.EarlyStopping(patience=patience) (min mode,
    min_delta 0), rewritten from its documented logic: a counter of epochs since the last
    improvement; at an epoch that does not improve, stop if the counter has reached patience."""
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, value in enumerate(val_losses):
        wait += 1
        if value < best:
            best, best_epoch, wait = value, epoch, 0
        elif wait >= patience and epoch > 0:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@pytest.mark.parametrize("patience", [0, 1, 2, 3, 5])
def test_early_stopping_reference_follows_keras_convention(patience):
    reference = _question("09_putting_it_together", "early_stopping").reference
    rng = np.random.default_rng(patience)
    for _ in range(200):
        n = int(rng.integers(1, 25))
        curve = np.round(2.0 + np.cumsum(rng.normal(scale=0.1, size=n)), 1)  # rounded: ties
        assert reference(curve, patience) == _keras_early_stopping(curve, patience)


def test_early_stopping_that_never_stops_at_patience_zero_fails_a_visible_check():
    def equals_patience(val_losses, patience):  # the rule as exercise 09 stated it before
        if patience < 0:
            raise ValueError("patience must be >= 0.")
        best, best_i = math.inf, 0
        for i, v in enumerate(val_losses):
            if v < best:
                best, best_i = v, i
            elif i - best_i == patience:
                return i, best_i
        return len(val_losses) - 1, best_i

    _fails_with("09_putting_it_together", "early_stopping", equals_patience, "Patience 0 means")


def test_early_stopping_with_a_negative_patience_must_raise():
    reference = _question("09_putting_it_together", "early_stopping").reference

    def unchecked(val_losses, patience):
        return reference(val_losses, max(patience, 0))

    _fails_with(
        "09_putting_it_together", "early_stopping", unchecked, "expected a ValueError to be raised"
    )


# ----------------------------------------------------------------------------- 09 diagnose


@pytest.mark.parametrize("blocks_test", ["start", "first", "previous"])
def test_diagnose_with_a_wrong_falling_test_fails_a_visible_check(blocks_test):
    # blocks cut from the start, last block against the first only or the previous only: each
    # calls the 45-step log whose train loss dipped in the middle "still falling"
    from course_utils.specs._diagnose import _variant

    _fails_with(
        "09_putting_it_together", "diagnose", _variant(blocks_test=blocks_test), "dipped to 1.9"
    )


def test_diagnose_reading_nan_from_the_train_loss_only_fails_a_visible_check():
    from course_utils.specs._diagnose import _variant

    _fails_with(
        "09_putting_it_together", "diagnose", _variant(nan_inputs="train"), "validation loss is NaN"
    )


def test_diagnose_without_a_guard_for_no_finite_norm_fails_a_visible_check():
    def unguarded(train_losses, val_losses, grad_norms):  # np.max of an empty array raises
        from course_utils.specs._diagnose import _diagnose

        norms = np.asarray(grad_norms, dtype=float)
        finite = norms[np.isfinite(norms)]
        flat, nan, _, overfitting = _diagnose(train_losses, val_losses, grad_norms)
        return (flat, nan, bool(finite.max() > 10 * np.median(finite)), overfitting)

    with pytest.raises(CheckFailed):
        checker("09_putting_it_together")("diagnose", unguarded)


def test_best_config_with_a_strict_tie_bound_fails_a_visible_check():
    _fails_with(
        "09_putting_it_together",
        "best_config",
        lambda t, v, p, tol: specs.putting_it_together._best_config(t, v, p, tol, strict=True),
        "AT MOST tol",
    )
