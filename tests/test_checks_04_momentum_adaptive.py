"""Exercise set 04 after issue 21's redesign: the references against torch in float64 (AMSGrad,
AdamW with AMSGrad, Adamax) and against the map built from torch's own Nesterov update (and a
measured run) for the predicted rate; correct forms a learner may write that differ from the
reference's pass; the edge cases the task states. The generic tests of tests/test_checks.py
cover the rest (reference passes, stub fails, each Mistake fails with its own hint)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch

from course_utils import optim, specs
from course_utils.checks import CheckFailed, checker
from course_utils.descent import contraction_rate, run
from course_utils.judging import judge, observe
from course_utils.objectives import Quadratic

AID = "04_momentum_adaptive"
QUESTION = specs.load(AID).question


def _torch_steps(make_optimizer, grads, x0):
    """Run a torch optimizer on the gradients given (float64); return the parameter and state."""
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([p])
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    state = {k: v.numpy() for k, v in opt.state[p].items() if k != "step"}
    return p.detach().numpy(), state


def _grads(seed=0, steps=40, size=4):
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-3, 1, size)  # coordinates of very different sizes
    return [rng.normal(0, 1, size) * scale * (5.0 if k % 7 == 3 else 1.0) for k in range(steps)]


X0 = np.array([0.5, -1.0, 2.0, 0.1])


@pytest.mark.parametrize(
    ("name", "make", "options"),
    [
        (
            "amsgrad_step",
            lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-3, amsgrad=True),
            {},
        ),  # fmt: skip
        (
            "adamw_amsgrad_step",
            lambda ps: torch.optim.AdamW(
                ps, lr=0.01, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.3, amsgrad=True
            ),
            {"weight_decay": 0.3},
        ),  # fmt: skip
    ],
)
def test_amsgrad_references_equal_torch_over_a_run(name, make, options):
    x, m, v, v_max = X0.copy(), *np.zeros((3, 4))
    grads = _grads()
    reference = QUESTION(name).reference
    for t, g in enumerate(grads, start=1):
        x, m, v, v_max = reference(
            x, g, m, v, v_max, t, 0.01, **options, beta1=0.8, beta2=0.99, eps=1e-3
        )
    p, state = _torch_steps(make, grads, X0)
    np.testing.assert_allclose(x, p, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m, state["exp_avg"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(v, state["exp_avg_sq"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(v_max, state["max_exp_avg_sq"], rtol=1e-12, atol=1e-14)


def test_adamax_reference_equals_torch_over_a_run():
    x, m, u = X0.copy(), np.zeros(4), np.zeros(4)
    grads = _grads(seed=1)
    grads[5] = np.zeros(4)  # a zero gradient: eps inside the maximum keeps the step finite
    for t, g in enumerate(grads, start=1):
        x, m, u = QUESTION("adamax_step").reference(x, g, m, u, t, 0.02, 0.85, 0.95, 1e-3)
    make = partial(torch.optim.Adamax, lr=0.02, betas=(0.85, 0.95), eps=1e-3)
    p, state = _torch_steps(make, grads, X0)
    np.testing.assert_allclose(x, p, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m, state["exp_avg"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(u, state["exp_inf"], rtol=1e-12, atol=1e-14)


def _torch_nesterov_map(lam, lr, momentum):
    """The 2x2 map (x, b) -> (x, b) of one torch.optim.SGD(nesterov=True) step on f = lam x^2 / 2,
    read off column by column from torch itself."""
    columns = []
    for x0, b0 in ((1.0, 0.0), (0.0, 1.0)):
        p = torch.tensor([x0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr, momentum=momentum, nesterov=True)
        opt.state[p]["momentum_buffer"] = torch.tensor([b0], dtype=torch.float64)
        p.grad = lam * p.detach().clone()
        opt.step()
        columns.append([p.item(), opt.state[p]["momentum_buffer"].item()])
    return np.array(columns).T


def test_nesterov_rate_reference_is_the_spectral_radius_of_torch_s_own_map():
    rng = np.random.default_rng(3)
    for _ in range(40):
        lam = 10 ** rng.uniform(-1, 2, 3)
        lr, momentum = rng.uniform(0.05, 2.0) / lam.max(), rng.uniform(0, 0.99)
        radii = [np.abs(np.linalg.eigvals(_torch_nesterov_map(x, lr, momentum))).max() for x in lam]
        rate = QUESTION("nesterov_rate").reference(lam, lr, momentum)
        assert rate == pytest.approx(max(radii), rel=1e-6, abs=1e-10)


def test_nesterov_rate_reference_matches_a_measured_run():
    q = Quadratic([1.0, 10.0], angle=np.pi / 6)
    sgd = partial(optim.SGD, momentum=0.3, nesterov=True)
    errors = np.linalg.norm(
        run(q, [1.0, 1.0], sgd, 0.15, max_iters=400, tol=0.0).xs - q.x_star, axis=1
    )
    predicted = QUESTION("nesterov_rate").reference(np.array([1.0, 10.0]), 0.15, 0.3)
    assert contraction_rate(errors) == pytest.approx(predicted, rel=1e-6)


def test_nesterov_rate_reference_says_in_one_sentence_that_eigenvalues_are_empty():
    with pytest.raises(ValueError, match=r"^eigenvalues must hold at least one eigenvalue[^.]*\.$"):
        QUESTION("nesterov_rate").reference(np.zeros(0), 0.1, 0.9)


@pytest.mark.parametrize("bad", [0.0, -2.5])
def test_nesterov_rate_reference_says_in_one_sentence_that_an_eigenvalue_is_not_positive(bad):
    with pytest.raises(ValueError, match=r"^eigenvalues must all be positive \(A is positive "):
        QUESTION("nesterov_rate").reference(np.array([1.0, bad, 4.0]), 0.1, 0.9)


# ----------------------------------------------------------------------------- correct other forms


def amsgrad_step(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """torch's own arrangement: step size lr / (1 - beta1^t), denominator sqrt(v_max) / sqrt(1 -
    beta2^t) + eps; the same step, rounded differently."""
    m = m + (1 - beta1) * (grad - m)  # torch's lerp
    v = beta2 * v + (1 - beta2) * grad * grad
    v_max = np.where(v > v_max, v, v_max)
    denominator = np.sqrt(v_max) / np.sqrt(1 - beta2**t) + eps
    return x - lr / (1 - beta1**t) * m / denominator, m, v, v_max


def adamax_step(x, grad, m, exp_inf, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """The limit written as a maximum over the stacked pair, as torch's differentiable branch."""
    m = m + (1 - beta1) * (grad - m)
    exp_inf = np.stack([beta2 * exp_inf, np.abs(grad) + eps]).max(axis=0)
    return x - (lr / (1 - beta1**t)) * (m / exp_inf), m, exp_inf


