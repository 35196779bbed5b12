"""course_utils.rnn.RNN equals torch.nn.RNN (outputs and every gradient), matches finite
differences, and rejects bad input with one clear sentence."""

import numpy as np
import pytest
import torch

from course_utils.gradcheck import numerical_gradient
from course_utils.rnn import RNN

torch.set_num_threads(1)

SHAPES = [(1, 1, 1, 1), (5, 3, 4, 6), (12, 2, 7, 5), (30, 4, 3, 8)]  # (T, B, D, H)


def _rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-12)


def _pair(D, H, nonlinearity, seed, dtype=torch.float64):
    torch.manual_seed(seed)
    module = torch.nn.RNN(D, H, nonlinearity=nonlinearity).to(dtype)
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    return module, RNN(D, H, nonlinearity, dtype=np_dtype).load_torch(module)


def _torch_run(module, x, h0, d_out, d_hn, dtype=torch.float64):
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    h0t = torch.tensor(h0, dtype=dtype, requires_grad=True)
    out, hn = module(xt, h0t)
    (out * torch.tensor(d_out, dtype=dtype)).sum().add(
        (hn * torch.tensor(d_hn, dtype=dtype)).sum()
    ).backward()
    grads = {
        n: getattr(module, f"{n}_l0").grad.numpy()
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    }
    return out.detach().numpy(), hn.detach().numpy(), xt.grad.numpy(), h0t.grad.numpy(), grads


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}D{}H{}".format(*s))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_and_every_gradient_equal_torch_float64(shape, nonlinearity, seed):
    T, B, D, H = shape
    module, layer = _pair(D, H, nonlinearity, seed)
    rng = np.random.default_rng(seed)
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(1, B, H))
    d_out, d_hn = rng.normal(size=(T, B, H)), rng.normal(size=(1, B, H))
    out_t, hn_t, dx_t, dh0_t, grads_t = _torch_run(module, x, h0, d_out, d_hn)

    out, hn = layer.forward(x, h0)
    assert out.shape == (T, B, H) and hn.shape == (1, B, H)
    d_x, d_h0 = layer.backward(d_out, d_hn)
    assert d_x.shape == x.shape and d_h0.shape == h0.shape
    for ours, theirs in [(out, out_t), (hn, hn_t), (d_x, dx_t), (d_h0, dh0_t)]:
        assert _rel_err(ours, theirs) < 1e-6
    assert set(layer.grads) == set(grads_t)
    for name, g in grads_t.items():
        assert layer.grads[name].shape == g.shape
        assert _rel_err(layer.grads[name], g) < 1e-6, name


@pytest.mark.parametrize("seed", range(10, 20))
def test_random_shapes_and_nonlinearities_equal_torch(seed):
    rng = np.random.default_rng(seed)
    T, B, D, H = (int(v) for v in rng.integers(1, [25, 6, 9, 11]))
    nonlinearity = ("tanh", "relu")[seed % 2]
    module, layer = _pair(D, H, nonlinearity, seed)
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(1, B, H))
    d_out, d_hn = rng.normal(size=(T, B, H)), rng.normal(size=(1, B, H))
    out_t, hn_t, dx_t, dh0_t, grads_t = _torch_run(module, x, h0, d_out, d_hn)
    out, hn = layer.forward(x, h0)
    d_x, d_h0 = layer.backward(d_out, d_hn)
    errors = [_rel_err(a, b) for a, b in [(out, out_t), (hn, hn_t), (d_x, dx_t), (d_h0, dh0_t)]]
    errors += [_rel_err(layer.grads[name], g) for name, g in grads_t.items()]
    assert max(errors) < 1e-6, (T, B, D, H, nonlinearity)


def test_default_h0_and_d_h_n_are_zero():
    module, layer = _pair(3, 4, "tanh", 5)
    rng = np.random.default_rng(5)
    x, d_out = rng.normal(size=(6, 2, 3)), rng.normal(size=(6, 2, 4))
    out_t, _, dx_t, _, grads_t = _torch_run(
        module, x, np.zeros((1, 2, 4)), d_out, np.zeros((1, 2, 4))
    )
    out, _ = layer.forward(x)
    d_x, _ = layer.backward(d_out)
    assert _rel_err(out, out_t) < 1e-6 and _rel_err(d_x, dx_t) < 1e-6
    assert _rel_err(layer.grads["weight_hh"], grads_t["weight_hh"]) < 1e-6


