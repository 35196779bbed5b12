"""The verdict codes and input checks of ``range_test_verdict`` (question 4 of exercise set 05), one sentence each.
A private part of the ``learning_rate_schedules`` spec, split off ``_range_test_verdict`` to keep
each module under 400 lines."""

from __future__ import annotations

import numbers

import numpy as np

#: The verdicts (the task's codes): read the sweep; rerun it to larger rates; rerun it from
#: smaller rates.
USABLE, RAISE_LR_MAX, LOWER_LR_MIN = 0, 1, 2


def _checked(smoothed_losses, skip_start, diverge_factor, margin):
    """The smoothed losses as floats, checked (one sentence each)."""
    values = np.asarray(smoothed_losses, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"smoothed_losses must be one loss per step (1-D), got {values.shape}.")
    if isinstance(skip_start, bool) or not isinstance(skip_start, int | np.integer):
        raise ValueError(f"skip_start must be a whole number >= 0, got {skip_start!r}.")
    if skip_start < 0 or len(values) <= skip_start:
        raise ValueError(
            f"skip_start must be >= 0 and leave a value after it, got {skip_start} for "
            f"{len(values)} values."
        )
    if not np.isfinite(values[0]):
        raise ValueError(f"the first smoothed loss must be finite, got {values[0]}.")
    if np.any(values < 0):  # -inf included; NaN compares False
        raise ValueError("a loss is >= 0, got a negative smoothed loss.")
    if not diverge_factor > 1:
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor!r}.")
    if isinstance(margin, bool) or not isinstance(margin, numbers.Real) or not 0 <= margin < 1:
        raise ValueError(f"margin must be a number >= 0 and < 1, got {margin!r}.")
    return values