def nesterov_rate_from_roots(eigenvalues, lr, momentum):
    """Roots of each eigenvalue's characteristic polynomial with np.roots, in the (e_k, b_k) form."""
    if min(eigenvalues) <= 0:
        raise ValueError("A is not positive definite")
    shrink = 1 - lr * np.asarray(eigenvalues, dtype=float)
    return max(
        float(np.abs(np.roots([1, -(1 + momentum) * s, momentum * s])).max()) for s in shrink
    )


def nesterov_rate_by_iterating(eigenvalues, lr, momentum):
    """The spectral radius from the matrix of the torch form, (x, b) -> (x, b), by np.linalg."""
    if not np.all(np.asarray(eigenvalues) > 0):
        raise ValueError("an eigenvalue is not positive")
    radii = []
    for lam in eigenvalues:
        matrix = [[1 - lr * lam * (1 + momentum), -lr * momentum**2], [lam, momentum]]
        radii.append(np.abs(np.linalg.eigvals(np.array(matrix))).max())
    return max(radii)


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("amsgrad_step", amsgrad_step),
        ("adamax_step", adamax_step),
        ("nesterov_rate", nesterov_rate_from_roots),
        ("nesterov_rate", nesterov_rate_by_iterating),
    ],
)
def test_other_correct_forms_pass_every_case_hidden_ones_too(name, answer, capsys):
    checker(AID)(name, answer)
    assert "✓" in capsys.readouterr().out
    question = QUESTION(name)
    for seed in range(5):  # the hidden cases, drawn as the grader draws them
        for case in question.cases:
            if case.raises:
                continue
            args = case.make_inputs(np.random.default_rng(seed))
            expected = question.reference(*case.make_inputs(np.random.default_rng(seed)))
            for got, want in zip(
                np.atleast_1d(answer(*args)), np.atleast_1d(expected), strict=True
            ):
                np.testing.assert_allclose(got, want, rtol=question.rtol, atol=question.atol)