def test_float32_matches_torch_float32():
    module, layer = _pair(8, 64, "tanh", 3, dtype=torch.float32)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 32, 8)).astype(np.float32)
    h0 = np.zeros((1, 32, 64), np.float32)
    d_out = rng.normal(size=(50, 32, 64)).astype(np.float32)
    out_t, _, dx_t, _, grads_t = _torch_run(module, x, h0, d_out, h0, dtype=torch.float32)
    out, _ = layer.forward(x)
    d_x, _ = layer.backward(d_out)
    assert out.dtype == np.float32 and d_x.dtype == np.float32
    assert layer.grads["weight_hh"].dtype == np.float32
    assert _rel_err(out, out_t) < 1e-5 and _rel_err(d_x, dx_t) < 1e-4
    for name, g in grads_t.items():
        assert _rel_err(layer.grads[name], g) < 1e-4, name


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradients_match_finite_differences(nonlinearity):
    T, B, D, H = 4, 2, 3, 5
    layer = RNN(D, H, nonlinearity, rng=7)
    rng = np.random.default_rng(7)
    x, h0 = rng.normal(size=(T, B, D)), rng.normal(size=(1, B, H))
    w_out, w_hn = rng.normal(size=(T, B, H)), rng.normal(size=(1, B, H))

    def loss(x_, h0_):
        out, hn = layer.forward(x_, h0_)
        return float((out * w_out).sum() + (hn * w_hn).sum())

    loss(x, h0)
    d_x, d_h0 = layer.backward(w_out, w_hn)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    assert _rel_err(d_x, numerical_gradient(lambda v: loss(v, h0), x)) < 1e-6
    assert _rel_err(d_h0, numerical_gradient(lambda v: loss(x, v), h0)) < 1e-6
    for name, value in layer.params.items():

        def f(v, name=name):
            saved = layer.params[name]
            layer.params[name] = v
            try:
                return loss(x, h0)
            finally:
                layer.params[name] = saved

        assert _rel_err(grads[name], numerical_gradient(f, value.copy())) < 1e-6, name


def test_parameters_have_torch_names_shapes_and_init_range():
    layer = RNN(3, 5, rng=0)
    assert {k: v.shape for k, v in layer.params.items()} == {
        "weight_ih": (5, 3),
        "weight_hh": (5, 5),
        "bias_ih": (5,),
        "bias_hh": (5,),
    }
    assert layer.weight_hh is layer.params["weight_hh"]
    assert all(np.abs(v).max() <= 1 / np.sqrt(5) for v in layer.params.values())


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda layer: layer.forward(np.zeros((4, 3))),
            ValueError,
            r"x must have shape \(any, any, 3\), got \(4, 3\)",
        ),
        (
            lambda layer: layer.forward(np.zeros((4, 2, 5))),
            ValueError,
            r"x must have shape \(any, any, 3\), got \(4, 2, 5\)",
        ),
        (lambda layer: layer.forward(np.zeros((0, 2, 3))), ValueError, "x must not be empty"),
        (
            lambda layer: layer.forward(np.zeros((4, 2, 3), dtype=int)),
            TypeError,
            "x must be a floating-point array, got dtype int64",
        ),
        (
            lambda layer: layer.forward(np.full((4, 2, 3), np.nan)),
            ValueError,
            r"x must contain only finite values \(24 are NaN or infinite\)",
        ),
        (
            lambda layer: layer.forward(np.zeros((4, 2, 3)), np.zeros((1, 3, 5))),
            ValueError,
            r"h0 must have shape \(1, 2, 5\), got \(1, 3, 5\)",
        ),
        (
            lambda layer: layer.forward(np.zeros((4, 2, 3)), np.zeros((2, 5))),
            ValueError,
            r"h0 must have shape \(1, 2, 5\)",
        ),
        (
            lambda layer: layer.forward(np.zeros((4, 2, 3)), np.full((1, 2, 5), np.inf)),
            ValueError,
            "h0 must contain only finite values",
        ),
        (
            lambda layer: layer.backward(np.zeros((4, 2, 5))),
            RuntimeError,
            "backward was called before forward",
        ),
    ],
)
def test_bad_input_raises_one_clear_sentence(call, error, match):
    layer = RNN(3, 5)
    with pytest.raises(error, match=match) as info:
        call(layer)
    message = str(info.value)
    assert message.endswith(".") and message.count(". ") == 0


def test_bad_upstream_gradient_and_constructor_arguments():
    layer = RNN(3, 5)
    layer.forward(np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match=r"d_output must have shape \(4, 2, 5\), got \(4, 2, 4\)"):
        layer.backward(np.zeros((4, 2, 4)))
    with pytest.raises(ValueError, match=r"d_h_n must have shape \(1, 2, 5\)"):
        layer.backward(np.zeros((4, 2, 5)), np.zeros((1, 5)))
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        RNN(3, 5, "sigmoid")
    with pytest.raises(ValueError, match="hidden_size must be >= 1, got 0"):
        RNN(3, 0)
    with pytest.raises(TypeError, match="input_size must be an int, got float"):
        RNN(2.5, 4)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        RNN(3, 4, dtype=np.float16)


def test_load_torch_rejects_a_mismatched_module():
    with pytest.raises(ValueError, match="module.hidden_size must be 5 to match this layer, got 4"):
        RNN(3, 5).load_torch(torch.nn.RNN(3, 4))
    with pytest.raises(ValueError, match="mode 'RNN_TANH', got 'RNN_RELU'"):
        RNN(3, 5).load_torch(torch.nn.RNN(3, 5, nonlinearity="relu"))
    with pytest.raises(ValueError, match="mode 'RNN_TANH', got 'LSTM'"):
        RNN(3, 5).load_torch(torch.nn.LSTM(3, 5))
    with pytest.raises(ValueError, match="sequence-first"):
        RNN(3, 5).load_torch(torch.nn.RNN(3, 5, batch_first=True))


def test_float32_input_to_a_float64_layer_is_computed_in_float64():
    layer = RNN(2, 3)
    out, h_n = layer.forward(np.ones((2, 1, 2), np.float32))
    assert out.dtype == np.float64 and h_n.dtype == np.float64
