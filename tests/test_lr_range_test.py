"""The LR range test sweeps exponentially, stops on divergence and suggests an lr below it."""

import numpy as np
import pytest
import torch

from course_utils.lr_range_test import SUGGESTION_RULE, lr_range_test


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
