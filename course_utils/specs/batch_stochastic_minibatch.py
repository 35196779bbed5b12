"""Spec for exercise set 02: batch, stochastic and mini-batch gradient descent.

Questions: ``mse_minibatch_grad``, ``logistic_minibatch_grad``, ``minibatch_indices``,
``sgd_epoch``. Randomness comes in through an explicit ``rng`` argument (a fresh
``np.random.default_rng(seed)`` per case), so a learner's result can be compared exactly;
``sgd_epoch`` gets the epoch's batches themselves, so it does not depend on question 3.
Each mistake below is an implementation learners really write; the check names it when the
learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- test data


def _batch(seed, n, d):
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((n, d)), 2)
    w = np.round(rng.standard_normal(d), 2)
    y = np.round(X @ np.ones(d) + 0.5 * rng.standard_normal(n), 2)
    return w, X, y


def _labels(seed, n, d):
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((n, d)), 2)
    w = np.round(rng.standard_normal(d), 2)
    y = (rng.random(n) < 0.5).astype(float)
    return w, X, y


_SMALL_X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.0], [2.0, 1.0]])
_SMALL_W = np.array([0.5, -0.25])
_SMALL_Y = np.array([1.0, 0.0, -1.0, 2.0])
_SMALL_LABELS = np.array([1.0, 0.0, 0.0, 1.0])


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- 1. mse gradient


def _mse_minibatch_grad(w, X, y):
    return 2 * X.T @ (X @ w - y) / len(y)


MSE_MINIBATCH_GRAD = Question(
    name="mse_minibatch_grad",
    points=2,
    reference=_mse_minibatch_grad,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_SMALL_W.copy(), _SMALL_X.copy(), _SMALL_Y.copy()),
            "a batch of B = 4 rows, d = 2: X = [[1, 2], [0.5, -1], [-1.5, 0], [2, 1]], "
            "y = [1, 0, -1, 2], w = [0.5, -0.25]",
        ),
        Case(lambda: _batch(1, 1, 3), "a single sample (B = 1, d = 3)"),
        Case(lambda: _batch(2, 7, 3), "B = 7, d = 3", hidden=True),
        Case(lambda: _batch(3, 50, 5), "B = 50, d = 5", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Your gradient is B times too large: you SUMMED over the batch. The loss is a mean, so its gradient is one too: divide by the batch size.",
            lambda w, X, y: 2 * X.T @ (X @ w - y),
        ),
        Mistake(
            "Your gradient is half the right one: d/dw (x.w - y)^2 = 2 (x.w - y) x; the factor 2 "
            "stays because the loss has no 1/2 in front.",
            lambda w, X, y: X.T @ (X @ w - y) / len(y),
        ),
        Mistake(
            "The sign is flipped: the residual is prediction minus target, not target minus prediction.",
            lambda w, X, y: 2 * X.T @ (y - X @ w) / len(y),
        ),
    ),
    hint=(
        "Differentiate the mean of the squared residuals: each sample contributes twice its "
        "residual times its features, averaged over the batch; the result has one entry per "
        "weight, shape (d,)."
    ),
)

# ----------------------------------------------------------------------------- 2. logistic gradient


def _logistic_minibatch_grad(w, X, y):
    return X.T @ (_sigmoid(X @ w) - y) / len(y)


LOGISTIC_MINIBATCH_GRAD = Question(
    name="logistic_minibatch_grad",
    points=2,
    reference=_logistic_minibatch_grad,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_SMALL_W.copy(), _SMALL_X.copy(), _SMALL_LABELS.copy()),
            "B = 4, d = 2: the X and w of the first question, labels y = [1, 0, 0, 1]",
        ),
        Case(lambda: _labels(4, 6, 3), "B = 6, d = 3, random 0/1 labels"),
        Case(lambda: _labels(5, 40, 4), "B = 40, d = 4", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Your gradient is B times too large: you SUMMED over the batch. The loss is a mean, so its gradient is one too: divide by the batch size.",
            lambda w, X, y: X.T @ (_sigmoid(X @ w) - y),
        ),
        Mistake(
            "The sign is flipped: the cross-entropy's gradient weights the features by prediction minus label, not label minus prediction.",
            lambda w, X, y: X.T @ (y - _sigmoid(X @ w)) / len(y),
        ),
        Mistake(
            "You used the linear score where the model predicts a probability: the score goes through the sigmoid first.",
            lambda w, X, y: X.T @ (X @ w - y) / len(y),
        ),
    ),
    hint=(
        "The logistic loss's gradient weights each sample's features by its predicted "
        "probability minus its label, averaged over the batch; the probability is the sigmoid "
        "of the score."
    ),
)

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


def _drops_last(n, batch_size, n_epochs, rng):
    return [b for b in _minibatch_indices(n, batch_size, n_epochs, rng) if len(b) == batch_size]


MINIBATCH_INDICES = Question(
    name="minibatch_indices",
    points=3,
    reference=_minibatch_indices,
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
            "Every epoch has the same order: you shuffled once before the loop. Draw a new random order at the start of EVERY epoch.",
            _shuffled_once,
        ),
        Mistake(
            "The batches are in storage order 0, 1, 2, ...: draw a random order of the indices from `rng` at the start of each epoch.",
            _not_shuffled,
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
)

# ----------------------------------------------------------------------------- 4. sgd_epoch
# The epoch's batches come in as an argument (not from question 3's function), so a wrong
# minibatch_indices cannot cost this question its points: each question is graded on its own.


def _sgd_epoch(w, X, y, lr, batches):
    w = np.array(w, dtype=float)
    for b in batches:
        w = w - lr * _mse_minibatch_grad(w, X[b], y[b])
    return w


def _epoch_with(grad):
    def run(w, X, y, lr, batches):
        w = np.array(w, dtype=float)
        for b in batches:
            w = w - lr * grad(w, X, y, b)
        return w

    return run


def _summed_grad(w, X, y, b):
    return 2 * X[b].T @ (X[b] @ w - y[b])


def _full_grad(w, X, y, b):
    return _mse_minibatch_grad(w, X, y)


def _all_at_the_start(w, X, y, lr, batches):
    w = np.array(w, dtype=float)
    return w - lr * sum(_mse_minibatch_grad(w, X[b], y[b]) for b in batches)


def _last_batch_only(w, X, y, lr, batches):
    w = np.array(w, dtype=float)
    new = w
    for b in batches:
        new = w - lr * _mse_minibatch_grad(w, X[b], y[b])
    return new


def _epoch_case(seed, n, d, lr, batches):
    def make():
        w, X, y = _batch(seed, n, d)
        return w, X, y, lr, [np.array(b) for b in batches]

    return make


def _random_epoch(rng):
    n, d, batch_size = int(rng.integers(5, 40)), int(rng.integers(1, 5)), int(rng.integers(1, 9))
    w, X, y = _batch(int(rng.integers(2**31)), n, d)
    order = rng.permutation(n)
    batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return w, X, y, float(rng.uniform(0.01, 0.1)), batches


SGD_EPOCH = Question(
    name="sgd_epoch",
    points=3,
    reference=_sgd_epoch,
    inputs_unchanged=True,
    cases=(
        Case(
            _epoch_case(10, 10, 2, 0.1, [[7, 2, 9, 0], [5, 1, 8, 3], [4, 6]]),
            "n = 10, d = 2, lr = 0.1, batches = [[7, 2, 9, 0], [5, 1, 8, 3], [4, 6]] "
            "(3 updates: 4, 4 and 2 samples)",
        ),
        Case(
            _epoch_case(11, 5, 3, 0.05, [[3], [0], [4], [1], [2]]),
            "plain SGD: n = 5, lr = 0.05, batches = [[3], [0], [4], [1], [2]]",
        ),
        Case(
            _epoch_case(12, 8, 2, 0.2, [[5, 0, 7, 2, 1, 6, 3, 4]]),
            "one batch of all n = 8 samples: one BGD step",
            hidden=True,
        ),
        Case(_random_epoch, "a random data set and a shuffled epoch's batches", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Each step uses the SUM of the batch's gradients: average them (divide by the batch's "
            "own size, which is smaller for the last batch).",
            _epoch_with(_summed_grad),
        ),
        Mistake(
            "Every step used the gradient of the WHOLE data set: use only the batch's rows, "
            "X[b] and y[b].",
            _epoch_with(_full_grad),
        ),
        Mistake(
            "Every batch's gradient was taken at the weights the epoch started from: take the "
            "steps one after another, each at the weights the previous step left.",
            _all_at_the_start,
        ),
        Mistake(
            "Only the last batch's step is in your result: each step must start from the "
            "weights the previous step left, not from the epoch's starting weights.",
            _last_batch_only,
        ),
    ),
    hint=(
        "One epoch: for each batch of `batches`, in the order given, take one step with that "
        "batch's averaged MSE gradient (question 1) at the current weights; work on a copy, so "
        "the input array is unchanged, and return the new weights."
    ),
)

ASSIGNMENT = Assignment(
    id="02_batch_stochastic_minibatch",
    title="Batch, stochastic and mini-batch gradient descent",
    questions=(MSE_MINIBATCH_GRAD, LOGISTIC_MINIBATCH_GRAD, MINIBATCH_INDICES, SGD_EPOCH),
)
