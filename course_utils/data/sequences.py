"""Synthetic long-range sequence tasks, generated from a seed (never downloaded).

Both return arrays in torch's default sequence-first layout ``(T, B, ...)``.

**Adding problem** (Hochreiter & Schmidhuber 1997; the version of Le et al. 2015).
Each of the ``B`` sequences has ``seq_len`` steps of two channels: a value drawn uniformly from
``[0, 1)`` and a marker that is 1 at exactly two steps (one in the first half, one in the second
half) and 0 elsewhere. The target is the sum of the two marked values. Predicting the constant 1
has mean squared error ``E[(U1 + U2 - 1)^2] = Var(U1) + Var(U2) = 2 * 1/12 = 1/6 ~ 0.1667``
(:data:`ADDING_BASELINE_MSE`), the plateau a model without memory of the marked values sits on.

**Copy memory** (Arjovsky et al. 2016). Symbols: 0 blank, 1..8 data, 9 delimiter. The input has
``T + 20`` steps: 10 data symbols drawn uniformly from 1..8, ``T - 1`` blanks, the delimiter, 10
blanks. The target is ``T + 10`` blanks followed by the 10 data symbols. A model without memory can
do no better than "blank for the first ``T + 10`` steps, uniform over the 8 symbols for the last 10":
cross-entropy ``10 log(8) / (T + 20)`` per step (:func:`copy_memory_baseline`).

Imports numpy only.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import integer

__all__ = [
    "ADDING_BASELINE_MSE",
    "COPY_BLANK",
    "COPY_DELIMITER",
    "COPY_N_CLASSES",
    "COPY_N_SYMBOLS",
    "adding_problem",
    "copy_memory",
    "copy_memory_baseline",
]

ADDING_BASELINE_MSE = 1.0 / 6.0
COPY_BLANK = 0
COPY_N_SYMBOLS = 8  # data symbols are 1..8
COPY_DELIMITER = 9
COPY_N_CLASSES = 10
_COPY_LENGTH = 10


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator or a non-negative int seed, got {rng!r}.")


def adding_problem(seq_len, batch_size, rng) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: inputs of shape ``(seq_len, batch_size, 2)`` and targets ``(batch_size, 1)``.

    ``x[..., 0]`` are the values, ``x[..., 1]`` the markers (two ones per sequence, one in each
    half); ``y`` is the sum of the two marked values. Both float32. ``rng``: a Generator or a seed.
    """
    seq_len = integer(seq_len, "seq_len", low=2)
    batch_size = integer(batch_size, "batch_size", low=1)
    rng = _rng(rng)
    half = seq_len // 2
    values = rng.random((seq_len, batch_size))
    first = rng.integers(0, half, size=batch_size)
    second = rng.integers(half, seq_len, size=batch_size)
    markers = np.zeros((seq_len, batch_size))
    columns = np.arange(batch_size)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[first, columns] + values[second, columns])[:, None].astype(np.float32)
    return x, y


def copy_memory(blank_len, batch_size, rng) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: int64 symbol arrays of shape ``(blank_len + 20, batch_size)`` each.

    ``blank_len`` is the task's ``T`` (the data symbols must be remembered over ``T`` steps).
    Symbols: 0 blank, 1..8 data, 9 delimiter (10 classes). ``rng``: a Generator or a seed.
    """
    blank_len = integer(blank_len, "blank_len", low=1)
    batch_size = integer(batch_size, "batch_size", low=1)
    rng = _rng(rng)
    total = blank_len + 2 * _COPY_LENGTH
    data = rng.integers(1, COPY_N_SYMBOLS + 1, size=(_COPY_LENGTH, batch_size))
    x = np.full((total, batch_size), COPY_BLANK, dtype=np.int64)
    y = np.full((total, batch_size), COPY_BLANK, dtype=np.int64)
    x[:_COPY_LENGTH] = data
    x[_COPY_LENGTH + blank_len - 1] = COPY_DELIMITER
    y[-_COPY_LENGTH:] = data
    return x, y


def copy_memory_baseline(blank_len) -> float:
    """Cross-entropy per step (nats) of the best memoryless predictor: 10 log(8) / (T + 20)."""
    blank_len = integer(blank_len, "blank_len", low=1)
    return _COPY_LENGTH * math.log(COPY_N_SYMBOLS) / (blank_len + 2 * _COPY_LENGTH)
