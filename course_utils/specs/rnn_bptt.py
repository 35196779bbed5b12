"""Spec for exercise set 06: recurrent networks and backpropagation through time.

Questions: ``rnn_step_forward``, ``rnn_step_backward``, ``bptt``, ``softmax_temperature``,
``cross_entropy_grad``.
Shapes follow torch: ``x`` (B, D), ``h`` (B, H), ``W_ih`` (H, D), ``W_hh`` (H, H), biases (H,).
The references of the two step questions are the library's cell equations
(``course_utils.rnn.cells.rnn_cell_forward`` / ``rnn_cell_backward``, which a graded answer may not
call), and BPTT is the loop over them. Each mistake below is an implementation learners really
write; the check names it when the learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ..rnn.cells import rnn_cell_backward, rnn_cell_forward
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- inputs


def random_cell_inputs(seed, B, D, H, *, gates=1, T=None, with_c=False):
    """``(rng, x, h, [c,] W_ih, W_hh, b_ih, b_hh)`` drawn from ``default_rng(seed)`` in this order,
    torch's shapes for a cell of ``gates`` blocks of H rows (x of shape (T, B, D) if T is given;
    the cell state c, drawn after h, only ``with_c``). Spec 08 uses it too."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, D) if T is None else (T, B, D))
    h = rng.normal(scale=0.5, size=(B, H))
    c = (rng.normal(scale=0.8, size=(B, H)),) if with_c else ()
    W_ih = rng.normal(scale=0.6, size=(gates * H, D))
    W_hh = rng.normal(scale=0.6, size=(gates * H, H))
    b_ih, b_hh = rng.normal(scale=0.3, size=gates * H), rng.normal(scale=0.3, size=gates * H)
    return rng, x, h, *c, W_ih, W_hh, b_ih, b_hh


# the package re-exports the cells: a graded answer's call through it counts as well
LIBRARY = "course_utils.rnn"

# ----------------------------------------------------------------------------- 1. step forward


def _forward_inputs(seed, B, D, H):
    return lambda: random_cell_inputs(seed, B, D, H)[1:]


RNN_STEP_FORWARD = Question(
    name="rnn_step_forward",
    points=2,
    reference=rnn_cell_forward,
    library=(f"{LIBRARY}.rnn_cell_forward",),
    inputs_unchanged=True,
    cases=(
        Case(_forward_inputs(0, 2, 3, 4), "B = 2, D = 3, H = 4 (random weights, seed 0)"),
        Case(_forward_inputs(1, 1, 1, 2), "B = 1, D = 1, H = 2 (random weights, seed 1)"),
        Case(_forward_inputs(2, 5, 4, 3), "B = 5, D = 4, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The recurrent weight is used untransposed: torch stores W_hh as (H_out, H_in), so a batch-first product needs its transpose.",
            lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + h @ Wh + bh),
        ),
        Mistake(
            "One bias is missing: torch's RNN has two, b_ih and b_hh, and adds both.",
            lambda x, h, Wi, Wh, bi, bh: np.tanh(x @ Wi.T + bi + h @ Wh.T),
        ),
        Mistake(
            "No nonlinearity: the new state is the tanh of the pre-activation, not the pre-activation itself.",
            lambda x, h, Wi, Wh, bi, bh: x @ Wi.T + bi + h @ Wh.T + bh,
        ),
    ),
    hint=(
        "One step: the tanh of the input's contribution plus the previous hidden state's "
        "contribution plus both biases, in torch's convention (W_ih has shape (H, D), so it "
        "multiplies from the right, transposed)."
    ),
)

# ----------------------------------------------------------------------------- 2. step backward


def _tanh_twice(dh, x, h_prev, h, W_ih, W_hh):
    da = dh * (1 - np.tanh(h) ** 2)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h_prev, da.sum(axis=0)


def _transposed_weight_grads(dh, x, h_prev, h, W_ih, W_hh):
    da = dh * (1 - h**2)
    return da @ W_ih, da @ W_hh, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def _no_activation_derivative(dh, x, h_prev, h, W_ih, W_hh):
    return dh @ W_ih, dh @ W_hh, dh.T @ x, dh.T @ h_prev, dh.sum(axis=0)


def _backward_inputs(seed, B, D, H):
    def make():
        rng, x, h_prev, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(seed, B, D, H)
        h = rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh)
        return rng.normal(size=(B, H)), x, h_prev, h, W_ih, W_hh

    return make


