"""The cell equations: one time step of ``torch.nn.RNNCell``, ``LSTMCell`` and ``GRUCell`` in numpy.

These are the equations lectures 06 and 08 teach, in torch's convention and weight layout, batch
first in each step: ``x`` (B, D), ``h_prev`` and ``c_prev`` (B, H), ``W_ih`` (G*H, D), ``W_hh``
(G*H, H), ``b_ih`` and ``b_hh`` (G*H,), where G is the number of blocks of H rows stacked in the
weights: 1 for the RNN, 4 for the LSTM (blocks i, f, g, o), 3 for the GRU (blocks r, z, n).

Every cell starts from the two projections, the only matrix products of a step::

    gi = x W_ih^T + b_ih,   gh = h_prev W_hh^T + b_hh          both (B, G*H)

and then applies its elementwise equations (σ the logistic sigmoid, ⊙ the elementwise product,
``gi_k`` the k-th block of H columns):

RNN (``torch.nn.RNNCell``, f = tanh or relu)::

    h = f(gi + gh)

LSTM (``torch.nn.LSTMCell``)::

    i, f, o = σ(gi_i + gh_i), σ(gi_f + gh_f), σ(gi_o + gh_o)      input, forget, output gates
    g = tanh(gi_g + gh_g)                                           candidate cell
    c = f ⊙ c_prev + i ⊙ g,   h = o ⊙ tanh(c)

GRU (``torch.nn.GRUCell``; the reset gate multiplies ``W_hn h_prev + b_hn``, after the product)::

    r, z = σ(gi_r + gh_r), σ(gi_z + gh_z)                           reset, update gates
    n = tanh(gi_n + r ⊙ gh_n)                                       candidate
    h = (1 - z) ⊙ n + z ⊙ h_prev

Two levels, for each cell:

* ``rnn_cell_forward`` / ``lstm_cell_forward`` / ``gru_cell_forward`` and their ``*_backward``
  take the cell's inputs and weights, as a lecture writes one step (inputs checked; new arrays
  returned; the backward recomputes the step's forward from its inputs).
* ``*_gates_forward`` / ``*_gates_backward`` take the projections ``gi`` and ``gh`` instead (torch's
  fused kernels take the same two arrays): the recurrent layers (``course_utils.rnn.layers``)
  compute ``gi`` for all time steps in one matrix product and call these in their time loop. No
  input checks here (the layer checked its inputs once); a sigmoid's e^-a may overflow to inf
  (σ = 0, as it should): callers silence that warning (``np.errstate(over="ignore")``).

The backward functions return the gradients with respect to the step's inputs, in the order of the
forward's arguments. Imports numpy and ``validation`` only.
"""

from __future__ import annotations

import numpy as np

from ..validation import float_array

__all__ = [
    "gru_cell_backward",
    "gru_cell_forward",
    "gru_gates_backward",
    "gru_gates_forward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_gates_backward",
    "lstm_gates_forward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_gates_backward",
    "rnn_gates_forward",
    "sigmoid",
]


