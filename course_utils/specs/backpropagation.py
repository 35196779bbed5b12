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
# Which forms fail at |z| = 800 (measured): a quotient of two exponentials that both overflow,
# e^{-z} / (1 + e^{-z})^2 at z = -800 or e^z / (1 + e^z) at z = 800, is inf / inf = NaN. The
# textbook s = 1 / (1 + e^{-z}), then s (1 - s), overflows with a RuntimeWarning but returns
# exactly 0 at both ends, the right value: the check compares values, so it passes (the
# exercise says so; rejecting the warning would also fail the common np.where form, which
# evaluates both branches everywhere and warns while returning the right values).


def _quotient_minus(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(-z) / (1 + np.exp(-z)) ** 2


def _quotient_plus(z):
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.exp(z) / (1 + np.exp(z))
        return s * (1 - s)


_OVERFLOW_HINT = (
    "NaN at |z| = 800: your form divides one exponential that overflows to inf by another "
    "(inf over inf is NaN). Compute the sigmoid in a form whose exponential never has a "
    "positive argument (the sign of z decides which form), then the derivative from it."
)

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
        Case(
            lambda: (np.array([-800.0, 800.0]),),
            "z = [-800, 800] (no NaN: the derivative is 0 at both, to float64 precision)",
        ),
        Case(lambda: (np.linspace(-6, 6, 13),), "13 points in [-6, 6]", hidden=True),
    ),
    mistakes=(
        Mistake(
            "You applied the sigmoid twice: the derivative is written through the sigmoid of z, computed ONCE from z; do not feed the sigmoid's output into a function that applies the sigmoid again.",
            lambda z: sigmoid(sigmoid(z)) * (1 - sigmoid(sigmoid(z))),
        ),
        Mistake(
            "That form of the derivative takes the sigmoid's OUTPUT; here the input is the pre-activation z, so compute the sigmoid of z first and use that.",
            lambda z: z * (1 - z),
        ),
        Mistake(
            "That is the sigmoid itself, not its derivative: one factor of the derivative is missing.",
            lambda z: sigmoid(z),
        ),
        Mistake(_OVERFLOW_HINT, _quotient_minus),
        Mistake(_OVERFLOW_HINT, _quotient_plus),
    ),
    hint=(
        "Write the derivative through the sigmoid's own value (lecture 03 §2 derives it), "
        "computing the sigmoid once; for large |z| evaluate it in a form whose exponential "
        "cannot overflow."
    ),
)

# ----------------------------------------------------------------------------- 2. dense_backward


