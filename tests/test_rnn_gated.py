"""course_utils LSTM and GRU equal torch.nn.LSTM / torch.nn.GRU (outputs and every gradient),
match finite differences, and reject bad input with one clear sentence."""

import numpy as np
import pytest
import torch

from course_utils.gradcheck import numerical_gradient
from course_utils.rnn import GRU, LSTM

torch.set_num_threads(1)

SHAPES = [(1, 1, 1, 1), (5, 3, 4, 6), (12, 2, 7, 5), (30, 4, 3, 8)]  # (T, B, D, H)
NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-12)


def _pair(kind, D, H, seed, dtype=torch.float64):
    torch.manual_seed(seed)
    module = getattr(torch.nn, kind)(D, H).to(dtype)
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    ours = {"LSTM": LSTM, "GRU": GRU}[kind](D, H, dtype=np_dtype).load_torch(module)
    return module, ours


def _random_inputs(kind, T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    n = 2 if kind == "LSTM" else 1
    x = rng.normal(size=(T, B, D))
    state = [rng.normal(size=(1, B, H)) for _ in range(n)]
    d_out = rng.normal(size=(T, B, H))
    d_state = [rng.normal(size=(1, B, H)) for _ in range(n)]
    return x, state, d_out, d_state


def _torch_run(module, x, state, d_out, d_state, dtype=torch.float64):
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    st = [torch.tensor(s, dtype=dtype, requires_grad=True) for s in state]
    out, final = module(xt, tuple(st) if len(st) == 2 else st[0])
    final = final if isinstance(final, tuple) else (final,)
    loss = (out * torch.tensor(d_out, dtype=dtype)).sum()
    for f, d in zip(final, d_state, strict=True):
        loss = loss + (f * torch.tensor(d, dtype=dtype)).sum()
    loss.backward()
    grads = {n: getattr(module, f"{n}_l0").grad.numpy() for n in NAMES}
    return (out.detach().numpy(), [f.detach().numpy() for f in final], xt.grad.numpy(),
            [s.grad.numpy() for s in st], grads)  # fmt: skip


def _ours_run(layer, kind, x, state, d_out, d_state):
    if kind == "LSTM":
        out, (h_n, c_n) = layer.forward(x, tuple(state))
        d_x, (d_h0, d_c0) = layer.backward(d_out, tuple(d_state))
        return out, [h_n, c_n], d_x, [d_h0, d_c0]
    out, h_n = layer.forward(x, state[0])
    d_x, d_h0 = layer.backward(d_out, d_state[0])
    return out, [h_n], d_x, [d_h0]


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1])
def test_forward_and_every_gradient_equal_torch_float64(kind, shape, seed):
    T, B, D, H = shape
    module, layer = _pair(kind, D, H, seed)
    x, state, d_out, d_state = _random_inputs(kind, T, B, D, H, seed)
    out_t, final_t, dx_t, dstate_t, grads_t = _torch_run(module, x, state, d_out, d_state)
    out, final, d_x, d_st = _ours_run(layer, kind, x, state, d_out, d_state)
    assert out.shape == (T, B, H) and all(f.shape == (1, B, H) for f in final)
    pairs = [(out, out_t), (d_x, dx_t)] + list(zip(final, final_t, strict=True))
    pairs += list(zip(d_st, dstate_t, strict=True))
    for ours, theirs in pairs:
        assert _rel_err(ours, theirs) < 1e-6
    assert set(layer.grads) == set(NAMES)
    for name in NAMES:
        assert layer.grads[name].shape == grads_t[name].shape
        assert _rel_err(layer.grads[name], grads_t[name]) < 1e-6, name


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_float32_matches_torch_float32(kind):
    T, B, D, H = 50, 32, 8, 64
    module, layer = _pair(kind, D, H, 0, dtype=torch.float32)
    x, state, d_out, d_state = _random_inputs(kind, T, B, D, H, 0)
    cast = [np.float32(a) for a in (x, d_out)]
    state32, dstate32 = (
        [s.astype(np.float32) for s in state],
        [s.astype(np.float32) for s in d_state],
    )
    out_t, _, dx_t, _, grads_t = _torch_run(
        module, cast[0], state32, cast[1], dstate32, torch.float32
    )
    out, _, d_x, _ = _ours_run(layer, kind, cast[0], state32, cast[1], dstate32)
    assert out.dtype == np.float32 and d_x.dtype == np.float32
    assert _rel_err(out, out_t) < 1e-5 and _rel_err(d_x, dx_t) < 1e-4
    for name in NAMES:
        assert _rel_err(layer.grads[name], grads_t[name]) < 1e-4


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_gradients_match_finite_differences(kind):
    T, B, D, H = 4, 2, 3, 3
    layer = {"LSTM": LSTM, "GRU": GRU}[kind](D, H, rng=7)
    x, state, d_out, d_state = _random_inputs(kind, T, B, D, H, 3)

    def loss_of(params=None, x_=None):
        saved = dict(layer.params)
        if params is not None:
            layer.params.update(params)
        out, final, _, _ = _ours_run(layer, kind, x if x_ is None else x_, state, d_out, d_state)
        layer.params.update(saved)
        return float(
            (out * d_out).sum() + sum((f * d).sum() for f, d in zip(final, d_state, strict=True))
        )

    loss_of()
    _, _, d_x, _ = _ours_run(layer, kind, x, state, d_out, d_state)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    assert _rel_err(d_x, numerical_gradient(lambda v: loss_of(x_=v), x)) < 1e-6
    for name in NAMES:
        numeric = numerical_gradient(lambda v, n=name: loss_of({n: v}), layer.params[name])
        assert _rel_err(grads[name], numeric) < 1e-6, name