def test_the_adamw_variant_may_call_the_learner_s_amsgrad_step(capsys):
    def adamw_amsgrad_step(
        x, grad, m, v, v_max, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8
    ):
        return amsgrad_step(
            x * (1 - lr * weight_decay), grad, m, v, v_max, t, lr, beta1, beta2, eps
        )

    checker(AID)("adamw_amsgrad_step", adamw_amsgrad_step)
    assert "✓" in capsys.readouterr().out


def test_a_nesterov_rate_that_does_not_check_its_eigenvalues_fails():
    """rf04: the old requirement (a ValueError on an empty array) was met by np.max alone; a
    non-positive eigenvalue goes through every natural formula unless the answer checks it."""

    def nesterov_rate(eigenvalues, lr, momentum):
        shrink = 1 - lr * np.asarray(eigenvalues, dtype=float)
        return max(
            float(np.abs(np.roots([1, -(1 + momentum) * s, momentum * s])).max()) for s in shrink
        )

    assert nesterov_rate(np.array([1.0, 0.0]), 0.1, 0.9) == pytest.approx(1.0)  # no error raised
    with pytest.raises(CheckFailed, match="ValueError"):
        checker(AID)("nesterov_rate", nesterov_rate)


def test_a_nesterov_rate_that_raises_only_on_a_zero_eigenvalue_fails():
    """rt04 E2: `if 0 in eigenvalues` passed every visible case and, on about half the grader's
    seeds, the hidden one; the visible [1, -2] case and a negative value in every hidden draw stop
    it."""

    def nesterov_rate(eigenvalues, lr, momentum):
        lam = np.asarray(eigenvalues, dtype=float)
        if 0 in lam:
            raise ValueError("an eigenvalue is 0.")
        return QUESTION("nesterov_rate").reference(np.abs(lam), lr, momentum)

    with pytest.raises(CheckFailed, match=r"\[1, -2\]"):
        checker(AID)("nesterov_rate", nesterov_rate)
    (hidden,) = [c for c in QUESTION("nesterov_rate").cases if c.hidden and c.raises]
    for seed in range(200):
        eigenvalues = hidden.make_inputs(np.random.default_rng(seed))[0]
        assert (eigenvalues < 0).any(), seed  # so the answer above never passes the hidden case


def test_the_hidden_states_keep_the_invariants_of_a_run():
    """rf04: v_max is never below the v it has seen, and Adamax's exp_inf is at least eps after
    the first step; every case keeps both, the generated ones over 200 draws."""
    with_max = QUESTION("amsgrad_step").cases + QUESTION("adamw_amsgrad_step").cases
    for seed in range(200):
        for case in with_max:
            v, v_max = case.make_inputs(np.random.default_rng(seed))[3:5]
            assert (v_max >= v).all(), case.description
        for case in QUESTION("adamax_step").cases:
            args = case.make_inputs(np.random.default_rng(seed))
            eps = args[8] if len(args) > 8 else 1e-8
            assert args[4] == 1 or (args[3] >= eps).all(), case.description  # t, exp_inf


