"""The public cell equations (course_utils.rnn.cells) equal torch.nn.RNNCell / LSTMCell / GRUCell,
forward and backward (autograd), in float64; the layers equal a loop over the cells; bad input
gets one clear sentence; the specs name the cells as library functions a graded answer may not call.
"""

import importlib

import numpy as np
import pytest
import torch

from course_utils import rnn
from course_utils.rnn import cells
from course_utils.specs import lstm_gru

torch.set_num_threads(1)

GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}
SHAPES = [(1, 1, 1), (3, 4, 5), (2, 7, 3)]  # (B, D, H)


def _inputs(kind, B, D, H, seed):
    """x, h_prev, [c_prev,] W_ih, W_hh, b_ih, b_hh, d_h, [d_c] (float64, torch's shapes)."""
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    arrays = {"x": rng.normal(size=(B, D)), "h_prev": rng.normal(size=(B, H))}
    if kind == "lstm":
        arrays["c_prev"] = rng.normal(size=(B, H))
    arrays |= {
        "W_ih": rng.normal(scale=0.7, size=(G * H, D)),
        "W_hh": rng.normal(scale=0.7, size=(G * H, H)),
        "b_ih": rng.normal(scale=0.5, size=G * H),
        "b_hh": rng.normal(scale=0.5, size=G * H),
        "d_h": rng.normal(size=(B, H)),
    }
    if kind == "lstm":
        arrays["d_c"] = rng.normal(size=(B, H))
    return arrays


def _torch_cell(kind, a):
    """torch's cell with these weights: outputs and the gradients of every input, by autograd."""
    D, H = a["x"].shape[1], a["h_prev"].shape[1]
    if kind.startswith("rnn"):
        cell = torch.nn.RNNCell(D, H, nonlinearity=kind[4:])
    else:
        cell = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[kind](D, H)
    cell = cell.double()
    with torch.no_grad():
        for name, key in (("weight_ih", "W_ih"), ("weight_hh", "W_hh"),
                          ("bias_ih", "b_ih"), ("bias_hh", "b_hh")):  # fmt: skip
            getattr(cell, name).copy_(torch.from_numpy(a[key]))
    x = torch.tensor(a["x"], requires_grad=True)
    h = torch.tensor(a["h_prev"], requires_grad=True)
    if kind == "lstm":
        c = torch.tensor(a["c_prev"], requires_grad=True)
        h_new, c_new = cell(x, (h, c))
        loss = (h_new * torch.from_numpy(a["d_h"])).sum() + (
            c_new * torch.from_numpy(a["d_c"])
        ).sum()
        outputs = (h_new.detach().numpy(), c_new.detach().numpy())
    else:
        h_new = cell(x, h)
        loss = (h_new * torch.from_numpy(a["d_h"])).sum()
        outputs = (h_new.detach().numpy(),)
    loss.backward()
    grads = {"x": x.grad, "h_prev": h.grad, "W_ih": cell.weight_ih.grad,
             "W_hh": cell.weight_hh.grad, "b_ih": cell.bias_ih.grad, "b_hh": cell.bias_hh.grad}  # fmt: skip
    if kind == "lstm":
        grads["c_prev"] = c.grad
    return outputs, {k: v.numpy() for k, v in grads.items()}


def _ours(kind, a):
    """Our cell: outputs and the gradients of every input, named as in _torch_cell."""
    w = (a["W_ih"], a["W_hh"], a["b_ih"], a["b_hh"])
    if kind.startswith("rnn"):
        nl = kind[4:]
        h = cells.rnn_cell_forward(a["x"], a["h_prev"], *w, nonlinearity=nl)
        g = cells.rnn_cell_backward(a["d_h"], a["x"], a["h_prev"], h, *w[:2], nonlinearity=nl)
        return (h,), dict(zip(("x", "h_prev", "W_ih", "W_hh", "b_ih"), g, strict=True)) | {
            "b_hh": g[4]
        }
    if kind == "lstm":
        outputs = cells.lstm_cell_forward(a["x"], a["h_prev"], a["c_prev"], *w)
        g = cells.lstm_cell_backward(a["d_h"], a["d_c"], a["x"], a["h_prev"], a["c_prev"], *w)
        names = ("x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih")
        return outputs, dict(zip(names, g, strict=True)) | {"b_hh": g[5]}
    h = cells.gru_cell_forward(a["x"], a["h_prev"], *w)
    g = cells.gru_cell_backward(a["d_h"], a["x"], a["h_prev"], *w)
    names = ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")
    return (h,), dict(zip(names, g, strict=True))


