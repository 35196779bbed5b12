"""Input checks shared by the method modules: a wrong argument gets one clear sentence.

Imports numpy only, so ``objectives``, ``gradcheck``, ``descent`` and ``widgets`` can all use it.
"""

from __future__ import annotations

import inspect

import numpy as np

__all__ = [
    "as_point",
    "flag",
    "float_array",
    "fraction",
    "gradient_output",
    "integer",
    "objective_like",
    "one_of",
    "optimizer_class",
    "real_array",
    "real_number",
    "scalar_output",
]

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


def flag(value, name: str) -> bool:
    """``value`` as a bool: only True or False (numpy's too) pass, never 1 or "yes"."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def fraction(value, name: str, *, one_allowed: bool = False) -> float:
    """``value`` as a float in [0, 1) (in [0, 1] with ``one_allowed``): a decay or smoothing rate."""
    value = real_number(value, name)
    inside = 0 <= value <= 1 if one_allowed else 0 <= value < 1
    if not inside:
        raise ValueError(f"{name} must be in [0, 1{']' if one_allowed else ')'}, got {value}.")
    return value


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


def float_array(x, name: str, shape: tuple, dtype=np.float64) -> np.ndarray:
    """``x`` as a finite, non-empty floating-point array of exactly ``shape`` (an entry None
    means any size), converted to ``dtype`` (no copy when it already has it); integer arrays are
    refused, so a wrong argument is not silently rounded."""
    raw = np.asarray(x)
    if raw.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array, got dtype {raw.dtype}.")
    want = ", ".join("any" if s is None else str(s) for s in shape)
    want = f"({want},)" if len(shape) == 1 else f"({want})"  # as Python writes a shape
    if raw.ndim != len(shape) or any(
        s is not None and s != r for s, r in zip(shape, raw.shape, strict=True)
    ):
        raise ValueError(f"{name} must have shape {want}, got {raw.shape}.")
    if raw.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {raw.shape}.")
    if not np.isfinite(raw).all():
        bad = int((~np.isfinite(raw)).sum())
        raise ValueError(f"{name} must contain only finite values ({bad} are NaN or infinite).")
    return raw.astype(dtype, copy=False)


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


def objective_like(objective, methods=("value", "grad"), dim: int | None = None):
    """Check that ``objective`` has the callable ``methods`` (and, if given, ``dim``)."""
    for method in methods:
        if not callable(getattr(objective, method, None)):
            raise TypeError(f"objective must have a callable .{method}(x), got {objective!r}.")
    if dim is not None:
        got = getattr(objective, "dim", dim)
        if got != dim:
            raise ValueError(f"objective must have dim {dim}, got dim {got}.")
    return objective


def one_of(value, options, name: str):
    """``value`` if it is one of ``options``, else one sentence listing them."""
    options = tuple(options)
    if value not in options:
        listed = " or ".join(map(repr, options)) if len(options) == 2 else f"one of {list(options)}"
        raise ValueError(f"{name} must be {listed}, got {value!r}.")
    return value


def optimizer_class(optimizer, name: str = "optimizer"):
    """Check that ``optimizer`` builds an optimizer when called as ``optimizer(params, lr=lr)``.

    That is a class in torch.optim's shape (``SGD``, or ``torch.optim.SGD``) or a
    ``functools.partial`` of one (``partial(SGD, momentum=0.9)``). An optimizer instance, the
    older ``lambda params: SGD(params, lr=0.1)`` factory and anything else get one sentence.
    """
    shape = (
        f"{name} must be an optimizer class or a functools.partial of one, called as "
        f"{name}(params, lr=...), e.g. SGD or functools.partial(SGD, momentum=0.9)"
    )
    if not callable(optimizer):
        kind = type(optimizer).__name__
        got = f"an {kind} instance, not the class" if hasattr(optimizer, "step") else f"a {kind}"
        raise TypeError(f"{shape}; got {got}.")
    try:
        signature = inspect.signature(optimizer)
    except (TypeError, ValueError):  # no signature to read (a builtin): trust the call
        return optimizer
    try:
        signature.bind([], lr=1.0)
    except TypeError:
        label = getattr(optimizer, "__name__", type(optimizer).__name__)
        raise TypeError(f"{shape}; got {label}{signature}, which does not take (params, lr=...)."
                        ) from None  # fmt: skip
    return optimizer


def _got(out, at: str) -> str:
    """'got None at ... (is a `return` missing?)', 'got a str ...', 'got dtype complex128 ...'."""
    if out is None:
        return f"got None{at} (is a `return` missing?)"
    if isinstance(out, str | bytes):
        return f"got a {type(out).__name__} {out!r:.40}{at}"
    return f"got dtype {np.asarray(out).dtype}{at}"


def scalar_output(out, name: str, where: str = "") -> float:
    """A function's output as a float, or one sentence saying what came back instead.

    ``name`` names the function (e.g. "f" or "objective.value(x)"); ``where`` the point.
    """
    at = f" at {where}" if where else ""
    raw = None if out is None or isinstance(out, str | bytes) else np.asarray(out)
    if raw is None or raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must return a real number, {_got(out, at)}.")
    if raw.ndim != 0:
        raise TypeError(f"{name} must return a scalar, got shape {raw.shape}{at}.")
    return float(raw)


def gradient_output(out, shape: tuple, name: str, where: str = "") -> np.ndarray:
    """A gradient function's output as a float64 array of ``shape``, or one sentence."""
    at = f" at {where}" if where else ""
    raw = None if out is None or isinstance(out, str | bytes) else np.asarray(out)
    if raw is None or raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must return an array of real numbers, {_got(out, at)}.")
    if raw.shape != tuple(shape):
        raise ValueError(
            f"{name} must return an array of shape {tuple(shape)} like x, got {raw.shape}{at}."
        )
    return raw.astype(np.float64)
