"""Question 2 of exercise set 09 (``putting_it_together``): ``diagnose``, the lecture's debugging
checklist as four flags (flat, nan, exploding, overfitting) read from a training log.

A private part of that spec (the registry skips modules whose name starts with ``_``), kept apart
so that each module stays small. Each case separates a wrong answer learners write (inf missed, a
spike before a NaN lost, overfitting judged against the previous evaluation or by an absolute
margin or without the train loss, flat judged one-sided or from single values).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _diagnose(
    train_losses,
    val_losses,
    grad_norms,
    *,
    finite_test=np.isfinite,
    all_norms=False,
    centre=np.median,
    flat_test="means",
    overfit_test="relative",
    watch_train=True,
    nan_inputs="all",
    blocks_test="end",
):
    """(flat, nan, exploding, overfitting) flags of a training log, as the lecture defines them.

    The keywords build the learners' mistakes: `finite_test` np.isnan-based (inf missed),
    `all_norms` (NaN norms not dropped), `centre` np.mean, `flat_test` "one-sided" (the old
    "has not fallen by 2%") or "ends" (first and last values only), `overfit_test` "previous"
    (against the previous evaluation), "last only" (one evaluation above the minimum) or
    "absolute" (min + 0.02), `watch_train` False (the validation rise alone, train loss ignored),
    `nan_inputs` "train" (only the train loss tested for NaN/inf), `blocks_test` "start" (blocks
    of 10 from the start, the tail dropped), "first" (last 10 below the first 10) or "previous"
    (last block below the block before it only).
    """
    train, val, norms = (np.asarray(a, dtype=float) for a in (train_losses, val_losses, grad_norms))
    tested = (train,) if nan_inputs == "train" else (train, val, norms)
    nan = not all(finite_test(a).all() for a in tested)
    finite = norms if all_norms else norms[np.isfinite(norms)]
    exploding = bool(finite.size) and bool(finite.max() > 10 * centre(finite))
    first, last = np.mean(train[:10]), np.mean(train[-10:])
    if flat_test == "one-sided":
        flat = bool(last > 0.98 * first)
    elif flat_test == "ends":
        flat = bool(abs(train[-1] - train[0]) < 0.02 * train[0])
    else:
        flat = bool(abs(last - first) < 0.02 * first)
    above = {  # the last two evaluations above the minimum (one noisy evaluation is not enough)
        "relative": lambda: val[-2:] > 1.02 * np.min(val),
        "last only": lambda: val[-1:] > 1.02 * np.min(val),
        "previous": lambda: val[-1:] > 1.02 * val[-2],
        "absolute": lambda: val[-2:] > np.min(val) + 0.02,
    }[overfit_test]()
    rose = val.size > 1 and bool(np.all(above))
    if blocks_test == "start":
        blocks = train[: len(train) // 10 * 10].reshape(-1, 10).mean(axis=1)
    else:
        blocks = train[len(train) % 10 :].reshape(-1, 10).mean(axis=1)  # the last blocks of 10
    earlier = {"first": blocks[:1], "previous": blocks[-2:-1]}.get(blocks_test, blocks[:-1])
    falling = blocks.size > 1 and bool(blocks[-1] < earlier.min())
    overfitting = bool(rose) and (falling or not watch_train)
    return (flat, nan, exploding, overfitting)


def _variant(**options):
    """A learner's diagnose: the reference with one of its tests written the wrong way."""
    return lambda t, v, n: _diagnose(t, v, n, **options)


def _diagnose_nan_by_equality(train_losses, val_losses, grad_norms):
    flat, _, exploding, overfitting = _diagnose(train_losses, val_losses, grad_norms)
    nan = bool(
        np.any(np.asarray(train_losses) == np.nan) or np.any(np.asarray(grad_norms) == np.nan)
    )
    return (flat, nan, exploding, overfitting)


def _diagnose_train_for_overfit(train_losses, val_losses, grad_norms):
    flat, nan, exploding, _ = _diagnose(train_losses, val_losses, grad_norms)
    train = np.asarray(train_losses, dtype=float)
    return (flat, nan, exploding, bool(train[-1] > 1.02 * np.min(train)))


