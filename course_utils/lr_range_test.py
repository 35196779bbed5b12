"""The learning-rate range test in fast.ai's form: one short run with an exponentially growing lr.

    result = lr_range_test(train_step, lr_min=1e-5, lr_max=1.0, num_steps=100)
    result.suggested_lr, result.rule

Who introduced what: Smith (2017, the cyclical learning rates paper; arXiv 2015) introduced the
range test, raising the lr *linearly* over a few epochs and watching the *accuracy*. The variant
here is fast.ai's learning-rate finder (Howard & Gugger 2020; the fast.ai course and library since
2018): an *exponential* sweep, an exponentially smoothed *loss*, and a suggestion about ten times
below the lr at the lowest smoothed loss (:data:`SUGGESTION_RULE`, :func:`lowest_smoothed_index`).

``train_step(lr)`` takes ONE optimization step (one mini-batch) at learning rate ``lr`` and returns
the loss of that mini-batch; it works with any framework (numpy or torch). The test stops early
once the loss has clearly diverged. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import fraction, integer, real_number

__all__ = ["RangeTestResult", "lr_range_test", "lowest_smoothed_index", "SUGGESTION_RULE"]

SUGGESTION_RULE = (
    "a tenth of the lr at which the smoothed loss is lowest (a rule of thumb: the lowest "
    "point sits close to where the loss blows up, so step back by a factor of 10)"
)


@dataclass(frozen=True, eq=False)
class RangeTestResult:
    """``lrs``, ``losses`` (raw) and ``smoothed`` (bias-corrected exponential moving average) of
    the steps taken; ``lr_at_min_loss`` where ``smoothed`` is lowest (after ``skip_start``);
    ``suggested_lr`` chosen from it by ``rule``; ``diverged`` if the sweep stopped early."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    lr_at_min_loss: float
    diverged: bool
    rule: str = SUGGESTION_RULE


def lr_range_test(
    train_step,
    lr_min: float = 1e-7,
    lr_max: float = 10.0,
    num_steps: int = 100,
    smoothing: float = 0.9,
    diverge_factor: float = 4.0,
    skip_start: int = 10,
) -> RangeTestResult:
    """Sweep lr_k = lr_min · (lr_max/lr_min)^(k/(num_steps-1)), one ``train_step`` each.

    The smoothed loss is an exponential moving average with factor ``smoothing`` (its first
    ``skip_start`` values, still settling, are ignored when looking for the lowest). Stops when
    the smoothed loss exceeds ``diverge_factor`` times its lowest value, or the loss is not
    finite. Needs skip_start + 5 finite steps to suggest a value.
    """
    lr_min, lr_max, num_steps, smoothing, diverge_factor, skip_start = _checked(
        train_step, lr_min, lr_max, num_steps, smoothing, diverge_factor, skip_start
    )
    schedule = lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))
    lrs, losses, smoothed, diverged = _sweep(train_step, schedule, smoothing, diverge_factor)
    if len(lrs) < skip_start + 5:
        raise ValueError(
            f"the loss diverged after {len(lrs)} steps, before the test could learn anything "
            f"(it needs skip_start + 5 = {skip_start + 5}): lower lr_min."
        )
    lowest = lowest_smoothed_index(smoothed, skip_start)
    return RangeTestResult(
        lrs=lrs,
        losses=losses,
        smoothed=smoothed,
        suggested_lr=float(lrs[lowest] / 10),
        lr_at_min_loss=float(lrs[lowest]),
        diverged=diverged,
    )


def lowest_smoothed_index(smoothed, skip_start: int = 10) -> int:
    """The index of the lowest smoothed loss, ignoring the first ``skip_start`` values (the moving
    average is still settling there) and every value that is not finite (NaN or inf: the run blew
    up; ``np.argmin`` would return a NaN's index). ValueError if no finite value is left."""
    skip_start = integer(skip_start, "skip_start", low=0)
    values = np.asarray(smoothed, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"smoothed must be one loss per step (1-D), got shape {values.shape}.")
    candidates = np.where(np.isfinite(values), values, np.inf)[skip_start:]
    if not np.isfinite(candidates).any():
        raise ValueError(
            f"no finite smoothed loss after the first skip_start = {skip_start} of "
            f"{len(values)} values: nothing to pick from."
        )
    return skip_start + int(np.argmin(candidates))


def _checked(train_step, lr_min, lr_max, num_steps, smoothing, diverge_factor, skip_start):
    """The arguments of :func:`lr_range_test`, checked (one sentence each), in its order."""
    if not callable(train_step):
        raise TypeError(
            f"train_step must be a function lr -> loss, got {type(train_step).__name__}."
        )
    lr_min = real_number(lr_min, "lr_min", positive=True)
    lr_max = real_number(lr_max, "lr_max", positive=True)
    if lr_min >= lr_max:
        raise ValueError(f"lr_min must be smaller than lr_max, got {lr_min} >= {lr_max}.")
    num_steps = integer(num_steps, "num_steps", low=5)
    smoothing = fraction(smoothing, "smoothing")
    skip_start = integer(skip_start, "skip_start", low=0)
    diverge_factor = real_number(diverge_factor, "diverge_factor", positive=True)
    if diverge_factor <= 1:  # a growth factor, not a fraction
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor}.")
    return lr_min, lr_max, num_steps, smoothing, diverge_factor, skip_start


def _sweep(train_step, schedule, smoothing: float, diverge_factor: float):
    """One ``train_step`` per lr of ``schedule`` until the loss diverges: the lrs taken, their
    losses, the bias-corrected smoothed losses (arrays) and whether it stopped early."""
    lrs, losses, smoothed = [], [], []
    average, best, diverged = 0.0, np.inf, False
    for k, lr in enumerate(schedule):
        raw = train_step(float(lr))
        try:
            loss = float(raw)
        except (TypeError, ValueError):
            raise TypeError(
                f"train_step must return the loss as a number, got {type(raw).__name__}."
            ) from None
        if not np.isfinite(loss):
            diverged = True
            break
        average = smoothing * average + (1 - smoothing) * loss
        value = average / (1 - smoothing ** (k + 1))  # bias correction, as in Adam
        lrs.append(lr)
        losses.append(loss)
        smoothed.append(value)
        best = min(best, value)
        if value > diverge_factor * best and k > 0:
            diverged = True
            break
    return np.array(lrs), np.array(losses), np.array(smoothed), diverged
