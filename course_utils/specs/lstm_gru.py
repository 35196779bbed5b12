"""Spec for exercise set 08: LSTM and GRU gating (redesigned for issue 21: the lecture writes one
LSTM step and one GRU step forward; every question here asks for what that teaching makes possible
but does not show).

Questions: ``coupled_lstm_step`` (a variant: the LSTM with coupled input and forget gates,
i = 1 - f), ``lstm_step_backward`` and ``gru_step_backward`` (derivations: the forward pass is
given, the gradient formulas are not), ``lstm_bptt`` (a derivation over a sequence). Shapes follow
torch, batch first in each step: ``x`` (B, D), ``h`` and ``c`` (B, H), ``W_ih`` (G*H, D), ``W_hh``
(G*H, H), biases (G*H,), with G = 4 gate blocks for the LSTM (order i, f, g, o), 3 for the
coupled LSTM (order f, g, o) and 3 for the GRU (order r, z, n); a sequence ``xs`` is (T, B, D),
time first as in ``torch.nn.LSTM``. The references of the step backward questions are the
library's cell equations (``course_utils.rnn.cells``: ``lstm_cell_backward``,
``gru_cell_backward``, which a graded answer may not call), run on copies of the inputs. The GRU
backward is in ``_gru_backward``; the BPTT question and the wrong LSTM backward passes in
``_lstm_backward``. Each mistake below is an implementation learners really write.
"""

from __future__ import annotations

import numpy as np

from ..rnn.cells import lstm_cell_backward
from ._gru_backward import GRU_STEP_BACKWARD
from ._lstm_backward import (
    DERIVED_ATOL,
    DERIVED_RTOL,
    LSTM_BPTT,
    NUMERICAL_CODE,
    TORCH_LSTM_FORWARD,
    lstm_backward_wrong,
    sigmoid,
)
from .base import Assignment, Case, Mistake, Question
from .rnn_bptt import LIBRARY, random_cell_inputs

# ----------------------------------------------------------------------------- 1. coupled LSTM