@pytest.mark.parametrize("name", ["amsgrad_step", "adamax_step"])
@pytest.mark.parametrize(("shift", "words"), [(-1, "starts at 1"), (+1, "one step ahead")])
def test_the_step_count_off_by_one_is_named_either_way(name, shift, words):
    """Issue 21: an off-by-one t gets its own hint, not the generic one (learner-written forms)."""

    def amsgrad_shifted(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return amsgrad_step(x, grad, m, v, v_max, t + shift, lr, beta1, beta2, eps)

    def adamax_shifted(x, grad, m, exp_inf, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return adamax_step(x, grad, m, exp_inf, t + shift, lr, beta1, beta2, eps)

    shifted = amsgrad_shifted if name == "amsgrad_step" else adamax_shifted
    with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(CheckFailed) as failed:
        checker(AID)(name, shifted)
    (hint,) = [m.hint for m in QUESTION(name).mistakes if words in m.hint]
    assert f"hint: {hint}" in str(failed.value)


def test_a_maximum_of_separately_corrected_moments_gets_its_own_hint_on_every_case():
    """rg04 E1: keeping max(v_max / (1 - beta2^(t-1)), v / (1 - beta2^t)), learner-written, was
    told on a hidden case that t starts at 1; on every case it fails, the hint names its error."""

    def amsgrad_step(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        old = np.sqrt(v_max / (1 - beta2 ** max(t - 1, 1))) + eps
        denominator = np.maximum(old, np.sqrt(v / (1 - beta2**t)) + eps)
        return x - lr * (m / (1 - beta1**t)) / denominator, m, v, np.maximum(v_max, v)

    question = QUESTION("amsgrad_step")
    (own,) = [m.hint for m in question.mistakes if "step t-1's factor" in m.hint]
    failed = 0
    for case in question.cases:
        for seed in range(30) if case.generated else [None]:
            args = case.make_inputs(None if seed is None else np.random.default_rng(seed))
            verdict = judge(question, case, observe(question, case, amsgrad_step, args), args)
            if not verdict.passed:
                failed += 1
                assert verdict.hint == own, (case.description, seed, verdict.hint)
    assert failed > 0


def _roots_per_eigenvalue(eigenvalues, lr, momentum):
    """A learner's form: np.roots of each eigenvalue's characteristic polynomial."""
    return [
        np.roots([1.0, -(1 + momentum) * (1 - lr * lam), momentum * (1 - lr * lam)])
        for lam in np.asarray(eigenvalues, dtype=float)
    ]


def _hints_on_failing_cases(name, answer, seeds=30):
    question = QUESTION(name)
    hints = []
    for case in question.cases:
        if case.raises:
            continue
        for seed in range(seeds) if case.generated else [None]:
            args = case.make_inputs(None if seed is None else np.random.default_rng(seed))
            verdict = judge(question, case, observe(question, case, answer, args), args)
            if not verdict.passed:
                hints.append((case.description, verdict.hint))
    return hints


def _assert_named_first_and_everywhere(answer, first_case_words, hint_words):
    """The check of ``nesterov_rate`` stops at the case with ``first_case_words`` and shows a hint
    with ``hint_words``; every failing case, hidden ones drawn for 30 seeds, gives that hint."""
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("nesterov_rate", answer)
    assert first_case_words in str(failed.value) and hint_words in str(failed.value)
    hints = _hints_on_failing_cases("nesterov_rate", answer)
    assert hints and all(hint_words in hint for _, hint in hints), hints


@pytest.mark.parametrize(
    "answer",
    [
        lambda e, lr, mom: float(max(r.real.max() for r in _roots_per_eigenvalue(e, lr, mom))),
        lambda e, lr, mom: float(abs(max(r.real.max() for r in _roots_per_eigenvalue(e, lr, mom)))),
    ],
    ids=["largest real part", "abs of the largest real part"],
)
def test_a_real_part_instead_of_the_modulus_is_named_on_every_failing_case(answer):
    """rh04 E1: np.roots(...).real.max(), learner-written, was told 'You used the smallest
    eigenvalue only' (the two agree on visible case 1) and, as abs(...), 'the smaller root' on a
    hidden case. Now every failing case, hidden ones included, names the real part."""
    hints = _hints_on_failing_cases("nesterov_rate", answer)
    assert hints, "the real part must fail somewhere"
    for description, hint in hints:
        assert "REAL PART" in hint and "MODULUS" in hint, (description, hint)


def test_the_bound_factor_one_minus_one_over_root_kappa_is_named():
    """rh04 E2: returning §3b's factor 1 - 1/sqrt(kappa) got the general hint, then 'the optimal
    heavy-ball rate' on a one-eigenvalue case (where both are 0). Now its own hint, first."""

    def nesterov_rate(eigenvalues, lr, momentum):
        eigenvalues = np.asarray(eigenvalues, dtype=float)
        if (eigenvalues <= 0).any():
            raise ValueError("eigenvalues must be positive.")
        return float(1 - 1 / np.sqrt(eigenvalues.max() / eigenvalues.min()))

    _assert_named_first_and_everywhere(nesterov_rate, "test 1 of", "bound factor")


def test_a_nesterov_rate_in_an_array_of_one_is_refused():
    """rl0004 04-7: the question asks for one float (exact_types); an array or a list of one,
    right in value, fails with the type named, as lecture 00 teaches for one-number answers."""
    reference = QUESTION("nesterov_rate").reference
    for wrap in (lambda r: np.array([r]), lambda r: [r]):

        def nesterov_rate(eigenvalues, lr, momentum, wrap=wrap):
            return wrap(reference(eigenvalues, lr, momentum))

        with pytest.raises(CheckFailed, match="expected a single number, got an array"):
            checker(AID)("nesterov_rate", nesterov_rate)
    checker(AID)("nesterov_rate", lambda e, lr, mom: np.float64(reference(e, lr, mom)))


def amsgrad_step_reddi_algorithm_2(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """A learner who follows the paper: no bias correction of m or of the maximum."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    v_max = np.maximum(v_max, v)
    return x - lr * m / (np.sqrt(v_max) + eps), m, v, v_max


def test_reddi_s_algorithm_2_is_named_and_the_half_corrected_form_is_not_called_it():
    """rl0004 04-8: the hint naming Algorithm 2 sat on the form that corrects m only; the paper's
    own form, learner-written, got the generic hint. Now it gets its own on every visible case;
    on a hidden state where a correction factor is 1 to the tolerance, the wrong forms of the
    correction agree and another bias-correction hint may come first."""
    question = QUESTION("amsgrad_step")
    hints = _hints_on_failing_cases("amsgrad_step", amsgrad_step_reddi_algorithm_2)
    visible = {case.description for case in question.cases if not case.generated}
    assert {d for d, _ in hints} & visible, "Algorithm 2 must fail a visible case"
    for description, hint in hints:
        if description in visible:
            assert "Algorithm 2" in hint and "corrects neither" in hint, (description, hint)
        else:
            assert "correct" in hint.lower(), (description, hint)  # a bias-correction hint
    half = next(m for m in question.mistakes if "not bias-corrected" in m.hint)
    assert "Algorithm 2" not in half.hint
    with pytest.raises(CheckFailed, match="Algorithm 2"):
        checker(AID)("amsgrad_step", amsgrad_step_reddi_algorithm_2)


def amsgrad_step_mixed_maximum(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """rm0004 04-5: the state kept right, but the step compares the old UNCORRECTED maximum
    with this step's CORRECTED v."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    second = np.maximum(v_max, v / (1 - beta2**t))
    return x - lr * (m / (1 - beta1**t)) / (np.sqrt(second) + eps), m, v, np.maximum(v_max, v)


def test_a_maximum_of_an_uncorrected_max_and_a_corrected_v_is_named_not_called_plain_adam():
    """rm0004 04-5: this slip coincided with plain Adam on the visible cases (there the corrected
    v is the larger) and got plain Adam's hint; the first visible case now tells them apart, and
    the slip gets a hint that names the mismatched correction. Plain Adam keeps its own."""
    (own,) = [m.hint for m in QUESTION("amsgrad_step").mistakes if "unlike with unlike" in m.hint]
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("amsgrad_step", amsgrad_step_mixed_maximum)
    assert f"hint: {own}" in str(failed.value)

    def plain_adam(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return x - step, m, v, np.maximum(v_max, v)

    with pytest.raises(CheckFailed) as failed:
        checker(AID)("amsgrad_step", plain_adam)
    assert "plain Adam" in str(failed.value) and own not in str(failed.value)


def test_the_rate_squared_is_named():
    """rm0004 04-6: rho^2, the rate of f - f*, got only the generic hint."""
    reference = QUESTION("nesterov_rate").reference
    with pytest.raises(CheckFailed, match="the rate squared"):
        checker(AID)("nesterov_rate", lambda e, lr, mom: reference(e, lr, mom) ** 2)


def test_eps_inside_the_absolute_value_fails_a_visible_check_with_its_own_hint():
    """rn0004 04-2: |g + eps| instead of |g| + eps passed all visible checks (the eps case's
    negative coordinate lost the maximum) and 73% of grading runs; a visible case where a
    negative gradient of the size of eps wins the maximum now fails it, with its own hint."""

    def adamax_abs_of_sum(x, grad, m, exp_inf, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        exp_inf = np.maximum(beta2 * exp_inf, np.abs(grad + eps))
        return x - lr / (1 - beta1**t) * m / exp_inf, m, exp_inf

    with pytest.raises(CheckFailed) as failed:
        checker(AID)("adamax_step", adamax_abs_of_sum)
    (hint,) = [m.hint for m in QUESTION("adamax_step").mistakes if "|g + eps|" in m.hint]
    assert f"hint: {hint}" in str(failed.value)
    assert "negative gradient of the size of eps" in str(failed.value)


def _on_the_edge(value):
    """An answer that agrees with the reference except where the rate is 1."""

    def nesterov_rate(eigenvalues, lr, momentum):
        rate = QUESTION("nesterov_rate").reference(eigenvalues, lr, momentum)
        return value if abs(rate - 1) < 1e-9 else rate

    return nesterov_rate


def test_nesterov_rate_is_exactly_1_on_the_stability_edge_where_the_run_neither_converges_nor_diverges():
    """rr04 point 6: the task says the rate is exactly 1 on the edge between converging and
    diverging. At lr * lambda = 1 + 1 / (1 + 2 momentum) torch's map has a root at -1: the
    reference and torch's map give 1 there, a run keeps the error's size, and the visible case
    there rejects an answer that differs from the reference only on that edge."""
    question = QUESTION("nesterov_rate")
    args = (np.array([0.125, 4.0]), 0.375, 0.5)
    edge = [
        c for c in question.cases if not c.hidden and np.array_equal(c.make_inputs()[0], args[0])
    ]
    assert len(edge) == 1 and edge[0].make_inputs()[1:] == args[1:]
    assert question.reference(*args) == pytest.approx(1.0, abs=1e-12)
    radius = np.abs(np.linalg.eigvals(_torch_nesterov_map(4.0, 0.375, 0.5))).max()
    assert radius == pytest.approx(1.0, abs=1e-12)
    q = Quadratic([0.125, 4.0], angle=np.pi / 6)
    sgd = partial(optim.SGD, momentum=0.5, nesterov=True)
    xs = run(q, [1.0, 1.0], sgd, 0.375, max_iters=600, tol=0.0).xs
    errors = np.linalg.norm(xs - q.x_star, axis=1)
    assert 1e-2 < errors[-1] < 10 and abs(errors[-1] / errors[-201] - 1) < 1e-6  # neither way
    for value in (0.999, 1.001, np.inf, 0.0):
        with pytest.raises(CheckFailed, match="lr \\* L = 1.5: the edge of stability"):
            checker(AID)("nesterov_rate", _on_the_edge(value))


def test_kingma_and_ba_efficient_ordering_gets_its_own_hint():
    """rv04 B3: the step with the corrections folded into the learning rate and eps added to the
    root of the uncorrected maximum (Kingma & Ba §2, TF/Keras), learner-written, is rejected with
    the hint that names where eps goes."""

    def amsgrad_step(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        v_max = np.maximum(v_max, v)
        lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        return x - lr_t * m / (np.sqrt(v_max) + eps), m, v, v_max

    with pytest.raises(CheckFailed) as failed:
        checker(AID)("amsgrad_step", amsgrad_step)
    (own,) = [m.hint for m in QUESTION("amsgrad_step").mistakes if "UNCORRECTED maximum" in m.hint]
    assert f"hint: {own}" in str(failed.value)


def _complex_whenever_the_product_is_positive(eigenvalues, lr, momentum):
    """sc04 E1, learner-written: sqrt(root product) whenever the product is positive (as if the
    roots were then complex, heavy ball's ringing), the real-root formula otherwise."""
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    if (eigenvalues <= 0).any():
        raise ValueError("eigenvalues must be positive.")
    rates = []
    for lam in eigenvalues:
        trace, det = (1 + momentum) * (1 - lr * lam), momentum * (1 - lr * lam)
        rates.append(np.sqrt(det) if det > 0 else (abs(trace) + np.sqrt(trace**2 - 4 * det)) / 2)
    return float(max(rates))


def test_an_over_damped_slow_direction_is_a_visible_case_and_a_measured_one():
    """sc04 E1: eigenvalues [1, 2], lr 0.1, momentum 0.1: both roots real and positive along the
    slow direction (discriminant > 0, product > 0); the rate 0.8887 is the larger root, and a run
    measures it."""
    (case,) = [c for c in QUESTION("nesterov_rate").cases if "over-damped" in c.description]
    assert not case.hidden
    lam, lr, momentum = case.make_inputs()
    shrink = 1 - lr * lam.min()
    assert ((1 + momentum) * shrink) ** 2 - 4 * momentum * shrink > 0 < momentum * shrink
    predicted = QUESTION("nesterov_rate").reference(lam, lr, momentum)
    assert predicted == pytest.approx(0.8887, abs=1e-4)
    q = Quadratic(lam, angle=np.pi / 6)
    sgd = partial(optim.SGD, momentum=momentum, nesterov=True)
    errors = np.linalg.norm(
        run(q, [1.0, 1.0], sgd, lr, max_iters=400, tol=0.0).xs - q.x_star, axis=1
    )
    assert contraction_rate(errors) == pytest.approx(predicted, rel=1e-4)
    assert _complex_whenever_the_product_is_positive(lam, lr, momentum) == pytest.approx(0.3)


def test_complex_whenever_the_product_is_positive_fails_a_visible_check_with_its_own_hint():
    """sc04 E1: this answer passed every visible case and scored 3/3 in about 15% of gradings."""
    _assert_named_first_and_everywhere(
        _complex_whenever_the_product_is_positive, "over-damped", "discriminant"
    )


def test_the_unsigned_shrink_is_named_and_no_cause_is_asserted():
    """sc04 E2: |1 - lr * lambda| got 'Either you used the smallest eigenvalue only, or ... REAL
    PART', neither of which it did. The shared hint now names it among three slips and says
    which one the learner made is for the learner to check."""

    def nesterov_rate(eigenvalues, lr, momentum):
        eigenvalues = np.asarray(eigenvalues, dtype=float)
        if (eigenvalues <= 0).any():
            raise ValueError("eigenvalues must be positive.")
        shrink = np.abs(1 - lr * eigenvalues)
        return float(
            max(np.abs(np.roots([1, -(1 + momentum) * s, momentum * s])).max() for s in shrink)
        )

    with pytest.raises(CheckFailed) as failed:
        checker(AID)("nesterov_rate", nesterov_rate)
    message = str(failed.value)
    assert "test 1 of" in message and "dropping its SIGN" in message
    assert "check which one you made" in message and "Either you used" not in message
    hidden = [
        h for d, h in _hints_on_failing_cases("nesterov_rate", nesterov_rate) if "random" in d
    ]
    assert hidden and all("dropping its SIGN" in h for h in hidden), hidden


def _amsgrad_corrected_outside(squared):
    """se04 E1, learner-written: both averages corrected, the maximum's correction outside the root
    (sqrt(v_max) / (1 - beta2^t), or the same as sqrt(v_max / (1 - beta2^t)^2))."""

    def amsgrad_step(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        v_max = np.maximum(v_max, v)
        c2 = 1 - beta2**t
        root = np.sqrt(v_max / c2**2) if squared else np.sqrt(v_max) / c2
        return x - lr * (m / (1 - beta1**t)) / (root + eps), m, v, v_max

    return amsgrad_step


@pytest.mark.parametrize("squared", [False, True], ids=["sqrt(v_max) / c2", "sqrt(v_max / c2^2)"])
def test_the_correction_outside_the_root_is_named_on_every_case_it_fails(squared):
    """se04 E1: visible case 0 had beta1 = beta2, so the two corrections cancelled and this answer
    was told it was Reddi, Kale & Kumar's Algorithm 2, 'which corrects neither average'. Case 0
    now has beta1 != beta2 (Algorithm 2 keeps its own hint there, the test above), and this slip
    has its own hint, shown first and on every case it fails, hidden ones for 30 seeds."""
    question = QUESTION("amsgrad_step")
    beta1, beta2 = question.cases[0].make_inputs()[7:9]
    assert beta1 != beta2
    answer = _amsgrad_corrected_outside(squared)
    (own,) = [m.hint for m in question.mistakes if "outside the root" in m.hint]
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("amsgrad_step", answer)
    assert "test 1 of" in str(failed.value) and f"hint: {own}" in str(failed.value)
    hints = _hints_on_failing_cases("amsgrad_step", answer)
    assert hints and all(hint == own for _, hint in hints), hints


@pytest.mark.parametrize("cap", ["min", "clip"])
def test_a_nesterov_rate_capped_at_1_is_told_a_rate_above_1_is_allowed(cap):
    """se04 E2: min(rate, 1.0) was told on visible case 3 that its root product is momentum alone,
    because that Mistake gave exactly 1.0 there; the case moved to lr = 0.19 and the cap has its
    own hint, on every case it fails (hidden ones for 30 seeds)."""
    reference = QUESTION("nesterov_rate").reference

    def nesterov_rate(eigenvalues, lr, momentum):
        rate = reference(eigenvalues, lr, momentum)
        return min(rate, 1.0) if cap == "min" else float(np.clip(rate, 0.0, 1.0))

    _assert_named_first_and_everywhere(nesterov_rate, "lr = 0.19", "a rate above 1 is allowed")


def test_no_other_nesterov_mistake_gives_1_where_a_visible_rate_is_above_1():
    """se04 E2: where the reference is above 1, another Mistake giving exactly 1.0 would take the
    capped answer's hint first."""
    question = QUESTION("nesterov_rate")
    visible = [c for c in question.cases if not c.raises and not c.hidden]
    above = [c for c in visible if question.reference(*c.make_inputs()) > 1]
    assert above
    for case in above:
        for mistake in question.mistakes:
            if "a rate above 1 is allowed" not in mistake.hint:
                got = mistake.answer(*case.make_inputs())
                assert not np.isclose(got, 1.0, rtol=1e-6, atol=1e-6), (case, mistake.hint)
