"""Exercise 06, questions 1 and 2: a residual RNN, h_t = h_{t-1} + tanh(a_t), forward and BPTT.

The lecture writes the plain tanh RNN and its BPTT; the residual form is not in it, so its
backward pass is a derivation: the identity path adds the whole of df/dh_t to df/dh_{t-1}, and
tanh' is taken at tanh(a_t) = h_t - h_{t-1}, not at h_t. Shapes as in torch, sequence first:
``xs`` (T, B, D), ``h0`` (B, H), ``W_ih`` (H, D), ``W_hh`` (H, H), biases (H,), ``d_hs`` (T, B, H).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question

LIBRARY = "course_utils.rnn"  # the package re-exports the cells

#: What exercise 06's answers may not call (its opening: "none may call `course_utils.rnn`", nor
#: torch's recurrent modules): the cells (whole step and activation alone), the course layer's
#: public passes, and torch's RNN modules, each of which computes the plain RNN's forward pass.
FORWARD_CODE = (
    f"{LIBRARY}.rnn_cell_forward",
    f"{LIBRARY}.rnn_gates_forward",
    f"{LIBRARY}.base.Recurrent.forward",
    "torch.nn.RNN.forward",
    "torch.nn.RNNCell.forward",
)
BACKWARD_CODE = (
    f"{LIBRARY}.rnn_cell_backward",
    f"{LIBRARY}.rnn_gates_backward",
    f"{LIBRARY}.base.Recurrent.backward",
    # finite differences instead of a derivation (rm06 E1): the course's own estimator scores 0,
    # and DERIVED_RTOL below refuses hand-written ones on the longer cases
    "course_utils.gradcheck.numerical_gradient",
)
#: The tolerance of questions 2 and 3 (rm06 E1): central differences are off by about 1e-7
#: relative on the T = 30 case, an exact derivation summed in another order by about 1e-15.
DERIVED_RTOL, DERIVED_ATOL = 1e-9, 1e-12


def _residual_forward(xs, h0, W_ih, W_hh, b_ih, b_hh, *, skip=True, inside=False, first=False):
    """All hidden states (T, B, H); the flags make the mistakes below."""
    hs, h = [], h0
    for x_t in xs:
        a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        h = np.tanh(a + h) if inside else (h + np.tanh(a) if skip else np.tanh(a))
        hs.append(h)
    out = np.stack(hs) if hs else np.empty((0, *h0.shape))
    return np.concatenate([h0[None], out]) if first else out


def residual_inputs(seed, T, B, D, H, *, grads=False):
    """``(xs, h0, W_ih, W_hh, b_ih, b_hh[, d_hs])`` from ``default_rng(seed)``; small weights, so
    that the states of a residual RNN (which can grow by up to 1 a step) stay moderate."""

    def make():
        rng = np.random.default_rng(seed)
        xs, h0 = rng.normal(size=(T, B, D)), rng.normal(scale=0.5, size=(B, H))
        W_ih, W_hh = rng.normal(scale=0.5, size=(H, D)), rng.normal(scale=0.4, size=(H, H))
        b_ih, b_hh = rng.normal(scale=0.3, size=H), rng.normal(scale=0.3, size=H)
        d_hs = (rng.normal(size=(T, B, H)),) if grads else ()
        return xs, h0, W_ih, W_hh, b_ih, b_hh, *d_hs

    return make


def float32_mistake(reference):
    """A named mistake for the whole family of answers computed in float32 (ri06 E3): it matches
    an answer within 1e-4 of the reference relative to each returned array's largest entry (float32
    round-off, ~1e-7 a step, accumulates to ~1e-6 over the cases' steps; rtol 1e-6 catches it on a
    few entries only). Its member ``answer`` is the reference run on float32 copies of the arrays."""

    def answer(*args):
        return reference(*(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args))

    def matches(args, got):
        expected = reference(*args)
        expected = expected if isinstance(expected, tuple) else (expected,)
        got = [got] if hasattr(got, "to_numpy") else list(got)
        if len(got) != len(expected):
            return False
        for e, g in zip(expected, (item.to_numpy() for item in got), strict=True):
            if g.shape != e.shape or not np.all(np.isfinite(g)):
                return False
            if e.size and np.abs(g - e).max() > 1e-4 * np.abs(e).max() + 1e-12:
                return False
        return True

    return Mistake(
        "Your result agrees with the reference only to about 6 or 7 significant digits, the "
        "precision of float32: if you computed in float32 (torch's default dtype, or np.float32 "
        "arrays), work in float64, numpy's default, as the opening cell asks.",
        answer,
        matches=matches,
    )


def _generated(T, B, D, H, *, grads=False):
    return lambda rng: residual_inputs(int(rng.integers(2**31)), T, B, D, H, grads=grads)()


RESIDUAL_RNN_FORWARD = Question(
    name="residual_rnn_forward",
    points=2,
    skill="warm-up",
    reference=_residual_forward,
    library=FORWARD_CODE,
    inputs_unchanged=True,
    cases=(
        Case(residual_inputs(0, 4, 2, 3, 5), "T = 4, B = 2, D = 3, H = 5 (seed 0)"),
        Case(residual_inputs(1, 1, 1, 2, 3), "a single step, T = 1, B = 1 (seed 1)"),
        Case(residual_inputs(2, 0, 2, 3, 4), "an empty sequence, T = 0: shape (0, B, H)"),
        Case(residual_inputs(8, 30, 4, 3, 8), "a longer sequence, T = 30, B = 4, H = 8 (seed 8)"),
        Case(_generated(7, 3, 2, 4), "T = 7, B = 3, D = 2, H = 4, random", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The skip connection is missing: this is the lecture's plain RNN. The residual RNN "
            "adds the previous state to the tanh of the pre-activation.",
            lambda *a: _residual_forward(*a, skip=False),
        ),
        Mistake(
            "The previous state went inside the tanh: it is added after the nonlinearity, so "
            "the new state is the old one plus a step of size at most 1 in each unit.",
            lambda *a: _residual_forward(*a, inside=True),
        ),
        Mistake(
            "You returned h_0 as well: return the T states h_1 .. h_T, shape (T, B, H), not T + 1.",
            lambda *a: _residual_forward(*a, first=True),
        ),
        float32_mistake(_residual_forward),
    ),
    hint=(
        "Each step computes the lecture's pre-activation from x_t and the previous state, and "
        "the new state is the previous state plus the tanh of it; stack the T states (an empty "
        "sequence gives shape (0, B, H))."
    ),
)

# ----------------------------------------------------------------------------- 2. residual BPTT


def _residual_bptt(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, *, tanh_at="u", identity=True,
                   recurrent=True, accumulate=True):  # fmt: skip
    """(dxs, dh0, dW_ih, dW_hh, db) of f = sum_t <h_t, d_hs[t]>; the flags make the mistakes."""
    hs = _residual_forward(xs, h0, W_ih, W_hh, b_ih, b_hh)
    dxs = np.zeros_like(xs)
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b_ih)
    delta_next = np.zeros_like(h0)  # df/dh_t through h_{t+1}: nothing after the last step
    for t in reversed(range(len(xs))):
        h_prev = hs[t - 1] if t > 0 else h0
        u = hs[t] - h_prev if tanh_at == "u" else hs[t]  # tanh(a_t), or the wrong h_t
        delta = d_hs[t] + delta_next
        da = delta * (1 - u**2)
        dxs[t] = da @ W_ih
        path = delta if identity is True else (delta_next if identity == "later" else 0)
        delta_next = path + (da @ W_hh if recurrent else 0)
        steps = (da.T @ xs[t], da.T @ h_prev, da.sum(axis=0))
        if accumulate:
            dW_ih, dW_hh, db = dW_ih + steps[0], dW_hh + steps[1], db + steps[2]
        else:
            dW_ih, dW_hh, db = steps
    return dxs, delta_next, dW_ih, dW_hh, db


RESIDUAL_BPTT = Question(
    name="residual_bptt",
    returns=("dxs", "dh0", "dW_ih", "dW_hh", "db"),
    points=4,
    skill="derivation",
    reference=_residual_bptt,
    library=(*FORWARD_CODE, *BACKWARD_CODE),
    rtol=DERIVED_RTOL,
    atol=DERIVED_ATOL,
    inputs_unchanged=True,
    cases=(
        Case(residual_inputs(3, 4, 2, 3, 4, grads=True), "T = 4, B = 2, D = 3, H = 4 (seed 3)"),
        Case(residual_inputs(4, 1, 2, 2, 3, grads=True), "a single step, T = 1 (seed 4)"),
        Case(
            residual_inputs(5, 0, 2, 3, 4, grads=True),
            "an empty sequence, T = 0: dxs of shape (0, B, D), every other gradient zero",
        ),
        Case(
            residual_inputs(8, 30, 4, 3, 8, grads=True),
            "a longer sequence, T = 30, B = 4, H = 8 (seed 8)",
        ),
        Case(_generated(6, 3, 2, 5, grads=True), "T = 6, B = 3, D = 2, H = 5, random", hidden=True),
    ),
    mistakes=(
        Mistake(
            "tanh' is taken at h_t, as in the plain RNN; here h_t is not tanh(a_t): the tanh "
            "of the pre-activation is the step's increment, h_t minus h_{t-1}.",
            lambda *a: _residual_bptt(*a, tanh_at="h"),
        ),
        Mistake(
            "The identity path is missing: h_{t-1} reaches h_t directly as well as through "
            "W_hh, so the gradient on h_{t-1} receives the whole gradient on h_t besides the "
            "part through the pre-activation.",
            lambda *a: _residual_bptt(*a, identity=False),
        ),
        Mistake(
            "The identity path carries only what came from later steps: it carries the whole "
            "gradient on h_t, the step's own direct gradient included, into the gradient on "
            "h_{t-1}.",
            lambda *a: _residual_bptt(*a, identity="later"),
        ),
        Mistake(
            "Only the identity path is carried back: h_{t-1} also enters the pre-activation "
            "through W_hh, and that path adds its own term to the gradient on h_{t-1}.",
            lambda *a: _residual_bptt(*a, recurrent=False),
        ),
        Mistake(
            "The weight gradients keep only one step: the same W_ih, W_hh and biases are used "
            "at every step, so their gradients are summed over t.",
            lambda *a: _residual_bptt(*a, accumulate=False),
        ),
        float32_mistake(_residual_bptt),
    ),
    hint=(
        "Derive it on the unrolled graph: h_{t-1} reaches h_t by two paths (the identity and "
        "the pre-activation), the tanh derivative is taken at the value the tanh produced, and "
        "the shared weights' gradients are sums over the steps."
    ),
)
