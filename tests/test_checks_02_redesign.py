"""Exercise 02 as redesigned for issue 21: what the generic tests in test_checks.py do not cover.
The references against torch (float64) and against an exact expectation or finite differences,
the correct alternative forms a learner may write (each must pass), wrong answers written as a
learner writes them (each gets its own hint)."""

from __future__ import annotations

import itertools
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.gradcheck import numerical_gradient
from course_utils.specs._huber_noise import _huber_minibatch_grad, _importance_sampled_noise
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


def test_huber_divided_by_the_number_of_features_gets_its_own_hint():
    """sh02 E1: the referee's answer (scratch exp6/exp7) divides by X.shape[1] = d, not by B.
    With B = 2d in the first visible case it was twice the reference and got the factor-2 hint;
    the first visible case now has B = 7, d = 3, and the slip has a Mistake of its own."""

    def over_features(w, X, y, delta):
        return X.T @ np.clip(X @ w - y, -delta, delta) / X.shape[1]

    features = _hint("huber_minibatch_grad", "number of features")
    _fails_with("huber_minibatch_grad", over_features, features)
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("huber_minibatch_grad", over_features)
    assert _hint("huber_minibatch_grad", "whole") not in str(failed.value)
    first = next(c for c in specs.load(AID).question("huber_minibatch_grad").cases if not c.hidden)
    B, d = first.make_inputs()[1].shape
    assert B != 2 * d  # dividing by d is not the reference times 2 there


def test_huber_divided_by_b_minus_one_gets_its_own_hint():
    """fi02 E1: with B = 4, d = 3 in the first visible case, dividing by len(y) - 1 equalled
    dividing by d and got the 'number of features' hint; the first visible case now has B = 7."""

    def over_b_minus_one(w, X, y, delta):
        return X.T @ np.clip(X @ w - y, -delta, delta) / (len(y) - 1)

    _fails_with("huber_minibatch_grad", over_b_minus_one, _hint("huber_minibatch_grad", "B - 1"))
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("huber_minibatch_grad", over_b_minus_one)
    assert _hint("huber_minibatch_grad", "number of features") not in str(failed.value)
    first = next(c for c in specs.load(AID).question("huber_minibatch_grad").cases if not c.hidden)
    B, d = first.make_inputs()[1].shape
    assert d not in (B - 1, B / 2)


def test_huber_bans_torchs_huber_derivative_kernel():
    """fi02 E3: torch's Huber derivative kernel computes the answer; the question names it, and
    it still resolves in this torch."""
    question = specs.load(AID).question("huber_minibatch_grad")
    assert "torch.ops.aten.huber_loss_backward" in question.library_names
    assert "torch.Tensor.backward" in question.library_names
    assert callable(torch.ops.aten.huber_loss_backward)

    def by_kernel(w, X, y, delta):  # looked up when called: the check patches the name
        prediction, target = torch.tensor(X @ w), torch.tensor(y)
        grad = torch.ops.aten.huber_loss_backward(
            torch.tensor(1.0, dtype=torch.float64), prediction, target, 1, delta
        )  # reduction 1: the mean
        return X.T @ grad.numpy()

    args = question.cases[0].make_inputs()
    assert np.allclose(by_kernel(*args), question.reference(*args), rtol=1e-12)
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("huber_minibatch_grad", by_kernel)
    assert "torch.ops.aten.huber_loss_backward" in str(failed.value)
    assert "scores 0" in str(failed.value)


# ----------------------------------------------------------------------------- 2. noise prediction
# rk02 E1: question 2 was the noise of uniform draws with replacement, tr Sigma / B, which lecture
# 02 §3 writes; it is now the noise of an importance-sampled batch, which the lecture does not give.


def _probabilities(rng, n):
    weight = rng.uniform(0.1, 1.0, n)
    return weight / weight.sum()


@pytest.mark.parametrize(("n", "B"), [(1, 3), (2, 1), (3, 2), (3, 3), (4, 5)])
def test_importance_reference_is_the_exact_expectation_over_every_draw(n, B):
    rng = np.random.default_rng(n * 10 + B)
    G, p = rng.standard_normal((n, 2)), _probabilities(rng, n)
    g = G.mean(axis=0)
    noise = 0.0  # every ordered sequence of B draws, with its probability
    for draws in itertools.product(range(n), repeat=B):
        g_hat = (G[list(draws)] / (n * p[list(draws)])[:, None]).mean(axis=0)
        noise += np.prod(p[list(draws)]) * np.sum((g_hat - g) ** 2)
    assert _importance_sampled_noise(G, p, B) == pytest.approx(noise, rel=1e-12, abs=1e-14)


def test_importance_reference_with_uniform_p_is_the_lectures_trace_over_b():
    G = np.random.default_rng(2).standard_normal((50, 3)) + 1.0
    trace_cov = ((G - G.mean(axis=0)) ** 2).sum(axis=1).mean()  # lecture 02 §3's tr Σ
    for B in (1, 7, 120):
        assert _importance_sampled_noise(G, np.full(50, 1 / 50), B) == pytest.approx(
            trace_cov / B, rel=1e-12
        )


