"""Recurrent layers in numpy, in ``torch.nn``'s layout: forward and backpropagation through time.

``RNN`` is an Elman network, exactly as ``torch.nn.RNN`` (one layer, sequence-first input)::

    h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),   f = tanh or relu,

with ``weight_ih`` of shape ``(G*H, D)``, ``weight_hh`` ``(G*H, H)``, ``bias_ih`` and ``bias_hh``
``(G*H,)``; ``G`` is the number of gate blocks (1 for the RNN; 4 for an LSTM, 3 for a GRU).

The base class :class:`Recurrent` owns everything that is not a cell equation: parameters and their
initialization, input validation, the input projection of all time steps as ONE matrix product,
the time loop, the weight gradients as one matrix product each after the loop, and ``load_torch``.
A cell adds only two methods, on one time step of a batch:

* ``_cell_forward(gi, gh, state) -> (new_state, cache)``: ``gi = x_t W_ih^T + b_ih`` and
  ``gh = h_{t-1} W_hh^T + b_hh`` (both ``(B, G*H)``), ``state`` a tuple whose first entry is
  ``h_{t-1}`` (the RNN's state is ``(h,)``, an LSTM's ``(h, c)``); ``new_state[0]`` is the output.
* ``_cell_backward(d_state, cache) -> (d_gi, d_gh, d_state_prev)``: the gradients with respect to
  ``gi``, ``gh`` and the previous state *except* the path through ``gh`` (the base adds
  ``d_gh @ W_hh`` to ``d_state_prev[0]``; ``None`` there means no other path, as in the RNN).

The LSTM, the one cell whose speed is benchmarked against torch (``benchmarks/rnn_speed.py``),
also overrides the two time loops (``_steps`` forward, ``_bptt`` backward) with faster forms of
the same equations; tests check them equal to the generic loops over its two cell methods.

The gated cells, with σ the logistic sigmoid and ⊙ the elementwise product (``gi``/``gh`` split
into blocks of H columns). LSTM (blocks i, f, g, o, as ``torch.nn.LSTM``)::

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

from .clipping import clip_grad_norm, clip_grad_value
from .validation import integer

__all__ = ["GRU", "LSTM", "RNN", "Recurrent", "clip_grad_norm", "clip_grad_value"]

_PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _float_array(x, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    """``x`` as a finite array of ``dtype`` and of exactly ``shape`` (None entries: any size)."""
    raw = np.asarray(x)
    if raw.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point array, got dtype {raw.dtype}.")
    want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
    if raw.ndim != len(shape) or any(
        s is not None and s != r for s, r in zip(shape, raw.shape, strict=True)
    ):
        raise ValueError(f"{name} must have shape {want}, got {raw.shape}.")
    if raw.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {raw.shape}.")
    if not np.isfinite(raw).all():
        bad = int((~np.isfinite(raw)).sum())
        raise ValueError(f"{name} must contain only finite values ({bad} are NaN or infinite).")
    return raw.astype(dtype, copy=False)


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
    @property
    def weight_ih(self):
        return self.params["weight_ih"]

    @property
    def weight_hh(self):
        return self.params["weight_hh"]

    @property
    def bias_ih(self):
        return self.params["bias_ih"]

    @property
    def bias_hh(self):
        return self.params["bias_hh"]

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
        x = _float_array(x, "x", (None, None, self.input_size), self.dtype)
        T, B, D = x.shape
        H = self.hidden_size
        state = []
        for s, name in zip(states, self._state_names(), strict=True):
            if s is None:
                state.append(np.zeros((B, H), self.dtype))
            else:
                state.append(_float_array(s, name, (1, B, H), self.dtype)[0])
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
        d_output = _float_array(d_output, "d_output", (T, B, H), self.dtype)
        d_state = []
        for s, name in zip(d_states, self._state_names(), strict=True):
            if s is None:
                d_state.append(np.zeros((B, H), self.dtype))
            else:
                d_state.append(_float_array(s, f"d_{name[:-1]}_n", (1, B, H), self.dtype)[0].copy())
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


class RNN(Recurrent):
    """Elman RNN equal to ``torch.nn.RNN(input_size, hidden_size, nonlinearity)`` (one layer).

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
        a = gi + gh
        h = np.tanh(a) if self.nonlinearity == "tanh" else np.maximum(a, 0)
        return (h,), h

    def _cell_backward(self, d_state, cache):
        h = cache
        if self.nonlinearity == "tanh":
            d_a = d_state[0] * (1 - h * h)  # tanh'(a) = 1 - tanh(a)^2 = 1 - h^2
        else:
            d_a = d_state[0] * (h > 0)
        return d_a, d_a, (None,)  # h_{t-1} reaches h_t only through gh


# ---------------------------------------------------------------------- gated cells
def _sigmoid_(a):
    """σ(a) = 1 / (1 + e^-a), computed IN PLACE in ``a`` (returned).

    numpy's exp is about 3x faster than its tanh on a (B, 4H) block, so the LSTM's four gates
    go through ONE exp: its g block is scaled by 2 first, since tanh(x) = 2σ(2x) - 1 (for the
    (B, H) tanh(c_t) np.tanh measured faster). For a < -88 (float32) e^-a overflows to inf and
    σ = 0, as it should; the callers silence that overflow warning once per sequence, not per
    step (``np.errstate`` costs as much as the arithmetic of a small step).
    """
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1
    return np.reciprocal(a, out=a)


def _quiet():
    return np.errstate(over="ignore")


