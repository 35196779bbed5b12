"""The LR range test sweeps exponentially, stops on divergence and suggests an lr below it."""

import numpy as np
import pytest
import torch

from course_utils.lr_range_test import SUGGESTION_RULE, lowest_smoothed_index, lr_range_test


def _linear_regression_step(seed=0, n=512, d=5, batch=32):
    """One SGD mini-batch step on least squares; the Hessian's largest eigenvalue is L."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.linspace(0.5, 2.0, d)
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    w = np.zeros(d)
    L = np.linalg.eigvalsh(X.T @ X / n).max()

    def step(lr):
        nonlocal w
        idx = rng.choice(n, batch, replace=False)
        r = X[idx] @ w - y[idx]
        loss = 0.5 * np.mean(r**2)
        w = w - lr * X[idx].T @ r / batch
        return loss

    return step, L


def test_sweep_is_exponential_and_suggestion_is_below_divergence():
    step, L = _linear_regression_step()
    result = lr_range_test(step, lr_min=1e-4, lr_max=10.0, num_steps=120)
    ratios = result.lrs[1:] / result.lrs[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)
    assert result.diverged, "lr_max = 10 is far above 2/L: the sweep must stop early"
    assert result.lrs[-1] < 10.0
    # the suggestion: a tenth of the lr at the lowest loss, below the stability limit 2/L of
    # full-batch GD on this least-squares problem and well above the start of the sweep
    assert result.suggested_lr == result.lr_at_min_loss / 10
    assert 1e-2 < result.suggested_lr < 2 / L
    assert result.rule == SUGGESTION_RULE and "a tenth" in result.rule


def test_works_with_a_torch_model():
    torch.manual_seed(0)
    X, y = torch.randn(256, 4), torch.randn(256, 1)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1e-4)

    def step(lr):
        opt.param_groups[0]["lr"] = lr
        idx = torch.randint(0, 256, (32,))
        loss = torch.nn.functional.mse_loss(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    result = lr_range_test(step, lr_min=1e-4, lr_max=100.0, num_steps=80)
    assert result.diverged and 1e-4 <= result.suggested_lr < result.lrs[-1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr_min": 1.0, "lr_max": 0.1}, "lr_min must be smaller than lr_max"),
        ({"lr_min": -1.0}, "lr_min must be positive"),
        ({"num_steps": 3}, "num_steps must be >= 5"),
        ({"skip_start": -1}, "skip_start must be >= 0"),
        ({"smoothing": 1.0}, "smoothing must be in [0, 1)"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(
        (ValueError, TypeError),
        match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)"),
    ):
        lr_range_test(lambda lr: 1.0, **kwargs)


def test_bad_train_step():
    with pytest.raises(TypeError, match="train_step must return the loss as a number"):
        lr_range_test(lambda lr: None)
    with pytest.raises(ValueError, match="diverged after 12 steps"):
        it = iter([1.0] * 12 + [float("nan")])
        lr_range_test(lambda lr: next(it))


def test_the_lowest_smoothed_loss_skips_the_settling_start_and_non_finite_values():
    smoothed = np.array([0.5, 2.0, 1.9, 1.5, 1.2, 1.0, 1.1, np.inf, np.nan, 3.0])
    assert np.argmin(smoothed) == 8  # numpy's argmin lands on the NaN
    assert lowest_smoothed_index(smoothed, skip_start=0) == 0
    assert lowest_smoothed_index(smoothed, skip_start=1) == 5
    assert lowest_smoothed_index(smoothed, skip_start=6) == 6
    assert lowest_smoothed_index(smoothed, skip_start=7) == 9


def test_the_sweep_suggests_from_the_lowest_smoothed_index():
    step, _ = _linear_regression_step(seed=3)
    result = lr_range_test(step, lr_min=1e-4, lr_max=10.0, num_steps=120, skip_start=10)
    lowest = lowest_smoothed_index(result.smoothed, 10)
    assert result.lr_at_min_loss == result.lrs[lowest] and lowest >= 10
    assert result.smoothed[lowest] == result.smoothed[10:].min()


@pytest.mark.parametrize(
    ("smoothed", "skip_start", "error", "message"),
    [
        ([1.0, 0.5, np.nan, np.inf], 2, ValueError, "no finite smoothed loss after the first"),
        ([1.0, 0.5], 5, ValueError, "no finite smoothed loss after the first skip_start = 5"),
        ([1.0, 0.5], -1, ValueError, "skip_start must be >= 0"),
        ([1.0, 0.5], 1.5, TypeError, "skip_start must be an int"),
        ([[1.0, 0.5]], 0, ValueError, "smoothed must be one loss per step"),
    ],
)
def test_lowest_smoothed_index_bad_input(smoothed, skip_start, error, message):
    with pytest.raises(error, match=message):
        lowest_smoothed_index(smoothed, skip_start)
