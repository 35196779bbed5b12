"""numpy gradient clipping equals torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils.clipping import clip_grad_norm, clip_grad_value, total_norm


def _random_grads(seed: int, dtype=np.float64) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = [tuple(rng.integers(1, 6, size=rng.integers(0, 4))) for _ in range(rng.integers(1, 6))]
    scale = 10.0 ** rng.uniform(-3, 3)
    return [np.asarray(scale * rng.standard_normal(s), dtype=dtype) for s in shapes]


def _torch_params(grads: list[np.ndarray]) -> list[torch.nn.Parameter]:
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
        p.grad = torch.tensor(g, dtype=torch.float64)
        params.append(p)
    return params


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
def test_clip_grad_norm_equals_torch(seed, norm_type):
    grads = _random_grads(seed)
    params = _torch_params(grads)
    norm_now = total_norm(grads, norm_type)
    # one case below the threshold (no clipping), one far above it (strong clipping)
    for max_norm in (2.0 * norm_now, 0.1 * norm_now):
        ours = clip_grad_norm(grads, max_norm, norm_type)
        theirs = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        assert isinstance(ours, float)
        assert ours == pytest.approx(theirs.item(), rel=1e-12)
        for g, p in zip(grads, params, strict=True):
            np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("norm_type", [1.0, 2.0, math.inf])
def test_max_norm_inf_measures_the_norm_and_changes_nothing_as_torch(seed, norm_type):
    # torch's idiom: the factor is min(1, inf / (total + 1e-6)) = 1
    grads = _random_grads(seed)
    before = [g.copy() for g in grads]
    params = _torch_params(grads)
    ours = clip_grad_norm(grads, math.inf, norm_type)
    theirs = torch.nn.utils.clip_grad_norm_(params, math.inf, norm_type)
    assert ours == pytest.approx(theirs.item(), rel=1e-12)
    assert ours == pytest.approx(total_norm(before, norm_type), rel=1e-15)
    for g, b, p in zip(grads, before, params, strict=True):
        np.testing.assert_array_equal(g, b)
        np.testing.assert_array_equal(g, p.grad.numpy())


def test_max_norm_inf_on_zero_and_non_finite_gradients_follows_torch():
    for values in ([0.0, 0.0], [1.0, np.inf], [1.0, np.nan]):
        grads = [np.array(values)]
        params = _torch_params(grads)
        ours = clip_grad_norm(grads, np.float64(np.inf))
        theirs = torch.nn.utils.clip_grad_norm_(params, math.inf)
        np.testing.assert_array_equal(ours, theirs.item())  # nan == nan here
        np.testing.assert_array_equal(grads[0], params[0].grad.numpy())


def test_returns_the_norm_before_clipping_and_keeps_the_direction():
    a, b = np.array([3.0, 0.0]), np.array([[0.0], [4.0]])
    before = np.concatenate([a.ravel(), b.ravel()])
    assert clip_grad_norm([a, b], 1.0) == pytest.approx(5.0, rel=1e-15)
    after = np.concatenate([a.ravel(), b.ravel()])
    assert np.linalg.norm(after) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(after / np.linalg.norm(after), before / 5.0, rtol=1e-12)


def test_below_the_threshold_nothing_is_scaled_up():
    g = np.array([0.3, -0.4])
    assert clip_grad_norm([g], 10.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(g, [0.3, -0.4])


def test_inf_norm_string_and_single_array_and_dict():
    g = np.array([1.0, -8.0, 2.0])
    assert clip_grad_norm(g, 2.0, "inf") == 8.0
    np.testing.assert_allclose(g, np.array([1.0, -8.0, 2.0]) * 2.0 / (8.0 + 1e-6), rtol=1e-15)
    grads = {"weight_hh": np.ones((2, 2)), "bias_hh": None, "bias_ih": np.full(2, 2.0)}
    assert clip_grad_norm(grads, 1.0) == pytest.approx(math.sqrt(12.0))
    assert grads["bias_hh"] is None
    assert np.sqrt(grads["weight_hh"].sum() + (grads["bias_ih"] ** 2).sum()) < 2  # scaled


def test_empty_and_float32():
    assert clip_grad_norm([], 1.0) == 0.0
    assert clip_grad_norm([None], 1.0) == 0.0
    g32 = np.full(4, 3.0, dtype=np.float32)
    clip_grad_norm([g32], 1.0)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, 0.5, rtol=1e-5)


def test_non_finite_norm_follows_torch_or_raises_when_asked():
    for bad in (np.nan, np.inf):
        grads = [np.array([1.0, bad]), np.array([2.0])]
        params = _torch_params(grads)
        ours = clip_grad_norm(grads, 1.0)
        theirs = torch.nn.utils.clip_grad_norm_(params, 1.0)
        assert math.isnan(ours) if np.isnan(bad) else math.isinf(ours)
        assert math.isnan(theirs.item()) == math.isnan(ours)
        for g, p in zip(grads, params, strict=True):
            np.testing.assert_array_equal(g, p.grad.numpy())  # nan == nan here
        grads = [np.array([1.0, bad])]
        with pytest.raises(ValueError, match=r"^the total norm of order 2\.0 .* is (nan|inf)"):
            clip_grad_norm(grads, 1.0, error_if_nonfinite=True)
        assert grads[0][0] == 1.0  # nothing changed before the error
        with pytest.raises(RuntimeError):
            torch.nn.utils.clip_grad_norm_(_torch_params(grads), 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("seed", range(6))
def test_clip_grad_value_equals_torch(seed):
    grads = _random_grads(seed)
    params = _torch_params(grads)
    clip = 0.5 * float(np.median(np.abs(np.concatenate([g.ravel() for g in grads]))))
    assert clip_grad_value(grads, clip) is None
    torch.nn.utils.clip_grad_value_(params, clip)
    for g, p in zip(grads, params, strict=True):
        np.testing.assert_array_equal(g, p.grad.numpy())
        assert np.abs(g).max() <= clip


def test_clip_by_value_changes_the_direction_clip_by_norm_does_not():
    g_value, g_norm = np.array([10.0, 1.0]), np.array([10.0, 1.0])
    clip_grad_value([g_value], 1.0)
    clip_grad_norm([g_norm], 1.0)
    np.testing.assert_array_equal(g_value, [1.0, 1.0])  # now at 45 degrees
    assert g_norm[0] / g_norm[1] == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: clip_grad_norm([np.ones(2)], -1.0), ValueError, r"max_norm must be non-negative"),
        (lambda: clip_grad_norm([np.ones(2)], "1"), TypeError, r"max_norm must be a real number"),
        (lambda: clip_grad_norm([np.ones(2)], np.nan), ValueError, r"max_norm must be finite"),
        (lambda: clip_grad_norm([np.ones(2)], -np.inf), ValueError, r"max_norm must be finite"),
        (
            lambda: clip_grad_norm([np.ones(2)], 1.0, 0),
            ValueError,
            r"norm_type must be a positive number or inf",
        ),
        (lambda: clip_grad_norm([np.ones(2)], 1.0, "two"), TypeError, r"norm_type must be"),
        (lambda: clip_grad_norm([[1.0, 2.0]], 1.0), TypeError, r"entry 0 must be a numpy array"),
        (lambda: clip_grad_norm([np.ones(2, int)], 1.0), TypeError, r"floating-point array"),
        (lambda: clip_grad_norm(3.0, 1.0), TypeError, r"grads must be a list, tuple or dict"),
        (lambda: clip_grad_norm([np.ones(2)], 1.0, 2, "yes"), TypeError, r"error_if_nonfinite"),
        (lambda: clip_grad_value([np.ones(2)], -0.1), ValueError, r"clip_value must be non-neg"),
        (lambda: clip_grad_value({"w": np.ones(2, int)}, 1.0), TypeError, r"floating-point"),
    ],
)
def test_bad_input_gets_one_sentence(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    text = str(info.value)
    assert text.endswith(".") and text.count(". ") == 0


def test_read_only_array_is_refused():
    g = np.ones(3)
    g.flags.writeable = False
    with pytest.raises(ValueError, match=r"entry 0 is read-only"):
        clip_grad_norm([g], 1.0)


def test_methods_modules_import_numpy_only():
    code = (
        "import sys, course_utils.clipping, course_utils.data.sequences\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'matplotlib', 'ipywidgets')"
        " or m in ('course_utils.checks', 'course_utils.plotting', 'course_utils.grading')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
