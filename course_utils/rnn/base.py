"""The base of the recurrent layers: everything that is not a cell equation.

:class:`Recurrent` owns the parameters (``torch.nn``'s names and shapes: ``weight_ih`` (G*H, D),
``weight_hh`` (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,), G blocks of H rows) and their
initialization, input validation, the input projection of all time steps as ONE matrix product,
the time loop, the weight gradients as one matrix product each after the loop, and
``load_torch``. A layer (``course_utils.rnn.layers``) adds only two methods, on one time step of a
batch, which call the cell equations of ``course_utils.rnn.cells``:

* ``_cell_forward(gi, gh, state) -> (new_state, cache)``: ``gi = x_t W_ih^T + b_ih`` and
  ``gh = h_{t-1} W_hh^T + b_hh`` (both ``(B, G*H)``), ``state`` a tuple whose first entry is
  ``h_{t-1}`` (the RNN's state is ``(h,)``, an LSTM's ``(h, c)``); ``new_state[0]`` is the output.
* ``_cell_backward(d_state, cache) -> (d_gi, d_gh, d_state_prev)``: the gradients with respect to
  ``gi``, ``gh`` and the previous state *except* the path through ``gh`` (the base adds
  ``d_gh @ W_hh`` to ``d_state_prev[0]``; ``None`` there means no other path, as in the RNN).

A layer may override the two time loops (``_steps`` forward, ``_bptt`` backward) with faster
forms of the same equations (the LSTM does: ``course_utils.rnn._fast_lstm``). Imports numpy and
``validation`` only.
"""

from __future__ import annotations

import numpy as np

from ..validation import float_array, integer

__all__ = ["Recurrent"]

_PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _project(x, weight, bias, out=None):
    """``x_t W^T + b`` for every time step of x (T, B, D): ONE (T*B, D) x (D, G*H) product,
    written into ``out`` (T, B, G*H) if given, the bias added in place (no second array).

    W^T is made C-contiguous first: through the transposed view the product measured 14x slower
    at D = 8 (numpy 2, OpenBLAS, one thread)."""
    T, B, D = x.shape
    if out is None:
        out = np.empty((T, B, weight.shape[0]), x.dtype)
    np.matmul(x.reshape(T * B, D), np.ascontiguousarray(weight.T), out=out.reshape(T * B, -1))
    out += bias
    return out