RNN_STEP_BACKWARD = Question(
    name="rnn_step_backward",
    returns=("dx", "dh_prev", "dW_ih", "dW_hh", "db"),
    points=3,
    reference=rnn_cell_backward,
    library=(f"{LIBRARY}.rnn_cell_backward",),
    inputs_unchanged=True,
    cases=(
        Case(_backward_inputs(3, 2, 3, 4), "B = 2, D = 3, H = 4, random dh (seed 3)"),
        Case(_backward_inputs(4, 3, 2, 2), "B = 3, D = 2, H = 2, random dh (seed 4)"),
        Case(_backward_inputs(5, 4, 5, 3), "B = 4, D = 5, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "You took tanh of h again: h is already the tanh of the pre-activation, so write tanh' through h itself, without a second tanh.",
            _tanh_twice,
        ),
        Mistake(
            "Your weight gradients are transposed: each must have its weight's shape, (H, D) for W_ih and (H, H) for W_hh.",
            _transposed_weight_grads,
        ),
        Mistake(
            "The tanh derivative is missing: go back through the tanh (multiply by tanh') before the weights, not with dh itself.",
            _no_activation_derivative,
        ),
    ),
    hint=(
        "Go back through the tanh first (its derivative can be written with h itself), then "
        "through the two matrix products: a weight's gradient sums over the batch, and every "
        "gradient has its variable's shape."
    ),
)

# ----------------------------------------------------------------------------- 3. BPTT


def _bptt(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, *, carry=True, accumulate=True):
    T = xs.shape[0]
    hs, h = [], h0
    for t in range(T):
        h = rnn_cell_forward(xs[t], h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
    dxs = np.zeros_like(xs)
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b_ih)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = d_hs[t] + (dh_next if carry else 0)
        dxs[t], dh_next, gW_ih, gW_hh, gb = rnn_cell_backward(dh, xs[t], h_prev, hs[t], W_ih, W_hh)
        if accumulate:
            dW_ih, dW_hh, db = dW_ih + gW_ih, dW_hh + gW_hh, db + gb
        else:
            dW_ih, dW_hh, db = gW_ih, gW_hh, gb
    return dxs, dh_next, dW_ih, dW_hh, db


def _bptt_inputs(seed, T, B, D, H):
    def make():
        rng, xs, h0, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(seed, B, D, H, T=T)
        return xs, h0, W_ih, W_hh, b_ih, b_hh, rng.normal(size=(T, B, H))

    return make


BPTT = Question(
    name="bptt",
    returns=("dxs", "dh0", "dW_ih", "dW_hh", "db"),
    points=4,
    reference=_bptt,
    inputs_unchanged=True,
    cases=(
        Case(_bptt_inputs(6, 4, 2, 3, 4), "T = 4, B = 2, D = 3, H = 4, random d_hs (seed 6)"),
        Case(_bptt_inputs(7, 1, 1, 2, 3), "a single step T = 1 (seed 7)"),
        Case(_bptt_inputs(8, 7, 3, 2, 5), "T = 7, B = 3, D = 2, H = 5", hidden=True),
    ),
    mistakes=(
        Mistake(
            "dh is not carried back through time: at step t the gradient on h_t is d_hs[t] PLUS "
            "dh_prev returned by step t+1, because h_t also feeds h_{t+1}.",
            lambda *a: _bptt(*a, carry=False),
        ),
        Mistake(
            "The weight gradients keep only one step: the same W_ih, W_hh and b are used at every "
            "step, so their gradients are SUMMED over t.",
            lambda *a: _bptt(*a, accumulate=False),
        ),
    ),
    hint=(
        "Forward: keep every hidden state. Backward, from the last step to the first: the "
        "gradient reaching h_t is the loss's own gradient at t plus what flows back from step "
        "t+1; run one step backward and add up its weight gradients. Return (dxs, dh0, dW_ih, "
        "dW_hh, db)."
    ),
    # The loop is the question; its steps are the library's cells (and questions 1-2 of this set):
    # an answer that calls the library's cells skips writing them, so it scores 0 here too.
    library=(f"{LIBRARY}.rnn_cell_forward", f"{LIBRARY}.rnn_cell_backward"),
)

# ----------------------------------------------------------------------------- 4. temperature


def _softmax_temperature(logits, temperature):
    if not temperature > 0:  # also NaN, for which temperature <= 0 is False
        raise ValueError(f"temperature must be positive, got {temperature}.")
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@np.errstate(all="ignore")
def _softmax_times(logits, temperature):
    z = logits * temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@np.errstate(all="ignore")
def _softmax_not_shifted(logits, temperature):
    e = np.exp(logits / temperature)
    return e / e.sum(axis=-1, keepdims=True)


