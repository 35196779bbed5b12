"""Spec for exercise set 03: neural networks and backpropagation.

Questions: ``sigmoid_grad``, ``dense_backward``, ``softmax_cross_entropy``, ``init_std``.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..activations import sigmoid_grad as _sigmoid_grad
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- 1. sigmoid_grad

SIGMOID_GRAD = Question(
    name="sigmoid_grad",
    points=2,
    reference=_sigmoid_grad,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(lambda: (np.array([0.0]),), "z = [0] (the maximum, 1/4)"),
        Case(lambda: (np.array([-3.0, -0.5, 0.5, 2.0]),), "z = [-3, -0.5, 0.5, 2]"),
        Case(lambda: (np.array([[1.0, -1.0], [4.0, 0.1]]),), "a 2x2 array of pre-activations"),
        Case(lambda: (np.array([-800.0, 800.0]),), "z = [-800, 800] (no overflow, no NaN)"),
        Case(lambda: (np.linspace(-6, 6, 13),), "13 points in [-6, 6]", hidden=True),
    ),
    mistakes=(
        Mistake(
            "You applied the sigmoid twice: s'(z) = s(z) (1 - s(z)) with s = sigmoid(z) computed "
            "ONCE from z; do not feed sigmoid(z) into a function that applies sigmoid again.",
            lambda z: sigmoid(sigmoid(z)) * (1 - sigmoid(sigmoid(z))),
        ),
        Mistake(
            "z (1 - z) is the derivative written in terms of the OUTPUT s = sigmoid(z); here the "
            "input is the pre-activation z, so compute s = sigmoid(z) first: s (1 - s).",
            lambda z: z * (1 - z),
        ),
        Mistake(
            "That is sigmoid(z) itself, not its derivative: multiply by (1 - sigmoid(z)).",
            lambda z: sigmoid(z),
        ),
    ),
    hint="s = 1 / (1 + exp(-z)), then s * (1 - s); for large |z| avoid exp overflow "
    "(e.g. use exp(-|z|)).",
)

# ----------------------------------------------------------------------------- 2. dense_backward


def _dense_backward(x, W, b, dout):
    """y = x @ W + b for a batch x (N, D), W (D, M), b (M,); dout = dL/dy (N, M)."""
    return x.T @ dout, dout.sum(axis=0), dout @ W.T


def _dense_inputs(seed, n, d, m):
    def make():
        rng = np.random.default_rng(seed)
        return (
            rng.normal(size=(n, d)),
            rng.normal(size=(d, m)),
            rng.normal(size=m),
            rng.normal(size=(n, m)),
        )

    return make


DENSE_BACKWARD = Question(
    name="dense_backward",
    points=3,
    reference=_dense_backward,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(_dense_inputs(0, 4, 3, 3), "N = 4 samples, D = 3 inputs, M = 3 outputs"),
        Case(_dense_inputs(1, 5, 3, 2), "N = 5, D = 3, M = 2 (non-square W)"),
        Case(_dense_inputs(2, 1, 2, 4), "a batch of one sample, N = 1, D = 2, M = 4"),
        Case(_dense_inputs(3, 7, 6, 5), "N = 7, D = 6, M = 5", hidden=True),
    ),
    mistakes=(
        Mistake(
            "dW is transposed: dout.T @ x has shape (M, D). dW[i, j] = sum over the batch of "
            "x[n, i] * dout[n, j], i.e. dW = x.T @ dout, the shape of W (D, M).",
            lambda x, W, b, dout: (dout.T @ x, dout.sum(axis=0), dout @ W.T),
        ),
        Mistake(
            "db must be summed over the batch: b is added to every sample, so each sample "
            "contributes dout[n]; db = dout.sum(axis=0), shape (M,).",
            lambda x, W, b, dout: (x.T @ dout, dout, dout @ W.T),
        ),
        Mistake(
            "db is averaged but dW is summed over the batch: be consistent. dout already holds "
            "dL/dy (any 1/N of a mean loss is in it), so both are plain sums over samples.",
            lambda x, W, b, dout: (x.T @ dout, dout.mean(axis=0), dout @ W.T),
        ),
        Mistake(
            "dW and db are averaged over the batch: dout already holds dL/dy (any 1/N of a "
            "mean loss is in it), so dW = x.T @ dout and db = dout.sum(axis=0), no extra 1/N.",
            lambda x, W, b, dout: (x.T @ dout / len(x), dout.mean(axis=0), dout @ W.T),
        ),
        Mistake(
            "dx uses W where it needs W.T: dx = dout @ W.T has the shape of x (N, D).",
            lambda x, W, b, dout: (x.T @ dout, dout.sum(axis=0), dout @ W),
        ),
    ),
    hint="dW = x.T @ dout (shape of W), db = dout.sum(axis=0) (shape of b), dx = dout @ W.T "
    "(shape of x); return them as a tuple (dW, db, dx).",
)

# ----------------------------------------------------------------------------- 3. softmax_cross_entropy


def _softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(labels, k):
    return np.eye(k)[labels]


def _softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and d loss / d logits."""
    n, k = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels].mean()
    return float(loss), (np.exp(log_p) - _one_hot(labels, k)) / n