@pytest.mark.parametrize("kind", list(GATES))
@pytest.mark.parametrize(("B", "D", "H"), SHAPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_cells_equal_torch_cells_forward_and_autograd_float64(kind, B, D, H, seed):
    a = _inputs(kind, B, D, H, seed)
    want_out, want_grads = _torch_cell(kind, a)
    got_out, got_grads = _ours(kind, a)
    for got, want in zip(got_out, want_out, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    assert got_grads.keys() == want_grads.keys()
    for name, want in want_grads.items():
        np.testing.assert_allclose(got_grads[name], want, rtol=1e-11, atol=1e-12, err_msg=name)


def test_gru_bias_gradients_differ_in_the_candidate_block_only():
    """The reset gate multiplies W_hn h + b_hn: b_hn's gradient is r times b_in's."""
    a = _inputs("gru", 3, 2, 4, seed=5)
    *_, d_b_ih, d_b_hh = cells.gru_cell_backward(
        a["d_h"], a["x"], a["h_prev"], a["W_ih"], a["W_hh"], a["b_ih"], a["b_hh"]
    )
    np.testing.assert_array_equal(d_b_ih[:8], d_b_hh[:8])
    assert not np.allclose(d_b_ih[8:], d_b_hh[8:])


def test_cells_keep_float32_and_leave_their_inputs_unchanged():
    a = {k: v.astype(np.float32) for k, v in _inputs("lstm", 2, 3, 4, seed=2).items()}
    before = {k: v.copy() for k, v in a.items()}
    w = (a["W_ih"], a["W_hh"], a["b_ih"], a["b_hh"])
    h, c = cells.lstm_cell_forward(a["x"], a["h_prev"], a["c_prev"], *w)
    grads = cells.lstm_cell_backward(a["d_h"], a["d_c"], a["x"], a["h_prev"], a["c_prev"], *w)
    assert all(g.dtype == np.float32 for g in (h, c, *grads))
    for k, v in a.items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)


def test_saturated_gates_give_finite_results_without_warnings():
    """σ(-1000) = 0 through an overflow of e^-a, which the cells silence; results stay finite."""
    a = _inputs("lstm", 1, 1, 2, seed=0)
    a["b_ih"][:] = -1000.0
    with np.errstate(over="raise"):
        h, c = cells.lstm_cell_forward(
            a["x"], a["h_prev"], a["c_prev"], a["W_ih"], a["W_hh"], a["b_ih"], a["b_hh"]
        )
        g = a["b_ih"][:6].copy()  # a GRU's r, z blocks saturated too
        h_gru = cells.gru_cell_forward(a["x"], a["h_prev"], a["W_ih"][:6], a["W_hh"][:6], g, g)
    np.testing.assert_array_equal(c, 0.0)  # f = i = 0: nothing kept, nothing written
    assert np.isfinite(h).all() and np.isfinite(h_gru).all()


# ----------------------------------------------------------------------------- layers = cells


def _loop_over_cells(kind, layer, xs, state, d_out):
    """forward and BPTT as a plain loop over the public cells: outputs, d_xs, the weight grads."""
    p = layer.params
    w = (p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"])
    T = len(xs)
    h, c = state[0], state[1] if kind == "lstm" else None
    hs, cs = [h], [c]
    for t in range(T):
        if kind == "lstm":
            h, c = cells.lstm_cell_forward(xs[t], h, c, *w)
        elif kind == "gru":
            h = cells.gru_cell_forward(xs[t], h, *w)
        else:
            h = cells.rnn_cell_forward(xs[t], h, *w, nonlinearity=layer.nonlinearity)
        hs.append(h)
        cs.append(c)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    d_xs = np.zeros_like(xs)
    d_h, d_c = np.zeros_like(hs[0]), np.zeros_like(hs[0])
    for t in reversed(range(T)):
        d_h = d_h + d_out[t]
        if kind == "lstm":
            g = cells.lstm_cell_backward(d_h, d_c, xs[t], hs[t], cs[t], *w)
            d_xs[t], d_h, d_c, step = g[0], g[1], g[2], (g[3], g[4], g[5], g[5])
        elif kind == "gru":
            g = cells.gru_cell_backward(d_h, xs[t], hs[t], *w)
            d_xs[t], d_h, step = g[0], g[1], g[2:]
        else:
            g = cells.rnn_cell_backward(d_h, xs[t], hs[t], hs[t + 1], *w[:2], layer.nonlinearity)
            d_xs[t], d_h, step = g[0], g[1], (g[2], g[3], g[4], g[4])
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), step, strict=True):
            grads[name] += value
    return np.stack(hs[1:]), d_xs, d_h, grads