def _log(n=40, start=4.0, end=2.0, seed=0):
    """A healthy-looking log: train loss falling from start to end, noisy norms near 1."""
    rng = np.random.default_rng(seed)
    train = np.linspace(start, end, n) + rng.normal(scale=0.01, size=n)
    val = np.linspace(start, end + 0.1, n // 5)
    norms = 1.0 + 0.2 * rng.random(n)
    return train, val, norms


def _case_overfit():
    train, _, norms = _log()
    val = np.array([4.0, 3.0, 2.5, 2.4, 2.6, 2.8, 3.0, 3.2])  # minimum, then rising
    return train, val, norms


def _case_spikes():
    train, val, norms = _log(seed=1)
    norms[[10, 25, 30]] = 30.0  # three spikes, 30x the typical norm of about 1.1
    return train, val, norms


def _case_nan():
    train, val, norms = _log(seed=2)
    train[30:], norms[30:], val[-2:] = np.nan, np.nan, np.nan
    return train, val, norms


def _case_flat():
    rng = np.random.default_rng(3)
    train = 4.17 + rng.normal(scale=0.005, size=40)
    return train, np.full(8, 4.17), 0.01 + 0.001 * rng.random(40)


def _case_rising():
    rng = np.random.default_rng(4)
    return np.linspace(2.0, 5.0, 40), np.array([2.0, 3.0, 4.0, 5.0]), 1.0 + 0.2 * rng.random(40)


def _case_inf():
    train, val, norms = _log(seed=6)
    train[35:], norms[35:] = np.inf, np.inf
    return train, val, norms


def _case_spike_then_nan():
    train, val, norms = _log(seed=7)
    norms[20] = 50.0
    train[30:], norms[30:] = np.nan, np.nan
    return train, val, norms


def _case_slow_rise():
    train, _, norms = _log(seed=8)
    return train, np.array([4.0, 3.0, 2.0, 2.02, 2.04, 2.06, 2.08]), norms  # +1% per evaluation


def _case_within_two_percent():
    train, _, norms = _log(seed=9)
    return train, np.array([4.0, 3.0, 2.0, 2.035, 2.03]), norms  # under 2% above the minimum


def _case_one_noisy_evaluation():
    train, _, norms = _log(seed=11)
    return train, np.array([4.0, 3.0, 2.2, 2.0, 2.1]), norms  # only the last one rose


def _case_norm_overflow():
    train, val, norms = _log(seed=12)
    norms[25] = np.inf  # the gradient overflowed at one step; the losses stayed finite
    return train, val, norms


def _case_val_nan():
    train, val, norms = _log(seed=13)
    val[-1] = np.nan  # only the last validation loss is NaN
    return train, val, norms


def _case_no_finite_norm():
    train, val, _ = _log(seed=14)
    return train, val, np.full(40, np.nan)  # no finite norm at all: exploding is False


def _case_earlier_dip():
    # 45 steps (not a multiple of 10): the blocks of 10 end at the last value, steps 5-44. The
    # train loss dipped to 1.9 in steps 15-24 and ends higher (mean 2.0), while validation rises:
    # not overfitting, the train loss is no longer falling.
    train = np.concatenate(
        [np.linspace(4.0, 2.2, 15), np.full(10, 1.9), np.full(10, 2.3), [1.85] * 5, [2.15] * 5]
    )
    val = np.array([4.0, 3.0, 2.5, 2.4, 2.6, 2.8, 3.0, 3.2])
    return train, val, np.ones(45)


def _case_noisy_ends():
    train, val, norms = _log(seed=10, start=4.0, end=3.0)
    train[0], train[-1] = 3.2, 3.22  # one low first batch, one high last batch
    return train, val, norms


DIAGNOSE = Question(
    name="diagnose",
    points=3,
    reference=_diagnose,
    inputs_unchanged=True,
    cases=(
        Case(_log, "a healthy run: both losses fall, norms near 1 (all flags False)"),
        Case(_case_overfit, "train loss falls, validation loss has a minimum and then rises"),
        Case(_case_spikes, "three gradient-norm spikes of 30 among norms near 1.1"),
        Case(_case_nan, "the run turns NaN at step 30 (losses and norms)"),
        Case(_case_flat, "the train loss stays at 4.17, tiny norms"),
        Case(_case_rising, "the train loss rises from 2 to 5 and so does the validation loss"),
        Case(_case_spike_then_nan, "a norm spike of 50 at step 20, then NaN from step 30"),
        Case(_case_inf, "the run turns inf at step 35 (train loss and norms)"),
        Case(_case_slow_rise, "validation rises 1% per evaluation after its minimum 2.0"),
        Case(
            _case_within_two_percent, "validation ends 2.035, 2.03: under 2% above its minimum 2.0"
        ),
        Case(_case_one_noisy_evaluation, "validation 2.2, 2.0, 2.1: only the last evaluation rose"),
        Case(
            _case_noisy_ends,
            "train loss falls 4 -> 3, but its first value is 3.2 and its last 3.22",
        ),
        Case(_case_val_nan, "only the last validation loss is NaN"),
        Case(_case_norm_overflow, "one gradient norm is inf, every loss finite"),
        Case(_case_no_finite_norm, "every gradient norm is NaN (no finite norm)"),
        Case(
            _case_earlier_dip,
            "45 steps: the train loss dipped to 1.9 at steps 15-24 and ends at 2.0; validation rises",
        ),
        Case(lambda: _log(seed=5, start=3.0, end=2.7), "a slow but real decrease", hidden=True),
        Case(
            lambda: (np.linspace(3, 1, 50), np.array([3.0, 2.0, 1.9, 2.1, 2.2]), np.ones(50)),
            "overfitting, clean norms",
            hidden=True,
        ),
    ),
    mistakes=tuple(
        Mistake(hint, answer)
        for hint, answer in (
            (
                "The train loss is still falling only when its last block of 10, cut from the END so that it ends at the last value, is below EVERY earlier block, not only the first or the one before it: a loss that dipped in the middle and rose again is no longer falling.",
                _variant(blocks_test="start"),
            ),
            (
                "Overfitting needs both: the validation loss rose from its minimum AND the train loss is still falling (its last block of 10 below every earlier one). A validation rise alone is also what a too-large learning rate gives.",
                _variant(watch_train=False),
            ),
            (
                "A rise must be seen at the last TWO evaluations (both more than 2% above the minimum): one evaluation above it is what the noise of a too-large learning rate gives.",
                _variant(overfit_test="last only"),
            ),
            (
                "Compare the last validation loss with its MINIMUM, not with the evaluation before it: a slow steady rise never jumps 2% from one evaluation to the next.",
                _variant(overfit_test="previous"),
            ),
            (
                "Overfitting is read from the VALIDATION loss (it rises while the train loss keeps falling); the train loss of an overfitting run keeps going down.",
                _diagnose_train_for_overfit,
            ),
            (
                "Compare the largest norm with the MEDIAN norm: a few spikes pull the mean up with them, so max > 10 * mean misses the very spikes it should flag.",
                _variant(centre=np.mean),
            ),
            (
                "Flat means the train loss did not MOVE: within 2% either way. A loss that rose has moved; `mean(last) > 0.98 * mean(first)` also calls a rising loss flat.",
                _variant(flat_test="one-sided"),
            ),
            (
                "Median and max are taken over the FINITE norms only: a NaN among the norms makes np.max NaN, and every comparison with NaN is False, so a spike before a NaN is lost.",
                _variant(all_norms=True),
            ),
            (
                "Not finite means NaN or +-inf: np.isnan misses inf; use np.isfinite.",
                _variant(finite_test=lambda a: ~np.isnan(a)),
            ),
            (
                "Not finite ANYWHERE: test the validation losses and the gradient norms too, not only the train loss (a gradient can overflow while the loss is still finite).",
                _variant(nan_inputs="train"),
            ),
            (
                "x == np.nan is always False (NaN equals nothing, itself included): test with np.isfinite, which also catches inf.",
                _diagnose_nan_by_equality,
            ),
            (
                "The margin is relative, 2% of the minimum (`1.02 * min`), not 0.02 nats added to it.",
                _variant(overfit_test="absolute"),
            ),
            (
                "Flat compares the MEAN of the first 10 train losses with the mean of the last 10: single batch losses are noisy, so the first and last values alone can say anything.",
                _variant(flat_test="ends"),
            ),
        )
    ),
    hint=(
        "Test the four conditions exactly as the task states them, each on its own: a value "
        "that is not finite anywhere; a finite gradient norm far above the median of the finite "
        "norms; a train loss whose mean over its last ten values is within 2% of its first "
        "ten, either way; the last two validation losses each more than 2% above the minimum "
        "while the train loss's last block of ten is its lowest. Return (flat, nan, exploding, "
        "overfitting)."
    ),
)
