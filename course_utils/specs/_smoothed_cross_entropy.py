"""Exercise 03, question 2: cross-entropy with label smoothing and its gradient (a derivation).

The lecture derives the gradient of the plain softmax cross-entropy; here the target is the
smoothed q = (1 - eps) onehot(y) + eps / V (torch's ``label_smoothing``), and the learner derives
the gradient of the mean of -sum_k q_k log p_k. The reference is checked against
``torch.nn.functional.cross_entropy(..., label_smoothing=eps)`` in
tests/test_checks_03_backpropagation.py.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _targets(labels, k, smoothing, spread_over_others=False):
    if spread_over_others:  # the other common convention: eps / (V - 1) on the wrong classes
        q = np.full((len(labels), k), smoothing / (k - 1))
        q[np.arange(len(labels)), labels] = 1.0 - smoothing
        return q
    return (1.0 - smoothing) * np.eye(k)[labels] + smoothing / k


def _check_smoothing(smoothing):
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"smoothing must be in [0, 1], got {smoothing}.")


def smoothed_cross_entropy(logits, labels, smoothing):
    """Mean over the batch of -sum_k q_k log softmax(logits)_k, and its gradient."""
    _check_smoothing(smoothing)
    n, k = logits.shape
    log_p = _log_softmax(logits)
    q = _targets(labels, k, smoothing)
    return float(-(q * log_p).sum() / n), (np.exp(log_p) - q) / n


def _variant(smoothing_in_loss=True, smoothing_in_grad=True, others=False, grad_scale=1.0):
    def answer(logits, labels, smoothing):
        _check_smoothing(smoothing)  # as the task asks: only the named mistake differs
        n, k = logits.shape
        log_p = _log_softmax(logits)
        loss_q = _targets(labels, k, smoothing if smoothing_in_loss else 0.0, others)
        grad_q = _targets(labels, k, smoothing if smoothing_in_grad else 0.0, others)
        scale = n if grad_scale == "sum" else grad_scale  # "sum": the gradient of the sum
        grad = scale * (np.exp(log_p) - grad_q) / n
        return float(-(loss_q * log_p).sum() / n), grad

    return answer


def _inputs(seed, n, k, smoothing, scale=1.0):
    def make():
        rng = np.random.default_rng(seed)
        return scale * rng.normal(size=(n, k)), rng.integers(0, k, size=n), smoothing

    return make


def _generated(rng):
    n, k = int(rng.integers(1, 10)), int(rng.integers(2, 7))
    return 3 * rng.normal(size=(n, k)), rng.integers(0, k, size=n), float(rng.uniform(0, 0.5))


SMOOTHED_CROSS_ENTROPY = Question(
    name="smoothed_cross_entropy",
    exact_types=True,
    skill="derivation",
    returns=("loss", "dlogits"),
    points=3,
    reference=smoothed_cross_entropy,
    rtol=1e-9,
    atol=1e-12,
    # torch computing the loss (rm03 E-2): the text says only numpy; autograd is added for a
    # derivation automatically (Question.library_names)
    library=(
        "torch.nn.functional.cross_entropy",
        # and torch's pieces of the same loss (rn03 E-1): the stable log-softmax is graded here
        "torch.nn.functional.log_softmax",
        "torch.nn.functional.softmax",
        "torch.nn.functional.nll_loss",
        "torch.nn.functional.kl_div",
        "torch.log_softmax",
        "torch.softmax",
        # the same functions under their other bindings (rs03 E1): the Tensor methods and
        # torch.special, and logsumexp, from which log p is one subtraction
        "torch.Tensor.log_softmax",
        "torch.Tensor.softmax",
        "torch.special.log_softmax",
        "torch.special.softmax",
        "torch.logsumexp",
        "torch.Tensor.logsumexp",
        "torch.special.logsumexp",
    ),
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), np.array([0, 2]), 0.1),
            "2 samples, 3 classes, labels [0, 2], smoothing 0.1",
        ),
        Case(_inputs(0, 5, 4, 0.2), "B = 5 samples, V = 4 classes, smoothing 0.2"),
        Case(_inputs(1, 4, 3, 0.0), "smoothing 0 (the plain cross-entropy of the lecture)"),
        Case(_inputs(2, 3, 5, 1.0), "smoothing 1 (the uniform target)"),
        Case(
            lambda: (
                np.array([[1000.0, 0.0, -1000.0], [0.0, 999.0, 1001.0]]),
                np.array([0, 1]),
                0.1,
            ),
            "logits as large as 1000, smoothing 0.1",
        ),
        Case(
            lambda: (np.zeros((2, 3)), np.array([0, 1]), 1.5),
            "smoothing 1.5 (ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (np.zeros((2, 3)), np.array([0, 1]), -0.1),
            "smoothing -0.1 (ValueError)",
            raises="ValueError",
        ),
        Case(_generated, "random logits, labels and smoothing (new every run)", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Your loss is smoothed but your gradient is the one of the plain cross-entropy: the "
            "smoothed target puts weight on every class, and the gradient must see all of it.",
            _variant(smoothing_in_grad=False),
        ),
        Mistake(
            "Your gradient is smoothed but your loss is the plain cross-entropy: the loss must "
            "weigh every class's negative log-probability by its smoothed target.",
            _variant(smoothing_in_loss=False),
        ),
        Mistake(
            "That target spreads the smoothing over the V - 1 wrong classes only; the task "
            "spreads it uniformly over all V classes, the true one included (as torch does).",
            _variant(others=True),
        ),
        Mistake(
            "The loss is the MEAN over the batch but your gradient is the gradient of the SUM: "
            "keep the 1/B of the mean in the gradient.",
            _variant(grad_scale="sum"),
        ),
        Mistake(
            "Sign error: the gradient points the other way (it raises the probabilities above "
            "their targets, not lowers them).",
            _variant(grad_scale=-1.0),
        ),
    ),
    hint=(
        "Write one row's loss as a sum over the classes of target times negative "
        "log-probability, expand the log-softmax, and differentiate with respect to one logit; "
        "use that each row's targets sum to 1. Keep the 1/B of the mean, compute the "
        "log-probabilities stably, and raise ValueError for a smoothing outside [0, 1]."
    ),
)
