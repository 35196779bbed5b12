"""Exercise 02's questions 1 and 2, kept apart so that ``batch_stochastic_minibatch.py`` stays
under 400 lines: the mini-batch gradient of the Huber loss (a derivation: lecture 02 gives the
MSE's and the logistic loss's gradients, never the Huber loss's) and the gradient noise of a
batch drawn WITH replacement (a prediction: lecture 02 gives and measures the noise of a batch
drawn without replacement, S^2/B (1 - B/n); independent draws have no finite-population factor).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

# ----------------------------------------------------------------------------- 1. Huber gradient

# B = 4, d = 2; at w the residuals X @ w - y are [-2.5, 0.5, 1.75, -0.75]: two inside delta = 0.8
# (one of each sign) and two outside (one of each sign), so every wrong branch changes the result;
# delta is not 1, so an answer whose tail slope or clip ignores delta fails a visible case too.
_X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.0], [2.0, 1.0]])
_W = np.array([0.5, -0.25])
_Y = _X @ _W - np.array([-2.5, 0.5, 1.75, -0.75])


def _huber_minibatch_grad(w, X, y, delta):
    residual = X @ w - y
    return X.T @ np.clip(residual, -delta, delta) / len(y)


def _huber_with(psi):
    """The gradient with psi(residual, delta) in place of the right derivative of the loss."""
    return lambda w, X, y, delta: X.T @ psi(X @ w - y, delta) / len(y)


def _huber_case(seed, n, d, spread):
    """A batch whose residuals at w spread over about [-spread, spread]."""

    def make():
        rng = np.random.default_rng(seed)
        X = np.round(rng.standard_normal((n, d)), 2)
        w = np.round(rng.standard_normal(d), 2)
        return w, X, np.round(X @ w + spread * rng.standard_normal(n), 2), 1.0

    return make


def _random_huber(rng):
    n, d = int(rng.integers(2, 60)), int(rng.integers(1, 6))
    X, w = rng.standard_normal((n, d)), rng.standard_normal(d)
    return w, X, X @ w + 2 * rng.standard_normal(n), float(rng.uniform(0.3, 2.0))


HUBER_MINIBATCH_GRAD = Question(
    name="huber_minibatch_grad",
    points=3,
    reference=_huber_minibatch_grad,
    inputs_unchanged=True,
    skill="derivation",
    cases=(
        Case(
            lambda: (_W.copy(), _X.copy(), _Y.copy(), 0.8),
            "B = 4, d = 2, delta = 0.8: X = [[1, 2], [0.5, -1], [-1.5, 0], [2, 1]], "
            "w = [0.5, -0.25], y such that the residuals are [-2.5, 0.5, 1.75, -0.75]",
        ),
        Case(_huber_case(1, 6, 3, 2.0), "B = 6, d = 3, delta = 1, residuals of both kinds"),
        Case(_huber_case(2, 5, 2, 0.1), "every |residual| below delta", hidden=True),
        Case(
            lambda: (_W.copy(), _X.copy(), _Y.copy(), 0.01),
            "delta = 0.01: every |residual| above delta",
            hidden=True,
        ),
        Case(_random_huber, "a random batch and delta", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Your gradient is B times too large: you SUMMED over the batch. The loss is a mean "
            "over the B samples, so its gradient is one too.",
            _huber_with(lambda r, delta: len(r) * np.clip(r, -delta, delta)),
        ),
        Mistake(
            "Your gradient ignores delta: it is the gradient of half the squared error for every "
            "sample. Beyond |r| = delta the loss grows linearly, so its slope there is bounded.",
            _huber_with(lambda r, delta: r),
        ),
        Mistake(
            "Inside |r| <= delta your derivative is twice too large: that branch of the loss has "
            "the factor 1/2 in front of r^2, which the derivative cancels.",
            _huber_with(lambda r, delta: np.where(np.abs(r) <= delta, 2 * r, delta * np.sign(r))),
        ),
        Mistake(
            "Beyond delta your derivative has lost its sign: the derivative of |r| is the sign "
            "of r, +1 or -1, so a large negative residual pulls the other way from a positive one.",
            _huber_with(lambda r, delta: np.where(np.abs(r) <= delta, r, delta)),
        ),
        Mistake(
            "Beyond |r| = delta your slope is sign(r) alone (or a clip at -1 and 1): the loss "
            "there is delta (|r| - delta/2), whose derivative in r is delta * sign(r), so clip "
            "the residual to [-delta, delta].",
            _huber_with(lambda r, delta: np.where(np.abs(r) <= delta, r, np.sign(r))),
        ),
        Mistake(
            "Your derivative is divided by delta: that is the gradient of the smooth L1 loss "
            "(torch's SmoothL1Loss with beta = delta), whose quadratic branch is r^2 divided by "
            "2 delta. The Huber loss's quadratic branch is r^2 / 2, with derivative r, and beyond "
            "delta its slope is delta, not 1.",
            _huber_with(lambda r, delta: np.clip(r, -delta, delta) / delta),
        ),
        Mistake(
            "The whole gradient is twice too large: the Huber loss has r^2 / 2 where the "
            "lecture's mean squared error has r^2, so no factor 2 comes down.",
            _huber_with(lambda r, delta: 2 * np.clip(r, -delta, delta)),
        ),
        Mistake(
            "Your gradient has the wrong sign. With the residual as prediction minus target, its "
            "derivative in w is +x_i; if you wrote it as target minus prediction, its derivative "
            "is -x_i and that minus sign must stay. Return the gradient, not the descent "
            "direction (minus the gradient).",
            _huber_with(lambda r, delta: -np.clip(r, -delta, delta)),
        ),
    ),
    hint=(
        "Use the chain rule: the loss of one sample depends on w only through its residual r, "
        "and dr/dw is that sample's row of X. Differentiate each branch of the loss in r (they "
        "agree at |r| = delta), then average the B per-sample gradients; the result has shape (d,)."
    ),
)

# ----------------------------------------------------------------------------- 2. noise prediction


def _noise_with_replacement(grads, B):
    if B < 1:
        raise ValueError(f"B must be at least 1, got {B}.")
    spread = ((grads - grads.mean(axis=0)) ** 2).sum(axis=1).mean()
    return float(spread / B)


def _spread(G, ddof):
    return ((G - G.mean(axis=0)) ** 2).sum() / max(len(G) - ddof, 1)  # n = 1: no spread


def _at_least_one_draw(formula):
    """A wrong formula that still refuses B < 1 as the task says: it fails on its formula only."""

    def answer(G, B):
        if B < 1:
            raise ValueError(f"B must be at least 1, got {B}.")
        return float(formula(G, B))

    return answer


def _noise_case(seed, n, d, B):
    def make():
        rng = np.random.default_rng(seed)
        return np.round(rng.standard_normal((n, d)) + rng.standard_normal(d), 2), B

    return make


def _random_noise(rng):
    n, d = int(rng.integers(2, 80)), int(rng.integers(1, 6))
    G = rng.standard_normal((n, d)) * rng.uniform(0.1, 3.0, d) + rng.standard_normal(d)
    return G, int(rng.integers(1, 2 * n))


NOISE_WITH_REPLACEMENT = Question(
    name="noise_with_replacement",
    points=2,
    reference=_noise_with_replacement,
    inputs_unchanged=True,
    skill="prediction",
    cases=(
        Case(
            lambda: (np.array([[1.0, 0.0], [3.0, 2.0], [2.0, -2.0], [2.0, 0.0]]), 2),
            "n = 4 per-sample gradients in d = 2: grads = [[1, 0], [3, 2], [2, -2], [2, 0]], B = 2",
        ),
        Case(_noise_case(1, 10, 3, 5), "n = 10, d = 3, B = 5"),
        Case(_noise_case(2, 6, 2, 6), "B = n = 6: draws may still repeat a sample", hidden=True),
        Case(_noise_case(3, 5, 4, 12), "B = 12 > n = 5", hidden=True),
        Case(lambda: (np.array([[1.5, -2.0]]), 3), "n = 1: one gradient, no noise", hidden=True),
        Case(_random_noise, "random per-sample gradients and B", hidden=True),
        Case(_noise_case(4, 5, 2, 0), "B = 0: no batch", raises="ValueError"),
    ),
    mistakes=(
        Mistake(
            "You used the noise of a batch drawn WITHOUT replacement, with its factor (1 - B/n): "
            "that factor comes from never drawing a sample twice. Independent draws are "
            "independent, so the variance of their mean is just the variance of one draw over B.",
            _at_least_one_draw(lambda G, B: _spread(G, 1) / B * (1 - B / len(G))),
        ),
        Mistake(
            "Your spread divides by n - 1: that is the sample estimate of an unknown population's "
            "variance. Here the n rows ARE the population a draw picks from, each with "
            "probability 1/n, so one draw's variance is the plain mean over the n rows.",
            _at_least_one_draw(lambda G, B: _spread(G, 1) / B),
        ),
        Mistake(
            "That is the variance of ONE draw: the mean of B independent draws has B times less.",
            _at_least_one_draw(lambda G, B: _spread(G, 0)),
        ),
        Mistake(
            "That is B times the variance of one draw, the error of the batch's SUM against B "
            "times the mean; the batch gradient is the mean of its B draws.",
            _at_least_one_draw(lambda G, B: _spread(G, 0) * B),
        ),
    ),
    hint=(
        "Start from one draw: it picks each row with probability 1/n, so its expected squared "
        "distance from the mean gradient is an average over the n rows, the whole population "
        "(summed over the d coordinates). Then use that the B draws are independent: what does "
        "averaging B independent draws do to that expected squared distance? "
        "B < 1 is no batch at all: raise ValueError."
    ),
)
