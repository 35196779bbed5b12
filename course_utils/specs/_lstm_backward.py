"""Exercise 08's backward passes through an LSTM: the wrong one-step backward passes learners
write (question 2's mistakes, also the steps of question 3's) and question 3, ``lstm_bptt``,
backpropagation through time over a whole sequence.

A private part of the spec ``lstm_gru`` (the registry skips modules whose name starts with ``_``),
kept apart so that each module stays small. ``lstm_bptt``'s reference is the library's layer
``course_utils.rnn.LSTM`` (forward, then backward) on copies of the inputs; an answer may call
neither the layer nor the library's one-step LSTM cells (the lecture's forward step and question
2's reference): it writes the steps inside, as ``residual_bptt`` in exercise 06, so that each question is
graded on its own. Shapes: ``xs`` (T, B, D), time first as in ``torch.nn.LSTM``; ``h0``, ``c0``
(B, H); torch's LSTM weights, gate blocks i, f, g, o; ``d_hs`` (T, B, H), the loss's gradient on
every h_t.
"""

from __future__ import annotations

import numpy as np

from ..rnn.cells import lstm_cell_backward, lstm_cell_forward
from ..rnn.layers import LSTM
from .base import Case, Mistake, Question
from .rnn_bptt import LIBRARY, random_cell_inputs

#: Questions 2-4 are derivations (rm08 point 8, as exercise 06 after rm06 E1): the course's own
#: finite-difference estimator scores 0, and the tolerance refuses hand-written float64 central
#: differences (off by about 1e-10 absolute at eps 1e-6, far more than 1e-12 on the small entries;
#: in np.longdouble they can meet it, sf08 E1: the text says so, scored 0 by hand), while an
#: exact derivation summed in another order agrees to about 1e-15.
NUMERICAL_CODE = ("course_utils.gradcheck.numerical_gradient",)
DERIVED_RTOL, DERIVED_ATOL = 1e-9, 1e-12

#: torch's LSTM forward in every form the check can watch: the modules and the kernels they call,
#: also under ``torch.ops.aten`` (sb08 E2). Question 1 bans them (the negated-rows trick), and
#: question 3 too (sb08 E1: states taken from torch's cell under ``no_grad`` are the library's
#: forward by another name). ``torch._C._VariableFunctions.lstm_cell``, the object behind
#: ``torch._VF.lstm_cell``, cannot be watched: its class is immutable (the text says so).
TORCH_LSTM_FORWARD = (
    "torch.nn.LSTM.forward",
    "torch.nn.LSTMCell.forward",
    "torch.lstm_cell",
    "torch.lstm",
    "torch._VF.lstm_cell",
    "torch._VF.lstm",
    "torch.ops.aten.lstm_cell",
    "torch.ops.aten.lstm",
)

# ----------------------------------------------------------------------------- the specs' sigmoid


def sigmoid(a):
    """The gates' sigmoid for the references and mistakes of exercise 08 (also the GRU's). Not the
    library's ``course_utils.activations.sigmoid``: a reference that calls a public library
    function reads as delegating the answer to it (tests/test_grading_library_rule.py)."""
    return 1 / (1 + np.exp(-a))


# ----------------------------------------------------------------------------- one step backward, wrong


def lstm_backward_wrong(
    h_path=True, tanh_of_c=True, forget_on_dc=True, prev_from_total=True, summed=True
):
    """One LSTM step's backward; each flag set to False makes its mistake (all True: the right one;
    ``summed=False``: the weights' gradients averaged over the batch)."""

    def answer(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
        H = h_prev.shape[1]
        i, f = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H])
        g, o = np.tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
        c = f * c_prev + i * g
        tc = np.tanh(c)
        dtanh = 1 - tc**2 if tanh_of_c else 1 - c**2
        d_c = dc + dh * o * dtanh if h_path else dc
        d_a = np.concatenate(
            [d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f), d_c * i * (1 - g**2),
             dh * tc * o * (1 - o)], axis=1,
        )  # fmt: skip
        dc_prev = (d_c if prev_from_total else dc) * f if forget_on_dc else d_c
        n = 1 if summed else len(x)
        return d_a @ W_ih, d_a @ W_hh, dc_prev, d_a.T @ x / n, d_a.T @ h_prev / n, d_a.sum(0) / n

    return answer


