"""The edge cases of exercise 05's range-test diagnosis (`range_test_verdict`, which replaced
`pick_lr`, the lecture's own rule, after referee read rf05, item E8; the other questions of set 05
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


# ------------------------------------------------------------------ 05 range_test_verdict


def _softmax_step(seed, classes=5):
    """One SGD step of softmax regression from zero weights, for the library's ``lr_range_test``:
    every first mini-batch loss is ln(classes), so the first smoothed loss is the loss before
    training (the condition the task states for comparing with it)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((1024, 8))
    labels = (X @ rng.standard_normal((8, classes))).argmax(axis=1)
    onehot = np.eye(classes)[labels]
    W = np.zeros((8, classes))

    def step(lr):
        nonlocal W
        idx = rng.choice(len(X), 64, replace=False)
        logits = X[idx] @ W
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        W = W - lr * X[idx].T @ (probs - onehot[idx]) / 64
        return float(-np.mean(np.sum(onehot[idx] * np.log(probs + 1e-300), axis=1)))

    return step


@pytest.mark.parametrize(
    ("lr_min", "lr_max", "expected"),
    [(1e-3, 1e3, 0), (1e-4, 0.1, 1), (100.0, 1e5, 2)],
    ids=["blew up", "short", "too high"],
)
def test_range_test_verdict_reads_the_librarys_sweeps(lr_min, lr_max, expected):
    # into the blow-up: usable; ended while the loss fell: raise lr_max; rose at once: lower lr_min
    reference = _question(SCHEDULES, "range_test_verdict").reference
    for seed in range(3):
        result = lr_range_test(_softmax_step(seed), lr_min=lr_min, lr_max=lr_max)
        assert reference(result.smoothed) == expected, seed


def _learner_verdict(
    skip=True,
    finite=True,
    start_rise=True,
    last_only=False,
    flag=True,
    noise=True,
    after_lowest=True,
):
    """An answer written as a learner writes it, with one of the usual slips."""

    def range_test_verdict(
        smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02
    ):
        s = np.asarray(smoothed_losses, dtype=float)
        if isinstance(skip_start, bool) or not isinstance(skip_start, int | np.integer):
            raise ValueError("skip_start must be a whole number.")
        if s.ndim != 1 or skip_start < 0 or len(s) <= skip_start or not diverge_factor > 1:
            raise ValueError("bad input.")
        if isinstance(margin, bool) or not 0 <= margin < 1:  # a bool is refused (rr05 2)
            raise ValueError("margin must be a number >= 0 and < 1.")
        if not np.isfinite(s[0]) or np.any(s < 0):
            raise ValueError("bad input.")
        m = margin if noise else 0.0
        blew_up = diverged and flag
        first = skip_start if skip else 0
        rest = np.where(np.isfinite(s), s, np.inf)[first:] if finite else s[first:]
        i = first + int(np.argmin(rest))
        if not s[i] < (1 - m) * s[0]:
            rose = np.any(~np.isfinite(s[first:]) | (s[first:] > (1 + m) * s[0]))
            return 2 if blew_up or rose else 1
        later = s[-1:] if last_only else s[i + 1 :] if after_lowest else s[first:]
        if blew_up or np.any(~np.isfinite(later)):
            return 0
        top = (1 + m) * s[0]
        limit = min(top, diverge_factor * s[i]) if start_rise else diverge_factor * s[i]
        return 0 if np.any(later > limit) else 1

    return range_test_verdict


def test_a_learners_range_test_verdict_passes_and_its_slips_get_their_hints():
    checker(SCHEDULES)("range_test_verdict", _learner_verdict())
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(skip=False), "still settling")
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(finite=False), "index of a NaN")
    # the lecture's seed 2: the stop rule never fired, but the loss rose above its start
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(start_rise=False), "seed 2")
    # the test learner's slip: the turn read from the sweep's last value only (a sweep that blew
    # up and fell again passed every case before the case that recovers was added)
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(last_only=True), "fell again")
    # ri05 E1-E3: the diverged flag ignored, no noise margin, the turn looked for before the lowest
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(flag=False), "did not record")
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(noise=False), "mini-batch noise")
    _fails_with(SCHEDULES, "range_test_verdict", _learner_verdict(after_lowest=False), "the fall")


