"""Exercise 06, question 3: truncated BPTT with the state carried across chunks (lecture §6),
written for the from-scratch tanh RNN of §1 and §3 (the lecture does it in torch with ``detach``).

The sequence is cut into consecutive chunks of ``k`` steps (the lecture's K) from its start (the last may be
shorter). The forward pass runs over the whole sequence, the state carried from chunk to chunk;
the backward pass of each chunk stops at the chunk's first state: the gradient that would flow
from chunk c + 1 into the last state of chunk c is dropped, as ``h = h_n.detach()`` drops it.
"""

from __future__ import annotations

import numpy as np

from ._residual_rnn import (
    BACKWARD_CODE,
    DERIVED_ATOL,
    DERIVED_RTOL,
    FORWARD_CODE,
    float32_mistake,
    residual_inputs,
)
from .base import AUTOGRAD, Case, Mistake, Question


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}.")


def _truncated_bptt(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k, *, carry=True, cut=True,
                    from_end=False, cut_h0=False, zero_start=False, one_based=False):  # fmt: skip
    """(dxs, dh0, dW_ih, dW_hh, db) of truncated BPTT; the flags make the mistakes below."""
    _check_k(k)
    T = len(xs)
    position = (lambda t: T - t) if from_end else (lambda t: t + 1) if one_based else (lambda t: t)
    starts = {t for t in range(T) if position(t) % k == 0}  # chunk starts
    hs, h = [], h0
    for t in range(T):
        if t in starts and not carry:
            h = h0  # independent windows: every chunk read from h0
        h = np.tanh(xs[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        hs.append(h)
    dxs = np.zeros_like(xs)
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b_ih)
    delta_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = h0 if t == 0 or (t in starts and not carry) else hs[t - 1]
        if zero_start and t in starts and t > 0:
            h_prev = np.zeros_like(h0)  # the detached state taken as zero, in the backward only
        da = (d_hs[t] + delta_next) * (1 - hs[t] ** 2)
        dxs[t] = da @ W_ih
        dW_ih, dW_hh, db = dW_ih + da.T @ xs[t], dW_hh + da.T @ h_prev, db + da.sum(axis=0)
        delta_next = da @ W_hh
        if cut and t in starts and (t > 0 or cut_h0):
            delta_next = np.zeros_like(h0)  # the boundary: nothing flows into chunk c - 1
    return dxs, delta_next, dW_ih, dW_hh, db


def _inputs(seed, T, B, D, H, k):
    return lambda: (*residual_inputs(seed, T, B, D, H, grads=True)(), k)


def _generated(T, B, D, H, k):
    return lambda rng: _inputs(int(rng.integers(2**31)), T, B, D, H, k)()


TRUNCATED_BPTT = Question(
    name="truncated_bptt",
    returns=("dxs", "dh0", "dW_ih", "dW_hh", "db"),
    points=4,
    skill="new problem",
    reference=_truncated_bptt,
    rtol=DERIVED_RTOL,
    atol=DERIVED_ATOL,
    library=(
        *FORWARD_CODE,
        *BACKWARD_CODE,
        *AUTOGRAD,  # torch with h.detach() (lecture §6) computes this gradient for you
    ),
    inputs_unchanged=True,
    cases=(
        Case(_inputs(10, 7, 2, 3, 4, 3), "T = 7, k = 3: chunks of 3, 3 and 1 steps (seed 10)"),
        Case(_inputs(11, 6, 1, 2, 3, 2), "T = 6, k = 2: three chunks of 2 steps (seed 11)"),
        Case(_inputs(12, 4, 2, 2, 3, 4), "k = T = 4: one chunk, full BPTT (seed 12)"),
        Case(_inputs(13, 3, 2, 2, 3, 5), "k = 5 > T = 3: one chunk, full BPTT (seed 13)"),
        Case(_inputs(14, 5, 2, 2, 3, 1), "k = 1: every step its own chunk (seed 14)"),
        Case(_inputs(17, 0, 2, 3, 4, 3), "an empty sequence, T = 0: dxs of shape (0, B, D)"),
        Case(_inputs(15, 3, 1, 2, 2, 0), "k = 0 (must raise ValueError)", raises="ValueError"),
        Case(
            _inputs(18, 3, 1, 2, 2, 2.5),
            "k = 2.5, not an integer (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            _inputs(19, 3, 1, 2, 2, True),
            "k = True, a bool (must raise ValueError: Python counts it as the integer 1, the "
            "task does not)",
            raises="ValueError",
        ),
        Case(
            _inputs(20, 7, 2, 3, 4, np.int64(3)),
            "T = 7, k = np.int64(3): a numpy integer is a valid k (seed 20)",
        ),
        Case(_generated(9, 3, 2, 4, 4), "T = 9, k = 4, random", hidden=True),
        Case(_generated(8, 2, 3, 3, 3), "T = 8, k = 3, random", hidden=True),
        Case(_inputs(16, 3, 1, 2, 2, -2), "k = -2", hidden=True, raises="ValueError"),
        Case(
            _inputs(21, 3, 1, 2, 2, 3.0),
            "k = 3.0, a float with an integer value (must raise ValueError: k must be a Python "
            "or numpy integer)",
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "Nothing is truncated: the gradient must stop at every chunk boundary (as "
            "detach() stops it in lecture §6), so no chunk sends gradient into the chunk "
            "before it.",
            lambda *a: _truncated_bptt(*a, cut=False),
        ),
        Mistake(
            "Each chunk was read from h0: that is the independent windows of lecture §6. Here "
            "the forward state is carried from one chunk into the next; only the gradient is cut.",
            lambda *a: _truncated_bptt(*a, carry=False),
        ),
        Mistake(
            "Your chunks are counted from the end of the sequence: they are counted from its "
            "start, so only the LAST chunk may be shorter than k.",
            lambda *a: _truncated_bptt(*a, from_end=True),
        ),
        Mistake(  # rn0607 06-4: steps counted from 1, the commonest wrong chunking
            "Your chunk boundaries are one step early, as if the steps were counted from 1: they "
            "are numbered from 0, so the first chunk, like every chunk but the last, is k steps "
            "long, not k - 1.",
            lambda *a: _truncated_bptt(*a, one_based=True),
        ),
        Mistake(
            "dh0 is zero: h0 starts the first chunk and is not detached, so it receives the "
            "gradient of the first chunk's losses; only the states that start later chunks are "
            "cut off.",
            lambda *a: _truncated_bptt(*a, cut_h0=True),
        ),
        Mistake(
            "In dW_hh, the first step of each later chunk took its starting state as zero: the "
            "detached state is a constant, not zero. It still multiplies into that step, so the "
            "step's term of dW_hh uses the state carried from the chunk before; only the "
            "gradient flowing back through it into that chunk is cut.",
            lambda *a: _truncated_bptt(*a, zero_start=True),
        ),
        float32_mistake(_truncated_bptt),
    ),
    hint=(
        "Run the forward pass over the whole sequence with the state carried; in the backward "
        "pass, the gradient that flows from a step to the state before it must not cross into "
        "an earlier chunk: work out at which steps of your backward loop that happens, and "
        "whether h0 is a detached state; the weight gradients still sum over every step; an "
        "empty sequence gives zero gradients; k must be an integer of at least 1."
    ),
)