# ----------------------------------------------------------------------------- question 3: BPTT


def _lstm_bptt(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs):
    """The library's LSTM layer on copies of the inputs: forward from (h0, c0), then BPTT with the
    upstream gradient d_hs on every h_t. Returns (dxs, dh0, dc0, dW_ih, dW_hh, db)."""
    xs = np.array(xs, np.float64)
    layer = LSTM(xs.shape[2], np.shape(h0)[1])
    weights = (W_ih, W_hh, b_ih, b_hh)
    layer.params = {k: np.array(w, np.float64) for k, w in zip(layer.params, weights, strict=True)}
    layer.forward(xs, (np.array(h0, np.float64)[None], np.array(c0, np.float64)[None]))
    dxs, (dh0, dc0) = layer.backward(np.array(d_hs, np.float64))
    grads = layer.grads
    return dxs, dh0[0], dc0[0], grads["weight_ih"], grads["weight_hh"], grads["bias_ih"]


def _bptt_wrong(*, carry_h=True, carry_c=True, step=lstm_cell_backward, own_state=False,
                stop=0, accumulate=True):  # fmt: skip
    """A BPTT loop over the cells with one mistake (the keyword that is not at its default)."""

    def answer(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs):
        hs, cs = [h0], [c0]  # hs[t] is h_{t-1}, the state step t starts from
        for x in xs:
            h, c = lstm_cell_forward(x, hs[-1], cs[-1], W_ih, W_hh, b_ih, b_hh)
            hs.append(h)
            cs.append(c)
        dxs, grads = np.zeros_like(xs), [np.zeros_like(W_ih), np.zeros_like(W_hh), 0 * b_ih]
        dh, dc = np.zeros_like(h0), np.zeros_like(c0)
        for t in range(len(xs) - 1, stop - 1, -1):
            k = t + 1 if own_state else t
            dxs[t], dh_prev, dc_prev, *g = step(
                d_hs[t] + dh * carry_h, dc * carry_c, xs[t], hs[k], cs[k], W_ih, W_hh, b_ih, b_hh
            )
            grads = [a + b for a, b in zip(grads, g, strict=True)] if accumulate else g
            dh, dc = dh_prev, dc_prev
        return dxs, dh, dc, *grads

    return answer


def _bptt_inputs(seed, T, B, D, H, last_only=False):
    """xs (T, B, D), h0, c0, torch-layout LSTM weights and d_hs (T, B, H) from ``seed``, or from
    the generator the case is given if ``seed`` is None; ``last_only``: the loss sees only h_T, the
    last step (d_hs zero before)."""

    def make(rng):
        rng, xs, h0, c0, W_ih, W_hh, b_ih, b_hh = random_cell_inputs(
            rng, B, D, H, gates=4, T=T, with_c=True
        )
        d_hs = rng.normal(size=(T, B, H))
        if last_only:
            d_hs[:-1] = 0.0
        return xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs

    return make if seed is None else (lambda: make(seed))  # seed None: a generated case


