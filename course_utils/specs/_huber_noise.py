"""Exercise 02's questions 1 and 2, kept apart so that ``batch_stochastic_minibatch.py`` stays
under 400 lines: the mini-batch gradient of the Huber loss (a derivation: lecture 02 gives the
MSE's and the logistic loss's gradients, never the Huber loss's) and the gradient noise of an
importance-sampled batch (a prediction: lecture 02 measures uniform draws without replacement (§2)
and states the noise of independent uniform draws, tr Sigma / B (§3),
never that of draws with probabilities p_i reweighted by 1 / (n p_i); rk02 E1 replaced the old
question 2, the noise of uniform draws with replacement, which the lecture's tr Sigma / B stated).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

# ----------------------------------------------------------------------------- 1. Huber gradient

# B = 7, d = 3; at w the residuals X @ w - y are [-2.5, 0.5, 1.75, -0.75, 0.25, -1.25, -0.25]:
# four inside delta = 0.8 and three outside, of both signs, so every wrong branch changes the
# result; delta is not 1, so an answer whose tail slope or clip ignores delta fails a visible case
# too. d is neither B / 2 nor B - 1: an answer divided by d = X.shape[1] is not the reference
# times 2 (sh02 E1: with B = 2d it got the factor-2 hint), nor the answer divided by B - 1 (fi02
# E1: with B = 4, d = 3 the two were equal and B - 1 got the 'divided by d' hint); B / (B - 1) is
# not 1 / delta = 1.25 either (with B = 5 dividing by B - 1 equalled dividing by delta).
_X = np.array(
    [
        [1.0, 2.0, 0.5],
        [0.5, -1.0, 1.0],
        [-1.5, 0.0, 2.0],
        [2.0, 1.0, -1.0],
        [1.0, -0.5, 0.5],
        [0.0, 1.5, -0.5],
        [0.5, 0.5, 1.0],
    ]
)
_W = np.array([0.5, -0.25, 1.0])
_Y = _X @ _W - np.array([-2.5, 0.5, 1.75, -0.75, 0.25, -1.25, -0.25])


# B = 3: a residual 0.875 between delta = 0.8 and sqrt(delta) = 0.894, so an answer that tests
# r^2 <= delta instead of |r| <= delta takes it as inside (sb02 E1). X, w, y and the residuals
# are exact in binary; delta = 0.8 is not, but no residual ties it (the nearest is 0.875).
_X3 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
_W3 = np.array([0.5, 0.25])
_Y3 = _X3 @ _W3 - np.array([0.875, -0.5, 2.0])


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
    # torch's Huber derivative as a kernel (fi02 E3); its autograd routes (huber_loss(...).backward())
    # are banned through AUTOGRAD, added for a derivation
    library=("torch.ops.aten.huber_loss_backward",),
    cases=(
        Case(
            lambda: (_W.copy(), _X.copy(), _Y.copy(), 0.8),
            "B = 7, d = 3, delta = 0.8: X = [[1, 2, 0.5], [0.5, -1, 1], [-1.5, 0, 2], "
            "[2, 1, -1], [1, -0.5, 0.5], [0, 1.5, -0.5], [0.5, 0.5, 1]], w = [0.5, -0.25, 1], "
            "y such that the residuals are [-2.5, 0.5, 1.75, -0.75, 0.25, -1.25, -0.25]",
        ),
        Case(_huber_case(1, 6, 3, 2.0), "B = 6, d = 3, delta = 1, residuals of both kinds"),
        Case(
            lambda: (_W3.copy(), _X3.copy(), _Y3.copy(), 0.8),
            "B = 3, d = 2, delta = 0.8: X = [[1, 0], [0, 1], [1, 1]], w = [0.5, 0.25], y such "
            "that the residuals are [0.875, -0.5, 2.0] (0.875 is above delta, its square below)",
        ),
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
            "Your quadratic branch is chosen by r^2 <= delta: the Huber loss switches at "
            "|r| = delta (the residual's size, not its square), so a residual between delta and "
            "the square root of delta belongs to the linear branch.",
            _huber_with(lambda r, delta: np.where(r**2 <= delta, r, delta * np.sign(r))),
        ),
        Mistake(
            "Your gradient is B times too large: you SUMMED over the batch. The loss is a mean "
            "over the B samples, so its gradient is one too.",
            _huber_with(lambda r, delta: len(r) * np.clip(r, -delta, delta)),
        ),
        Mistake(
            "Your gradient is divided by d, the number of features (X.shape[1]), not by B, the "
            "number of samples (X.shape[0], len(y)): the loss is a mean over the B rows of X.",
            lambda w, X, y, delta: X.T @ np.clip(X @ w - y, -delta, delta) / X.shape[1],
        ),
        Mistake(
            "Your gradient is divided by B - 1 (len(y) - 1), not by B: the loss is the plain "
            "mean over the B samples of the batch, not an unbiased variance estimate, so divide "
            "by B.",
            lambda w, X, y, delta: X.T @ np.clip(X @ w - y, -delta, delta) / (len(y) - 1),
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


def _importance_sampled_noise(grads, p, B):
    n = len(grads)
    g = grads.mean(axis=0)
    second_moment = ((grads**2).sum(axis=1) / (n**2 * p)).sum()  # E||g_i / (n p_i)||^2
    return float((second_moment - g @ g) / B)


def _noise_with(formula):
    """A wrong formula, written with the same names: formula(sq, p, g2, n, B), where sq holds
    the ||g_i||^2 and g2 is ||g||^2."""

    def answer(grads, p, B):
        g = grads.mean(axis=0)
        return float(formula((grads**2).sum(axis=1), p, g @ g, len(grads), B))

    return answer


def _grads_and_p(seed, n, d, B, p_of=None):
    """Rounded per-sample gradients with a common offset, and probabilities p: drawn at random,
    or p_of(grads) (normalised to sum to 1)."""

    def make():
        rng = np.random.default_rng(seed)
        G = np.round(rng.standard_normal((n, d)) * rng.uniform(0.3, 3.0, (n, 1)), 2)
        G = G + np.round(rng.standard_normal(d), 2)
        weight = rng.uniform(0.2, 1.0, n) if p_of is None else p_of(G)
        return G, weight / weight.sum(), B

    return make


def _random_importance(rng):
    n, d = int(rng.integers(1, 60)), int(rng.integers(1, 6))
    G = rng.standard_normal((n, d)) * rng.uniform(0.1, 3.0, (n, 1)) + rng.standard_normal(d)
    weight = rng.uniform(0.05, 1.0, n)
    return G, weight / weight.sum(), int(rng.integers(1, 2 * n + 2))


_G4 = np.array([[1.0, 0.0], [3.0, 2.0], [2.0, -2.0], [2.0, 0.0]])

IMPORTANCE_SAMPLED_NOISE = Question(
    name="importance_sampled_noise",
    points=2,
    reference=_importance_sampled_noise,
    inputs_unchanged=True,
    exact_types=True,  # one number, not an array of shape (1,) or () (sa02 E1, sc02 E1)
    skill="prediction",
    cases=(
        Case(
            lambda: (_G4.copy(), np.array([0.1, 0.4, 0.3, 0.2]), 2),
            "n = 4 per-sample gradients in d = 2: grads = [[1, 0], [3, 2], [2, -2], [2, 0]], "
            "p = [0.1, 0.4, 0.3, 0.2], B = 2",
        ),
        Case(_grads_and_p(1, 10, 3, 5), "n = 10, d = 3, random p, B = 5"),
        Case(
            _grads_and_p(2, 8, 2, 3, lambda G: np.ones(len(G))),
            "uniform p: the noise of uniform draws",
            hidden=True,
        ),
        Case(
            _grads_and_p(3, 6, 2, 9, lambda G: np.linalg.norm(G, axis=1)),
            "p proportional to ||g_i||, B = 9 > n = 6",
            hidden=True,
        ),
        Case(lambda: (np.array([[1.5, -2.0]]), np.array([1.0]), 3), "n = 1: no noise", hidden=True),
        Case(_random_importance, "random per-sample gradients, p and B", hidden=True),
    ),
    mistakes=(
        Mistake(
            "You returned the noise of UNIFORM draws, tr(Sigma) / B: your p does not enter. A row "
            "drawn with probability p_i and weighted by 1 / (n p_i) has the second moment "
            "sum_i p_i ||g_i / (n p_i)||^2, which depends on p.",
            _noise_with(lambda sq, p, g2, n, B: (sq.mean() - g2) / B),
        ),
        Mistake(
            "Your second moment weights ||g_i||^2 by p_i: that is the second moment of the drawn "
            "row WITHOUT its weight 1 / (n p_i). With the weight, p_i * ||g_i / (n p_i)||^2 = "
            "||g_i||^2 / (n^2 p_i): the probability divides.",
            _noise_with(lambda sq, p, g2, n, B: ((p * sq).sum() - g2) / B),
        ),
        Mistake(
            "You returned the second moment E||g_hat||^2, not the noise E||g_hat - g||^2: the "
            "variance of one weighted draw is its second moment MINUS ||g||^2, the square of its "
            "mean (the estimate is unbiased, its mean is g).",
            _noise_with(lambda sq, p, g2, n, B: (sq / (n**2 * p)).sum() / B),
        ),
        Mistake(
            "That is the noise of ONE weighted draw: the mean of B independent draws has B times "
            "less.",
            _noise_with(lambda sq, p, g2, n, B: (sq / (n**2 * p)).sum() - g2),
        ),
        Mistake(
            "The weight 1 / (n p_i) enters squared: its square is 1 / (n^2 p_i^2), and one p_i "
            "cancels against the probability of the draw, so the sum has n^2 (not n) in the "
            "denominator. Check it: with uniform probabilities it must give tr(Sigma) / B.",
            _noise_with(lambda sq, p, g2, n, B: ((sq / (n * p)).sum() - g2) / B),
        ),
    ),
    hint=(
        "One weighted draw: row i comes with probability p_i and contributes g_i / (n p_i). "
        "Check that its mean is g; its variance is its expected squared norm minus the squared "
        "norm of its mean, the expectation a sum over the n rows weighted by their "
        "probabilities. Then use that the B draws are independent. For uniform probabilities "
        "your formula must reduce to the lecture's tr(Sigma) / B."
    ),
)