def test_importance_noise_is_least_for_p_proportional_to_the_gradient_norms():
    """The solution's Summary: by Cauchy-Schwarz p_i ∝ ||g_i|| minimises the noise, to
    (mean ||g_i||)^2 - ||g||^2 over B."""
    rng = np.random.default_rng(3)
    G = rng.standard_normal((30, 2)) * rng.uniform(0.1, 3.0, (30, 1))
    norms = np.linalg.norm(G, axis=1)
    best = _importance_sampled_noise(G, norms / norms.sum(), 4)
    g = G.mean(axis=0)
    assert best == pytest.approx((norms.mean() ** 2 - g @ g) / 4, rel=1e-12)
    others = [_importance_sampled_noise(G, _probabilities(rng, 30), 4) for _ in range(200)]
    assert min(others) > best


def test_importance_correct_alternative_forms_pass():
    def weighted_spread(G, p, B):  # the variance of one weighted draw, written about its mean
        n = len(G)
        return float((p * ((G / (n * p)[:, None] - G.mean(axis=0)) ** 2).sum(axis=1)).sum() / B)

    def with_average(G, p, B):  # np.average over the rows, weights p
        scaled = G / (len(G) * p)[:, None]
        second = np.average((scaled**2).sum(axis=1), weights=p)
        return (second - np.sum(G.mean(axis=0) ** 2)) / B

    def loop(G, p, B):  # a loop over the rows is slower, not wrong
        n, g = len(G), G.mean(axis=0)
        total = 0.0
        for row, p_i in zip(G, p, strict=True):
            total += row @ row / (n * n * p_i)
        return (total - g @ g) / B

    for answer in (weighted_spread, with_average, loop):
        checker(AID)("importance_sampled_noise", answer)


def test_importance_wrong_answers_as_learners_write_them_get_their_hints():
    def uniform_formula(G, p, B):  # the lecture's tr Σ / B, p ignored
        return float(np.var(G, axis=0).sum() / B)

    def unweighted_row(G, p, B):  # the drawn row's second moment without its weight
        return float((p @ (G**2).sum(axis=1) - np.sum(G.mean(axis=0) ** 2)) / B)

    def second_moment(G, p, B):  # E||g_hat||^2: the mean's square not subtracted
        return float(((G**2).sum(axis=1) / (len(G) ** 2 * p)).sum() / B)

    def one_draw(G, p, B):
        n, g = len(G), G.mean(axis=0)
        return float(((G**2).sum(axis=1) / (n**2 * p)).sum() - g @ g)

    def n_not_squared(G, p, B):
        n, g = len(G), G.mean(axis=0)
        return float((((G**2).sum(axis=1) / (n * p)).sum() - g @ g) / B)

    q = "importance_sampled_noise"
    _fails_with(q, uniform_formula, _hint(q, "UNIFORM"))
    _fails_with(q, unweighted_row, _hint(q, "WITHOUT its weight"))
    _fails_with(q, second_moment, _hint(q, "MINUS"))
    _fails_with(q, one_draw, _hint(q, "ONE weighted draw"))
    _fails_with(q, n_not_squared, _hint(q, "n^2 (not n)"))


def test_importance_demo_measures_the_reference_and_rejects_every_mistake():
    """The solution's cell 11 (rk02 E1): 4000 batches per sampler and B; its assert (every gap
    below 4 standard errors) passes the reference and fails each named Mistake."""
    from course_utils.data import make_linear_regression

    # the solution's data: its setup(seed=0) returns np.random.default_rng(0)
    data = make_linear_regression(200, 3, noise=0.5, bias=0.0, rng=np.random.default_rng(0))
    G = 2 * (data.X @ np.zeros(3) - data.y)[:, None] * data.X
    n, g, norms = 200, G.mean(axis=0), np.linalg.norm(G, axis=1)
    samplers = [np.full(n, 1 / n), norms / norms.sum(), (1 / (norms + 1)) / (1 / (norms + 1)).sum()]
    draw_rng, measured = np.random.default_rng(5), []
    for p in samplers:
        for B in (1, 10, 100):
            draws = draw_rng.choice(n, size=(4000, B), p=p)
            squared = (((G[draws] / (n * p[draws])[..., None]).mean(axis=1) - g) ** 2).sum(axis=1)
            measured.append((p, B, squared.mean(), squared.std() / np.sqrt(4000)))

    def demo_passes(answer):
        return all(abs(mean - answer(G, p, B)) < 4 * se for p, B, mean, se in measured)

    assert demo_passes(_importance_sampled_noise)
    mistakes = specs.load(AID).question("importance_sampled_noise").mistakes
    assert len(mistakes) == 5
    assert not any(demo_passes(m.answer) for m in mistakes)


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
        "importance_sampled_noise": ("prediction", 2),
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


