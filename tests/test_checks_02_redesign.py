"""Exercise 02 as redesigned for issue 21: what the generic tests in test_checks.py do not cover.
The references against torch (float64) and against an exact expectation or finite differences,
the correct alternative forms a learner may write (each must pass), wrong answers written as a
learner writes them (each gets its own hint), and the one-sentence error for B < 1."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.gradcheck import numerical_gradient
from course_utils.specs._huber_noise import _huber_minibatch_grad, _noise_with_replacement
from course_utils.specs.batch_stochastic_minibatch import _weighted_sgd_epoch

AID = "02_batch_stochastic_minibatch"


def _hint(question: str, words: str) -> str:
    found = [m.hint for m in specs.load(AID).question(question).mistakes if words in m.hint]
    assert len(found) == 1, (question, words, found)
    return found[0]


def _fails_with(question: str, answer, hint: str) -> None:
    with pytest.raises(CheckFailed) as failed:
        checker(AID)(question, answer)
    assert f"hint: {hint}" in str(failed.value)


# ----------------------------------------------------------------------------- 1. Huber gradient


@pytest.mark.parametrize("seed", range(5))
def test_huber_reference_is_torchs_gradient(seed):
    rng = np.random.default_rng(seed)
    B, d = int(rng.integers(1, 40)), int(rng.integers(1, 6))
    X, w = rng.standard_normal((B, d)), rng.standard_normal(d)
    y = X @ w + 3 * rng.standard_normal(B)
    delta = float(rng.uniform(0.1, 3.0))
    wt = torch.tensor(w, requires_grad=True)
    torch.nn.functional.huber_loss(torch.tensor(X) @ wt, torch.tensor(y), delta=delta).backward()
    np.testing.assert_allclose(_huber_minibatch_grad(w, X, y, delta), wt.grad.numpy(), rtol=1e-12)


def test_huber_reference_matches_central_differences_and_residuals_on_delta():
    rng = np.random.default_rng(1)
    X, w = rng.standard_normal((12, 3)), rng.standard_normal(3)
    y = X @ w + 2 * rng.standard_normal(12)

    def loss(v):
        r = np.abs(X @ v - y)
        return np.mean(np.where(r <= 1.0, 0.5 * r**2, r - 0.5))

    numerical = numerical_gradient(loss, w)
    np.testing.assert_allclose(_huber_minibatch_grad(w, X, y, 1.0), numerical, rtol=1e-6)
    # residuals exactly +-delta and 0: both branches' slopes agree there, as the task says
    y_edge = X @ w - np.array([1.0, -1.0, 0.0] * 4)
    wt = torch.tensor(w, requires_grad=True)
    torch.nn.functional.huber_loss(torch.tensor(X) @ wt, torch.tensor(y_edge)).backward()
    np.testing.assert_allclose(_huber_minibatch_grad(w, X, y_edge, 1.0), wt.grad.numpy())


def test_huber_correct_alternative_forms_pass():
    def with_where(w, X, y, delta):  # the two branches written out
        r = X @ w - y
        return X.T @ np.where(np.abs(r) <= delta, r, delta * np.sign(r)) / len(y)

    def with_minimum(w, X, y, delta):  # sign times the smaller of |r| and delta
        r = X @ w - y
        return (np.sign(r) * np.minimum(np.abs(r), delta)) @ X / X.shape[0]

    def per_sample(w, X, y, delta):  # a loop is slower, not wrong
        total = np.zeros(len(w))
        for x, target in zip(X, y, strict=True):
            r = x @ w - target
            total += (r if abs(r) <= delta else delta * np.sign(r)) * x
        return total / len(y)

    def target_minus_prediction(w, X, y, delta):  # r = y - Xw, with the chain rule's minus
        r = y - X @ w
        return -(X.T @ np.clip(r, -delta, delta)) / len(y)

    for answer in (with_where, with_minimum, per_sample, target_minus_prediction):
        checker(AID)("huber_minibatch_grad", answer)


def test_huber_wrong_answers_as_learners_write_them_get_their_hints():
    def mse_derivative(w, X, y, delta):
        r = X @ w - y
        return X.T @ np.where(np.abs(r) <= delta, 2 * r, delta * np.sign(r)) / len(y)

    def unsigned_tail(w, X, y, delta):
        r = X @ w - y
        return X.T @ np.where(np.abs(r) > delta, delta, r) / len(y)

    def summed(w, X, y, delta):
        return X.T @ np.clip(X @ w - y, -delta, delta)

    _fails_with("huber_minibatch_grad", mse_derivative, _hint("huber_minibatch_grad", "1/2"))
    _fails_with("huber_minibatch_grad", unsigned_tail, _hint("huber_minibatch_grad", "sign of r"))
    _fails_with("huber_minibatch_grad", summed, _hint("huber_minibatch_grad", "SUMMED"))


def test_huber_slips_in_delta_and_factors_fail_a_visible_case_with_their_hints():
    """rf02 E1-E3: answers whose slip is in how delta enters passed both visible cases when both
    had delta = 1; the first visible case now has delta = 0.8, so each fails before grading."""

    def sign_tail(w, X, y, delta):  # the linear branch's slope written as sign(r)
        r = X @ w - y
        return X.T @ np.where(np.abs(r) <= delta, r, np.sign(r)) / len(y)

    def clip_to_one(w, X, y, delta):  # delta forgotten in the clip
        return X.T @ np.clip(X @ w - y, -1.0, 1.0) / len(y)

    def smooth_l1(w, X, y, delta):  # torch's SmoothL1Loss(beta=delta) gradient
        return X.T @ (np.clip(X @ w - y, -delta, delta) / delta) / len(y)

    def mse_factor_two(w, X, y, delta):  # the lecture's factor 2 copied
        return 2 * X.T @ np.clip(X @ w - y, -delta, delta) / len(y)

    def descent_direction(w, X, y, delta):  # r = y - Xw without the chain rule's minus
        return X.T @ np.clip(y - X @ w, -delta, delta) / len(y)

    tail = _hint("huber_minibatch_grad", "sign(r) alone")
    for answer in (sign_tail, clip_to_one):
        _fails_with("huber_minibatch_grad", answer, tail)
    _fails_with("huber_minibatch_grad", smooth_l1, _hint("huber_minibatch_grad", "smooth L1"))
    _fails_with("huber_minibatch_grad", mse_factor_two, _hint("huber_minibatch_grad", "whole"))
    _fails_with(
        "huber_minibatch_grad", descent_direction, _hint("huber_minibatch_grad", "wrong sign")
    )
    visible = [c for c in specs.load(AID).question("huber_minibatch_grad").cases if not c.hidden]
    assert any(c.make_inputs()[3] != 1.0 for c in visible)  # a visible delta other than 1


# ----------------------------------------------------------------------------- 2. noise prediction


@pytest.mark.parametrize(("n", "B"), [(1, 3), (2, 1), (3, 2), (3, 3), (4, 5)])
def test_noise_reference_is_the_exact_expectation_over_every_draw(n, B):
    G = np.random.default_rng(n * 10 + B).standard_normal((n, 2))
    g = G.mean(axis=0)
    # every ordered sequence of B draws has probability n^-B
    errors = [
        np.sum((G[list(draws)].mean(axis=0) - g) ** 2)
        for draws in itertools.product(range(n), repeat=B)
    ]
    assert _noise_with_replacement(G, B) == pytest.approx(np.mean(errors), rel=1e-12, abs=1e-15)


def test_noise_at_b_1_equals_the_lectures_formula_and_is_larger_beyond():
    G = np.random.default_rng(2).standard_normal((50, 3))
    S2 = ((G - G.mean(axis=0)) ** 2).sum() / (len(G) - 1)
    without = [S2 / B * (1 - B / len(G)) for B in (1, 10, 50)]
    assert _noise_with_replacement(G, 1) == pytest.approx(without[0], rel=1e-12)
    assert _noise_with_replacement(G, 10) > without[1] and without[2] == 0


def test_noise_bad_b_is_one_sentence():
    with pytest.raises(ValueError, match=r"^B must be at least 1, got 0\.$"):
        _noise_with_replacement(np.ones((3, 2)), 0)


def test_noise_correct_alternative_forms_pass_and_wrong_ones_get_their_hints():
    def with_var(G, B):
        if B < 1:
            raise ValueError("B must be positive.")
        return float(np.var(G, axis=0).sum() / B)

    checker(AID)("noise_with_replacement", with_var)

    def sample_variance(G, B):
        if B < 1:
            raise ValueError("B must be positive.")
        return float(np.var(G, axis=0, ddof=1).sum() / B)

    def never_raises(G, B):
        return float(np.var(G, axis=0).sum() / max(B, 1))

    _fails_with("noise_with_replacement", sample_variance, _hint("noise_with_replacement", "n - 1"))
    with pytest.raises(CheckFailed, match="ValueError"):
        checker(AID)("noise_with_replacement", never_raises)


# ----------------------------------------------------------------------------- 4. weighted epoch


def _torch_weighted_epoch(w, X, y, s, lr, batches):
    wt = torch.tensor(w, requires_grad=True)
    opt = torch.optim.SGD([wt], lr=lr)
    Xt, yt, st = torch.tensor(X), torch.tensor(y), torch.tensor(s)
    for b in batches:
        if s[b].sum() == 0:
            continue
        index = torch.as_tensor(b)
        opt.zero_grad()
        r = Xt[index] @ wt - yt[index]
        ((st[index] * r**2).sum() / st[index].sum()).backward()
        opt.step()
    return wt.detach().numpy()


@pytest.mark.parametrize("seed", range(4))
def test_weighted_epoch_reference_is_torch_sgd_on_the_weighted_loss(seed):
    rng = np.random.default_rng(seed)
    n, d = 30, 3
    X, w = rng.standard_normal((n, d)), rng.standard_normal(d)
    y = X @ np.ones(d) + 0.5 * rng.standard_normal(n)
    s = rng.uniform(0, 3, n) * (rng.random(n) < 0.7)
    s[:4] = 0  # with batches of 4 in storage order below, one batch weighs 0
    order = rng.permutation(n) if seed else np.arange(n)
    batches = [order[i : i + 4] for i in range(0, n, 4)]
    np.testing.assert_allclose(
        _weighted_sgd_epoch(w, X, y, s, 0.05, batches),
        _torch_weighted_epoch(w, X, y, s, 0.05, batches),
        rtol=1e-12,
        atol=1e-14,
    )


def test_weighted_epoch_correct_alternative_form_passes_and_wrong_ones_get_their_hints():
    def scaled_rows(w, X, y, s, lr, batches):  # rows scaled by sqrt(s): weights once, squared
        root = np.sqrt(s)
        Xs, ys, w = X * root[:, None], y * root, np.array(w, dtype=float)
        for b in batches:
            if s[b].sum() > 0:
                w = w - lr * 2 * Xs[b].T @ (Xs[b] @ w - ys[b]) / s[b].sum()
        return w

    checker(AID)("weighted_sgd_epoch", scaled_rows)

    def divides_by_count(w, X, y, s, lr, batches):
        w = np.array(w, dtype=float)
        for b in batches:
            if s[b].sum() > 0:
                w = w - lr * 2 * X[b].T @ (s[b] * (X[b] @ w - y[b])) / len(b)
        return w

    def mutates(w, X, y, s, lr, batches):
        for b in batches:
            if s[b].sum() > 0:
                w -= lr * 2 * X[b].T @ (s[b] * (X[b] @ w - y[b])) / s[b].sum()
        return w

    _fails_with(
        "weighted_sgd_epoch", divides_by_count, _hint("weighted_sgd_epoch", "number of its rows")
    )

    def drops_the_two(w, X, y, s, lr, batches):  # the ½ of question 1's Huber loss carried over
        w = np.array(w, dtype=float)
        for b in batches:
            if s[b].sum() > 0:
                w = w - lr * X[b].T @ (s[b] * (X[b] @ w - y[b])) / s[b].sum()
        return w

    _fails_with("weighted_sgd_epoch", drops_the_two, _hint("weighted_sgd_epoch", "half as long"))

    def unbiased_normaliser(w, X, y, s, lr, batches):  # ri02 E2: read the bias warning, divided
        w = np.array(w, dtype=float)  # by B times the mean weight instead of the batch's sum
        for b in batches:
            if s[b].sum() > 0:
                w = w - lr * 2 * X[b].T @ (s[b] * (X[b] @ w - y[b])) / (len(b) * s.mean())
        return w

    _fails_with("weighted_sgd_epoch", unbiased_normaliser, _hint("weighted_sgd_epoch", "unbiased"))
    with pytest.raises(CheckFailed, match="w"):
        checker(AID)("weighted_sgd_epoch", mutates)


def test_weighted_full_batch_step_equals_the_step_on_duplicated_rows():
    rng = np.random.default_rng(3)
    X, y, w = rng.standard_normal((20, 3)), rng.standard_normal(20), rng.standard_normal(3)
    counts = rng.integers(1, 5, 20)
    X_all, y_all = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    expanded = w - 0.1 * 2 * X_all.T @ (X_all @ w - y_all) / len(y_all)
    merged = _weighted_sgd_epoch(w, X, y, counts.astype(float), 0.1, [np.arange(20)])
    np.testing.assert_allclose(merged, expanded, rtol=1e-12)


def test_weighted_epoch_skips_empty_and_weightless_batches():
    rng = np.random.default_rng(4)
    X, y, w = rng.standard_normal((6, 2)), rng.standard_normal(6), rng.standard_normal(2)
    omega = np.array([0.0, 0.0, 1.0, 2.0, 0.5, 1.0])
    skipped = [np.array([], dtype=int), np.array([0, 1])]
    assert np.array_equal(_weighted_sgd_epoch(w, X, y, omega, 0.1, skipped), w)
    rest = [np.array([2, 3]), np.array([4, 5])]
    np.testing.assert_array_equal(
        _weighted_sgd_epoch(w, X, y, omega, 0.1, skipped[:1] + rest + skipped[1:]),
        _weighted_sgd_epoch(w, X, y, omega, 0.1, rest),
    )


def test_the_redesigned_set_names_its_kinds_and_points():
    assignment = specs.load(AID)
    kinds = {q.name: (q.skill, q.points) for q in assignment.questions}
    assert kinds == {
        "huber_minibatch_grad": ("derivation", 3),
        "noise_with_replacement": ("prediction", 2),
        "minibatch_indices": ("warm-up", 2),
        "weighted_sgd_epoch": ("new problem", 3),
    }


@pytest.mark.parametrize("seed", range(3))
def test_weighted_demo_tells_the_weights_apart(seed):
    """rf02 E4: the solution's 10-epoch demo (cell 21) weights the rows where the targets bend, so
    that the weighted and unweighted least-squares solutions differ; its assert (within 0.1 of the
    weighted w*, more than 0.3 from the unweighted one) then passes the reference and fails the
    Mistakes that get the weighting wrong (ignored, squared, the whole data set's total), which it
    did not when the counts were independent of the data. Dividing by the batch's row count is a
    step-size slip with the same fixed point: the demo cannot see it, the checks do."""
    rng = np.random.default_rng(100 + seed)
    X = rng.standard_normal((300, 3))
    y = (
        X @ np.array([1.0, 0.5, -0.5])
        + 0.5 * rng.standard_normal(300)
        + 2.0 * np.maximum(X[:, 0], 0)
    )
    counts = np.where(X[:, 0] > 0, 5.0, 1.0)
    root = np.sqrt(counts)
    w_star, *_ = np.linalg.lstsq(X * root[:, None], y * root, rcond=None)
    w_plain, *_ = np.linalg.lstsq(X, y, rcond=None)
    mistakes = specs.load(AID).question("weighted_sgd_epoch").mistakes
    slips = ("WHOLE data set", "ignore the sample weights", "count twice")
    weight_slips = [m.answer for m in mistakes if any(words in m.hint for words in slips)]
    assert len(weight_slips) == 3

    def demo(epoch):
        w, epoch_rng = np.zeros(3), np.random.default_rng(1)
        for _ in range(10):
            order = epoch_rng.permutation(300)
            w = epoch(w, X, y, counts, 0.05, [order[i : i + 32] for i in range(0, 300, 32)])
        return np.abs(w - w_star).max() < 0.1 and np.abs(w - w_plain).max() > 0.3

    assert demo(_weighted_sgd_epoch)
    assert not any(demo(slip) for slip in weight_slips)