def sigmoid(a, out=None):
    """σ(a) = 1 / (1 + e^-a), elementwise; written into ``out`` if given (``out=a``: in place)."""
    out = np.negative(a, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


# ----------------------------------------------------------------------------- RNN


def rnn_gates_forward(gi, gh, nonlinearity="tanh"):
    """h = f(gi + gh), f = tanh or relu."""
    a = gi + gh
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def rnn_gates_backward(d_h, h, nonlinearity="tanh"):
    """d_a, the gradient with respect to gi and to gh alike (a = gi + gh), from h = f(a).

    h_prev reaches h only through gh, so d_h_prev = d_a W_hh (the caller's product)."""
    if nonlinearity == "tanh":
        return d_h * (1 - h * h)  # tanh'(a) = 1 - tanh(a)^2 = 1 - h^2
    return d_h * (h > 0)  # relu'(a) = 1 where a > 0, that is where h > 0


def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    """One step of ``torch.nn.RNNCell``: h = f(x W_ih^T + b_ih + h_prev W_hh^T + b_hh)."""
    nonlinearity = _nonlinearity(nonlinearity)
    x, h_prev, W_ih, W_hh, b_ih, b_hh = _checked(1, x, h_prev, W_ih, W_hh, b_ih, b_hh)
    return rnn_gates_forward(*_projections(x, h_prev, W_ih, W_hh, b_ih, b_hh), nonlinearity)


def rnn_cell_backward(d_h, x, h_prev, h, W_ih, W_hh, nonlinearity="tanh"):
    """Gradients of one RNN step from d_h = dL/dh and the step's output h:
    ``(d_x, d_h_prev, d_W_ih, d_W_hh, d_b)``; d_b is the gradient of b_ih and of b_hh alike."""
    nonlinearity = _nonlinearity(nonlinearity)
    x, h_prev, W_ih, W_hh, h, d_h = _checked(1, x, h_prev, W_ih, W_hh, h=h, d_h=d_h)
    d_a = rnn_gates_backward(d_h, h, nonlinearity)
    d_x, d_h_prev, d_W_ih, d_W_hh, d_b, _ = _through_projections(d_a, d_a, x, h_prev, W_ih, W_hh)
    return d_x, d_h_prev, d_W_ih, d_W_hh, d_b


# ----------------------------------------------------------------------------- LSTM


def lstm_gates_forward(gi, gh, c_prev):
    """``(h, c), cache`` of one LSTM step; ``cache = (i, f, g, o, c_prev, tanh(c))``."""
    H = c_prev.shape[1]
    a = gi + gh
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
    g = np.tanh(a[:, 2 * H : 3 * H])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return (h, c), (i, f, g, o, c_prev, tanh_c)


def lstm_gates_backward(d_h, d_c, cache):
    """``(d_a, d_c_prev)`` from d_h = dL/dh and d_c = dL/dc (the path through c_{t+1} only).

    d_a (B, 4H) is the gradient with respect to gi and to gh alike (a = gi + gh); d_c_prev is the
    path through the cell only: h_prev reaches the step through gh (d_h_prev = d_a W_hh)."""
    i, f, g, o, c_prev, tanh_c = cache
    d_c = d_c + d_h * o * (1 - tanh_c * tanh_c)  # c feeds h (through tanh) and c_{t+1}
    d_a = np.concatenate(
        [d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f), d_c * i * (1 - g * g),
         d_h * tanh_c * o * (1 - o)], axis=1,
    )  # fmt: skip
    return d_a, d_c * f  # the cell path: dc_prev = dc ⊙ f (no squashing, no weight matrix)


def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of ``torch.nn.LSTMCell``: ``(h, c)``."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh, c_prev = _checked(
        4, x, h_prev, W_ih, W_hh, b_ih, b_hh, c_prev=c_prev
    )
    with np.errstate(over="ignore"):
        (h, c), _ = lstm_gates_forward(*_projections(x, h_prev, W_ih, W_hh, b_ih, b_hh), c_prev)
    return h, c


