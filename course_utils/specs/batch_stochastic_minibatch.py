"""Spec for exercise set 02: batch, stochastic and mini-batch gradient descent.

Questions (issue 21: none of them is written in lecture 02): ``huber_minibatch_grad`` (a
derivation: the lecture differentiates the MSE and the logistic loss, not the Huber loss) and
``importance_sampled_noise`` (a prediction: the lecture measures uniform draws without replacement
and states the noise of independent uniform draws,
tr Sigma / B, not of draws with probabilities p_i reweighted by 1 / (n p_i)), both in
``_huber_noise.py``; ``minibatch_indices`` (a warm-up: the lecture states
the rule and uses the library's loader); ``weighted_sgd_epoch`` (a new problem: the lecture's epoch
loop on a loss weighted per sample, where a batch's gradient divides by its weight, not its size).
Randomness comes in through an explicit ``rng`` argument (a fresh ``np.random.default_rng(seed)``
per case), so a learner's result can be compared exactly; ``weighted_sgd_epoch`` gets the epoch's
batches themselves, so it does not depend on question 3. Each mistake below is an implementation
learners really write; the check names it when the learner's output equals that wrong
implementation's output.
"""

from __future__ import annotations

import numpy as np

from ._huber_noise import HUBER_MINIBATCH_GRAD, IMPORTANCE_SAMPLED_NOISE
from .base import AUTOGRAD, Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- 3. minibatch_indices


