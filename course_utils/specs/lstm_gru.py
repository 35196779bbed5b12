"""Spec for exercise set 08: LSTM and GRU gating.

Questions: ``lstm_step_forward``, ``gru_step_forward``, ``lstm_step_backward``, ``lstm_bptt``,
``init_forget_bias``. Shapes follow torch, batch first in each step: ``x`` (B, D), ``h`` and ``c``
(B, H), ``W_ih`` (G*H, D), ``W_hh`` (G*H, H), biases (G*H,), with G = 4 gate blocks for the LSTM
(order i, f, g, o) and 3 for the GRU (order r, z, n); a sequence ``xs`` is (T, B, D), time first as
in ``torch.nn.LSTM``. The references of the three step questions are the library's cell equations
(``course_utils.rnn.cells``: ``lstm_cell_forward``, ``gru_cell_forward``, ``lstm_cell_backward``,
which a graded answer may not call), run on copies of the inputs. Question 4,
BPTT through an LSTM over a sequence, and the wrong LSTM backward passes are in ``_lstm_backward``.
The forget-gate bias follows the course's one convention (lectures 07 and 08): ``b_if = value``,
``b_hf = 0``. Each mistake below is an implementation learners really write.
"""

from __future__ import annotations

import numpy as np

from ..rnn.cells import gru_cell_forward, lstm_cell_backward, lstm_cell_forward
from ._lstm_backward import LSTM_BPTT, lstm_backward_wrong, sigmoid
from .base import Assignment, Case, Mistake, Question
from .rnn_bptt import LIBRARY, random_cell_inputs

# ----------------------------------------------------------------------------- 1. LSTM forward


def _lstm_wrong(order="ifgo", tanh_c=True):
    def answer(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
        H = h_prev.shape[1]
        block = {name: a[:, k * H : (k + 1) * H] for k, name in enumerate(order)}
        i, f, o = sigmoid(block["i"]), sigmoid(block["f"]), sigmoid(block["o"])
        g = np.tanh(block["g"])
        c = f * c_prev + i * g
        return (o * np.tanh(c) if tanh_c else o * c), c

    return answer


def _lstm_inputs(seed, B, D, H):
    return lambda: random_cell_inputs(seed, B, D, H, gates=4, with_c=True)[1:]


LSTM_STEP_FORWARD = Question(
    name="lstm_step_forward",
    returns=("h", "c"),
    points=3,
    reference=lstm_cell_forward,
    library=(f"{LIBRARY}.lstm_cell_forward",),
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
            "The new cell goes through a tanh before the output gate scales it.",
            _lstm_wrong(tanh_c=False),
        ),
    ),
    hint=(
        "The four gates come from one affine map of x and h_prev, split into blocks of H "
        "columns in torch's order i, f, g, o; i, f and o go through a sigmoid, g through a "
        "tanh; the new cell keeps the old one through f and adds g through i; the output gate "
        "scales the tanh of the new cell. Return (h, c)."
    ),
)

# ----------------------------------------------------------------------------- 2. GRU forward


