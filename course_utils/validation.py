"""Input checks shared by the method modules: a wrong argument gets one clear sentence.

Imports numpy only, so ``objectives``, ``gradcheck``, ``descent`` and ``widgets`` can all use it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_point", "integer", "real_array", "real_number"]

_REAL_SCALARS = int | float | np.integer | np.floating


def real_number(value, name: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """``value`` as a finite float; with ``positive``/``nonnegative``, also its sign checked."""
    if isinstance(value, bool) or not isinstance(value, _REAL_SCALARS):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if positive and not value > 0:
        raise ValueError(f"{name} must be positive, got {value}.")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name} must be non-negative, got {value}.")
    return float(value)


def real_array(x, name: str) -> np.ndarray:
    """``x`` as a finite float64 array (always a copy), or a clear error."""
    raw = np.asarray(x)
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {raw.dtype}.")
    arr = raw.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        shown = f", got {arr.tolist()}" if arr.size <= 8 else f" ({bad.sum()} are not)"
        raise ValueError(f"{name} must contain only finite values{shown}.")
    return arr


def as_point(x, dim: int, name: str = "x", batched: bool = False) -> np.ndarray:
    """``x`` as a finite float64 array of shape ``(dim,)`` (or ``(dim, ...)`` if batched)."""
    raw = np.asarray(x)
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {raw.dtype}.")
    if batched:
        if raw.ndim == 0 or raw.shape[0] != dim:
            raise ValueError(f"{name} must have shape ({dim},) or ({dim}, ...), got {raw.shape}.")
    elif raw.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},), got {raw.shape}.")
    return real_array(raw, name)



def integer(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int (bools refused), checked ``low <= value`` and ``value < high``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if (low is not None and value < low) or (high is not None and value >= high):
        if high is None:
            bound = f">= {low}"
        elif low is None:
            bound = f"< {high}"
        else:
            bound = f"in [{low}, {high})"
        raise ValueError(f"{name} must be {bound}, got {value}.")
    return int(value)