LSTM_BPTT = Question(
    name="lstm_bptt",
    points=4,
    skill="derivation",
    reference=_lstm_bptt,
    returns=("dxs", "dh0", "dc0", "dW_ih", "dW_hh", "db"),
    inputs_unchanged=True,
    cases=(
        Case(_bptt_inputs(12, 5, 2, 3, 4), "T = 5, B = 2, D = 3, H = 4, random d_hs (seed 12)"),
        Case(
            _bptt_inputs(13, 8, 3, 2, 3, last_only=True),
            "T = 8, B = 3, D = 2, H = 3, a loss on the last h only: d_hs[:-1] is zero (seed 13)",
        ),
        Case(_bptt_inputs(14, 1, 2, 2, 3), "a single step, T = 1 (seed 14)"),
        Case(_bptt_inputs(None, 6, 3, 4, 5), "T = 6, B = 3, D = 4, H = 5", hidden=True),
        Case(
            _bptt_inputs(None, 20, 2, 2, 3, last_only=True),
            "T = 20, a loss on the last h only",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "The cell's gradient is not carried back: c_t feeds step t+1 as well as h_t, so the "
            "gradient on c_t that step t+1's backward returns goes into step t's backward, where "
            "it joins the part arriving through h_t. Passing zeros there cuts the cell path, the "
            "one the LSTM was built for.",
            _bptt_wrong(carry_c=False),
        ),
        Mistake(
            "The gradient on c_t misses the part that arrives through h_t: c_t reaches the loss "
            "through c_{t+1} AND through the output at step t (a tanh and the output gate), and "
            "the two add up before going back through the gates (question 2).",
            _bptt_wrong(step=lstm_backward_wrong(h_path=False)),
        ),
        Mistake(
            "The hidden state's gradient is not carried back: h_t feeds step t+1 as well as the "
            "loss, so the gradient on h_t is d_hs[t-1] plus the one that step t+1's backward returns "
            "on its previous state.",
            _bptt_wrong(carry_h=False),
        ),
        Mistake(
            "The forget gate is missing on the cell path: c_{t-1} reaches c_t only through f_t, "
            "so the gradient carried back to c_{t-1} is the total gradient on c_t scaled by f_t "
            "(look at the dc_prev of your step backward).",
            _bptt_wrong(step=lstm_backward_wrong(forget_on_dc=False)),
        ),
        Mistake(
            "The gradient carried back to c_{t-1} is built from the part of the gradient on c_t "
            "that came from step t+1 alone: it is the TOTAL gradient on c_t (that part plus the "
            "one through h_t) times f_t.",
            _bptt_wrong(step=lstm_backward_wrong(prev_from_total=False)),
        ),
        Mistake(
            "Off by one in the states: the backward of step t needs the states that step STARTED "
            "from, h_{t-1} and c_{t-1} (h0 and c0 at the first step), not the h_t and c_t it produced.",
            _bptt_wrong(own_state=True),
        ),
        Mistake(
            "Off by one in the loop: the reversed loop must visit every step, array index T - 1 "
            "down to 0 included; yours stops before the first step, so xs[0] gets no gradient and "
            "the step from (h0, c0) is never gone back through.",
            _bptt_wrong(stop=1),
        ),
        Mistake(
            "The weight gradients keep only one step: W_ih, W_hh and the biases are the same at "
            "every step, so their gradients are SUMMED over all T steps, not overwritten.",
            _bptt_wrong(accumulate=False),
        ),
    ),
    hint=(
        "Forward from (h0, c0), keeping every state. Backward from the last step to the first: "
        "two gradients travel back through time, one on h and one on c; each step's backward "
        "takes the gradient on its h (the loss's own plus what came back from the next step) and "
        "the one on its c, and the weight gradients add up over the steps. Return (dxs, dh0, dc0, "
        "dW_ih, dW_hh, db)."
    ),
    # The loop is the question. The layer computes the whole answer, and the one-step cells are
    # question 2's reference and the lecture's forward step (an answer calling them scores 0 here
    # as well): the steps are written inside, as in exercise 06. torch's LSTM forward is the same
    # forward by another name, banned as in question 1 (sb08 E1).
    library=(
        f"{LIBRARY}.LSTM.backward",
        f"{LIBRARY}.LSTM.forward",
        f"{LIBRARY}.LSTM.__call__",
        f"{LIBRARY}._fast_lstm.forward",
        f"{LIBRARY}._fast_lstm.backward",
        f"{LIBRARY}.lstm_cell_forward",
        f"{LIBRARY}.lstm_cell_backward",
        f"{LIBRARY}.lstm_gates_forward",
        f"{LIBRARY}.lstm_gates_backward",
        *TORCH_LSTM_FORWARD,
        *NUMERICAL_CODE,
    ),
    rtol=DERIVED_RTOL,
    atol=DERIVED_ATOL,
)