def test_a_sweep_with_no_finite_value_after_the_settling_ones_is_lower_lr_min():
    # the test learner found this case unspecified; the task now says 2 (the sweep blew up at once)
    losses = np.r_[2.3, np.full(9, 2.2), np.nan, np.nan, np.nan]
    assert _question(SCHEDULES, "range_test_verdict").reference(losses) == 2
    for bad in (True, 3.0):
        with pytest.raises(ValueError, match="skip_start"):
            _question(SCHEDULES, "range_test_verdict").reference(losses, bad)
    assert _question(SCHEDULES, "range_test_verdict").reference(losses, np.int64(3)) == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((np.linspace(2.3, 1.0, 30), -1), "skip_start"),
        ((np.linspace(2.3, 1.0, 8), 10), "leave a value"),
        ((np.r_[np.nan, np.linspace(2.3, 1.0, 29)],), "first smoothed loss"),
        ((np.linspace(2.3, -1.0, 30),), "negative"),
        ((np.linspace(2.3, 1.0, 30), 10, 1.0), "diverge_factor"),
        ((np.ones((3, 30)),), "1-D"),
    ],
)
def test_range_test_verdict_bad_input_gets_one_sentence(args, words):
    reference = _question(SCHEDULES, "range_test_verdict").reference
    with pytest.raises(ValueError, match=words) as raised:
        reference(*args)
    assert str(raised.value).count(". ") == 0 and str(raised.value).endswith(".")


def test_range_test_verdict_reads_a_blow_up_that_lr_range_test_did_not_record():
    # ri05 E1: lr_range_test stops before it records a NaN loss, so the curve ends falling
    steps = iter(range(1, 200))

    def falls_then_nan(lr):
        k = next(steps)
        return float("nan") if k > 60 else 2.3 - 1.5 * k / 60

    result = lr_range_test(falls_then_nan, lr_min=1e-4, lr_max=10.0, num_steps=100)
    assert result.diverged and np.all(np.isfinite(result.smoothed))
    reference = _question(SCHEDULES, "range_test_verdict").reference
    assert reference(result.smoothed) == 1  # the curve alone: still falling
    assert reference(result.smoothed, diverged=result.diverged) == 0  # the blow-up: usable


def test_range_test_verdict_reads_a_sweep_of_noise_as_too_small_rates():
    # ri05 E2: a loss that only varies between mini-batches (about 0.2%, as §6's network at rates
    # 1e-7 to 1e-4) read without a margin gives any verdict; with the default margin, raise lr_max
    reference = _question(SCHEDULES, "range_test_verdict").reference
    verdicts = []
    for seed in range(20):
        noise = np.random.default_rng(seed)
        result = lr_range_test(
            lambda lr, noise=noise: 2.3 + 0.005 * noise.standard_normal(), 1e-7, 1e-4
        )
        assert reference(result.smoothed, diverged=result.diverged) == 1, seed
        verdicts.append(reference(result.smoothed, margin=0.0))
    assert len(set(verdicts)) > 1  # without the margin the noise decides


def test_range_test_verdict_margin_must_be_in_zero_one():
    reference = _question(SCHEDULES, "range_test_verdict").reference
    for bad in (-0.1, 1.0, True):
        with pytest.raises(ValueError, match="margin"):
            reference(np.linspace(2.3, 1.0, 30), 10, 4.0, False, bad)


