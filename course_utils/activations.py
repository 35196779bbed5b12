"""Activation functions and their derivatives: sigmoid, tanh, ReLU (numpy only).

Each ``*_grad(z)`` is the derivative with respect to the **pre-activation** ``z``, evaluated at
``z`` (not at the activation's output). Lecture 03 derives them; the recurrent-network lectures
reuse them. Every function accepts a real scalar or array and returns a float64 array.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "ACTIVATIONS"]


def _real(z) -> np.ndarray:
    raw = np.asarray(z)
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"z must be a real number or an array of them, got dtype {raw.dtype}.")
    return raw.astype(np.float64)


def sigmoid(z) -> np.ndarray:
    """1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = _real(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z) -> np.ndarray:
    """d sigmoid / dz = s (1 - s) with s = sigmoid(z); at most 1/4, reached at z = 0."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z) -> np.ndarray:
    """The hyperbolic tangent."""
    return np.tanh(_real(z))


def tanh_grad(z) -> np.ndarray:
    """d tanh / dz = 1 - tanh(z)^2; at most 1, reached at z = 0."""
    t = np.tanh(_real(z))
    return 1.0 - t * t


def relu(z) -> np.ndarray:
    """max(z, 0)."""
    return np.maximum(_real(z), 0.0)


def relu_grad(z) -> np.ndarray:
    """1 where z > 0, else 0 (at z = 0 we take 0, as PyTorch does)."""
    return (_real(z) > 0).astype(np.float64)


#: name -> (function, derivative)
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}