def _minibatch_indices(n, batch_size, n_epochs, rng):
    batches = []
    for _ in range(n_epochs):
        order = rng.permutation(n)
        batches += [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return batches


def _shuffled_once(n, batch_size, n_epochs, rng):
    order = rng.permutation(n)
    return [order[i : i + batch_size] for _ in range(n_epochs) for i in range(0, n, batch_size)]


def _not_shuffled(n, batch_size, n_epochs, rng):
    order = np.arange(n)
    return [order[i : i + batch_size] for _ in range(n_epochs) for i in range(0, n, batch_size)]


def _epochs_off_by(shift):
    """The batches of n_epochs + shift epochs: a loop such as range(1, n_epochs) (shift -1)."""
    return lambda n, batch_size, n_epochs, rng: _minibatch_indices(
        n, batch_size, n_epochs + shift, rng
    )


def _batch_order_drawn_too(n, batch_size, n_epochs, rng):
    """An extra draw from rng each epoch: the batches' order shuffled after the permutation.
    (fi02 E2: any extra draw within an epoch changes a visible case's batches, since each has 2
    or 3 epochs; one draw after the last epoch changes none, and the check does not read the
    generator's state back: the text says so and its demo cell calls the answer twice.)"""
    batches = []
    for _ in range(n_epochs):
        order = rng.permutation(n)
        cut = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        batches += [cut[k] for k in rng.permutation(len(cut))]
    return batches


def _drops_last(n, batch_size, n_epochs, rng):
    return [b for b in _minibatch_indices(n, batch_size, n_epochs, rng) if len(b) == batch_size]


MINIBATCH_INDICES = Question(
    name="minibatch_indices",
    points=2,
    reference=_minibatch_indices,
    # The lecture uses the library's MiniBatches and states its rule (one new permutation per
    # epoch, the last batch kept); it never writes the loop.
    skill="warm-up",
    cases=(
        Case(
            lambda: (10, 4, 2, np.random.default_rng(0)),
            "n = 10, batch_size = 4, n_epochs = 2, rng = np.random.default_rng(0) "
            "(6 batches: sizes 4, 4, 2 per epoch)",
        ),
        Case(lambda: (6, 3, 3, np.random.default_rng(1)), "n = 6, batch_size = 3, 3 epochs"),
        Case(lambda: (7, 7, 2, np.random.default_rng(2)), "batch_size = n", hidden=True),
        Case(lambda: (5, 2, 3, np.random.default_rng(3)), "n = 5, batch_size = 2", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Every epoch has the same order: you drew one permutation for all epochs. The task "
            "asks for a new permutation at the start of every epoch (as `MiniBatches` does).",
            _shuffled_once,
        ),
        Mistake(
            "The batches are in storage order 0, 1, 2, ...: draw a random order of the indices from `rng` at the start of each epoch.",
            _not_shuffled,
        ),
        Mistake(
            "Your batches are in another order than one permutation per epoch gives: you drew "
            "from `rng` more than once per epoch (e.g. a second permutation to shuffle the "
            "batches' order). Draw exactly one random order of the n indices per epoch and "
            "nothing else from `rng`; the batches are its consecutive slices, in order.",
            _batch_order_drawn_too,
        ),
        Mistake(
            "The last, smaller batch is missing: when batch_size does not divide n, keep the "
            "remainder as a final batch so every sample is used once per epoch.",
            _drops_last,
        ),
        Mistake(
            "Your list holds the batches of one epoch too few: the epoch loop runs n_epochs "
            "times, whether you count from 0 or from 1 (a loop over range(1, n_epochs) runs "
            "one time less).",
            _epochs_off_by(-1),
        ),
        Mistake(
            "Your list holds the batches of one epoch too many: the epoch loop runs exactly "
            "n_epochs times (counting epochs up to n_epochs inclusive from 0 runs one more).",
            _epochs_off_by(+1),
        ),
    ),
    hint=(
        "Each epoch draws one new random order of all n indices from `rng`, then cuts it into "
        "consecutive batches of batch_size (the last one may be shorter); the batches of all "
        "epochs go in one list, epoch after epoch."
    ),
    # The lecture's loader follows the same rule: iterating it is not an answer.
    library=("course_utils.data.regression.MiniBatches.__iter__",),
    # Index arrays must hold integers: float indices pass every comparison and then break the
    # demo's X[b] (sa02 E2).
    exact_types=True,
)

# ----------------------------------------------------------------------------- 4. weighted epoch
# The epoch's batches come in as an argument (not from question 3's function), so a wrong
# minibatch_indices cannot cost this question its points: each question is graded on its own.


def _weighted_sgd_epoch(w, X, y, sample_weight, lr, batches):
    w = np.array(w, dtype=float)
    for b in batches:
        omega = sample_weight[b]
        if omega.sum() > 0:  # a batch of zero total sample weight carries no loss: no step
            w = w - lr * 2 * X[b].T @ (omega * (X[b] @ w - y[b])) / omega.sum()
    return w


def _epoch_dividing_by(divisor, power=1, factor=2):
    """The epoch with each batch's weighted residuals divided by divisor(s, b), weights ** power,
    and the gradient of the squared residual written factor * r * x (factor 1: the 2 dropped)."""

    def run(w, X, y, s, lr, batches):
        w = np.array(w, dtype=float)
        for b in batches:
            if s[b].sum() > 0:
                residual = s[b] ** power * (X[b] @ w - y[b])
                w = w - lr * factor * X[b].T @ residual / divisor(s, b)
        return w

    return run


def _unweighted(w, X, y, s, lr, batches):
    return _weighted_sgd_epoch(w, X, y, np.ones(len(y)), lr, [b for b in batches if s[b].sum() > 0])


def _all_at_the_start(w, X, y, s, lr, batches):
    start = np.array(w, dtype=float)
    return start + sum(_weighted_sgd_epoch(start, X, y, s, lr, [b]) - start for b in batches)


_WEIGHTS = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 3.0])


def _epoch_case(seed, n, d, s, lr, batches):
    def make():
        rng = np.random.default_rng(seed)
        X = np.round(rng.standard_normal((n, d)), 2)
        w = np.round(rng.standard_normal(d), 2)
        y = np.round(X @ np.ones(d) + 0.5 * rng.standard_normal(n), 2)
        return w, X, y, np.array(s, dtype=float), lr, [np.array(b, dtype=int) for b in batches]

    return make


def _random_epoch(rng):
    n, d, batch_size = int(rng.integers(5, 40)), int(rng.integers(1, 5)), int(rng.integers(1, 9))
    X, w = rng.standard_normal((n, d)), rng.standard_normal(d)
    y = X @ np.ones(d) + 0.5 * rng.standard_normal(n)
    s = rng.uniform(0, 3, n) * (rng.random(n) < 0.8)  # some samples weigh 0
    order = rng.permutation(n)
    batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return w, X, y, s, float(rng.uniform(0.01, 0.1)), batches


