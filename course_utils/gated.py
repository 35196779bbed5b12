"""LSTM and GRU cells on the :class:`course_utils.rnn.Recurrent` base, in torch's gate order.

Only the cell equations live here; the base runs the time loop, the input projection and the
weight gradients. With ``gi = x_t W_ih^T + b_ih`` and ``gh = h_{t-1} W_hh^T + b_hh`` split into
blocks of H columns (σ is the logistic sigmoid, ⊙ the elementwise product):

LSTM (blocks i, f, g, o, as ``torch.nn.LSTM``)::

    i, f, o = σ(gi_i + gh_i), σ(gi_f + gh_f), σ(gi_o + gh_o)     input, forget, output gates
    g = tanh(gi_g + gh_g)                                          candidate cell
    c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

GRU (blocks r, z, n, as ``torch.nn.GRU``: the reset gate multiplies ``W_hn h + b_hn``)::

    r, z = σ(gi_r + gh_r), σ(gi_z + gh_z)                          reset, update gates
    n = tanh(gi_n + r ⊙ gh_n)                                      candidate
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

Imports numpy only.
"""

from __future__ import annotations

import numpy as np

from .rnn import Recurrent

__all__ = ["LSTM", "GRU"]


def _sigmoid_(a):
    """σ(a) = 1 / (1 + e^-a), computed IN PLACE in ``a`` (returned).

    numpy's exp is several times faster than its tanh, so every squashing here goes through
    one exp: tanh(x) = 2σ(2x) - 1. For a < -88 (float32) e^-a overflows to inf and σ = 0, as it
    should; the callers silence that overflow warning once per sequence (``_quiet``), not per
    step (``np.errstate`` costs as much as the arithmetic of a small step).
    """
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1
    return np.reciprocal(a, out=a)


def _quiet():
    return np.errstate(over="ignore")


def _tanh(x):
    """tanh(x) = 2σ(2x) - 1 (a new array)."""
    t = _sigmoid_(x * 2)
    t *= 2
    t -= 1
    return t


class LSTM(Recurrent):
    """LSTM equal to ``torch.nn.LSTM(input_size, hidden_size)`` (one layer, sequence-first).

    ``forward(x, (h0, c0))`` (either may be None, or the pair omitted) returns
    ``(output, (h_n, c_n))``; ``backward(d_output, (d_h_n, d_c_n))`` returns ``(d_x, (d_h0, d_c0))``
    and fills ``grads``.
    """

    gates, n_states = 4, 2

    def forward(self, x, state=None):
        h0, c0 = (None, None) if state is None else state
        with _quiet():
            output, (h_n, c_n) = self._forward(x, (h0, c0))
        return output, (h_n, c_n)

    __call__ = forward

    def backward(self, d_output, d_state=None):
        d_h_n, d_c_n = (None, None) if d_state is None else d_state
        d_x, (d_h0, d_c0) = self._backward(d_output, (d_h_n, d_c_n))
        return d_x, (d_h0, d_c0)

    def _check_torch_module(self, module):
        if getattr(module, "mode", None) != "LSTM" or getattr(module, "proj_size", 0):
            raise ValueError(f"module must be a torch.nn.LSTM without projection, got {module!r}.")

    def _cell_forward(self, gi, gh, state):
        h_prev, c_prev = state
        H = self.hidden_size
        act = gi + gh
        act[:, 2 * H : 3 * H] *= 2  # so that one sigmoid gives tanh(g) = 2σ(2g) - 1 too
        _sigmoid_(act)
        i, f, g, o = act[:, :H], act[:, H : 2 * H], act[:, 2 * H : 3 * H], act[:, 3 * H :]
        g *= 2
        g -= 1
        c = f * c_prev
        c += i * g
        tanh_c = _tanh(c)
        h = o * tanh_c
        return (h, c), (act, c_prev, tanh_c)

    def _cell_backward(self, d_state, cache):
        """One step back (the reference form; :meth:`_bptt` runs the same equations faster)."""
        d_h, d_c = d_state
        act, c_prev, tanh_c = cache
        H = self.hidden_size
        i, f, g, o = act[:, :H], act[:, H : 2 * H], act[:, 2 * H : 3 * H], act[:, 3 * H :]
        d_c = d_c + d_h * o * (1 - tanh_c * tanh_c)  # c_t feeds h_t (through tanh) and c_{t+1}
        d_a = np.concatenate(
            [d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f), d_c * i * (1 - g * g),
             d_h * tanh_c * o * (1 - o)], axis=1,
        )  # fmt: skip
        # the cell path: dc_{t-1} = dc_t ⊙ f (no squashing, no weight matrix)
        return d_a, d_a, (np.zeros_like(d_h), d_c * f)

    def _bptt(self, d_output, d_state, caches):
        """The equations of :meth:`_cell_backward`, with every factor that does not depend on
        the recursion computed for all time steps at once; the loop keeps only what must be
        sequential (7 array operations a step instead of ~25: where the time went)."""
        T, B, H = d_output.shape
        act = np.stack([c[0] for c in caches])  # (T, B, 4H): i, f, g, o
        c_prev = np.stack([c[1] for c in caches])
        tanh_c = np.stack([c[2] for c in caches])
        i, f, g, o = (act[..., k * H : (k + 1) * H] for k in range(4))
        # d a_{i, f, g} = d_c ⊙ from_c;  d a_o = d_h ⊙ from_h;  d_c += d_h ⊙ h_to_c
        from_c = np.stack([g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g)], axis=2)
        from_h = tanh_c * o * (1 - o)
        h_to_c = o * (1 - tanh_c * tanh_c)
        d_a = np.empty_like(act)
        d_a4 = d_a.reshape(T, B, 4, H)  # a view: block k of step t is d_a4[t, :, k]
        W_hh = self.params["weight_hh"]
        d_h, d_c = d_state
        for t in reversed(range(T)):
            d_h = d_h + d_output[t]
            d_c = d_c + d_h * h_to_c[t]
            np.multiply(from_c[t], d_c[:, None, :], out=d_a4[t, :, :3])
            np.multiply(from_h[t], d_h, out=d_a4[t, :, 3])
            d_c = d_c * f[t]  # the cell path
            d_h = d_a[t] @ W_hh  # h_{t-1} reaches the loss only through gh
        return d_a, d_a, (d_h, d_c)