class Recurrent:
    """One recurrent layer: parameters, validation, time loop and BPTT; cells add their equations."""

    gates = 1  # number of (H,)-blocks stacked in weight_ih / weight_hh
    n_states = 1  # entries of the state tuple: 1 for (h,), 2 for (h, c)

    def __init__(self, input_size, hidden_size, *, dtype=np.float64, rng=None):
        self.input_size = integer(input_size, "input_size", low=1)
        self.hidden_size = integer(hidden_size, "hidden_size", low=1)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}.")
        rng = np.random.default_rng(rng)
        H, GH, D = self.hidden_size, self.gates * self.hidden_size, self.input_size
        bound = 1.0 / np.sqrt(H)  # torch's default: U(-1/sqrt(H), 1/sqrt(H)) for every parameter
        shapes = {"weight_ih": (GH, D), "weight_hh": (GH, H), "bias_ih": (GH,), "bias_hh": (GH,)}
        self.params = {
            k: rng.uniform(-bound, bound, size=s).astype(self.dtype) for k, s in shapes.items()
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cache = None
        self._work = {}

    def _buffer(self, name, shape):
        """A work array kept between calls (reallocated only when its shape changes).

        Profiling the LSTM showed ~380 page faults per forward+backward: fresh arrays of a few
        hundred KB are returned to the system when freed and faulted in again at the next call
        (glibc's malloc). Work arrays that never leave the layer are therefore reused; what a
        call returns (output, gradients) is always a new array."""
        buf = self._work.get(name)
        if buf is None or buf.shape != shape or buf.dtype != self.dtype:
            buf = self._work[name] = np.empty(shape, self.dtype)
        return buf

    # ------------------------------------------------------------------ parameters by name
    weight_ih = property(lambda self: self.params["weight_ih"], doc="``params['weight_ih']``")
    weight_hh = property(lambda self: self.params["weight_hh"], doc="``params['weight_hh']``")
    bias_ih = property(lambda self: self.params["bias_ih"], doc="``params['bias_ih']``")
    bias_hh = property(lambda self: self.params["bias_hh"], doc="``params['bias_hh']``")

    def load_torch(self, module):
        """Copy layer 0's weights from a ``torch.nn`` recurrent module of the same sizes."""
        for attr, want in (("input_size", self.input_size), ("hidden_size", self.hidden_size)):
            got = getattr(module, attr, None)
            if got != want:
                raise ValueError(f"module.{attr} must be {want} to match this layer, got {got}.")
        if getattr(module, "bidirectional", False) or getattr(module, "batch_first", False):
            raise ValueError(
                "module must be unidirectional and sequence-first (batch_first=False)."
            )
        if not getattr(module, "bias", True):
            raise ValueError("module must have biases (bias=True).")
        self._check_torch_module(module)
        for name in _PARAM_NAMES:
            value = getattr(module, f"{name}_l0").detach().cpu().numpy()
            if value.shape != self.params[name].shape:
                raise ValueError(
                    f"module.{name}_l0 must have shape {self.params[name].shape}, got {value.shape}."
                )
            self.params[name] = value.astype(self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cache = None
        return self

    def _check_torch_module(self, module):
        """Cell-specific checks of a torch module (its type, nonlinearity...)."""

    # ------------------------------------------------------------------ the time loop
    def _forward(self, x, states):
        """Run all steps; ``states`` a tuple of (1, B, H) arrays or Nones. Returns output, states."""
        x = float_array(x, "x", (None, None, self.input_size), self.dtype)
        T, B, D = x.shape
        H = self.hidden_size
        state = []
        for s, name in zip(states, self._state_names(), strict=True):
            if s is None:
                state.append(np.zeros((B, H), self.dtype))
            else:
                state.append(float_array(s, name, (1, B, H), self.dtype)[0])
        hs = np.empty((T + 1, B, H), self.dtype)  # hs[0] = h0, hs[t + 1] = h_t
        hs[0] = state[0]
        state, caches = self._steps(x, tuple(state), hs[1:])
        # the output (every h_t) and h_{t-1} of each step (for dW_hh) are two views of hs
        self._cache = (x, hs[:-1], caches)
        return hs[1:], tuple(s[None] for s in state)

    def _steps(self, x, state, output):
        """The forward time loop: fills ``output`` (T, B, H) with every h_t and returns
        ``(final state, caches)``, ``caches[t]`` being step t's cache. A cell with a faster form
        may override it (LSTM does)."""
        T, B, _ = x.shape
        p = self.params
        # a work buffer, reused by the next call: a cell's cache must not keep views of gi
        gi = self._buffer("gi", (T, B, self.gates * self.hidden_size))
        gi_all = _project(x, p["weight_ih"], p["bias_ih"], gi)
        caches = []
        # a C-contiguous copy of W_hh^T: h @ W^T through a transposed view is ~2x slower
        W_hh_T, b_hh = np.ascontiguousarray(p["weight_hh"].T), p["bias_hh"]
        for t in range(T):
            gh = state[0] @ W_hh_T
            gh += b_hh
            state, cache = self._cell_forward(gi_all[t], gh, state)
            output[t] = state[0]
            caches.append(cache)
        return state, caches

    def _backward(self, d_output, d_states):
        """BPTT: fill ``self.grads``; return d_x and the gradient of each initial state."""
        if self._cache is None:
            raise RuntimeError("backward was called before forward: run forward(x) first.")
        x, h_prev, caches = self._cache
        T, B, D = x.shape
        H = self.hidden_size
        d_output = float_array(d_output, "d_output", (T, B, H), self.dtype)
        d_state = []
        for s, name in zip(d_states, self._state_names(), strict=True):
            if s is None:
                d_state.append(np.zeros((B, H), self.dtype))
            else:
                d_state.append(float_array(s, f"d_{name[:-1]}_n", (1, B, H), self.dtype)[0].copy())
        d_gi, d_gh, d_state = self._bptt(d_output, tuple(d_state), caches)
        # the weight gradients summed over time: one matrix product each
        d_gi2, d_gh2 = d_gi.reshape(T * B, -1), d_gh.reshape(T * B, -1)
        self.grads = {
            "weight_ih": d_gi2.T @ x.reshape(T * B, D),
            "weight_hh": d_gh2.T @ h_prev.reshape(T * B, H),
            "bias_ih": d_gi2.sum(axis=0),
        }
        # equal when the cell's gi and gh gradients are one array (RNN, LSTM): sum once
        self.grads["bias_hh"] = self.grads["bias_ih"].copy() if d_gh is d_gi else d_gh2.sum(axis=0)
        d_x = (d_gi2 @ self.params["weight_ih"]).reshape(T, B, D)
        return d_x, tuple(s[None] for s in d_state)

    def _bptt(self, d_output, d_state, caches):
        """The backward time loop: ``(d_gi, d_gh, d_initial_state)`` with d_gi, d_gh of shape
        (T, B, G*H). A cell with a faster, time-vectorized form may override it (LSTM does)."""
        T, B, H = d_output.shape
        W_hh = self.params["weight_hh"]
        d_gi = np.empty((T, B, self.gates * H), self.dtype)
        d_gh = np.empty_like(d_gi)
        d_state = list(d_state)
        for t in reversed(range(T)):
            d_state[0] = d_state[0] + d_output[t]  # h_t feeds the output AND the next step
            d_gi[t], d_gh[t], d_prev = self._cell_backward(tuple(d_state), caches[t])
            d_state = list(d_prev)
            d_h_rec = d_gh[t] @ W_hh  # the path h_{t-1} -> gh -> step t
            d_state[0] = d_h_rec if d_state[0] is None else d_state[0] + d_h_rec
        return d_gi, d_gh, tuple(d_state)

    # ------------------------------------------------------------------ single-state layers
    def forward(self, x, h0=None):
        """``(output, h_n)`` for x of shape (T, B, input_size); h0 defaults to zeros (RNN, GRU).
        The LSTM, whose state is (h, c), overrides this and :meth:`backward`."""
        with np.errstate(
            over="ignore"
        ):  # a sigmoid's e^-a may overflow to inf: σ = 0, as it should
            output, (h_n,) = self._forward(x, (h0,))
        return output, h_n

    __call__ = forward

    def backward(self, d_output, d_h_n=None):
        """``(d_x, d_h0)``; fills ``grads`` (single-state layers: RNN, GRU)."""
        d_x, (d_h0,) = self._backward(d_output, (d_h_n,))
        return d_x, d_h0

    def _state_names(self):
        return ("h0", "c0")[: self.n_states]

    # ------------------------------------------------------------------ a cell implements these
    def _cell_forward(self, gi, gh, state):
        raise NotImplementedError

    def _cell_backward(self, d_state, cache):
        raise NotImplementedError
