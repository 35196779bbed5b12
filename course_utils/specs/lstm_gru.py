"""Spec for exercise set 08: LSTM and GRU gating.

Questions: ``lstm_step_forward``, ``gru_step_forward``, ``lstm_step_backward``,
``init_forget_bias``. Shapes follow torch, batch first in each step: ``x`` (B, D), ``h`` and ``c``
(B, H), ``W_ih`` (G*H, D), ``W_hh`` (G*H, H), biases (G*H,), with G = 4 gate blocks for the LSTM
(order i, f, g, o) and 3 for the GRU (order r, z, n). The references are the cell equations of
``course_utils.rnn`` (``LSTM._cell_forward`` / ``_cell_backward``, ``GRU._cell_forward``), run on
copies of the inputs; each mistake below is an implementation learners really write.
"""

from __future__ import annotations

import numpy as np

from ..rnn import GRU, LSTM
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- inputs


def _weights(seed, B, D, H, G):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, D))
    h = rng.normal(scale=0.5, size=(B, H))
    c = rng.normal(scale=0.8, size=(B, H))
    W_ih = rng.normal(scale=0.6, size=(G * H, D))
    W_hh = rng.normal(scale=0.6, size=(G * H, H))
    b_ih, b_hh = rng.normal(scale=0.3, size=G * H), rng.normal(scale=0.3, size=G * H)
    return rng, x, h, c, W_ih, W_hh, b_ih, b_hh


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _projections(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """``gi = x W_ih^T + b_ih`` and ``gh = h W_hh^T + b_hh`` as new float64 arrays."""
    x, h_prev = np.asarray(x, np.float64), np.asarray(h_prev, np.float64)
    return x @ np.asarray(W_ih, np.float64).T + b_ih, h_prev @ np.asarray(W_hh, np.float64).T + b_hh


def _cell(kind, H):
    return (LSTM if kind == "lstm" else GRU)(1, H)  # only the cell equations are used


# ----------------------------------------------------------------------------- 1. LSTM forward


def _lstm_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    gi, gh = _projections(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    H = np.shape(h_prev)[1]
    with np.errstate(over="ignore"):
        (h, c), _ = _cell("lstm", H)._cell_forward(
            gi, gh, (np.array(h_prev, np.float64), np.array(c_prev, np.float64))
        )
    return h, c


def _lstm_wrong(order="ifgo", tanh_c=True):
    def answer(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
        H = h_prev.shape[1]
        block = {name: a[:, k * H : (k + 1) * H] for k, name in enumerate(order)}
        i, f, o = _sigmoid(block["i"]), _sigmoid(block["f"]), _sigmoid(block["o"])
        g = np.tanh(block["g"])
        c = f * c_prev + i * g
        return (o * np.tanh(c) if tanh_c else o * c), c

    return answer


def _lstm_inputs(seed, B, D, H):
    return lambda: _weights(seed, B, D, H, 4)[1:]


LSTM_STEP_FORWARD = Question(
    name="lstm_step_forward",
    points=3,
    reference=_lstm_forward,
    inputs_unchanged=True,
    cases=(
        Case(_lstm_inputs(0, 2, 3, 4), "B = 2, D = 3, H = 4 (random weights, seed 0)"),
        Case(_lstm_inputs(1, 1, 2, 2), "B = 1, D = 2, H = 2 (random weights, seed 1)"),
        Case(_lstm_inputs(2, 5, 4, 3), "B = 5, D = 4, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Wrong gate order: torch stacks the LSTM blocks as i, f, g, o (input, forget, "
            "candidate, output), so the candidate g is the THIRD block of H rows and o the last.",
            _lstm_wrong(order="ifog"),
        ),
        Mistake(
            "Wrong gate order: torch's first block is the input gate i and the second the forget "
            "gate f (order i, f, g, o), not f, i.",
            _lstm_wrong(order="figo"),
        ),
        Mistake(
            "h_t = o * tanh(c_t): the new cell goes through tanh before the output gate.",
            _lstm_wrong(tanh_c=False),
        ),
    ),
    hint="a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh; split into blocks of H columns "
    "i, f, g, o; i, f, o = sigmoid(...), g = tanh(...); c = f * c_prev + i * g; "
    "h = o * np.tanh(c); return (h, c).",
    library=("course_utils.rnn.LSTM._cell_forward",),
)

# ----------------------------------------------------------------------------- 2. GRU forward


def _gru_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    gi, gh = _projections(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    H = np.shape(h_prev)[1]
    with np.errstate(over="ignore"):
        (h,), _ = _cell("gru", H)._cell_forward(gi, gh, (np.array(h_prev, np.float64),))
    return h


def _gru_wrong(reset_before=False, swapped=False, order="rzn"):
    def answer(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        gi = x @ W_ih.T + b_ih
        gh = h_prev @ W_hh.T + b_hh
        k = {name: slice(j * H, (j + 1) * H) for j, name in enumerate(order)}
        r = _sigmoid(gi[:, k["r"]] + gh[:, k["r"]])
        z = _sigmoid(gi[:, k["z"]] + gh[:, k["z"]])
        if reset_before:
            n = np.tanh(gi[:, k["n"]] + (r * h_prev) @ W_hh[k["n"]].T + b_hh[k["n"]])
        else:
            n = np.tanh(gi[:, k["n"]] + r * gh[:, k["n"]])
        return z * n + (1 - z) * h_prev if swapped else (1 - z) * n + z * h_prev

    return answer


def _gru_inputs(seed, B, D, H):
    def make():
        _, x, h, _, W_ih, W_hh, b_ih, b_hh = _weights(seed, B, D, H, 3)
        return x, h, W_ih, W_hh, b_ih, b_hh

    return make


GRU_STEP_FORWARD = Question(
    name="gru_step_forward",
    points=3,
    reference=_gru_forward,
    inputs_unchanged=True,
    cases=(
        Case(_gru_inputs(3, 2, 3, 4), "B = 2, D = 3, H = 4 (random weights, seed 3)"),
        Case(_gru_inputs(4, 3, 2, 2), "B = 3, D = 2, H = 2 (random weights, seed 4)"),
        Case(_gru_inputs(5, 4, 5, 3), "B = 4, D = 5, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The reset gate is applied before the matrix product (W_hn (r * h_prev), the original "
            "paper's form): torch applies it AFTER, n = tanh(W_in x + b_in + r * (W_hn h_prev + "
            "b_hn)), so it also scales b_hn.",
            _gru_wrong(reset_before=True),
        ),
        Mistake(
            "z and 1 - z are swapped: torch's GRU keeps the OLD state with weight z, "
            "h = (1 - z) * n + z * h_prev.",
            _gru_wrong(swapped=True),
        ),
        Mistake(
            "Wrong gate order: torch stacks the GRU blocks as r, z, n (reset, update, candidate).",
            _gru_wrong(order="zrn"),
        ),
    ),
    hint="gi = x @ W_ih.T + b_ih, gh = h_prev @ W_hh.T + b_hh, blocks r, z, n of H columns; "
    "r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z); n = tanh(gi_n + r * gh_n); "
    "h = (1 - z) * n + z * h_prev.",
    library=("course_utils.rnn.GRU._cell_forward",),
)

# ----------------------------------------------------------------------------- 3. LSTM backward


def _lstm_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    gi, gh = _projections(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    H = np.shape(h_prev)[1]
    cell = _cell("lstm", H)
    with np.errstate(over="ignore"):
        _, cache = cell._cell_forward(
            gi, gh, (np.array(h_prev, np.float64), np.array(c_prev, np.float64))
        )
    d_a, _, (_, dc_prev) = cell._cell_backward(
        (np.array(dh, np.float64), np.array(dc, np.float64)), cache
    )
    W_ih, W_hh = np.asarray(W_ih, np.float64), np.asarray(W_hh, np.float64)
    return d_a @ W_ih, d_a @ W_hh, dc_prev, d_a.T @ x, d_a.T @ h_prev, d_a.sum(axis=0)


def _lstm_backward_wrong(h_path=True, tanh_of_c=True, forget_on_dc=True):
    def answer(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
        H = h_prev.shape[1]
        i, f = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H])
        g, o = np.tanh(a[:, 2 * H : 3 * H]), _sigmoid(a[:, 3 * H :])
        c = f * c_prev + i * g
        tc = np.tanh(c)
        dtanh = 1 - tc**2 if tanh_of_c else 1 - c**2
        d_c = dc + dh * o * dtanh if h_path else dc
        d_a = np.concatenate(
            [d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f), d_c * i * (1 - g**2),
             dh * tc * o * (1 - o)], axis=1,
        )  # fmt: skip
        dc_prev = d_c * f if forget_on_dc else d_c
        return d_a @ W_ih, d_a @ W_hh, dc_prev, d_a.T @ x, d_a.T @ h_prev, d_a.sum(axis=0)

    return answer


def _backward_inputs(seed, B, D, H):
    def make():
        rng, x, h, c, W_ih, W_hh, b_ih, b_hh = _weights(seed, B, D, H, 4)
        return rng.normal(size=(B, H)), rng.normal(size=(B, H)), x, h, c, W_ih, W_hh, b_ih, b_hh

    return make


LSTM_STEP_BACKWARD = Question(
    name="lstm_step_backward",
    points=4,
    reference=_lstm_backward,
    inputs_unchanged=True,
    cases=(
        Case(_backward_inputs(6, 2, 3, 4), "B = 2, D = 3, H = 4, random dh and dc (seed 6)"),
        Case(_backward_inputs(7, 3, 2, 2), "B = 3, D = 2, H = 2, random dh and dc (seed 7)"),
        Case(_backward_inputs(8, 4, 5, 3), "B = 4, D = 5, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The gradient on c_t misses the path through h_t: c_t feeds h_t = o * tanh(c_t) as "
            "well as c_{t+1}, so d_c = dc + dh * o * (1 - tanh(c_t)**2).",
            _lstm_backward_wrong(h_path=False),
        ),
        Mistake(
            "The tanh derivative is taken at the wrong value: d tanh(c)/dc = 1 - tanh(c)**2, "
            "not 1 - c**2 (c_t itself is not squashed).",
            _lstm_backward_wrong(tanh_of_c=False),
        ),
        Mistake(
            "dc_prev must be multiplied by the forget gate: c_t = f * c_prev + i * g, so "
            "dL/dc_prev = d_c * f (the cell path).",
            _lstm_backward_wrong(forget_on_dc=False),
        ),
    ),
    hint="Recompute the gates; d_c = dc + dh * o * (1 - tanh(c)**2); d_a (B, 4H) has blocks "
    "d_c*g*i(1-i), d_c*c_prev*f(1-f), d_c*i(1-g**2), dh*tanh(c)*o(1-o); return (d_a @ W_ih, "
    "d_a @ W_hh, d_c * f, d_a.T @ x, d_a.T @ h_prev, d_a.sum(axis=0)).",
    library=("course_utils.rnn.LSTM._cell_backward",),
)

# ----------------------------------------------------------------------------- 4. forget bias


def _init_forget_bias(bias_ih, bias_hh, value):
    H = len(bias_ih) // 4
    bias_ih, bias_hh = np.array(bias_ih, np.float64), np.array(bias_hh, np.float64)
    bias_ih[H : 2 * H] = value
    bias_hh[H : 2 * H] = 0.0
    return bias_ih, bias_hh


def _forget_bias_wrong(block=1, both=False):
    def answer(bias_ih, bias_hh, value):
        H = len(bias_ih) // 4
        bias_ih, bias_hh = bias_ih.copy(), bias_hh.copy()
        bias_ih[block * H : (block + 1) * H] = value
        bias_hh[block * H : (block + 1) * H] = value if both else 0.0
        return bias_ih, bias_hh

    return answer


def _bias_inputs(seed, H, value):
    def make():
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(H)  # torch's default initialization
        return rng.uniform(-bound, bound, 4 * H), rng.uniform(-bound, bound, 4 * H), value

    return make


INIT_FORGET_BIAS = Question(
    name="init_forget_bias",
    points=2,
    reference=_init_forget_bias,
    inputs_unchanged=True,
    cases=(
        Case(_bias_inputs(9, 3, 1.0), "H = 3, value 1.0 (torch-initialized biases, seed 9)"),
        Case(_bias_inputs(10, 2, 2.0), "H = 2, value 2.0 (seed 10)"),
        Case(_bias_inputs(11, 5, 1.0), "H = 5, value 1.0", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Wrong block: in torch's layout (i, f, g, o) the forget gate is the SECOND block, "
            "entries [H, 2H), not the first.",
            _forget_bias_wrong(block=0),
        ),
        Mistake(
            "Wrong block: the forget gate is entries [H, 2H) (order i, f, g, o); [2H, 3H) is the "
            "candidate g.",
            _forget_bias_wrong(block=2),
        ),
        Mistake(
            "Both biases were set to value, so the forget gate sees b_if + b_hf = 2 * value: set "
            "b_if = value and b_hf = 0.",
            _forget_bias_wrong(both=True),
        ),
    ),
    hint="H = len(bias_ih) // 4; copy both arrays; new_ih[H:2*H] = value; new_hh[H:2*H] = 0; "
    "return (new_ih, new_hh), leaving the inputs unchanged.",
)

ASSIGNMENT = Assignment(
    id="08_lstm_gru",
    title="LSTM and GRU gating",
    questions=(LSTM_STEP_FORWARD, GRU_STEP_FORWARD, LSTM_STEP_BACKWARD, INIT_FORGET_BIAS),
)