class GRU(Recurrent):
    """GRU equal to ``torch.nn.GRU(input_size, hidden_size)`` (one layer, sequence-first).

    ``forward(x, h0=None)`` returns ``(output, h_n)``; ``backward(d_output, d_h_n=None)`` returns
    ``(d_x, d_h0)`` and fills ``grads``.
    """

    gates, n_states = 3, 1

    def forward(self, x, h0=None):
        with _quiet():
            output, (h_n,) = self._forward(x, (h0,))
        return output, h_n

    __call__ = forward

    def backward(self, d_output, d_h_n=None):
        d_x, (d_h0,) = self._backward(d_output, (d_h_n,))
        return d_x, d_h0

    def _check_torch_module(self, module):
        if getattr(module, "mode", None) != "GRU":
            raise ValueError(f"module must be a torch.nn.GRU, got {module!r}.")

    def _cell_forward(self, gi, gh, state):
        (h_prev,) = state
        H = self.hidden_size
        rz = _sigmoid_(gi[:, : 2 * H] + gh[:, : 2 * H])
        r, z = rz[:, :H], rz[:, H:]
        gh_n = gh[:, 2 * H :]
        n = _tanh(gi[:, 2 * H :] + r * gh_n)  # reset gate AFTER the matrix product, as torch
        h = n + z * (h_prev - n)  # = (1 - z) n + z h_prev
        return (h,), (rz, n, gh_n, h_prev)

    def _cell_backward(self, d_state, cache):
        (d_h,) = d_state
        rz, n, gh_n, h_prev = cache
        H = self.hidden_size
        r, z = rz[:, :H], rz[:, H:]
        d_n = d_h * (1 - z) * (1 - n * n)  # through tanh
        d_gi = np.empty((d_h.shape[0], 3 * H), d_h.dtype)
        d_gi[:, :H] = d_n * gh_n * r * (1 - r)
        d_gi[:, H : 2 * H] = d_h * (h_prev - n) * z * (1 - z)
        d_gi[:, 2 * H :] = d_n
        d_gh = d_gi.copy()
        d_gh[:, 2 * H :] = d_n * r  # the candidate sees r ⊙ (W_hn h + b_hn)
        return d_gi, d_gh, (d_h * z,)