def _dense_backward(x, W, b, dout):
    """z = x @ W + b for a batch x (B, D), W (D, M), b (M,); dout = df/dz (B, M), f the loss."""
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
    returns=("dW", "db", "dx"),
    points=3,
    reference=_dense_backward,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(_dense_inputs(0, 4, 3, 3), "B = 4 samples, D = 3 inputs, M = 3 outputs"),
        Case(_dense_inputs(1, 5, 3, 2), "B = 5, D = 3, M = 2 (non-square W)"),
        Case(_dense_inputs(2, 1, 2, 4), "a batch of one sample, B = 1, D = 2, M = 4"),
        Case(_dense_inputs(3, 7, 6, 5), "B = 7, D = 6, M = 5", hidden=True),
    ),
    mistakes=(
        Mistake(
            "dW is transposed: it has shape (M, D) where W is (D, M). Entry (i, j) sums, over the batch, input feature i times output gradient j.",
            lambda x, W, b, dout: (dout.T @ x, dout.sum(axis=0), dout @ W.T),
        ),
        Mistake(
            "db must be summed over the batch: b is added to every sample, so every sample contributes its output gradient; db has shape (M,).",
            lambda x, W, b, dout: (x.T @ dout, dout, dout @ W.T),
        ),
        Mistake(
            "db is averaged but dW is summed over the batch: be consistent. dout already holds "
            "df/dz (any 1/B of a mean loss is in it), so both are plain sums over samples.",
            lambda x, W, b, dout: (x.T @ dout, dout.mean(axis=0), dout @ W.T),
        ),
        Mistake(
            "dW and db are averaged over the batch: dout already holds df/dz (any 1/B of a mean loss is in it), so sum over the batch with no extra 1/B.",
            lambda x, W, b, dout: (x.T @ dout / len(x), dout.mean(axis=0), dout @ W.T),
        ),
        Mistake(
            "dx uses W where it needs its transpose: dx has the shape of x, (B, D).",
            lambda x, W, b, dout: (x.T @ dout, dout.sum(axis=0), dout @ W),
        ),
    ),
    hint=(
        "Apply the chain rule to the layer's output: each gradient has the shape of what it "
        "is the gradient of (dW like W, db like b, dx like x), and a parameter shared by all "
        "samples sums over the batch. Return the three in the order the task lists."
    ),
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
    returns=("loss", "dlogits"),
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
        Case(_sce_inputs(0, 5, 4), "B = 5 samples, K = 4 classes"),
        Case(
            lambda: (np.array([[1000.0, 0.0, -1000.0], [0.0, 999.0, 1001.0]]), np.array([0, 1])),
            "logits as large as 1000 (subtract each row's max before exp)",
        ),
        Case(_sce_inputs(1, 8, 3, scale=5.0), "B = 8, K = 3, large logits", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The loss is the MEAN over the batch but your gradient is the gradient of the SUM: "
            "divide (softmax - one_hot) by B so the gradient matches the loss you return.",
            _grad_summed,
        ),
        Mistake(
            "The loss must be the MEAN over the batch (your gradient already has the 1/B): "
            "average -log p[label] over the B samples.",
            _loss_summed,
        ),
        Mistake(
            "The gradient is (softmax - one_hot) / B: you left out the one-hot of the labels.",
            lambda z, y: (_softmax_cross_entropy(z, y)[0], _softmax(z) / len(z)),
        ),
        Mistake(
            "Sign error: the gradient is your answer with the opposite sign (probabilities minus labels, not labels minus probabilities).",
            lambda z, y: (_softmax_cross_entropy(z, y)[0], -_softmax_cross_entropy(z, y)[1]),
        ),
    ),
    hint=(
        "Three steps: a numerically stable softmax per row, the mean over the batch of the "
        "correct class's negative log-probability, and that mean's gradient with respect to "
        "the logits (lecture 03 §3 derives it entry by entry; keep the 1/B of the mean). Return (loss, "
        "gradient)."
    ),
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
            "fan_in and fan_out are swapped: He's scale keeps the FORWARD signal's variance, which sums over the fan_in inputs of each unit.",
            lambda fi, fo, a: _init_std(fo, fi, a),
        ),
        Mistake(
            "That is the variance; the question asks for the standard deviation (its square root).",
            lambda fi, fo, a: _init_std(fi, fo, a) ** 2,
        ),
        Mistake(
            "That is LeCun's scale, the square root of one over fan_in (it keeps the variance "
            "through a linear unit); ReLU zeroes half of its inputs, so He doubles that "
            "variance.",
            lambda fi, fo, a: float(np.sqrt(1.0 / fi)) if a == "relu" else _init_std(fi, fo, a),
        ),
        Mistake(
            "That is He's scale, for ReLU; Xavier/Glorot, for tanh, averages the two fans (fan-in and fan-out).",
            lambda fi, fo, a: float(np.sqrt(2.0 / fi)),
        ),
    ),
    hint=(
        "Xavier/Glorot (for tanh) balances fan-in and fan-out; He (for ReLU) uses fan-in "
        "only, with the factor 2 that makes up for ReLU zeroing half its inputs; any other "
        "activation is a ValueError."
    ),
)

ASSIGNMENT = Assignment(
    id="03_backpropagation",
    title="Neural networks and backpropagation",
    questions=(SIGMOID_GRAD, DENSE_BACKWARD, SOFTMAX_CROSS_ENTROPY, INIT_STD),
)