def _gru_wrong(reset_before=False, swapped=False, order="rzn"):
    def answer(x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        gi = x @ W_ih.T + b_ih
        gh = h_prev @ W_hh.T + b_hh
        k = {name: slice(j * H, (j + 1) * H) for j, name in enumerate(order)}
        r = sigmoid(gi[:, k["r"]] + gh[:, k["r"]])
        z = sigmoid(gi[:, k["z"]] + gh[:, k["z"]])
        if reset_before:
            n = np.tanh(gi[:, k["n"]] + (r * h_prev) @ W_hh[k["n"]].T + b_hh[k["n"]])
        else:
            n = np.tanh(gi[:, k["n"]] + r * gh[:, k["n"]])
        return z * n + (1 - z) * h_prev if swapped else (1 - z) * n + z * h_prev

    return answer


def _gru_inputs(seed, B, D, H):
    def make():
        # c is drawn and dropped: the same draws as an LSTM's inputs, as these cases always had
        _, x, h, _, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(seed, B, D, H, gates=3, with_c=True)
        return x, h, W_ih, W_hh, b_ih, b_hh

    return make


GRU_STEP_FORWARD = Question(
    name="gru_step_forward",
    points=3,
    reference=gru_cell_forward,
    library=(f"{LIBRARY}.gru_cell_forward",),
    inputs_unchanged=True,
    cases=(
        Case(_gru_inputs(3, 2, 3, 4), "B = 2, D = 3, H = 4 (random weights, seed 3)"),
        Case(_gru_inputs(4, 3, 2, 2), "B = 3, D = 2, H = 2 (random weights, seed 4)"),
        Case(_gru_inputs(5, 4, 5, 3), "B = 4, D = 5, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The reset gate is applied before the matrix product (the original paper's form): torch applies it AFTER the hidden part's product, so it also scales b_hn.",
            _gru_wrong(reset_before=True),
        ),
        Mistake(
            "z and 1 - z are swapped: torch's GRU keeps the OLD state with weight z.",
            _gru_wrong(swapped=True),
        ),
        Mistake(
            "Wrong gate order: torch stacks the GRU blocks as r, z, n (reset, update, candidate).",
            _gru_wrong(order="zrn"),
        ),
    ),
    hint=(
        "torch's GRU keeps the input part and the hidden part of the affine maps apart "
        "(blocks r, z, n); the reset gate multiplies only the hidden part inside n; the new "
        "state interpolates between n and h_prev, with z the weight of h_prev."
    ),
)

# ----------------------------------------------------------------------------- 3. LSTM backward


def _backward_inputs(seed, B, D, H):
    def make():
        rng, x, h, c, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(
            seed, B, D, H, gates=4, with_c=True
        )
        return rng.normal(size=(B, H)), rng.normal(size=(B, H)), x, h, c, W_ih, W_hh, b_ih, b_hh

    return make


LSTM_STEP_BACKWARD = Question(
    name="lstm_step_backward",
    returns=("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db"),
    points=4,
    reference=lstm_cell_backward,
    library=(f"{LIBRARY}.lstm_cell_backward",),
    inputs_unchanged=True,
    cases=(
        Case(_backward_inputs(6, 2, 3, 4), "B = 2, D = 3, H = 4, random dh and dc (seed 6)"),
        Case(_backward_inputs(7, 3, 2, 2), "B = 3, D = 2, H = 2, random dh and dc (seed 7)"),
        Case(_backward_inputs(8, 4, 5, 3), "B = 4, D = 5, H = 3", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The gradient on c_t misses the path through h_t: c_t feeds the output (through a tanh and the output gate) as well as c_{t+1}, so both paths add up.",
            lstm_backward_wrong(h_path=False),
        ),
        Mistake(
            "The tanh derivative is taken at the wrong value: c_t itself is not squashed, so write tanh' through the tanh of c_t.",
            lstm_backward_wrong(tanh_of_c=False),
        ),
        Mistake(
            "dc_prev must be multiplied by the forget gate: on the cell path, c_prev reaches c_t only through f.",
            lstm_backward_wrong(forget_on_dc=False),
        ),
    ),
    hint=(
        "Recompute the gates from the inputs; the cell's gradient collects dc and what flows "
        "back through the output; each gate's pre-activation gradient then goes through that "
        "gate's own nonlinearity (sigmoid or tanh), in the blocks' order i, f, g, o; the "
        "weight and input gradients are the same matrix products as in the RNN step backward. "
        "Return them in the task's order."
    ),
)

# ----------------------------------------------------------------------------- 5. forget bias


def _init_forget_bias(bias_ih, bias_hh, value):
    H = len(bias_ih) // 4
    bias_ih, bias_hh = np.array(bias_ih, np.float64), np.array(bias_hh, np.float64)
    bias_ih[H : 2 * H] = value
    bias_hh[H : 2 * H] = 0.0
    return bias_ih, bias_hh


def _forget_bias_wrong(block=1, both=False, swapped=False):
    def answer(bias_ih, bias_hh, value):
        H = len(bias_ih) // 4
        bias_ih, bias_hh = bias_ih.copy(), bias_hh.copy()
        bias_ih[block * H : (block + 1) * H] = 0.0 if swapped else value
        bias_hh[block * H : (block + 1) * H] = value if both or swapped else 0.0
        return bias_ih, bias_hh

    return answer


def _same_sum_split(args, got):
    """True when ``got`` builds the right network with another split: every block as given, the
    forget blocks adding up to ``value``, and the hidden bias's forget block not zero."""
    bias_ih, bias_hh, value = args
    new_ih, new_hh = (np.asarray(a.to_numpy(), np.float64) for a in got)
    H = len(bias_ih) // 4
    f = slice(H, 2 * H)
    keep = np.r_[0:H, 2 * H : 4 * H]
    return bool(
        new_ih.shape == new_hh.shape == (4 * H,)
        and np.allclose(new_ih[keep], np.asarray(bias_ih)[keep], rtol=1e-6, atol=1e-8)
        and np.allclose(new_hh[keep], np.asarray(bias_hh)[keep], rtol=1e-6, atol=1e-8)
        and np.allclose(new_ih[f] + new_hh[f], value, rtol=1e-6, atol=1e-8)
        and not np.allclose(new_hh[f], 0.0, rtol=0, atol=1e-8)
    )


def _bias_inputs(seed, H, value):
    def make():
        rng = np.random.default_rng(seed)
        bound = 1 / np.sqrt(H)  # torch's default initialization
        return rng.uniform(-bound, bound, 4 * H), rng.uniform(-bound, bound, 4 * H), value

    return make


INIT_FORGET_BIAS = Question(
    name="init_forget_bias",
    returns=("new_ih", "new_hh"),
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
            "Both biases were set to value, so the forget gate sees twice the value: only the input bias's forget block gets it; the hidden bias's is zero.",
            _forget_bias_wrong(both=True),
        ),
        Mistake(
            "Your biases build the right network: their forget blocks add up to `value`, and only "
            "the sum b_if + b_hf reaches the forget gate. But the hidden bias's forget block is "
            "not zero, and the task asks for the course's one split (lectures 07 and 08 use it "
            "too): the whole value in the input bias `bias_ih`, zero in the hidden bias `bias_hh`.",
            _forget_bias_wrong(swapped=True),
            matches=_same_sum_split,
        ),
    ),
    hint=(
        "The forget gate is the second of the four blocks of H entries (torch's order i, f, "
        "g, o). Work on copies: set the input bias's forget block to `value` and the hidden "
        "bias's forget block to zero (the course's convention: only their sum reaches the gate), "
        "leaving the inputs unchanged; return both."
    ),
)

ASSIGNMENT = Assignment(
    id="08_lstm_gru",
    title="LSTM and GRU gating",
    questions=(
        LSTM_STEP_FORWARD,
        GRU_STEP_FORWARD,
        LSTM_STEP_BACKWARD,
        LSTM_BPTT,
        INIT_FORGET_BIAS,
    ),
)
