"""The LSTM layer's two time loops in their profiled fast form (private: read ``cells.py`` first).

They compute the equations of :func:`course_utils.rnn.cells.lstm_gates_forward` and
:func:`~course_utils.rnn.cells.lstm_gates_backward` for a whole sequence; ``tests/test_rnn_gated.py``
checks them equal to the loops over those cell functions. The LSTM is the cell whose speed is
benchmarked against torch (``benchmarks/rnn_speed.py``).

Where the time went (profiled): about 17 small array operations per step, most of them on (B, H)
blocks cut out of the (B, 4H) gate array, which numpy walks row by row (about 4x slower than a
contiguous block of the same size); and page faults on fresh work arrays (see
``Recurrent._buffer``). So the gates are copied once per step into gate-major order (4, B, H),
where every block is contiguous; work arrays are reused between calls; and the per-step work that
does not depend on the recursion is moved out of the loop. Imports numpy only (and the base's
projection).
"""

from __future__ import annotations

import numpy as np

from .base import _project


class Steps:
    """The per-step caches, stored as arrays stacked over time: ``act`` gate-major (T, 4, B, H)
    (``act[t, 0]`` is i_t, then f_t, g_t, o_t), ``c_prev`` and ``tanh_c`` (T, B, H).
    ``steps[t]`` is step t's cache in the layout of ``cells.lstm_gates_forward``,
    ``(i, f, g, o, c_prev, tanh_c)`` (views), for the generic loops; the fast loops read the arrays.
    """

    def __init__(self, act, c_prev, tanh_c):
        self.act, self.c_prev, self.tanh_c = act, c_prev, tanh_c

    def __getitem__(self, t):
        return (*self.act[t], self.c_prev[t], self.tanh_c[t])

    def __len__(self):
        return len(self.act)


def forward(params, x, state, output, buffer):
    """The forward loop: fills ``output`` (T, B, H) with every h_t; returns ``((h_T, c_T), steps)``.

    ``params`` the layer's four arrays (torch's names), ``state`` ``(h0, c0)`` each (B, H),
    ``buffer(name, shape)`` the layer's reused work arrays. Two scalings are folded into the
    weights once: the loop computes ``z = -k ⊙ a`` with k = 2 on the g block and 1 elsewhere
    (multiplying by -1 or -2 is exact in floating point), so ``1 / (1 + e^z)`` is σ(a) for i, f, o
    and σ(2a) for g, and tanh(a_g) = 2σ(2 a_g) - 1 (numpy's exp is about 3x faster than its tanh);
    both biases join the input projection of all steps at once.
    """
    T, B, _ = x.shape
    H = params["weight_hh"].shape[1]
    dtype = output.dtype
    k = np.full(4 * H, -1.0, dtype)
    k[2 * H : 3 * H] = -2.0
    # -k ⊙ (x_t W_ih^T + b_ih + b_hh) for every t, (T, B, 4H) in torch's gate order
    proj = _project(x, params["weight_ih"] * k[:, None], (params["bias_ih"] + params["bias_hh"]) * k,
                    buffer("proj", (T, B, 4 * H)))  # fmt: skip
    W = np.ascontiguousarray(params["weight_hh"].T) * k  # contiguous: h @ W ~2x faster
    z = buffer("z", (B, 4 * H))
    z_gate_major = z.reshape(B, 4, H).transpose(1, 0, 2)  # a (4, B, H) view of z
    act = buffer("act", (T, 4, B, H))  # act[t] = (i_t, f_t, g_t, o_t), each (B, H)
    c = buffer("c", (T + 1, B, H))  # c[t] = c_{t-1} of step t; c[0] = c0
    c[0] = state[1]
    tanh_c = buffer("tanh_c", (T, B, H))
    h = state[0]
    for t in range(T):
        np.matmul(h, W, out=z)
        z += proj[t]  # z = -k ⊙ (x_t W_ih^T + b_ih + b_hh + h W_hh^T)
        a = act[t]
        np.copyto(a, z_gate_major)  # from here on every block is contiguous
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)  # i, f, o = σ(·); the g block σ(2 a_g)
        i, f, g, o = a
        g *= 2
        g -= 1  # tanh(a_g) = 2σ(2 a_g) - 1
        np.multiply(f, c[t], out=c[t + 1])
        c[t + 1] += i * g
        np.tanh(c[t + 1], out=tanh_c[t])
        h = np.multiply(o, tanh_c[t], out=output[t])
    # c_n is returned to the caller: a copy, since c is reused by the next call
    return (h, c[T].copy()), Steps(act, c[:T], tanh_c)


def backward(params, d_output, d_state, steps, buffer):
    """The backward loop: ``(d_a, d_a, (d_h0, d_c0))`` with d_a (T, B, 4H) the gradient with
    respect to gi and gh alike, as ``Recurrent._bptt`` returns.

    Every factor that does not depend on the recursion is computed for all time steps at once (in
    place, in reused work arrays, on the gate-major gates); the loop keeps only what must be
    sequential."""
    T, B, H = d_output.shape
    act, c_prev, tanh_c = steps.act, steps.c_prev, steps.tanh_c
    i, f, g, o = (act[:, k] for k in range(4))  # (T, B, H) each, contiguous at each t
    # d a_{i, f, g} = d_c ⊙ from_c;  d a_o = d_h ⊙ from_h;  d_c += d_h ⊙ h_to_c, where
    # from_c = (g σ'(i), c_{t-1} σ'(f), i (1 - g^2)), from_h = tanh(c_t) σ'(o),
    # h_to_c = o (1 - tanh(c_t)^2), σ' = s (1 - s) for a gate s
    sd = buffer("sd", act.shape)  # s (1 - s) on all of act at once (g's is unused)
    np.subtract(1, act, out=sd)
    sd *= act
    from_c = buffer("from_c", (T, 3, B, H))
    from_h, h_to_c = (buffer(n, (T, B, H)) for n in ("from_h", "h_to_c"))
    np.multiply(sd[:, 0], g, out=from_c[:, 0])
    np.multiply(sd[:, 1], c_prev, out=from_c[:, 1])
    np.multiply(g, g, out=from_c[:, 2])
    np.subtract(1, from_c[:, 2], out=from_c[:, 2])
    from_c[:, 2] *= i
    np.multiply(sd[:, 3], tanh_c, out=from_h)
    np.multiply(tanh_c, tanh_c, out=h_to_c)
    np.subtract(1, h_to_c, out=h_to_c)
    h_to_c *= o
    d_a = np.empty((T, B, 4 * H), d_output.dtype)  # returned, torch's layout (for the weights)
    d_a_gate_major = d_a.reshape(T, B, 4, H).transpose(0, 2, 1, 3)  # a (T, 4, B, H) view
    d_gates = buffer("d_gates", (4, B, H))
    W_hh = params["weight_hh"]
    d_h, d_c = d_state[0] + d_output[-1], d_state[1].copy()
    for t in reversed(range(T)):
        d_c += d_h * h_to_c[t]  # c_t feeds h_t (through tanh) and c_{t+1}
        np.multiply(from_c[t], d_c, out=d_gates[:3])
        np.multiply(from_h[t], d_h, out=d_gates[3])
        d_c *= f[t]  # the cell path: dc_{t-1} = dc_t ⊙ f_t
        np.copyto(d_a_gate_major[t], d_gates)
        d_h = d_a[t] @ W_hh  # h_{t-1} reaches the loss only through gh ...
        if t:
            d_h += d_output[t - 1]  # ... and, for t > 0, through the output
    return d_a, d_a, (d_h, d_c)