@pytest.mark.parametrize("kind", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_layers_equal_a_loop_over_the_cells(kind):
    T, B, D, H = 6, 3, 4, 5
    if kind.startswith("rnn"):
        layer = rnn.RNN(D, H, nonlinearity=kind[4:], rng=1)
    else:
        layer = {"lstm": rnn.LSTM, "gru": rnn.GRU}[kind](D, H, rng=1)
    rng = np.random.default_rng(7)
    xs, d_out = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    state = [rng.normal(size=(B, H)) for _ in range(layer.n_states)]
    out, d_xs, d_h0, grads = _loop_over_cells(kind, layer, xs, state, d_out)
    if kind == "lstm":
        layer_out, _ = layer.forward(xs, (state[0][None], state[1][None]))
        layer_d_xs, (layer_d_h0, _) = layer.backward(d_out)
    else:
        layer_out, _ = layer.forward(xs, state[0][None])
        layer_d_xs, layer_d_h0 = layer.backward(d_out)
    np.testing.assert_allclose(layer_out, out, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(layer_d_xs, d_xs, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(layer_d_h0[0], d_h0, rtol=1e-11, atol=1e-12)
    for name, value in grads.items():
        np.testing.assert_allclose(layer.grads[name], value, rtol=1e-11, atol=1e-12, err_msg=name)


# ----------------------------------------------------------------------------- bad input

_A = _inputs("lstm", 2, 3, 4, seed=0)
_W = (_A["W_ih"], _A["W_hh"], _A["b_ih"], _A["b_hh"])
_R = _inputs("rnn_tanh", 2, 3, 4, seed=0)
_RW = (_R["W_ih"], _R["W_hh"], _R["b_ih"], _R["b_hh"])
_G = _inputs("gru", 2, 3, 4, seed=0)
_GW = (_G["W_ih"], _G["W_hh"], _G["b_ih"], _G["b_hh"])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: cells.lstm_cell_forward(_A["x"], _A["h_prev"], _A["c_prev"], *_RW), ValueError,
         r"W_ih must have shape \(16, 3\), got \(4, 3\)"),
        (lambda: cells.lstm_cell_forward(_A["x"][0], _A["h_prev"], _A["c_prev"], *_W), ValueError,
         r"x must have shape \(any, any\), got \(3,\)"),
        (lambda: cells.lstm_cell_forward(_A["x"], _A["h_prev"][:1], _A["c_prev"], *_W), ValueError,
         r"h_prev must have shape \(2, any\), got \(1, 4\)"),
        (lambda: cells.lstm_cell_forward(_A["x"], _A["h_prev"], _A["c_prev"][:, :3], *_W),
         ValueError, r"c_prev must have shape \(2, 4\), got \(2, 3\)"),
        (lambda: cells.gru_cell_forward(_A["x"], _A["h_prev"], *_W), ValueError,
         r"W_ih must have shape \(12, 3\), got \(16, 3\)"),
        (lambda: cells.rnn_cell_forward(np.ones((2, 3), int), _R["h_prev"], *_RW), TypeError,
         "x must be a floating-point array, got dtype int64"),
        (lambda: cells.rnn_cell_forward(_R["x"], _R["h_prev"], *_RW, nonlinearity="sigmoid"),
         ValueError, "nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"),
        (lambda: cells.rnn_cell_forward(_R["x"] * np.nan, _R["h_prev"], *_RW), ValueError,
         r"x must contain only finite values \(6 are NaN or infinite\)"),
        (lambda: cells.rnn_cell_backward(_R["d_h"][:, :2], _R["x"], _R["h_prev"], _R["h_prev"],
                                         *_RW[:2]), ValueError, r"d_h must have shape \(2, 4\)"),
        (lambda: cells.gru_cell_backward(_G["d_h"], _G["x"], _G["h_prev"], *_GW[:3], _GW[3][:4]),
         ValueError, r"b_hh must have shape \(12,\), got \(4,\)"),
    ],
)  # fmt: skip
def test_bad_input_raises_one_clear_sentence(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


# ----------------------------------------------------------------------------- specs


@pytest.mark.parametrize(
    ("spec", "question", "function"),
    [
        (lstm_gru, "lstm_step_backward", "lstm_cell_backward"),
        (lstm_gru, "gru_step_backward", "gru_cell_backward"),
    ],
)
def test_specs_use_the_cells_and_name_them_as_library(spec, question, function):
    """The reference IS the public cell, and a graded answer calling it, imported from the cells
    module or from the package, is counted as a library call (the probe wraps module attributes,
    so both places must be named)."""
    q = spec.ASSIGNMENT.question(question)
    assert q.reference is getattr(cells, function)
    names = set(q.library_names)
    both = {f"course_utils.rnn.cells.{function}", f"course_utils.rnn.{function}"}
    assert both <= names  # exercise 08's backward questions also name the gates and the layer
    for dotted in both:
        module, _, attr = dotted.rpartition(".")
        assert getattr(importlib.import_module(module), attr) is getattr(cells, function)