@np.errstate(all="ignore")
def _softmax_global_max(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


@np.errstate(all="ignore")
def _softmax_wrong_axis(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)


SOFTMAX_TEMPERATURE = Question(
    name="softmax_temperature",
    points=2,
    reference=_softmax_temperature,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (np.array([2.0, 1.0, 0.0, -1.0]), 0.5),
            "logits [2, 1, 0, -1], temperature = 0.5",
        ),
        Case(
            lambda: (np.array([[1.0, 3.0, 0.5], [0.0, -2.0, 2.0]]), 2.0),
            "a batch of two rows of logits (softmax along the last axis), temperature = 2",
        ),
        Case(
            lambda: (np.array([800.0, 799.0, 0.0]), 1.0),
            "large logits [800, 799, 0], temperature = 1 (exp(800) overflows to inf in float64)",
        ),
        Case(
            lambda: (np.array([[800.0, 799.0], [0.0, -1.0]]), 1.0),
            "a batch whose rows differ greatly in scale, [[800, 799], [0, -1]], temperature = 1",
        ),
        Case(
            lambda: (np.array([1.0, 2.0]), 0.0),
            "temperature = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (np.array([1.0, 2.0]), float("nan")),
            "temperature = NaN (must raise ValueError: NaN <= 0 is False, so test not temperature > 0)",
            raises="ValueError",
        ),
        Case(
            lambda rng: (rng.normal(size=(3, 6)) * 20 + 600, 0.5),
            "a batch of large logits, temperature = 0.5",
            hidden=True,
        ),
        Case(
            lambda: (np.array([1.0, 2.0]), -1.0),
            "temperature = -1",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "You multiplied the logits by the temperature: divide by it, so a small τ sharpens the distribution and a large τ flattens it.",
            _softmax_times,
        ),
        Mistake(
            "The probabilities must sum to 1 along the LAST axis (over the vocabulary, one row "
            "per sequence), not down the batch.",
            _softmax_wrong_axis,
        ),
        Mistake(
            "exp overflowed: exp(800) is inf in float64 and inf / inf is NaN. Shift the logits "
            "(after dividing by the temperature) by their largest value in each row before "
            "exponentiating: the softmax does not change, and the largest exponent becomes 0.",
            _softmax_not_shifted,
        ),
        Mistake(
            "Shift each row by its OWN maximum (along the last axis, keeping the dimension), not by "
            "the largest logit of the whole batch: a row far below that maximum underflows to "
            "0 / 0 = NaN.",
            _softmax_global_max,
        ),
    ),
    hint=(
        "Divide the logits by the temperature, then take a numerically stable softmax along "
        "the last axis (shift by the row's maximum before exponentiating); a temperature that "
        "is not a positive number (NaN included) is a ValueError."
    ),
)

# ----------------------------------------------------------------------------- 5. output layer


def _logits_and_targets(T, B, V):
    """Generated inputs: logits y (T, B, V) and integer targets q (T, B)."""
    return lambda rng: (rng.normal(scale=2.0, size=(T, B, V)), rng.integers(0, V, size=(T, B)))


def _p_minus_onehot(y, q):
    p = np.exp(y - y.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return p - np.eye(y.shape[-1])[q]


def _cross_entropy_grad(y, q):
    return _p_minus_onehot(y, q) / q.size  # the mean over the T * B steps


CROSS_ENTROPY_GRAD = Question(
    name="cross_entropy_grad",
    points=1,
    reference=_cross_entropy_grad,
    inputs_unchanged=True,
    cases=(
        Case(_logits_and_targets(1, 2, 3), "T = 1, B = 2, V = 3 (random logits and targets)"),
        Case(_logits_and_targets(3, 2, 5), "T = 3, B = 2, V = 5 (random logits and targets)"),
        Case(
            lambda: (np.array([[[800.0, 799.0, 0.0]]]), np.array([[1]])),
            "large logits [800, 799, 0], target 1, T = B = 1 (exp(800) overflows in float64)",
        ),
        Case(_logits_and_targets(6, 4, 7), "T = 6, B = 4, V = 7", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Forgot 1/(TB): F.cross_entropy averages the loss over the T * B steps, so every "
            "p_t - onehot(q_t) is divided by T * B.",
            _p_minus_onehot,
        ),
        Mistake(
            "The sign is reversed (onehot - p): that is the gradient of the log-probability of "
            "the target, and the loss is its negative, so the gradient is the predicted "
            "distribution minus the one-hot target.",
            lambda y, q: -_cross_entropy_grad(y, q),
        ),
    ),
    hint=(
        "Softmax each row of logits (shifted by its maximum), subtract 1 at the target's index, "
        "and divide by the number of steps T * B that the mean runs over."
    ),
)

ASSIGNMENT = Assignment(
    id="06_rnn_bptt",
    title="Recurrent networks and backpropagation through time",
    questions=(RNN_STEP_FORWARD, RNN_STEP_BACKWARD, BPTT, SOFTMAX_TEMPERATURE, CROSS_ENTROPY_GRAD),
)
