"""Exercise 08's GRU step backward (``gru_step_backward``, a derivation: the exercise gives torch's
GRU forward and the names of the gradients, not their formulas) and the wrong backward passes
learners write.

A private part of the spec ``lstm_gru`` (the registry skips modules whose name starts with ``_``).
The reference is the library's ``course_utils.rnn.cells.gru_cell_backward`` on copies of the
inputs, which a graded answer may not call. Shapes: ``dh``, ``h_prev`` (B, H), ``x`` (B, D),
``W_ih`` (3H, D), ``W_hh`` (3H, H), biases (3H,), gate blocks r, z, n; torch's convention: the
reset gate multiplies ``W_hn h_prev + b_hn`` after the matrix product, and
``h = (1 - z) * n + z * h_prev``. The GRU's two biases get different gradients in the n block.
"""

from __future__ import annotations

import numpy as np

from ..rnn.cells import gru_cell_backward
from ._lstm_backward import DERIVED_ATOL, DERIVED_RTOL, NUMERICAL_CODE, sigmoid
from .base import Case, Mistake, Question
from .rnn_bptt import LIBRARY, random_cell_inputs


def gru_backward_wrong(
    reset_before=False, flipped=False, shared_bias=False, direct=True, bias_only=False, mean=False
):
    """One GRU step's forward and backward; each keyword away from its default makes its mistake
    (all at their defaults: the right backward). ``reset_before``: the reset gate on h_prev before
    W_hn (the form of Cho et al. 2014's published, EMNLP version); ``flipped``: h = z n + (1 - z) h_prev; ``shared_bias``: the n
    block of the hidden part gets the input part's gradient (no factor r); ``direct=False``: the
    path h = ... + z h_prev is missing from dh_prev; ``bias_only``: only db_hh's n block misses the
    factor r (dW_hh has it); ``mean``: the parameters' gradients averaged over the batch."""

    def answer(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
        H = h_prev.shape[1]
        gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
        r = sigmoid(gi[:, :H] + gh[:, :H])
        z = sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        W_n, b_n = W_hh[2 * H :], b_hh[2 * H :]
        inner = (r * h_prev) @ W_n.T + b_n if reset_before else r * gh[:, 2 * H :]
        n = np.tanh(gi[:, 2 * H :] + inner)
        w_n, w_h = (z, 1 - z) if flipped else (1 - z, z)  # h = w_n n + w_h h_prev
        d_an = dh * w_n * (1 - n**2)
        d_z = dh * (n - h_prev) if flipped else dh * (h_prev - n)
        if reset_before:
            d_rh = d_an @ W_n  # the gradient on r * h_prev
            d_r, extra = d_rh * h_prev, d_rh * r
        else:
            d_r, extra = d_an * gh[:, 2 * H :], 0.0
        d_gi = np.concatenate([d_r * r * (1 - r), d_z * z * (1 - z), d_an], axis=1)
        d_gh = d_gi.copy()
        if not (shared_bias or reset_before):
            d_gh[:, 2 * H :] = d_an * r
        dW_hh = d_gh.T @ h_prev
        if reset_before:
            dW_hh[2 * H :] = d_an.T @ (r * h_prev)
            d_h_prev = d_gh[:, : 2 * H] @ W_hh[: 2 * H] + extra
        else:
            d_h_prev = d_gh @ W_hh
        if direct:
            d_h_prev = d_h_prev + dh * w_h
        db_hh = d_gh.sum(axis=0)
        if bias_only:
            db_hh[2 * H :] = d_an.sum(axis=0)
        params = [d_gi.T @ x, dW_hh, d_gi.sum(axis=0), db_hh]
        if mean:
            params = [p / len(x) for p in params]
        return (d_gi @ W_ih, d_h_prev, *params)

    return answer


def _gru_backward_inputs(seed, B, D, H):
    """``(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh)`` from ``seed``, or from the generator the case
    is given when ``seed`` is None (a generated hidden case)."""

    def make(rng):
        rng, x, h, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(rng, B, D, H, gates=3)
        return rng.normal(size=(B, H)), x, h, W_ih, W_hh, b_ih, b_hh

    return make if seed is None else (lambda: make(seed))


GRU_STEP_BACKWARD = Question(
    name="gru_step_backward",
    returns=("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"),
    points=5,
    skill="derivation",
    reference=gru_cell_backward,
    # the cell, its gate equations and the layer's backward (a one-step sequence) all compute it
    library=(
        f"{LIBRARY}.gru_cell_backward",
        f"{LIBRARY}.gru_gates_backward",
        f"{LIBRARY}.GRU.backward",
        *NUMERICAL_CODE,
    ),
    rtol=DERIVED_RTOL,
    atol=DERIVED_ATOL,
    inputs_unchanged=True,
    cases=(
        Case(_gru_backward_inputs(20, 2, 3, 4), "B = 2, D = 3, H = 4, random d_h (seed 20)"),
        Case(_gru_backward_inputs(21, 3, 2, 2), "B = 3, D = 2, H = 2, random d_h (seed 21)"),
        Case(_gru_backward_inputs(22, 1, 1, 1), "B = D = H = 1, one number each (seed 22)"),
        Case(_gru_backward_inputs(None, 4, 5, 3), "B = 4, D = 5, H = 3", hidden=True),
        Case(_gru_backward_inputs(None, 2, 2, 6), "B = 2, D = 2, H = 6", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The reset gate is in the wrong place: these are the gradients of the GRU whose reset "
            "gate multiplies h_prev BEFORE W_hn (the published, EMNLP version of Cho et al. "
            "2014; its first arXiv version, torch and cuDNN put it after). torch's candidate reads "
            "r ⊙ (W_hn h_prev + b_hn): the reset gate scales the whole hidden part, after the "
            "product, bias included.",
            gru_backward_wrong(reset_before=True),
        ),
        Mistake(
            "The update gate's convention is flipped: these are the gradients of the GRU in "
            "which z weights the new candidate n (Chung et al. 2014's and Olah's form). In torch's "
            "GRU z is the weight of the OLD state h_prev and 1 - z the weight of the candidate.",
            gru_backward_wrong(flipped=True),
        ),
        Mistake(
            "The n blocks of the two biases' gradients are taken equal, as in the LSTM: in the GRU "
            "b_hn sits inside the reset gate's product and b_in outside it, so the hidden part's "
            "n block (db_hh, dW_hh and what reaches dh_prev through W_hn) carries one more factor.",
            gru_backward_wrong(shared_bias=True),
        ),
        Mistake(
            "dh_prev misses the direct path: h_prev reaches h through the interpolation with the "
            "update gate as well as through the three gate pre-activations, and the two parts add "
            "up.",
            gru_backward_wrong(direct=False),
        ),
        Mistake(
            "db_hh's n block misses the reset gate: b_hn is added inside r's product, before r "
            "multiplies it, so its gradient carries the factor r, as dW_hh's n block does.",
            gru_backward_wrong(bias_only=True),
        ),
        Mistake(
            "The weights' and biases' gradients are averaged over the batch: the task asks for "
            "them summed over the batch (every row of the batch adds its own term to the loss).",
            gru_backward_wrong(mean=True),
        ),
    ),
    hint=(
        "Recompute r, z and n from the inputs, keeping the input part and the hidden part of the "
        "pre-activations apart. Go back through the interpolation first (to n, to z and directly "
        "to h_prev), then through tanh and the sigmoids; the reset gate's gradient is the "
        "candidate's pre-activation gradient times what r multiplies. The input part and the "
        "hidden part differ only in the n block. Return the six arrays in the task's order."
    ),
)