class _LSTMSteps:
    """The LSTM's per-step caches, stored as arrays stacked over time: ``act`` gate-major
    (T, 4, B, H) (``act[t, 0]`` is i_t, then f_t, g_t, o_t), ``c_prev`` and ``tanh_c`` (T, B, H).
    ``steps[t]`` is step t's cache in the layout of :meth:`LSTM._cell_forward`, ``act`` as
    (B, 4H), for the generic loops (a copy); the fast paths read the arrays."""

    def __init__(self, act, c_prev, tanh_c):
        self.act, self.c_prev, self.tanh_c = act, c_prev, tanh_c

    def __getitem__(self, t):
        a = self.act[t]
        return a.transpose(1, 0, 2).reshape(a.shape[1], -1), self.c_prev[t], self.tanh_c[t]

    def __len__(self):
        return len(self.act)


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
        tanh_c = np.tanh(c)
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
        return d_a, d_a, (None, d_c * f)  # h_{t-1} reaches h_t only through gh

    def _steps(self, x, state, output):
        """The equations of :meth:`_cell_forward`, with the per-step work that does not depend on
        the recursion moved out of the loop and every result written into arrays stacked over
        time (no per-step allocation of caches, nothing to stack in the backward pass).

        Where the time went (profiled): about 17 small array operations per step, most of them
        on (B, H) blocks cut out of the (B, 4H) gate array, which numpy walks row by row (about
        4x slower than a contiguous block of the same size); and page faults on fresh work arrays
        (see ``_buffer``). So: the gates are copied once per step into gate-major order (4, B, H),
        where every block is contiguous; two scalings are folded into the weights once: the loop
        computes ``z = -k ⊙ a`` with k = 2 on the g block and 1 elsewhere (multiplying by -1 or -2
        is exact in floating point), so ``1 / (1 + e^z)`` is σ(a) for i, f, o and σ(2a) for g;
        and both biases join the input projection of all steps at once.
        """
        T, B, _ = x.shape
        H, p = self.hidden_size, self.params
        k = np.full(4 * H, -1.0, self.dtype)
        k[2 * H : 3 * H] = -2.0
        # -k ⊙ (x_t W_ih^T + b_ih + b_hh) for every t, (T, B, 4H) in torch's gate order
        proj = _project(x, p["weight_ih"] * k[:, None], (p["bias_ih"] + p["bias_hh"]) * k,
                        self._buffer("proj", (T, B, 4 * H)))  # fmt: skip
        W = np.ascontiguousarray(p["weight_hh"].T) * k  # contiguous: h @ W ~2x faster
        z = self._buffer("z", (B, 4 * H))
        z_gate_major = z.reshape(B, 4, H).transpose(1, 0, 2)  # a (4, B, H) view of z
        act = self._buffer("act", (T, 4, B, H))  # act[t] = (i_t, f_t, g_t, o_t), each (B, H)
        c = self._buffer("c", (T + 1, B, H))  # c[t] = c_{t-1} of step t; c[0] = c0
        c[0] = state[1]
        tanh_c = self._buffer("tanh_c", (T, B, H))
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
        return (h, c[T].copy()), _LSTMSteps(act, c[:T], tanh_c)

    def _bptt(self, d_output, d_state, caches):
        """The equations of :meth:`_cell_backward`, with every factor that does not depend on
        the recursion computed for all time steps at once (in place, in reused work arrays, on
        the gate-major gates); the loop keeps only what must be sequential."""
        T, B, H = d_output.shape
        act, c_prev, tanh_c = caches.act, caches.c_prev, caches.tanh_c
        i, f, g, o = (act[:, k] for k in range(4))  # (T, B, H) each, contiguous at each t
        # d a_{i, f, g} = d_c ⊙ from_c;  d a_o = d_h ⊙ from_h;  d_c += d_h ⊙ h_to_c, where
        # from_c = (g σ'(i), c_{t-1} σ'(f), i (1 - g^2)), from_h = tanh(c_t) σ'(o),
        # h_to_c = o (1 - tanh(c_t)^2), σ' = s (1 - s) for a gate s
        sd = self._buffer("sd", act.shape)  # s (1 - s) on all of act at once (g's is unused)
        np.subtract(1, act, out=sd)
        sd *= act
        from_c = self._buffer("from_c", (T, 3, B, H))
        from_h, h_to_c = (self._buffer(n, (T, B, H)) for n in ("from_h", "h_to_c"))
        np.multiply(sd[:, 0], g, out=from_c[:, 0])
        np.multiply(sd[:, 1], c_prev, out=from_c[:, 1])
        np.multiply(g, g, out=from_c[:, 2])
        np.subtract(1, from_c[:, 2], out=from_c[:, 2])
        from_c[:, 2] *= i
        np.multiply(sd[:, 3], tanh_c, out=from_h)
        np.multiply(tanh_c, tanh_c, out=h_to_c)
        np.subtract(1, h_to_c, out=h_to_c)
        h_to_c *= o
        d_a = np.empty((T, B, 4 * H), self.dtype)  # returned, torch's layout (for the weights)
        d_a_gate_major = d_a.reshape(T, B, 4, H).transpose(0, 2, 1, 3)  # a (T, 4, B, H) view
        d_gates = self._buffer("d_gates", (4, B, H))
        W_hh = self.params["weight_hh"]
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
        (h_prev,) = state
        H = self.hidden_size
        rz = _sigmoid_(gi[:, : 2 * H] + gh[:, : 2 * H])
        r, z = rz[:, :H], rz[:, H:]
        gh_n = gh[:, 2 * H :]
        n = np.tanh(gi[:, 2 * H :] + r * gh_n)  # reset gate AFTER the matrix product, as torch
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