def _sce_inputs(seed, n, k, scale=1.0):
    def make():
        rng = np.random.default_rng(seed)
        return scale * rng.normal(size=(n, k)), rng.integers(0, k, size=n)

    return make


def _grad_summed(logits, labels):
    loss, grad = _softmax_cross_entropy(logits, labels)
    return loss, grad * len(logits)


def _loss_summed(logits, labels):
    loss, grad = _softmax_cross_entropy(logits, labels)
    return loss * len(logits), grad


SOFTMAX_CROSS_ENTROPY = Question(
    name="softmax_cross_entropy",
    points=3,
    reference=_softmax_cross_entropy,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2])),
            "2 samples, 3 classes, labels [0, 2]",
        ),
        Case(_sce_inputs(0, 5, 4), "N = 5 samples, K = 4 classes"),
        Case(
            lambda: (np.array([[1000.0, 0.0, -1000.0], [0.0, 999.0, 1001.0]]), np.array([0, 1])),
            "logits as large as 1000 (subtract each row's max before exp)",
        ),
        Case(_sce_inputs(1, 8, 3, scale=5.0), "N = 8, K = 3, large logits", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The loss is the MEAN over the batch but your gradient is the gradient of the SUM: "
            "divide (softmax - one_hot) by N so the gradient matches the loss you return.",
            _grad_summed,
        ),
        Mistake(
            "The loss must be the MEAN over the batch (your gradient already has the 1/N): "
            "average -log p[label] over the N samples.",
            _loss_summed,
        ),
        Mistake(
            "The gradient is (softmax - one_hot) / N: you left out the one-hot of the labels.",
            lambda z, y: (_softmax_cross_entropy(z, y)[0], _softmax(z) / len(z)),
        ),
        Mistake(
            "Sign error: d loss / d logits = (softmax - one_hot) / N, not (one_hot - softmax) / N.",
            lambda z, y: (_softmax_cross_entropy(z, y)[0], -_softmax_cross_entropy(z, y)[1]),
        ),
    ),
    hint="p = softmax(logits) (subtract each row's max first); loss = mean of -log p[n, y_n]; "
    "gradient = (p - one_hot(y)) / N. Return (loss, gradient).",
)

# ----------------------------------------------------------------------------- 4. init_std


def _init_std(fan_in, fan_out, activation):
    if activation == "tanh":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))  # Xavier/Glorot
    if activation == "relu":
        return float(np.sqrt(2.0 / fan_in))  # He
    raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}.")


INIT_STD = Question(
    name="init_std",
    points=2,
    reference=_init_std,
    rtol=1e-9,
    atol=0.0,
    cases=(
        Case(lambda: (256, 64, "relu"), "He: fan_in = 256, fan_out = 64, ReLU"),
        Case(lambda: (100, 300, "tanh"), "Xavier/Glorot: fan_in = 100, fan_out = 300, tanh"),
        Case(lambda: (64, 256, "relu"), "He: fan_in = 64, fan_out = 256, ReLU"),
        Case(
            lambda: (10, 10, "softplus"), "an unknown activation (ValueError)", raises="ValueError"
        ),
        Case(lambda: (512, 512, "tanh"), "square layer, tanh", hidden=True),
        Case(lambda: (30, 7, "relu"), "fan_in = 30, fan_out = 7, ReLU", hidden=True),
    ),
    mistakes=(
        Mistake(
            "fan_in and fan_out are swapped: He's scale keeps the FORWARD signal's variance, "
            "which sums over the fan_in inputs of each unit: std = sqrt(2 / fan_in).",
            lambda fi, fo, a: _init_std(fo, fi, a),
        ),
        Mistake(
            "That is the variance; the question asks for the standard deviation (its square root).",
            lambda fi, fo, a: _init_std(fi, fo, a) ** 2,
        ),
        Mistake(
            "sqrt(1 / fan_in) (LeCun) is right for tanh-like units; ReLU zeroes half of its "
            "inputs, so He doubles the variance: std = sqrt(2 / fan_in).",
            lambda fi, fo, a: float(np.sqrt(1.0 / fi)) if a == "relu" else _init_std(fi, fo, a),
        ),
        Mistake(
            "Xavier/Glorot for tanh averages the two fans: std = sqrt(2 / (fan_in + fan_out)); "
            "sqrt(2 / fan_in) is He's formula for ReLU.",
            lambda fi, fo, a: float(np.sqrt(2.0 / fi)),
        ),
    ),
    hint="tanh: Xavier/Glorot std = sqrt(2 / (fan_in + fan_out)); relu: He std = "
    "sqrt(2 / fan_in); anything else: raise ValueError.",
)

ASSIGNMENT = Assignment(
    id="03_backpropagation",
    title="Neural networks and backpropagation",
    questions=(SIGMOID_GRAD, DENSE_BACKWARD, SOFTMAX_CROSS_ENTROPY, INIT_STD),
)