def test_lstm_cell_path_is_the_forget_gate():
    """dc_{t-1}/dc_t is the forget gate f_t (elementwise): nothing else on the cell path."""
    layer = LSTM(2, 3, rng=0)
    x = np.random.default_rng(1).normal(size=(2, 1, 2))
    layer.forward(x)
    cache = layer._cache[2][1]  # step t = 1: (i, f, g, o, c_prev, tanh_c), as the cells' cache
    f1 = cache[1]
    d_c = np.array([[1.0, -2.0, 0.5]])
    _, _, (_, d_c_prev) = layer._cell_backward((np.zeros((1, 3)), d_c), cache)
    np.testing.assert_allclose(d_c_prev, d_c * f1)
    assert not np.allclose(d_c_prev, d_c)  # the forget gate is not 1: the test can fail


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: LSTM(3, 4).forward(np.zeros((5, 2, 4))), ValueError, r"x must have shape \(any, any, 3\)"),
        (lambda: LSTM(3, 4).forward(np.zeros((5, 3))), ValueError, "x must have shape"),
        (lambda: LSTM(3, 4).forward(np.zeros((5, 2, 3), dtype=int)), TypeError, "floating-point"),
        (lambda: LSTM(3, 4).forward(np.full((5, 2, 3), np.nan)), ValueError, "only finite values"),
        (lambda: LSTM(3, 4).forward(np.zeros((5, 2, 3)), (None, np.zeros((1, 3, 4)))), ValueError,
         r"c0 must have shape \(1, 2, 4\)"),
        (lambda: GRU(3, 4).forward(np.zeros((5, 2, 3)), np.zeros((2, 2, 4))), ValueError,
         r"h0 must have shape \(1, 2, 4\)"),
        (lambda: GRU(3, 4).backward(np.zeros((5, 2, 4))), RuntimeError, "before forward"),
        (lambda: LSTM(0, 4), ValueError, "input_size must be >= 1, got 0"),
        (lambda: LSTM(3, 4).load_torch(torch.nn.GRU(3, 4)), ValueError, "torch.nn.LSTM"),
        (lambda: GRU(3, 4).load_torch(torch.nn.LSTM(3, 4)), ValueError, "torch.nn.GRU"),
    ],
)  # fmt: skip
def test_bad_input_raises_one_clear_sentence(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


def test_lstm_fast_bptt_equals_the_step_by_step_reference():
    """_fast_lstm.backward (time-vectorized) equals the generic loop over the public cell
    (Recurrent._bptt calling cells.lstm_gates_backward step by step)."""
    from course_utils.rnn import Recurrent, _fast_lstm

    layer = LSTM(3, 5, rng=2)
    rng = np.random.default_rng(4)
    layer.forward(rng.normal(size=(9, 2, 3)))
    d_out = rng.normal(size=(9, 2, 5))
    d_state = (rng.normal(size=(2, 5)), rng.normal(size=(2, 5)))
    fast = _fast_lstm.backward(layer.params, d_out, d_state, layer._cache[2], layer._buffer)
    slow = Recurrent._bptt(layer, d_out, d_state, layer._cache[2])
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-12, atol=1e-15)
    for a, b in zip(fast[2], slow[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_lstm_fast_forward_equals_the_step_by_step_reference():
    """_fast_lstm.forward (weights pre-scaled, arrays stacked over time) equals the generic loop
    over the public cell (Recurrent._steps calling cells.lstm_gates_forward), outputs and
    per-step caches."""
    from course_utils.rnn import Recurrent, _fast_lstm

    layer = LSTM(3, 5, rng=3)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(9, 2, 3))
    state = (rng.normal(size=(2, 5)), rng.normal(size=(2, 5)))
    fast_out, slow_out = np.empty((9, 2, 5)), np.empty((9, 2, 5))
    with np.errstate(over="ignore"):
        fast_state, fast_caches = _fast_lstm.forward(
            layer.params, x, state, fast_out, layer._buffer
        )
        slow_state, slow_caches = Recurrent._steps(layer, x, state, slow_out)
    np.testing.assert_allclose(fast_out, slow_out, rtol=1e-12, atol=1e-15)
    for a, b in zip(fast_state, slow_state, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    for t in range(9):
        for a, b in zip(fast_caches[t], slow_caches[t], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_returned_arrays_are_not_overwritten_by_the_next_call(kind):
    """Work arrays are reused between calls; what a call returns must not be one of them."""
    layer = LSTM(3, 4, rng=0) if kind == "lstm" else GRU(3, 4, rng=0)
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(6, 2, 3)), rng.normal(size=(6, 2, 3))
    d1, d2 = rng.normal(size=(6, 2, 4)), rng.normal(size=(6, 2, 4))
    out, state = layer.forward(x1)
    d_x, d_state = layer.backward(d1)
    state, d_state = (s if isinstance(s, tuple) else (s,) for s in (state, d_state))
    returned = [out, *state, d_x, *d_state, *layer.grads.values()]
    before = [a.copy() for a in returned]
    layer.forward(x2)
    layer.backward(d2)
    for now, then in zip(returned, before, strict=True):
        np.testing.assert_array_equal(now, then)
