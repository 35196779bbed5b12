"""The recurrent layers ``RNN``, ``LSTM`` and ``GRU``, equal to ``torch.nn.RNN``/``LSTM``/``GRU``
(one layer, sequence-first input ``x`` of shape (T, B, input_size)).

Each layer is :class:`~course_utils.rnn.base.Recurrent` (parameters, time loop, BPTT) plus its
cell equations, which are the public functions of :mod:`course_utils.rnn.cells`. The LSTM runs its
two time loops in a faster form of the same equations (``_fast_lstm``). Imports numpy only (and
the package's own modules).
"""

from __future__ import annotations

import numpy as np

from . import _fast_lstm
from .base import Recurrent
from .cells import (
    gru_gates_backward,
    gru_gates_forward,
    lstm_gates_backward,
    lstm_gates_forward,
    rnn_gates_backward,
    rnn_gates_forward,
)

__all__ = ["GRU", "LSTM", "RNN"]


class RNN(Recurrent):
    """Elman RNN equal to ``torch.nn.RNN(input_size, hidden_size, nonlinearity)`` (one layer)::

        h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),   f = tanh or relu.

    ``forward(x, h0=None)`` with ``x`` of shape ``(T, B, input_size)`` returns ``(output, h_n)``:
    ``output`` ``(T, B, H)`` holds every h_t, ``h_n`` ``(1, B, H)`` the last one.
    ``backward(d_output, d_h_n=None)`` returns ``(d_x, d_h0)`` and fills ``grads``.
    """

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", *, dtype=np.float64, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}.")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, dtype=dtype, rng=rng)

    def _check_torch_module(self, module):
        want, got = f"RNN_{self.nonlinearity.upper()}", getattr(module, "mode", None)
        if got != want:
            raise ValueError(f"module must be a torch.nn.RNN with mode {want!r}, got {got!r}.")

    def _cell_forward(self, gi, gh, state):
        h = rnn_gates_forward(gi, gh, self.nonlinearity)
        return (h,), h

    def _cell_backward(self, d_state, cache):
        d_a = rnn_gates_backward(d_state[0], cache, self.nonlinearity)
        return d_a, d_a, (None,)  # h_{t-1} reaches h_t only through gh


class LSTM(Recurrent):
    """LSTM equal to ``torch.nn.LSTM(input_size, hidden_size)`` (one layer, sequence-first).

    ``forward(x, (h0, c0))`` (either may be None, or the pair omitted) returns
    ``(output, (h_n, c_n))``; ``backward(d_output, (d_h_n, d_c_n))`` returns ``(d_x, (d_h0, d_c0))``
    and fills ``grads``.
    """

    gates, n_states = 4, 2

    def forward(self, x, state=None):
        h0, c0 = (None, None) if state is None else state
        with np.errstate(over="ignore"):  # a sigmoid's e^-a may overflow to inf: σ = 0
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
        (h, c), cache = lstm_gates_forward(gi, gh, state[1])
        return (h, c), cache

    def _cell_backward(self, d_state, cache):
        d_a, d_c_prev = lstm_gates_backward(*d_state, cache)
        return d_a, d_a, (None, d_c_prev)  # h_{t-1} reaches h_t only through gh

    def _steps(self, x, state, output):
        """The forward loop in its fast form (equal to the generic loop over the cell)."""
        return _fast_lstm.forward(self.params, x, state, output, self._buffer)

    def _bptt(self, d_output, d_state, caches):
        """The backward loop in its fast form (equal to the generic loop over the cell)."""
        return _fast_lstm.backward(self.params, d_output, d_state, caches, self._buffer)


class GRU(Recurrent):
    """GRU equal to ``torch.nn.GRU(input_size, hidden_size)`` (one layer, sequence-first).

    ``forward(x, h0=None)`` returns ``(output, h_n)``; ``backward(d_output, d_h_n=None)`` returns
    ``(d_x, d_h0)`` and fills ``grads``.
    """

    gates, n_states = 3, 1

    def _check_torch_module(self, module):
        if getattr(module, "mode", None) != "GRU":
            raise ValueError(f"module must be a torch.nn.GRU, got {module!r}.")

    def _cell_forward(self, gi, gh, state):
        h, cache = gru_gates_forward(gi, gh, state[0])
        return (h,), cache

    def _cell_backward(self, d_state, cache):
        d_gi, d_gh, d_h_prev = gru_gates_backward(d_state[0], cache)
        return d_gi, d_gh, (d_h_prev,)
