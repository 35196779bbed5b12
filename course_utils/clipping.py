"""Gradient clipping in numpy, with the semantics of ``torch.nn.utils.clip_grad_norm_`` and
``clip_grad_value_``.

``grads`` is a list (or tuple) of float arrays, a dict of them (as ``rnn.RNN.grads``, keyed like
torch's parameters), or one array. The arrays are modified **in place**; ``None`` entries are
skipped, as torch skips parameters whose ``.grad`` is ``None``.

* ``clip_grad_norm(grads, max_norm, norm_type=2.0)`` treats all arrays as one long vector, computes
  its ``norm_type``-norm ``total`` (``inf``: the largest absolute entry), multiplies every array by
  ``min(1, max_norm / (total + 1e-6))`` and returns ``total``, the norm BEFORE clipping. The
  direction of the whole gradient is kept. ``max_norm = inf`` is allowed, as in torch: the factor
  is 1, so it measures the norm and changes nothing.
* ``clip_grad_value(grads, clip_value)`` clamps every entry into ``[-clip_value, clip_value]``
  (returns ``None``, as torch). Entries are clamped separately, so the direction can change.

Clipping bounds the size of a step when gradients explode. It cannot make a vanishing gradient
larger: the coefficient is at most 1 and is shared by every entry.

Imports numpy only.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import real_number

__all__ = ["clip_grad_norm", "clip_grad_value", "total_norm"]

_EPS = 1e-6  # torch's: clip_coef = max_norm / (total_norm + 1e-6)


def _arrays(grads) -> list[np.ndarray]:
    """The arrays inside ``grads`` (list, tuple, dict or one array), ``None`` entries skipped."""
    if isinstance(grads, np.ndarray):
        items = [grads]
    elif isinstance(grads, dict):
        items = list(grads.values())
    elif isinstance(grads, list | tuple):
        items = list(grads)
    else:
        raise TypeError(
            f"grads must be a list, tuple or dict of numpy arrays, got {type(grads).__name__}."
        )
    arrays = []
    for i, g in enumerate(items):
        if g is None:
            continue
        if not isinstance(g, np.ndarray):
            raise TypeError(
                f"grads entry {i} must be a numpy array (it is modified in place), "
                f"got {type(g).__name__}."
            )
        if g.dtype.kind != "f":
            raise TypeError(
                f"grads entry {i} must be a floating-point array to be scaled in place, "
                f"got dtype {g.dtype}."
            )
        if not g.flags.writeable:
            raise ValueError(f"grads entry {i} is read-only, so it cannot be clipped in place.")
        arrays.append(g)
    return arrays


def _norm_type(norm_type) -> float:
    if isinstance(norm_type, str) and norm_type.lower() == "inf":
        return math.inf
    if isinstance(norm_type, bool) or not isinstance(norm_type, int | float | np.number):
        raise TypeError(f"norm_type must be a positive number or inf, got {norm_type!r}.")
    p = float(norm_type)
    if not (p > 0):  # also rejects nan
        raise ValueError(f"norm_type must be a positive number or inf, got {norm_type!r}.")
    return p


def _vector_norm(values: np.ndarray, p: float) -> float:
    values = np.abs(np.asarray(values, dtype=np.float64).ravel())
    if values.size == 0:
        return 0.0
    if math.isinf(p):
        return float(values.max())
    if p == 2.0:
        return float(np.sqrt(np.dot(values, values)))
    if p == 1.0:
        return float(values.sum())
    return float(np.sum(values**p) ** (1.0 / p))


def total_norm(grads, norm_type=2.0) -> float:
    """The ``norm_type``-norm of all arrays in ``grads`` viewed as one vector (not modified).

    Computed as torch does: the norm of the vector of per-array norms.
    """
    p = _norm_type(norm_type)
    arrays = _arrays(grads)
    return _vector_norm(np.array([_vector_norm(g, p) for g in arrays]), p)


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite: bool = False) -> float:
    """Scale all arrays in ``grads`` in place so that their joint norm is at most ``max_norm``.

    Returns the total norm BEFORE clipping. The scale is
    ``min(1, max_norm / (total + 1e-6))``, applied to every array (so the direction of the whole
    gradient is unchanged). With ``error_if_nonfinite=True`` a ``nan`` or ``inf`` total norm raises
    ``ValueError`` before anything is changed; otherwise, as in torch, the arrays are multiplied by
    the resulting coefficient (``nan`` spreads, an ``inf`` norm zeroes the finite entries).
    ``max_norm`` is a number ``>= 0`` or ``inf``; ``inf``, as in torch, gives the factor
    ``min(1, inf) = 1``: nothing is scaled and the total norm is returned (a way to measure it).
    """
    if not _is_plus_inf(max_norm):  # inf: torch's "measure only", factor min(1, inf) = 1
        max_norm = real_number(max_norm, "max_norm", nonnegative=True)
    if not isinstance(error_if_nonfinite, bool):
        raise TypeError(
            f"error_if_nonfinite must be True or False, got {type(error_if_nonfinite).__name__}."
        )
    p = _norm_type(norm_type)
    arrays = _arrays(grads)
    if not arrays:
        return 0.0
    total = _vector_norm(np.array([_vector_norm(g, p) for g in arrays]), p)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(
            f"the total norm of order {p} of the gradients is {total}, so it cannot be clipped "
            "(pass error_if_nonfinite=False to scale by it anyway)."
        )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # max_norm = inf: inf / (finite + 1e-6) = inf, so the factor is 1; with an inf total,
        # inf / inf = nan and min(nan, 1.0) = nan, as in torch
        coef = min(max_norm / (total + _EPS), 1.0) if not math.isnan(total) else math.nan
        for g in arrays:
            g *= coef
    return total


def _is_plus_inf(value) -> bool:
    return isinstance(value, float | np.floating) and value == math.inf


def clip_grad_value(grads, clip_value) -> None:
    """Clamp every entry of every array in ``grads`` into ``[-clip_value, clip_value]``, in place.

    Returns ``None`` (as ``torch.nn.utils.clip_grad_value_``). ``nan`` entries stay ``nan``.
    """
    clip_value = real_number(clip_value, "clip_value", nonnegative=True)
    for g in _arrays(grads):
        np.clip(g, -clip_value, clip_value, out=g)
