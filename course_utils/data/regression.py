"""Seeded synthetic regression data with known true parameters, and mini-batch indices.

``make_linear_regression`` draws ``y = X @ w_true + b_true + noise``; ``make_logistic_regression``
draws binary labels ``y ~ Bernoulli(sigmoid(X @ w_true + b_true))``. ``MiniBatches`` yields the
index arrays of one epoch each time it is iterated, reshuffled every epoch, like a
``torch.utils.data.DataLoader`` over indices.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import integer, real_array, real_number

__all__ = ["MiniBatches", "SyntheticData", "make_linear_regression", "make_logistic_regression"]


class SyntheticData(NamedTuple):
    """Features ``X`` (n, d), targets ``y`` (n,), and the parameters that generated them."""

    X: np.ndarray
    y: np.ndarray
    w_true: np.ndarray
    b_true: float


def _generator(rng, name: str = "rng") -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy Generator such as np.random.default_rng(0), "
            f"got {type(rng).__name__}."
        )
    return rng


def _features(n_samples, n_features, feature_scales, rng):
    n = integer(n_samples, "n_samples", low=1)
    d = integer(n_features, "n_features", low=1)
    rng = _generator(rng)
    if feature_scales is None:
        scales = np.ones(d)
    else:
        scales = real_array(feature_scales, "feature_scales")
        if scales.shape != (d,):
            raise ValueError(f"feature_scales must have shape ({d},), got {scales.shape}.")
        if not (scales > 0).all():
            raise ValueError("feature_scales must all be positive.")
    return rng.standard_normal((n, d)) * scales, rng


def make_linear_regression(
    n_samples: int,
    n_features: int,
    *,
    noise: float = 0.5,
    bias: float = 1.0,
    feature_scales=None,
    rng: np.random.Generator,
) -> SyntheticData:
    """``X ~ N(0, diag(feature_scales)^2)``, ``w_true ~ N(0, I)``, ``y = X w_true + bias + noise*eps``.

    ``eps`` is standard normal, so the best possible mean squared error is about ``noise**2``.
    """
    X, rng = _features(n_samples, n_features, feature_scales, rng)
    noise = real_number(noise, "noise", nonnegative=True)
    bias = real_number(bias, "bias")
    w_true = rng.standard_normal(X.shape[1])
    y = X @ w_true + bias + noise * rng.standard_normal(X.shape[0])
    return SyntheticData(X, y, w_true, bias)


def make_logistic_regression(
    n_samples: int,
    n_features: int,
    *,
    weight_norm: float = 3.0,
    bias: float = 0.0,
    feature_scales=None,
    rng: np.random.Generator,
) -> SyntheticData:
    """Binary labels (0.0 or 1.0) drawn from ``P(y=1 | x) = sigmoid(x @ w_true + bias)``.

    ``w_true`` points in a random direction with length ``weight_norm``: larger means cleaner
    classes (for standard normal features, a margin of ``weight_norm`` standard deviations).
    """
    X, rng = _features(n_samples, n_features, feature_scales, rng)
    weight_norm = real_number(weight_norm, "weight_norm", positive=True)
    bias = real_number(bias, "bias")
    direction = rng.standard_normal(X.shape[1])
    w_true = weight_norm * direction / np.linalg.norm(direction)
    p = 1.0 / (1.0 + np.exp(-(X @ w_true + bias)))
    y = (rng.random(X.shape[0]) < p).astype(np.float64)
    return SyntheticData(X, y, w_true, bias)


class MiniBatches:
    """The mini-batch index arrays of one epoch, fresh each time the object is iterated.

    With ``shuffle=True`` every epoch starts with ``rng.permutation(n_samples)`` (one call per
    epoch, so the order changes from epoch to epoch and is reproducible from the seed); with
    ``shuffle=False`` the order is ``0, 1, ..., n_samples - 1`` every epoch. Batches hold
    ``batch_size`` indices each; the last one holds the remainder (``n_samples % batch_size``)
    unless ``drop_last=True``, which skips it, as in ``torch.utils.data.DataLoader``.
    """

    def __init__(
        self,
        n_samples: int,
        batch_size: int,
        *,
        shuffle: bool = True,
        drop_last: bool = False,
        rng: np.random.Generator | None = None,
    ):
        self.n_samples = integer(n_samples, "n_samples", low=1)
        self.batch_size = integer(batch_size, "batch_size", low=1)
        if self.batch_size > self.n_samples:
            raise ValueError(
                f"batch_size ({self.batch_size}) must not exceed n_samples ({self.n_samples})."
            )
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        if self.shuffle:
            self.rng = _generator(rng)
        elif rng is not None:
            raise ValueError("rng is only used with shuffle=True; pass rng=None or shuffle=True.")
        else:
            self.rng = None

    def __len__(self) -> int:
        """Number of batches per epoch."""
        full, rest = divmod(self.n_samples, self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self):
        order = self.rng.permutation(self.n_samples) if self.shuffle else np.arange(self.n_samples)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield order[start : start + self.batch_size]

    def __repr__(self) -> str:
        return (
            f"MiniBatches(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches per epoch={len(self)})"
        )