def lstm_cell_backward(d_h, d_c, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """Gradients of one LSTM step from d_h = dL/dh and d_c = dL/dc (the path through c_{t+1}):
    ``(d_x, d_h_prev, d_c_prev, d_W_ih, d_W_hh, d_b)``; d_b is the gradient of b_ih and of b_hh
    alike. The step's forward is recomputed from its inputs."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh, c_prev, d_h, d_c = _checked(
        4, x, h_prev, W_ih, W_hh, b_ih, b_hh, c_prev=c_prev, d_h=d_h, d_c=d_c
    )
    with np.errstate(over="ignore"):
        _, cache = lstm_gates_forward(*_projections(x, h_prev, W_ih, W_hh, b_ih, b_hh), c_prev)
    d_a, d_c_prev = lstm_gates_backward(d_h, d_c, cache)
    d_x, d_h_prev, d_W_ih, d_W_hh, d_b, _ = _through_projections(d_a, d_a, x, h_prev, W_ih, W_hh)
    return d_x, d_h_prev, d_c_prev, d_W_ih, d_W_hh, d_b


# ----------------------------------------------------------------------------- GRU


def gru_gates_forward(gi, gh, h_prev):
    """``h, cache`` of one GRU step; ``cache = (rz, n, gh_n, h_prev)``, rz the (B, 2H) gates r, z."""
    H = h_prev.shape[1]
    rz = gi[:, : 2 * H] + gh[:, : 2 * H]
    sigmoid(rz, out=rz)  # in place: rz is a new array
    r, z = rz[:, :H], rz[:, H:]
    gh_n = gh[:, 2 * H :]
    n = np.tanh(gi[:, 2 * H :] + r * gh_n)  # the reset gate AFTER the matrix product, as torch
    h = n + z * (h_prev - n)  # = (1 - z) n + z h_prev, one product fewer
    return h, (rz, n, gh_n, h_prev)


def gru_gates_backward(d_h, cache):
    """``(d_gi, d_gh, d_h_prev)`` from d_h = dL/dh; d_h_prev is the direct path h = ... + z h_prev
    only (the path through gh adds d_gh W_hh: the caller's product)."""
    rz, n, gh_n, h_prev = cache
    H = n.shape[1]
    r, z = rz[:, :H], rz[:, H:]
    d_n = d_h * (1 - z) * (1 - n * n)  # through tanh
    d_gi = np.empty((d_h.shape[0], 3 * H), d_h.dtype)
    d_gi[:, :H] = d_n * gh_n * r * (1 - r)
    d_gi[:, H : 2 * H] = d_h * (h_prev - n) * z * (1 - z)
    d_gi[:, 2 * H :] = d_n
    d_gh = d_gi.copy()
    d_gh[:, 2 * H :] = d_n * r  # the candidate sees r ⊙ (W_hn h_prev + b_hn)
    return d_gi, d_gh, d_h * z


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One step of ``torch.nn.GRUCell``: h."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh = _checked(3, x, h_prev, W_ih, W_hh, b_ih, b_hh)
    with np.errstate(over="ignore"):
        h, _ = gru_gates_forward(*_projections(x, h_prev, W_ih, W_hh, b_ih, b_hh), h_prev)
    return h


def gru_cell_backward(d_h, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Gradients of one GRU step from d_h = dL/dh:
    ``(d_x, d_h_prev, d_W_ih, d_W_hh, d_b_ih, d_b_hh)`` (the two biases' gradients differ in the
    n block). The step's forward is recomputed from its inputs."""
    x, h_prev, W_ih, W_hh, b_ih, b_hh, d_h = _checked(3, x, h_prev, W_ih, W_hh, b_ih, b_hh, d_h=d_h)
    with np.errstate(over="ignore"):
        _, cache = gru_gates_forward(*_projections(x, h_prev, W_ih, W_hh, b_ih, b_hh), h_prev)
    d_gi, d_gh, d_h_direct = gru_gates_backward(d_h, cache)
    d_x, d_h_gh, d_W_ih, d_W_hh, d_b_ih, d_b_hh = _through_projections(
        d_gi, d_gh, x, h_prev, W_ih, W_hh
    )
    return d_x, d_h_direct + d_h_gh, d_W_ih, d_W_hh, d_b_ih, d_b_hh


# ----------------------------------------------------------------------------- shared


def _projections(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """gi = x W_ih^T + b_ih and gh = h_prev W_hh^T + b_hh."""
    return x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh


def _through_projections(d_gi, d_gh, x, h_prev, W_ih, W_hh):
    """Back through the projections: ``(d_x, d_h_prev, d_W_ih, d_W_hh, d_b_ih, d_b_hh)``, with
    d_h_prev the path through gh only."""
    d_b_ih, d_b_hh = d_gi.sum(axis=0), d_gh.sum(axis=0)
    return d_gi @ W_ih, d_gh @ W_hh, d_gi.T @ x, d_gh.T @ h_prev, d_b_ih, d_b_hh


def _nonlinearity(value):
    if value not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {value!r}.")
    return value


def _checked(gates, x, h_prev, W_ih, W_hh, b_ih=None, b_hh=None, **batch_by_hidden):
    """The arrays checked and in one float dtype: x (B, D), h_prev (B, H), W_ih (G*H, D), W_hh
    (G*H, H), the biases (G*H,), and each keyword array (B, H); B, D from x, H from h_prev."""
    named = {"x": x, "h_prev": h_prev, "W_ih": W_ih, "W_hh": W_hh, "b_ih": b_ih, "b_hh": b_hh}
    named = {k: v for k, v in named.items() if v is not None} | batch_by_hidden
    for name, value in named.items():  # dtypes first: then the common dtype is a float
        float_array(value, name, (None,) * np.ndim(value))
    dtype = np.result_type(*(np.asarray(v) for v in named.values()))
    x = float_array(x, "x", (None, None), dtype)
    B, D = x.shape
    h_prev = float_array(h_prev, "h_prev", (B, None), dtype)
    GH = gates * h_prev.shape[1]
    shapes = {"W_ih": (GH, D), "W_hh": (GH, h_prev.shape[1]), "b_ih": (GH,), "b_hh": (GH,)}
    shapes |= dict.fromkeys(batch_by_hidden, h_prev.shape)
    return [x, h_prev] + [
        float_array(value, name, shapes[name], dtype)
        for name, value in named.items()
        if name not in ("x", "h_prev")
    ]