def _exercise_text() -> str:
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "exercises" / f"{AID}.ipynb", 4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_a_loop_over_samples_passes_question_1_and_the_text_says_it_is_not_graded():
    """rt02 point 7: nothing grades vectorization, so the exercise must not state it as a
    requirement: a per-sample Python loop passes `check`, and the text calls vectorizing advice."""

    def loop(w, X, y, delta):
        g = np.zeros_like(w, dtype=float)
        for i in range(len(y)):
            r = X[i] @ w - y[i]
            g += X[i] * max(-delta, min(delta, r))
        return g / len(y)

    checker(AID)("huber_minibatch_grad", loop)
    text = " ".join(_exercise_text().split())
    assert "Vectorized (no Python loop over samples)" not in text
    assert "a loop over samples also passes the checks but is slow" in text


def test_question_2_refuses_an_array_holding_the_number_and_says_so():
    """sa02 E1: an array of shape (1,) passed question 2 (rt02 had the text ask for "a number"
    instead), and the demo's float() then raised. The question now asks for one number and its
    check refuses an array of shape (1,) or () by type; a numpy float passes."""

    def as_array(grads, p, B):
        return np.atleast_1d(_importance_sampled_noise(grads, p, B))

    def as_0d(grads, p, B):
        return np.asarray(_importance_sampled_noise(grads, p, B))

    def as_numpy_float(grads, p, B):
        return np.float64(_importance_sampled_noise(grads, p, B))

    for answer in (as_array, as_0d):
        with pytest.raises(CheckFailed, match="expected a single number"):
            checker(AID)("importance_sampled_noise", answer)
    checker(AID)("importance_sampled_noise", as_numpy_float)
    checker(AID)("importance_sampled_noise", _importance_sampled_noise)
    text = " ".join(_exercise_text().split())
    assert "return, as one number" in text and "is refused" in text


def test_question_3_refuses_float_index_arrays_and_says_so():
    """sa02 E2: float index arrays passed question 3 and broke the later X[b]."""

    def batches(n, batch_size, n_epochs, rng):
        out = []
        for _ in range(n_epochs):
            order = rng.permutation(n)
            out += [order[i : i + batch_size] for i in range(0, n, batch_size)]
        return out

    def float_batches(n, batch_size, n_epochs, rng):
        return [b.astype(float) for b in batches(n, batch_size, n_epochs, rng)]

    with pytest.raises(CheckFailed, match="expected an array of integers"):
        checker(AID)("minibatch_indices", float_batches)
    checker(AID)("minibatch_indices", batches)
    text = " ".join(_exercise_text().split())
    assert "float indices are refused" in text


def test_question_3_extra_draws_from_rng_fail_a_visible_case():
    """fi02 E2: 'exactly one rng.permutation per epoch, nothing else from rng' is graded where a
    draw changes the batches: a second permutation (the batches' order) gets its own hint, and a
    draw after each epoch's permutation changes the next epoch's (every visible case has 2 or 3
    epochs). A single draw after the last epoch leaves every batch as it is: the check does not
    read the generator's state back, so that one is not graded."""

    def batch_order_too(n, batch_size, n_epochs, rng):
        out = []
        for _ in range(n_epochs):
            order = rng.permutation(n)
            cut = [order[i : i + batch_size] for i in range(0, n, batch_size)]
            out += [cut[k] for k in rng.permutation(len(cut))]
        return out

    def a_number_per_epoch(n, batch_size, n_epochs, rng):
        out = []
        for _ in range(n_epochs):
            order = rng.permutation(n)
            rng.random()  # e.g. a coin for whether to reverse, never used
            out += [order[i : i + batch_size] for i in range(0, n, batch_size)]
        return out

    _fails_with("minibatch_indices", batch_order_too, _hint("minibatch_indices", "more than once"))
    with pytest.raises(CheckFailed, match="test 1 of 2 failed|test 2 of 2 failed"):
        checker(AID)("minibatch_indices", a_number_per_epoch)
    visible = specs.load(AID).question("minibatch_indices").visible_cases
    assert all(c.make_inputs()[2] >= 2 for c in visible)


def test_question_1_squared_residual_threshold_fails_a_visible_case_with_its_hint():
    """sb02 E1: testing r^2 <= delta instead of |r| <= delta passed every fixed case (no residual
    lay between delta and sqrt(delta)); a visible case now has 0.875 against delta = 0.8."""

    def squared_threshold(w, X, y, delta):
        r = X @ w - y
        return X.T @ np.where(r**2 <= delta, r, delta * np.sign(r)) / len(y)

    _fails_with(
        "huber_minibatch_grad", squared_threshold, _hint("huber_minibatch_grad", "r^2 <= delta")
    )
    checker(AID)("huber_minibatch_grad", _huber_minibatch_grad)
