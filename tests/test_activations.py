"""Activations and their derivatives equal torch's (values and autograd), in float64."""

import numpy as np
import pytest
import torch

from course_utils import activations
from course_utils.activations import ACTIVATIONS, sigmoid, sigmoid_grad

TORCH = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
Z = np.concatenate([np.linspace(-40, 40, 801), [-1e3, -1e-12, 0.0, 1e-12, 1e3]])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_values_and_derivatives_equal_torch_autograd(name):
    f, df = ACTIVATIONS[name]
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    out = TORCH[name](z)
    out.sum().backward()
    np.testing.assert_allclose(f(Z), out.detach().numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(df(Z), z.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivatives_match_central_differences(name):
    f, df = ACTIVATIONS[name]
    z = np.linspace(-5, 5, 101)
    z = z[np.abs(z) > 1e-3]  # ReLU has a kink at 0
    h = 1e-6
    np.testing.assert_allclose(df(z), (f(z + h) - f(z - h)) / (2 * h), atol=1e-8)


def test_sigmoid_is_stable_and_its_derivative_peaks_at_a_quarter():
    with np.errstate(over="raise", invalid="raise"):  # no overflow at large |z|
        assert sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
    z = np.linspace(-10, 10, 20001)
    assert sigmoid_grad(z).max() == 0.25 and z[np.argmax(sigmoid_grad(z))] == 0.0


def test_scalars_and_integers_work_and_shape_is_kept():
    assert activations.relu(3) == 3.0 and activations.relu(-2).dtype == np.float64
    assert activations.tanh_grad(np.zeros((2, 3))).shape == (2, 3)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("bad", ["1.0", np.array([1 + 2j]), None])
def test_non_real_input_is_a_clear_error(name, bad):
    for fn in ACTIVATIONS[name]:
        with pytest.raises(TypeError, match="z must be a real number or an array of them"):
            fn(bad)
