"""Exercise 03, question 3: the backward pass of a residual tanh layer (a derivation).

The layer is y = x + tanh(x W + b) with a square W (D, D); the lecture writes the backward pass of
a plain tanh layer (no skip connection), the learner derives this one with the chain rule. The
reference is checked against torch's autograd and against central differences in
tests/test_checks_03_backpropagation.py.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def residual_backward(x, W, b, dout):
    """(dx, dW, db) for y = x + tanh(x @ W + b), given dout = df/dy (B, D)."""
    h = np.tanh(x @ W + b)
    dz = dout * (1.0 - h * h)
    return dout + dz @ W.T, x.T @ dz, dz.sum(axis=0)


def _with_derivative(derivative, skip=True, transpose_dW=False, transpose_dx=False):
    """A wrong backward pass: ``derivative(z, h, y)`` in place of tanh'(z), and the options."""

    def backward(x, W, b, dout):
        z = x @ W + b
        h = np.tanh(z)
        dz = dout * derivative(z, h, x + h)
        dx = (dz @ W if transpose_dx else dz @ W.T) + (dout if skip else 0.0)
        dW = dz.T @ x if transpose_dW else x.T @ dz
        return dx, dW, dz.sum(axis=0)

    return backward


def _right(z, h, y):
    return 1.0 - h * h


def _inputs(seed, n, d, scale=1.0):
    def make():
        rng = np.random.default_rng(seed)
        return (
            rng.normal(size=(n, d)),
            scale * rng.normal(size=(d, d)) / np.sqrt(d),
            rng.normal(size=d),
            rng.normal(size=(n, d)),
        )

    return make


def _generated(rng):
    n, d = int(rng.integers(1, 9)), int(rng.integers(2, 7))
    return (
        rng.normal(size=(n, d)),
        rng.normal(size=(d, d)),
        rng.normal(size=d),
        rng.normal(size=(n, d)),
    )


RESIDUAL_BACKWARD = Question(
    name="residual_backward",
    skill="derivation",
    returns=("dx", "dW", "db"),
    points=3,
    reference=residual_backward,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(_inputs(0, 4, 3), "B = 4 samples, D = 3 features"),
        Case(_inputs(1, 1, 2), "a batch of one sample, B = 1, D = 2"),
        Case(_inputs(2, 5, 4, scale=6.0), "B = 5, D = 4, large weights (most units saturated)"),
        Case(
            lambda: (np.ones((3, 2)), np.eye(2), np.zeros(2), np.zeros((3, 2))),
            "dout = 0 (every gradient is 0)",
        ),
        Case(
            lambda: (np.zeros((0, 3)), np.eye(3), np.ones(3), np.zeros((0, 3))),
            "an empty batch, B = 0 (dx is empty, dW and db are 0)",
        ),
        Case(_generated, "a random batch and layer (new every grading run)", hidden=True),
    ),
    mistakes=(
        Mistake(
            "dx misses the skip connection: x reaches y along two paths, through tanh and "
            "directly, and the chain rule adds the gradients of both paths.",
            _with_derivative(_right, skip=False),
        ),
        Mistake(
            "tanh' is evaluated at the layer's output y, which includes the skip term; the "
            "stored value that gives tanh' is the output of tanh alone, before x is added.",
            _with_derivative(lambda z, h, y: 1.0 - y * y),
        ),
        Mistake(
            "The tanh is applied twice: its derivative is written through tanh of the "
            "pre-activation, and you used tanh of the (already computed) activation.",
            _with_derivative(lambda z, h, y: 1.0 - np.tanh(h) ** 2),
        ),
        Mistake(
            "The gradient does not pass through the tanh: multiply by its derivative at the "
            "pre-activation before the gradient reaches W, b and the tanh path of x.",
            _with_derivative(lambda z, h, y: np.ones_like(z)),
        ),
        Mistake(
            "dW is transposed (W is square, so the shape cannot tell): entry (a, j) sums, over "
            "the batch rows i, x[i, a] times the gradient at pre-activation (i, j).",
            _with_derivative(_right, transpose_dW=True),
        ),
        Mistake(
            "dx multiplies by W, not by its transpose (W is square, so the shape cannot tell): "
            "entry (i, a) of the tanh path sums, over the output units j, the gradient at "
            "pre-activation (i, j) times W[a, j].",
            _with_derivative(_right, transpose_dx=True),
        ),
    ),
    hint=(
        "Write the forward pass as two steps, a pre-activation and y, and apply the chain rule "
        "backwards: dout reaches the pre-activation through tanh's derivative, W and b get "
        "the dense layer's gradients from there, and x collects the gradients of both of its "
        "paths to y. Return (dx, dW, db), each with the shape of what it differentiates."
    ),
)