WEIGHTED_SGD_EPOCH = Question(
    name="weighted_sgd_epoch",
    points=3,
    reference=_weighted_sgd_epoch,
    inputs_unchanged=True,
    skill="new problem",
    # in numpy: torch's SGD step, or its autograd of the weighted loss, would do the work
    library=("torch.optim.SGD.step", *AUTOGRAD),
    cases=(
        Case(
            _epoch_case(10, 6, 2, _WEIGHTS, 0.1, [[4, 1, 0], [5, 3], [2]]),
            "n = 6, d = 2, lr = 0.1, sample_weight = [1, 0.5, 2, 0, 1, 3], "
            "batches = [[4, 1, 0], [5, 3], [2]]",
        ),
        Case(
            _epoch_case(11, 5, 3, [0.0, 2.0, 1.0, 0.0, 0.5], 0.05, [[0, 3], [1, 2, 4]]),
            "sample_weight = [0, 2, 1, 0, 0.5], batches = [[0, 3], [1, 2, 4]]: the first batch "
            "weighs 0",
        ),
        Case(
            _epoch_case(12, 8, 2, np.ones(8), 0.05, [[5, 0, 7], [2, 1, 6], [3, 4]]),
            "every sample weight 1: plain mini-batch SGD on the mean squared error",
            hidden=True,
        ),
        Case(
            _epoch_case(13, 6, 2, 2 * _WEIGHTS, 0.2, [[5, 0, 2, 1, 4, 3]]),
            "one batch of all n = 6 samples: one full-batch step",
            hidden=True,
        ),
        Case(
            _epoch_case(14, 5, 2, [1.0, 2.0, 0.5, 1.0, 3.0], 0.1, [[3, 0], [], [4, 1, 2]]),
            "an empty batch in the middle of the epoch",
            hidden=True,
        ),
        Case(_random_epoch, "a random data set, sample weights and shuffled epoch", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Each batch's gradient is divided by the number of its rows: the weighted mean "
            "divides by the batch's total sample weight, so that a batch of light samples still "
            "gets an average, not a fraction of one.",
            _epoch_dividing_by(lambda s, b: len(b)),
        ),
        Mistake(
            "Each batch's gradient is divided by the total sample weight of the WHOLE data set: "
            "the batch estimates the weighted mean from its own rows, so it divides by its own "
            "total.",
            _epoch_dividing_by(lambda s, b: s.sum()),
        ),
        Mistake(
            "Each batch's gradient is divided by B times the data set's mean sample weight "
            "(len(b) * sample_weight.mean()): that is the unbiased normalisation of the bias "
            "warning above, but the task defines f_𝓑 with the batch's own weight sum, torch's "
            "convention: divide by the sum of the batch's sample weights.",
            _epoch_dividing_by(lambda s, b: len(b) * s.mean()),
        ),
        Mistake(
            "Your steps ignore the sample weights: every sample of a batch counts the same. Within a "
            "batch, a sample of weight 2 must pull twice as hard as one of weight 1, and one of "
            "weight 0 not at all.",
            _unweighted,
        ),
        Mistake(
            "The sample weights count twice (squared): each sample's squared residual is "
            "multiplied by its weight once, so its gradient is too.",
            _epoch_dividing_by(lambda s, b: (s[b] ** 2).sum(), power=2),
        ),
        Mistake(
            "Your steps are half as long: the loss is the weighted mean of ω_i r_i², with no ½ "
            "(unlike the Huber loss of question 1), so the gradient of one sample's term is "
            "2 ω_i r_i x_i.",
            _epoch_dividing_by(lambda s, b: s[b].sum(), factor=1),
        ),
        Mistake(
            "Every batch's gradient was taken at the parameters w the epoch started from: take "
            "the steps one after another, each at the w the previous step left.",
            _all_at_the_start,
        ),
    ),
    hint=(
        "One epoch: for each batch, in the order given, one step with the gradient of that "
        "batch's weighted mean loss at the current w (skip a batch whose sample weights sum to "
        "0); work on a copy, so the input array is unchanged, and return the new w."
    ),
)

ASSIGNMENT = Assignment(
    id="02_batch_stochastic_minibatch",
    title="Batch, stochastic and mini-batch gradient descent",
    questions=(
        HUBER_MINIBATCH_GRAD,
        IMPORTANCE_SAMPLED_NOISE,
        MINIBATCH_INDICES,
        WEIGHTED_SGD_EPOCH,
    ),
)