def coupled_lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of the LSTM with coupled input and forget gates (Greff et al. 2017, "CIFG"):
    torch's LSTM step with three blocks f, g, o and the input gate i = 1 - f. Returns (h, c)."""
    x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = (
        np.asarray(a, np.float64) for a in (x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    )
    H = h_prev.shape[-1]
    if (
        W_ih.shape[0] != 3 * H
        or W_hh.shape != (3 * H, H)
        or b_ih.shape != (3 * H,)
        or b_hh.shape != (3 * H,)
    ):
        raise ValueError(
            f"coupled_lstm_step needs 3H = {3 * H} rows in W_ih, W_hh and the biases (blocks f, "
            f"g, o), got W_ih {W_ih.shape}, W_hh {W_hh.shape}, b_ih {b_ih.shape}, b_hh {b_hh.shape}."
        )
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    f, g, o = sigmoid(a[:, :H]), np.tanh(a[:, H : 2 * H]), sigmoid(a[:, 2 * H :])
    c = f * c_prev + (1 - f) * g
    return o * np.tanh(c), c


def _coupled_wrong(order="fgo", input_first=False, tanh_c=True):
    def answer(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
        H = h_prev.shape[1]
        block = {name: a[:, k * H : (k + 1) * H] for k, name in enumerate(order)}
        first, g, o = sigmoid(block["f"]), np.tanh(block["g"]), sigmoid(block["o"])
        f, i = (1 - first, first) if input_first else (first, 1 - first)
        c = f * c_prev + i * g
        return (o * np.tanh(c) if tanh_c else o * c), c

    return answer


def _coupled_inputs(seed, B, D, H, keep=None):
    """``(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)`` with three gate blocks; ``keep``: the forget
    rows of ``b_ih`` set to logit(keep), so that f leans towards ``keep`` (a cell that keeps its
    content; the other terms of the pre-activation spread f around it, sb08 E6)."""

    def make(rng):
        _, x, h, c, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(rng, B, D, H, gates=3, with_c=True)
        if keep is not None:
            b_ih[:H] = np.log(keep / (1 - keep))
        return x, h, c, W_ih, W_hh, b_ih, b_hh

    return make if seed is None else (lambda: make(seed))


COUPLED_LSTM_STEP = Question(
    name="coupled_lstm_step",
    returns=("h", "c"),
    points=3,
    skill="variant",
    reference=coupled_lstm_step,
    # The lecture's forward step (and torch's LSTM) with the i rows set to the negated f rows
    # computes the answer by the trick the question states: the step is to be written out (rl08).
    library=(
        f"{LIBRARY}.lstm_cell_forward",
        f"{LIBRARY}.lstm_gates_forward",
        f"{LIBRARY}.LSTM.forward",
        f"{LIBRARY}.LSTM.__call__",
        f"{LIBRARY}._fast_lstm.forward",
        # torch's modules and the kernels they call, which take the same negated rows without the
        # module (sa08), also under torch.ops.aten (sb08)
        *TORCH_LSTM_FORWARD,
    ),
    inputs_unchanged=True,
    cases=(
        Case(_coupled_inputs(0, 2, 3, 4), "B = 2, D = 3, H = 4 (random weights, seed 0)"),
        Case(_coupled_inputs(1, 1, 2, 2), "B = 1, D = 2, H = 2 (random weights, seed 1)"),
        Case(
            _coupled_inputs(2, 3, 2, 3, keep=0.99),
            "B = 3, D = 2, H = 3, the forget rows of b_ih set to log(99) (sigmoid 0.99): the cell "
            "mostly kept (seed 2)",
        ),
        Case(_coupled_inputs(None, 5, 4, 3), "B = 5, D = 4, H = 3", hidden=True),
        Case(
            _coupled_inputs(None, 2, 3, 6, keep=0.9),
            "B = 2, H = 6, the forget rows of b_ih set to log(9) (sigmoid 0.9)",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "The coupling is the wrong way round for this exercise: here the first block of three "
            "is the FORGET gate f, and the input gate is its complement, derived from it (what "
            "the cell does not keep, it writes). Greff et al. keep the input gate and derive the "
            "forget gate from it, the same model class, but the blocks given here are f, g, o.",
            _coupled_wrong(input_first=True),
        ),
        Mistake(
            "Wrong block order: dropping the input gate from torch's i, f, g, o leaves f, g, o: "
            "the candidate g is the SECOND block and the output gate o the last.",
            _coupled_wrong(order="fog"),
        ),
        Mistake(
            "The new cell goes through a tanh before the output gate scales it, as in the LSTM.",
            _coupled_wrong(tanh_c=False),
        ),
    ),
    hint=(
        "Three blocks of H columns from one affine map of x and h_prev, in the order f, g, o; "
        "sigmoid for the gates, tanh for the candidate; the input gate is not a block of its own "
        "but the complement of the forget gate; then the cell and the output as in the LSTM. "
        "Return (h, c)."
    ),
)

# ----------------------------------------------------------------------------- 2. LSTM backward


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
    skill="derivation",
    reference=lstm_cell_backward,
    # the cell, its gate equations and the layer's backward (a one-step sequence) all compute it
    library=(
        f"{LIBRARY}.lstm_cell_backward",
        f"{LIBRARY}.lstm_gates_backward",
        f"{LIBRARY}.LSTM.backward",
        f"{LIBRARY}._fast_lstm.backward",
        *NUMERICAL_CODE,
    ),
    rtol=DERIVED_RTOL,
    atol=DERIVED_ATOL,
    inputs_unchanged=True,
    cases=(
        Case(_backward_inputs(6, 2, 3, 4), "B = 2, D = 3, H = 4, random d_h and d_c (seed 6)"),
        Case(_backward_inputs(7, 3, 2, 2), "B = 3, D = 2, H = 2, random d_h and d_c (seed 7)"),
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
        Mistake(
            "dc_prev is built from the given d_c alone: c_prev reaches the loss through c_t, and "
            "the gradient on c_t is the TOTAL, d_c plus the part through h_t, so dc_prev is that "
            "total times f.",
            lstm_backward_wrong(prev_from_total=False),
        ),
        Mistake(
            "The weights' and bias's gradients are averaged over the batch: the task asks for "
            "them summed over the batch (every row of the batch adds its own term to the loss).",
            lstm_backward_wrong(summed=False),
        ),
    ),
    hint=(
        "Recompute the gates from the inputs; the cell's gradient collects d_c and what flows "
        "back through the output; each gate's pre-activation gradient then goes through that "
        "gate's own nonlinearity (sigmoid or tanh), in the blocks' order i, f, g, o; the "
        "weight and input gradients are the same matrix products as in each step of rnn_bptt "
        "(lecture 06 §3). Return them in the task's order."
    ),
)

ASSIGNMENT = Assignment(
    id="08_lstm_gru",
    title="LSTM and GRU gating",
    questions=(
        COUPLED_LSTM_STEP,
        LSTM_STEP_BACKWARD,
        LSTM_BPTT,
        GRU_STEP_BACKWARD,
    ),
)
