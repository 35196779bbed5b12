"""Spec for exercise set 06: recurrent networks and backpropagation through time.

Redesigned for issue 21 (no graded answer is the lecture's code). The lecture writes the tanh
RNN's forward pass, its BPTT and the temperature softmax; the questions ask for what that teaching
makes possible but does not show:

1. ``residual_rnn_forward`` (warm-up, 2): the forward pass of a residual RNN,
   h_t = h_{t-1} + tanh(a_t);
2. ``residual_bptt`` (derivation, 4): its BPTT, derived by the learner (``_residual_rnn``);
3. ``truncated_bptt`` (new problem, 4): lecture §6's truncated BPTT with the state carried,
   written from scratch for the tanh RNN (``_truncated_bptt``);
4. ``temperature_limits`` (prediction, 2): the entropy of softmax(y / τ) as τ → 0+ and τ → ∞,
   predicted, then measured in the notebook (``_temperature_limits``).

Shapes follow torch: ``x`` (B, D), ``h`` (B, H), ``W_ih`` (H, D), ``W_hh`` (H, H), biases (H,).
Each mistake is an implementation learners really write; the check names it when the learner's
output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ._residual_rnn import LIBRARY, RESIDUAL_BPTT, RESIDUAL_RNN_FORWARD
from ._temperature_limits import TEMPERATURE_LIMITS
from ._truncated_bptt import TRUNCATED_BPTT
from .base import Assignment

__all__ = ["ASSIGNMENT", "LIBRARY", "random_cell_inputs"]


def random_cell_inputs(seed, B, D, H, *, gates=1, T=None, with_c=False):
    """``(rng, x, h, [c,] W_ih, W_hh, b_ih, b_hh)`` drawn from ``default_rng(seed)`` in this order,
    torch's shapes for a cell of ``gates`` blocks of H rows (x of shape (T, B, D) if T is given;
    the cell state c, drawn after h, only ``with_c``). Spec 08 uses it."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, D) if T is None else (T, B, D))
    h = rng.normal(scale=0.5, size=(B, H))
    c = (rng.normal(scale=0.8, size=(B, H)),) if with_c else ()
    W_ih = rng.normal(scale=0.6, size=(gates * H, D))
    W_hh = rng.normal(scale=0.6, size=(gates * H, H))
    b_ih, b_hh = rng.normal(scale=0.3, size=gates * H), rng.normal(scale=0.3, size=gates * H)
    return rng, x, h, *c, W_ih, W_hh, b_ih, b_hh


ASSIGNMENT = Assignment(
    id="06_rnn_bptt",
    title="Recurrent networks and backpropagation through time",
    questions=(RESIDUAL_RNN_FORWARD, RESIDUAL_BPTT, TRUNCATED_BPTT, TEMPERATURE_LIMITS),
)