def test_range_test_verdict_catches_a_flattened_array_a_negative_loss_and_the_last_tie():
    # ri05 E4: these slips passed every case before; each now fails a visible case
    learner = _learner_verdict()

    def flattens(smoothed_losses, *args):
        return learner(np.ravel(smoothed_losses), *args)

    def no_sign_check(smoothed_losses, *args):
        return learner(np.abs(smoothed_losses), *args)

    def last_tie(smoothed_losses, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
        verdict = learner(smoothed_losses, skip_start, diverge_factor, diverged, margin)
        s = np.where(np.isfinite(smoothed_losses), smoothed_losses, np.inf)[skip_start:]
        last = skip_start + len(s) - 1 - int(np.argmin(s[::-1]))  # the last of equal lowest
        if verdict == 0 and not diverged and np.all(np.isfinite(smoothed_losses[last:])):
            after = np.asarray(smoothed_losses[last + 1 :])
            turned = np.any(
                after > min((1 + margin) * smoothed_losses[0], diverge_factor * s.min())
            )
            return 0 if turned else 1
        return verdict

    cases = ((flattens, "2-D"), (no_sign_check, "negative"), (last_tie, "equal lowest"))
    for answer, text in cases:
        with pytest.raises(CheckFailed, match=text):
            checker(SCHEDULES)("range_test_verdict", answer)


# rk05 E1, E2: four wrong answers, written as a learner writes them, that scored full marks in
# every grading seed before the cases for them were added; each now fails a VISIBLE case with the
# hint that names it, and scores 0.


def _answer_body(s, skip_start, diverge_factor, margin):
    """The checks and the lowest point of a correct answer: (values, finite-or-inf values, index
    of the lowest, first value, lowest value)."""
    v = np.asarray(s, dtype=float)
    if v.ndim != 1 or isinstance(skip_start, bool) or not isinstance(skip_start, int | np.integer):
        raise ValueError("bad input.")
    if skip_start < 0 or len(v) <= skip_start or not diverge_factor > 1 or not 0 <= margin < 1:
        raise ValueError("bad input.")
    if not np.isfinite(v[0]) or np.any(v < 0):
        raise ValueError("bad input.")
    a = np.where(np.isfinite(v), v, np.inf)
    lowest = skip_start + int(np.argmin(a[skip_start:]))
    return v, a, lowest, v[0], a[lowest]


def _blew_up_so_usable(s, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    # "it blew up, so it saw the turn": the flag read before the fall test
    v, a, lowest, start, low = _answer_body(s, skip_start, diverge_factor, margin)
    if diverged:
        return 0
    if not low < (1 - margin) * start:
        return 2 if np.any(a[skip_start:] > (1 + margin) * start) else 1
    return 0 if np.any(a[lowest + 1 :] > min((1 + margin) * start, diverge_factor * low)) else 1


def _flag_only_after_a_fall(s, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    # the flag read as the turn after a fall, ignored when the loss never fell
    v, a, lowest, start, low = _answer_body(s, skip_start, diverge_factor, margin)
    if not low < (1 - margin) * start:
        return 2 if np.any(a[skip_start:] > (1 + margin) * start) else 1
    turned = diverged or np.any(a[lowest + 1 :] > min((1 + margin) * start, diverge_factor * low))
    return 0 if turned else 1


def _no_margin_in_the_turn(s, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    # the margin kept in the fall test, forgotten in the turn's "above the first value"
    v, a, lowest, start, low = _answer_body(s, skip_start, diverge_factor, margin)
    if not low < (1 - margin) * start:
        return 2 if diverged or np.any(a[skip_start:] > (1 + margin) * start) else 1
    turned = diverged or np.any(a[lowest + 1 :] > min(start, diverge_factor * low))
    return 0 if turned else 1


def _nan_missed_when_flat(s, skip_start=10, diverge_factor=4.0, diverged=False, margin=0.02):
    # no finite value after the settling ones handled apart; otherwise NaN > x is False
    v, a, lowest, start, low = _answer_body(s, skip_start, diverge_factor, margin)
    if not np.any(np.isfinite(v[skip_start:])):
        return 2
    if not low < (1 - margin) * start:
        return 2 if diverged or np.any(v[skip_start:] > (1 + margin) * start) else 1
    turned = diverged or np.any(a[lowest + 1 :] > min((1 + margin) * start, diverge_factor * low))
    return 0 if turned else 1


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (_blew_up_so_usable, "not that it is usable"),
        (_flag_only_after_a_fall, "The flag counts in both branches"),
        (_no_margin_in_the_turn, "in the turn test too"),
        (_nan_missed_when_flat, "NaN > x is False"),
    ],
    ids=["diverged read first", "flag only after a fall", "no margin in turn", "NaN when flat"],
)
def test_range_test_verdict_wrong_answers_of_rk05_fail_and_score_0(answer, text):
    from test_checks import _judged

    _fails_with(SCHEDULES, "range_test_verdict", answer, text)
    for seed in (0, 7, 123):
        assert _judged(SCHEDULES, "range_test_verdict", answer, seed).score == 0


def test_range_test_verdict_reads_the_realistic_too_high_sweep_as_lower_lr_min():
    # rk05 E1: a sweep from rates past the turn trips lr_range_test's stop rule (diverged=True):
    # lower lr_min, as the solution's sweeps from lr 30 print, not usable
    reference = _question(SCHEDULES, "range_test_verdict").reference
    for seed in range(3):
        result = lr_range_test(_softmax_step(seed), lr_min=100.0, lr_max=1e5)
        assert result.diverged
        assert reference(result.smoothed, diverged=result.diverged) == 2, seed
        assert _blew_up_so_usable(result.smoothed, diverged=result.diverged) == 0
