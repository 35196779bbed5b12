"""Exercise 07 after its redesign (issue 21): each reference agrees with torch in float64 (torch's
``clip_grad_norm_`` for every norm order, AGC written in torch as timm writes it, autograd for the
state-form recursion) or with central differences; correct answers written in another form pass;
the prediction is the bound's lag exactly; bad input is one sentence.

The generic tests in ``test_checks.py`` already prove, for every declared Mistake, that the
reference passes, the mistake fails with its own hint and the stub fails."""

import itertools
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from test_checks import _judged

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.clipping import total_norm
from course_utils.judging import judge, observe
from course_utils.specs._state_form import random_state_form, state_form_states

SET = "07_vanishing_exploding"
ROOT = Path(__file__).resolve().parents[1]


def _reference(name):
    return specs.load(SET).question(name).reference


def _passes(name, answer):
    checker(SET)(name, answer)


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SET)(name, answer)
    assert text in str(failed.value), str(failed.value)


# ----------------------------------------------------------------------------- 1. clip_grad_norm


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 100.0, math.inf])
def test_clip_grad_norm_reference_is_torchs(norm_type, max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5), rng.normal(size=(2, 2, 2))]
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.tensor(g)
    expected = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type).item()
    total, clipped = _reference("clip_grad_norm")([g.copy() for g in grads], max_norm, norm_type)
    assert total == pytest.approx(expected, rel=1e-12)
    for p, g in zip(params, clipped, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12, atol=0)


def test_clip_grad_norm_max_norm_inf_is_factor_1_and_a_finite_only_answer_fails():
    # the text: max_norm = inf is positive and allowed (factor 1, torch's way to measure the norm);
    # a visible case passes it, so an answer that rejects every non-finite max_norm fails there
    grads = [np.array([3.0, -4.0]), np.array([[12.0]])]
    total, same = _reference("clip_grad_norm")([g.copy() for g in grads], math.inf)
    assert total == 13.0
    for g, kept in zip(grads, same, strict=True):
        np.testing.assert_array_equal(g, kept)

    _fails_with("clip_grad_norm", _numpy_clip(finite_only=True), "max_norm = inf")
    _passes("clip_grad_norm", _numpy_clip())


def test_clip_grad_norm_refusing_max_norm_inf_gets_its_own_hint():
    # referee sa07 point 8: this answer got the 'norm AFTER clipping' hint, because that Mistake
    # called the library's clip_grad_norm, which raised on inf; the library now takes inf as torch
    hint = "max_norm = inf is allowed (it is positive)"
    _fails_with("clip_grad_norm", _numpy_clip(finite_only=True), hint)
    with pytest.raises(CheckFailed) as failed:
        checker(SET)("clip_grad_norm", _numpy_clip(finite_only=True))
    assert "norm AFTER clipping" not in str(failed.value)
    question = specs.load(SET).question("clip_grad_norm")
    (refuses,) = [m for m in question.mistakes if m.hint.startswith(hint)]
    with pytest.raises(ValueError):
        refuses.answer([np.ones(2)], math.inf)
    for mistake in question.mistakes:  # no other Mistake raises on max_norm = inf
        if mistake is not refuses:
            mistake.answer([np.array([3.0, -4.0]), np.array([[12.0]])], math.inf)


def _referee_exp8(grads, max_norm, norm_type=2.0):
    """/work/ref/sa07/exp8.py (referee sa07 point 9): no 1e-6 guard, the empty list special-cased;
    it passed every case, hidden ones too, and divides by zero on an all-zero gradient."""
    if not norm_type > 0 or not max_norm > 0:
        raise ValueError
    if not grads:
        return 0.0, grads
    flat = np.concatenate([np.ravel(g) for g in grads])
    if np.isinf(norm_type):
        tot = float(np.abs(flat).max())
    else:
        tot = float(np.sum(np.abs(flat) ** norm_type) ** (1 / norm_type))
    coef = min(1.0, max_norm / tot)  # ZeroDivisionError on an all-zero gradient
    for g in grads:
        g *= coef
    return tot, grads


def test_clip_grad_norm_all_zero_gradient_is_a_visible_case():
    total, grads = _reference("clip_grad_norm")([np.zeros(3), np.zeros((2, 2))], 1.0)
    assert total == 0.0 and all(not g.any() for g in grads)
    _fails_with("clip_grad_norm", _referee_exp8, "all-zero gradient has total norm 0")
    _fails_with("clip_grad_norm", _referee_exp8, "raised ZeroDivisionError")
    assert _score("clip_grad_norm", _referee_exp8) == 0
    _passes("clip_grad_norm", _numpy_clip(guard=0.0))  # skipping the scaling at 0 is right too


def test_clip_grad_norm_without_the_1e6_guard_passes():
    # the text: the check accepts answers with or without the 1e-6 (every test that clips has
    # total > max_norm >= 0.5, so the guard moves the factor by < 2e-6 relatively, inside rtol)
    full = specs.load(SET).question("clip_grad_norm").points
    for seed in (0, 7):  # the hidden cases too, drawn as two grading runs
        assert _score("clip_grad_norm", _numpy_clip(guard=0.0), seed) == full


def _numpy_clip(*, finite_only=False, guard=1e-6, smallest=0.0):
    """clip_grad_norm in numpy, torch's rule (max_norm = inf allowed), or finite max_norm only,
    or norm_type above ``smallest`` only."""

    def clip(grads, max_norm, norm_type=2.0):
        if not norm_type > smallest or not max_norm > 0 or (finite_only and not max_norm < np.inf):
            raise ValueError("norm_type and max_norm must be positive.")
        flat = np.abs(np.concatenate([g.ravel() for g in grads] + [np.zeros(0)]))
        total = float(flat.max(initial=0.0) if np.isinf(norm_type) else np.sum(flat**norm_type))
        total = total if np.isinf(norm_type) else total ** (1 / norm_type)
        if total + guard > 0:
            for g in grads:
                g *= min(1.0, max_norm / (total + guard))
        return total, grads

    return clip


def test_clip_grad_norm_bad_norm_type_is_one_sentence():
    with pytest.raises(
        ValueError, match=r"^norm_type must be a positive number or inf, got 0\.0\.$"
    ):
        _reference("clip_grad_norm")([np.ones(2)], 1.0, 0.0)


def test_clip_grad_norm_through_torch_is_right_but_scores_0():
    # torch's own clipping on tensors that share the arrays gives the right values, but the task
    # asks for it in numpy: torch's clip_grad_norm_ is named in the question's library rule
    def through_torch(grads, max_norm, norm_type=2.0):
        if not norm_type > 0:
            raise ValueError("norm_type must be positive.")
        params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(g)  # shares memory: torch's in-place scaling changes g
        return torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type).item(), grads

    question = specs.load(SET).question("clip_grad_norm")
    case = question.visible_cases[0]
    observation = observe(question, case, through_torch)
    assert judge(question, case, observation).passed  # the values are right ...
    with pytest.raises(CheckFailed, match="scores 0"):  # ... the library rule is what stops it
        checker(SET)("clip_grad_norm", through_torch)


# ----------------------------------------------------------------------------- 2. adaptive_clip


def _agc_torch(params, grads, clipping, eps):
    """AGC as timm's ``adaptive_clip_grad`` computes it, in torch float64 (returns new arrays)."""
    out = []
    for p, g in zip(params, grads, strict=True):
        p, g = torch.tensor(p), torch.tensor(g)
        dims = tuple(range(1, p.ndim))

        def unit_norm(x, dims=dims):
            return x.norm() if x.ndim <= 1 else x.norm(dim=dims, keepdim=True)

        max_norm = unit_norm(p).clamp(min=eps) * clipping
        g_norm = unit_norm(g)
        clipped = g * (max_norm / g_norm.clamp(min=1e-6))
        out.append(torch.where(g_norm < max_norm, g, clipped).numpy())
    return out


@pytest.mark.parametrize("seed", range(5))
def test_adaptive_clip_reference_is_timms_algorithm_in_torch(seed):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(4, 3)), np.zeros(4), rng.normal(size=(2, 3, 2)), np.zeros((2, 2))]
    grads = [
        rng.normal(scale=s, size=p.shape)
        for s, p in zip((0.1, 1e-4, 0.01, 1e-6), params, strict=True)
    ]
    expected = _agc_torch(params, grads, 0.02, 1e-3)
    got = _reference("adaptive_clip")(params, [g.copy() for g in grads], 0.02, 1e-3)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=0)


def test_adaptive_clip_0d_parameter_is_one_unit_as_in_timm():
    """rw07 point 7: the text says a 0-D array (a scalar gain) is one unit; timm's code agrees."""
    params, grads = [np.array(2.0), np.array(-0.5)], [np.array(0.5), np.array(1e-3)]
    expected = _agc_torch(params, grads, 0.01, 1e-3)
    got = _reference("adaptive_clip")(params, [g.copy() for g in grads], 0.01, 1e-3)
    for e, g in zip(expected, got, strict=True):
        assert g.shape == ()
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=0)
    np.testing.assert_allclose(got[0], 0.02, rtol=1e-12)  # limit 0.01 * 2.0; 1e-3 is kept


def test_after_adaptive_clip_no_unit_is_above_its_limit():
    rng = np.random.default_rng(1)
    W, G = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    (clipped,) = _reference("adaptive_clip")([W], [G.copy()], 0.05, 1e-3)
    ratio = np.linalg.norm(clipped, axis=1) / np.maximum(np.linalg.norm(W, axis=1), 1e-3)
    assert ratio.max() <= 0.05 * (1 + 1e-12)


def _agc_row_by_row(division_floor, added=False):
    """AGC written unit by unit, dividing by max(||G_i||, division_floor) (or by ||G_i|| + 1e-6)."""

    def row_by_row(params, grads, clipping=0.01, eps=1e-3):
        if clipping <= 0 or eps <= 0 or len(params) != len(grads):
            raise ValueError("bad arguments.")
        for p, g in zip(params, grads, strict=True):
            if p.shape != g.shape:
                raise ValueError("shapes differ.")
            units = [(p, g)] if p.ndim <= 1 else list(zip(p, g, strict=True))
            for w_i, g_i in units:
                limit = clipping * max(np.linalg.norm(w_i), eps)
                norm = np.linalg.norm(g_i)
                if norm >= limit:
                    below = norm + 1e-6 if added else max(norm, division_floor)
                    g_i *= limit / below  # a view: changes g in place
        return grads

    return row_by_row


def test_adaptive_clip_written_row_by_row_passes():
    _passes("adaptive_clip", _agc_row_by_row(1e-6))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([np.ones(2)], [np.ones(2)], 0.0, 1e-3), "clipping and eps must be positive"),
        (([np.ones(2)], [np.ones(2), np.ones(2)], 0.01, 1e-3), "must have the same length"),
        (([np.ones(2)], [np.ones(3)], 0.01, 1e-3), "must have the same shape"),
    ],
)
def test_adaptive_clip_bad_input_is_one_sentence(args, message):
    with pytest.raises(ValueError, match=message):
        _reference("adaptive_clip")(*args)


# ----------------------------------------------------------------------------- 3. state_form_grads


@pytest.mark.parametrize(("H", "T"), [(1, 1), (3, 5), (6, 20)])
def test_state_form_reference_is_autograd(H, T):
    rng = np.random.default_rng(H + T)
    W, W_ih, b, xs = (
        rng.normal(size=(H, H)) / np.sqrt(H),
        rng.normal(size=(H, 2)),
        rng.normal(size=H),
        rng.normal(size=(T, 2)),
    )
    h0, v = rng.normal(size=H), rng.normal(size=H)
    hs = state_form_states(W, W_ih, b, xs, h0)
    Wt = torch.tensor(W)
    h = torch.tensor(h0, requires_grad=True)
    states = [h]
    for x in xs:
        h = Wt @ torch.tanh(h) + torch.tensor(W_ih @ x + b)
        h.retain_grad()
        states.append(h)
    np.testing.assert_allclose(torch.stack(states).detach().numpy(), hs, rtol=1e-13)
    (torch.tensor(v) @ states[-1]).backward()
    autograd = np.stack([states[T - lag].grad.numpy() for lag in range(T + 1)])
    np.testing.assert_allclose(
        _reference("state_form_grads")(W, hs, v), autograd, rtol=1e-12, atol=1e-15
    )


def test_state_form_written_with_full_jacobians_passes():
    def with_jacobians(W_hh, hs, df_dhT):
        if W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1] or hs.ndim != 2:
            raise ValueError("bad shapes.")
        if hs.shape[0] < 1 or hs.shape[1] != W_hh.shape[0] or df_dhT.shape != (W_hh.shape[0],):
            raise ValueError("bad shapes.")
        T, rows, J = hs.shape[0] - 1, [df_dhT], np.eye(len(df_dhT))
        for j in range(T, 0, -1):
            J = J @ (W_hh * (1 - np.tanh(hs[j - 1]) ** 2))  # dh_j/dh_{j-1} = W diag(tanh'(h_{j-1}))
            rows.append(J.T @ df_dhT)
        return np.array(rows)

    _passes("state_form_grads", with_jacobians)


def test_state_form_generated_cases_are_well_scaled():
    # the hidden cases must not vanish to zero: every lag of a T = 12 case keeps a visible norm
    W, hs, v = random_state_form(np.random.default_rng(0), 5, 12)
    assert np.linalg.norm(_reference("state_form_grads")(W, hs, v), axis=1).min() > 1e-8


def test_state_form_bad_shapes_are_one_sentence():
    with pytest.raises(ValueError, match=r"^hs must have shape \(T \+ 1, H\)"):
        _reference("state_form_grads")(np.eye(3), np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"^df_dhT must have shape \(3,\)"):
        _reference("state_form_grads")(np.eye(3), np.zeros((4, 3)), np.zeros(2))


# ----------------------------------------------------------------------------- 4. guaranteed_lag


def test_guaranteed_lag_is_the_first_lag_below_the_bound():
    rng = np.random.default_rng(2)
    for _ in range(300):
        W = rng.normal(size=(4, 4))
        W *= rng.uniform(0.1, 0.99) / np.linalg.norm(W, 2)
        act = str(rng.choice(["linear", "tanh", "relu", "sigmoid"]))
        n, threshold = float(rng.uniform(0.5, 50)), float(10.0 ** rng.uniform(-9, 0))
        lag = _reference("guaranteed_lag")(W, act, n, threshold)
        q = (0.25 if act == "sigmoid" else 1.0) * np.linalg.norm(W, 2)
        assert q**lag * n < threshold and (lag == 0 or q ** (lag - 1) * n >= threshold)


def test_guaranteed_lag_by_logarithms_passes():
    def by_logs(W_hh, activation, grad_norm, threshold):
        gamma = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}[activation]
        if W_hh.shape[0] != W_hh.shape[1] or threshold <= 0 or grad_norm < 0:
            raise ValueError("bad arguments.")
        return _lag_by_logs(W_hh, grad_norm, threshold, gamma)

    def checked(W_hh, activation, grad_norm, threshold):
        try:
            return by_logs(W_hh, activation, grad_norm, threshold)
        except KeyError:
            raise ValueError("unknown activation.") from None

    _passes("guaranteed_lag", checked)


def test_guaranteed_lag_matches_a_scaled_orthogonal_linear_rnn_exactly():
    rng = np.random.default_rng(3)
    Q = 0.8 * np.linalg.qr(rng.normal(size=(8, 8)))[0]
    v = rng.normal(size=8)
    lag = _reference("guaranteed_lag")(Q, "linear", np.linalg.norm(v), 1e-4)
    g, measured = v, 0
    while np.linalg.norm(g) >= 1e-4:
        g, measured = Q.T @ g, measured + 1
    assert measured == lag


def test_guaranteed_lag_bad_input_is_one_sentence():
    W = np.diag([0.5, 0.2])
    with pytest.raises(ValueError, match=r"^activation must be one of linear, tanh, relu, sigmoid"):
        _reference("guaranteed_lag")(W, "softplus", 1.0, 0.1)
    with pytest.raises(
        ValueError, match=r">= 1 - 1e-12: the bound does not shrink, so it guarantees no lag\.$"
    ):
        _reference("guaranteed_lag")(4 * W, "tanh", 1.0, 0.1)
    assert _reference("guaranteed_lag")(4 * W, "tanh", 0.01, 0.1) == 0  # already below: lag 0


# ------------------------------------- answers the referee read rf07 found passing (E1-E4)


def _score(name, answer, seed=7):
    """The question's score over every case, hidden ones drawn as a grading run with ``seed``."""
    return _judged(SET, name, answer, seed).score


def _lag_by_logs(W_hh, grad_norm, threshold, gamma=1.0, zero_case=True):
    q = gamma * np.linalg.norm(W_hh, 2)
    if grad_norm < threshold:
        return 0
    if q >= 1 - 1e-12:  # 1 up to rounding: the bound does not shrink
        raise ValueError("no lag is guaranteed.")
    if zero_case and q == 0.0:  # the bound is 0 from lag 1 on; math.log(0) would raise
        return 1
    return math.floor(math.log(threshold / grad_norm) / math.log(q)) + 1


def test_guaranteed_lag_without_the_argument_checks_fails():
    # only the activation and the q >= 1 checks (rf07 E2): a non-square W_hh and a negative
    # grad_norm come back with a lag instead of a ValueError
    def minimal(W_hh, activation, grad_norm, threshold):
        gamma = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}
        if activation not in gamma:
            raise ValueError("unknown activation.")
        if threshold == 0:
            raise ValueError("threshold must be positive.")
        return _lag_by_logs(W_hh, grad_norm, threshold, gamma[activation])

    def checked(W_hh, activation, grad_norm, threshold):
        if W_hh.shape[0] != W_hh.shape[1] or grad_norm < 0:
            raise ValueError("W_hh must be square and grad_norm >= 0.")
        return minimal(W_hh, activation, grad_norm, threshold)

    assert _score("guaranteed_lag", checked) > 0  # the same code with the checks scores
    assert _score("guaranteed_lag", minimal) == 0


def test_guaranteed_lag_ties_are_decided_by_strictly_below():
    W_half = np.diag([0.5, 0.25])
    assert _reference("guaranteed_lag")(W_half, "linear", 1.0, 2.0**-10) == 11
    assert _reference("guaranteed_lag")(W_half, "linear", 2.0**-10, 2.0**-10) == 1
    assert _reference("guaranteed_lag")(4 * W_half, "tanh", 1e-5, 1e-4) == 0  # q >= 1, no error


def test_adaptive_clip_that_zips_lists_of_different_lengths_fails():
    def no_length_check(params, grads, clipping=0.01, eps=1e-3):
        if clipping <= 0 or eps <= 0:
            raise ValueError("clipping and eps must be positive.")
        for p, g in zip(params, grads):  # noqa: B905 - the mistake: a silent truncation
            if p.shape != g.shape:
                raise ValueError("shapes differ.")
            axes = tuple(range(1, p.ndim)) if p.ndim > 1 else None
            p_norm = np.sqrt(np.sum(p**2, axis=axes, keepdims=p.ndim > 1))
            g_norm = np.sqrt(np.sum(g**2, axis=axes, keepdims=p.ndim > 1))
            limit = clipping * np.maximum(p_norm, eps)
            g *= np.where(g_norm < limit, 1.0, limit / np.maximum(g_norm, 1e-6))
        return grads

    def length_checked(params, grads, clipping=0.01, eps=1e-3):
        if len(params) != len(grads):
            raise ValueError("params and grads must have the same length.")
        return no_length_check(params, grads, clipping, eps)

    assert _score("adaptive_clip", length_checked) > 0  # the same code with the check scores
    assert _score("adaptive_clip", no_length_check) == 0


def test_clip_grad_norm_accepts_a_positive_norm_type_below_1():
    # a p below 1 is computed, as torch does (rf07 E5): refusing it loses the question
    clip, refuses_below_1 = _numpy_clip(), _numpy_clip(smallest=1.0 - 1e-12)
    assert _score("clip_grad_norm", clip) > 0  # the same code with the rule p > 0 scores
    assert _score("clip_grad_norm", refuses_below_1) == 0


# ------------------------------------- answers the referee read rh07 found passing (E3-E5)


def _lag_with(radius_for):
    """A guaranteed_lag that takes q from ``radius_for(W_hh, activation)`` (else right)."""

    def answer(W_hh, activation, grad_norm, threshold):
        gamma = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}
        if activation not in gamma:
            raise ValueError("unknown activation.")
        if W_hh.shape[0] != W_hh.shape[1] or not threshold > 0 or not 0 <= grad_norm < np.inf:
            raise ValueError("W_hh must be square, threshold > 0 and 0 <= grad_norm < inf.")
        if grad_norm < threshold:
            return 0
        q = gamma[activation] * radius_for(W_hh, activation)
        if q >= 1 - 1e-12:  # 1 up to rounding: the bound does not shrink
            raise ValueError("no lag is guaranteed.")
        return math.floor(math.log(threshold / grad_norm) / math.log(q)) + 1

    return answer


def test_guaranteed_lag_with_the_spectral_radius_for_linear_only_fails_visibly():
    # rh07 E3: the spectral radius predicts a linear RNN's long-run rate, not the bound at every
    # lag; on W_TANH (non-normal, rho 0.5 < ||W||_2 0.82) a visible linear case tells them apart
    def radius(W, activation):
        if activation == "linear":
            return np.abs(np.linalg.eigvals(W)).max()
        return np.linalg.norm(W, 2)

    _passes("guaranteed_lag", _lag_with(lambda W, activation: np.linalg.norm(W, 2)))
    _fails_with("guaranteed_lag", _lag_with(radius), "spectral radius")


def test_guaranteed_lag_without_relu_fails_visibly():
    # rh07 E3: "relu" is one of the four activations; leaving it out (an unknown activation) or
    # returning anything for it fails a visible case
    right = _lag_with(lambda W, activation: np.linalg.norm(W, 2))

    def no_relu(W_hh, activation, grad_norm, threshold):
        if activation == "relu":
            raise ValueError("unknown activation.")
        return right(W_hh, activation, grad_norm, threshold)

    def relu_zero(W_hh, activation, grad_norm, threshold):
        return 0 if activation == "relu" else right(W_hh, activation, grad_norm, threshold)

    for answer in (no_relu, relu_zero):
        with pytest.raises(CheckFailed, match="relu"):
            checker(SET)("guaranteed_lag", answer)


def test_guaranteed_lag_of_an_infinite_grad_norm_is_one_sentence():
    # rh07 E5: an overflowed norm bounds nothing; the reference says so (not 'math domain error')
    with pytest.raises(ValueError, match=r"^grad_norm must be finite, got inf: .*no lag\.$"):
        _reference("guaranteed_lag")(np.diag([0.5, 0.2]), "tanh", math.inf, 0.1)

    def by_numpy_logs(W_hh, activation, grad_norm, threshold):  # np.log(0) is -inf, no error
        q = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}[activation]
        q *= np.linalg.norm(W_hh, 2)
        if grad_norm < threshold:
            return 0
        if q >= 1 - 1e-12 or W_hh.shape[0] != W_hh.shape[1] or not threshold > 0 or grad_norm < 0:
            raise ValueError("no lag is guaranteed.")
        with np.errstate(divide="ignore"):
            return int(
                min(np.floor(np.log(threshold / grad_norm) / np.log(q)) + 1, 10**9)
            )  # sd07 E3: a case has lag 1030891

    _fails_with("guaranteed_lag", by_numpy_logs, "grad_norm = inf")


def test_adaptive_clip_without_the_division_floor_fails_with_its_hint():
    # rh07 E4: below 1e-6 the floor of the division decides the scale (timm's code)
    _fails_with("adaptive_clip", _agc_row_by_row(0.0), "floor of 1e-6")


def test_state_form_without_the_df_dhT_check_scores_0():
    # rh07 E4: a df_dhT of shape (1, H) broadcasts into row 0 silently; the task asks for a
    # ValueError when the shapes do not fit, and a hidden case now asks for it
    def no_g_check(W_hh, hs, df_dhT):
        H = W_hh.shape[0]
        if W_hh.shape != (H, H) or hs.ndim != 2 or hs.shape[0] < 1 or hs.shape[1] != H:
            raise ValueError("W_hh must be (H, H) and hs (T + 1, H).")
        T = hs.shape[0] - 1
        out = np.empty((T + 1, H))
        out[0] = df_dhT
        for lag in range(1, T + 1):
            out[lag] = (1 - np.tanh(hs[T - lag]) ** 2) * (W_hh.T @ out[lag - 1])
        return out

    def checked(W_hh, hs, df_dhT):
        if df_dhT.shape != (W_hh.shape[0],):
            raise ValueError("df_dhT must have shape (H,).")
        return no_g_check(W_hh, hs, df_dhT)

    assert _score("state_form_grads", checked) > 0  # the same code with the check scores
    assert _score("state_form_grads", no_g_check) == 0


def test_adaptive_clip_with_the_1e6_added_fails_with_its_hint():
    # ri07 E2: question 1 teaches clip_grad_norm_'s ||g|| + 1e-6; AGC's 1e-6 is a floor instead
    _fails_with("adaptive_clip", _agc_row_by_row(1e-6, added=True), "not added to the gradient's")


# ------------------------------------------------- answers the referee read rk07 found passing


def _score_within(name, answer, seconds=1.0, seed=7):
    """As ``_score``, each case under a time limit as the check and the grader apply one (here
    ``seconds``, short, so a test never hangs): a case that runs out of time is an Observation
    "timeout", which fails."""
    from course_utils.answers import Observation
    from course_utils.checks import _CheckTimeout, _time_limit
    from course_utils.grading import scoring

    question = specs.load(SET).question(name)
    inputs = scoring.case_inputs(question, seed)
    observations = []
    for case, args in zip(question.cases, inputs, strict=True):
        try:
            with _time_limit(seconds):
                observations.append(observe(question, case, answer, args))
        except _CheckTimeout:
            observations.append(Observation("timeout"))
    return scoring.judge_question(question, inputs, observations).score


def _lag_by_loop(
    W_hh, activation, grad_norm, threshold, refuse_at_one=True, square=True, margin=1e-12
):
    gamma = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}
    if activation not in gamma or not threshold > 0 or not 0 <= grad_norm < np.inf:
        raise ValueError("bad activation, threshold or grad_norm.")
    if square and (W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1]):
        raise ValueError("W_hh must be square.")
    q = gamma[activation] * np.linalg.norm(W_hh, 2)
    lag, bound = 0, grad_norm
    if bound >= threshold and (q >= 1 - margin if refuse_at_one else q > 1):
        raise ValueError("the bound guarantees no lag.")
    while bound >= threshold:  # at q = 1 exactly this never ends
        lag, bound = lag + 1, bound * q
    return lag


def test_guaranteed_lag_that_raises_only_above_one_hangs_at_one_and_scores_0():
    # rk07 L3: np.linalg.norm(np.eye(3), 2) is exactly 1 (the identity/IRNN start; an orthogonal
    # W_hh's computed norm is 1 only up to rounding, rl0307 07-2, tested below); the bound stays at
    # grad_norm, and "raise only for q > 1" loops forever
    assert np.linalg.norm(np.eye(3), 2) == 1.0
    assert _score_within("guaranteed_lag", _lag_by_loop) == 2
    question = specs.load(SET).question("guaranteed_lag")
    case = next(c for c in question.visible_cases if "np.eye(3)" in c.description)
    assert case.raises == "ValueError" and "exactly" in case.description
    assert _score_within("guaranteed_lag", lambda *a: _lag_by_loop(*a, refuse_at_one=False)) == 0


def test_guaranteed_lag_without_a_shape_check_scores_0():
    # rk07 L4: the hidden non-square W_hh has spectral norm 0.245, so the q >= 1 rule does not
    # refuse it on the answer's behalf
    question = specs.load(SET).question("guaranteed_lag")
    case = next(c for c in question.cases if "not square" in c.description)
    assert case.hidden and np.linalg.norm(case.make_inputs()[0], 2) < 1
    assert _score_within("guaranteed_lag", lambda *a: _lag_by_loop(*a, square=False)) == 0


def test_guaranteed_lag_treats_an_orthogonal_norm_rounded_below_1_as_not_shrinking():
    # rl0307 07-2: the computed spectral norm of an orthogonal Q is 1 only up to rounding; for the
    # QR draw of seed 20 it is 0.9999999999999999 (with numpy's OpenBLAS). The reference raises
    # (q >= 1 - 1e-12) instead of returning a lag of about 9e16, a correct loop-based answer
    # finishes (it raises) within the time limit, and one that refuses only q >= 1 exactly loops
    from course_utils.checks import _time_limit
    from course_utils.specs._guaranteed_lag import orthogonal_seed_20

    Q = orthogonal_seed_20()
    np.testing.assert_allclose(Q.T @ Q, np.eye(3), atol=1e-15)
    assert abs(np.linalg.norm(Q, 2) - 1) < 1e-15
    with pytest.raises(ValueError, match=r">= 1 - 1e-12: the bound does not shrink"):
        _reference("guaranteed_lag")(Q, "tanh", 3.0, 1e-4)
    with _time_limit(1.0), pytest.raises(ValueError, match="no lag"):
        _lag_by_loop(Q, "tanh", 3.0, 1e-4)
    question = specs.load(SET).question("guaranteed_lag")
    case = next(c for c in question.visible_cases if "default_rng(20)" in c.description)
    assert case.raises == "ValueError" and "1 - 1e-12" in case.description
    assert _score_within("guaranteed_lag", _lag_by_loop) == 2
    if np.linalg.norm(Q, 2) < 1:  # as here; a LAPACK that rounds it to 1 makes q >= 1 enough
        assert _score_within("guaranteed_lag", lambda *a: _lag_by_loop(*a, margin=0.0)) == 0


# ------------------------------------- answers the referee read rn0607 found passing (07-3, 07-4)


def test_clip_grad_norm_through_torchs_two_halves_is_right_but_scores_0():
    # rn0607 07-4: clip_grad_norm_ is get_total_norm then clip_grads_with_norm_ (torch >= 2.6);
    # calling the two public halves on tensors that share the arrays gave the right values and
    # passed. Both are now in the library rule.
    def two_halves(grads, max_norm, norm_type=2.0):
        if not norm_type > 0:
            raise ValueError("norm_type must be positive.")
        if not grads:
            return 0.0, grads
        params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(g)
        total = torch.nn.utils.get_total_norm([p.grad for p in params], norm_type)
        torch.nn.utils.clip_grads_with_norm_(params, max_norm, total)
        return float(total), grads

    question = specs.load(SET).question("clip_grad_norm")
    case = question.visible_cases[0]
    assert judge(question, case, observe(question, case, two_halves)).passed  # right values ...
    with pytest.raises(CheckFailed, match="scores 0"):  # ... stopped by the library rule
        checker(SET)("clip_grad_norm", two_halves)


def test_clip_grad_norm_through_library_total_norm_is_right_but_scores_0():
    # se07 E1: course_utils.clipping.total_norm computes the global p-norm (any order); an answer
    # that took it from there (imported at the top, as a notebook would) and scaled by hand passed
    # every case. It is now in the library rule.
    def library_norm(grads, max_norm, norm_type=2.0):
        if not max_norm > 0:
            raise ValueError("max_norm must be positive.")
        total = total_norm(grads, norm_type)
        coef = min(1.0, max_norm / (total + 1e-6))
        for g in grads:
            g *= coef
        return total, grads

    question = specs.load(SET).question("clip_grad_norm")
    assert "course_utils.clipping.total_norm" in question.library_names
    case = question.visible_cases[0]
    assert judge(question, case, observe(question, case, library_norm)).passed  # right values ...
    with pytest.raises(CheckFailed, match="scores 0"):  # ... stopped by the library rule
        checker(SET)("clip_grad_norm", library_norm)


def test_clip_grad_norm_exercise_text_names_every_banned_function():
    # what scores 0 is said in the exercise's first cell, by the names the rule uses
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "exercises" / f"{SET}.ipynb"
    intro = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
    for dotted in specs.load(SET).question("clip_grad_norm").library_names:
        module, name = dotted.rsplit(".", 1)  # the name, or the whole module it is in
        assert any(f"`{words}`" in intro for words in (dotted, name, module)), dotted
    for words in ("`course_utils.gradcheck.numerical_gradient`", "$10^{-9}$", "complex-step"):
        assert words in intro, words


def _state_form_numerically(derivative):
    """An answer that derives nothing: rebuild c_t = h_t - W tanh(h_{t-1}) from hs and
    differentiate f = df_dhT . h_T numerically with respect to each earlier state."""

    def answer(W_hh, hs, df_dhT):
        H = W_hh.shape[0]
        if W_hh.shape != (H, H) or hs.ndim != 2 or hs.shape[0] < 1 or hs.shape[1] != H:
            raise ValueError("W_hh must be (H, H) and hs (T + 1, H).")
        if df_dhT.shape != (H,):
            raise ValueError("df_dhT must have shape (H,).")
        T = len(hs) - 1
        c = [hs[t] - W_hh @ np.tanh(hs[t - 1]) for t in range(1, T + 1)]
        out = np.empty((T + 1, H))
        out[0] = df_dhT
        for lag in range(1, T + 1):

            def f(h, start=T - lag):
                for t in range(start + 1, T + 1):
                    h = W_hh @ np.tanh(h) + c[t - 1]
                return float(df_dhT @ h)

            out[lag] = derivative(f, hs[T - lag].copy())
        return out

    return answer


def _central(step):
    def derivative(f, x):
        eye = np.eye(len(x))
        return np.array([(f(x + step * e) - f(x - step * e)) / (2 * step) for e in eye])

    return derivative


def test_state_form_through_the_course_finite_differences_scores_0():
    # rn0607 07-3: the course's numerical_gradient passed the visible check and then failed the
    # hidden ones at rtol 1e-9; it is now banned (as in exercise 06), so the check says so at once
    from course_utils import gradcheck

    answer = _state_form_numerically(lambda f, x: gradcheck.numerical_gradient(f, x))
    with pytest.raises(CheckFailed, match="scores 0"):
        checker(SET)("state_form_grads", answer)


@pytest.mark.parametrize("step", [1e-4, 1e-5, 1e-6, 1e-7])
def test_state_form_central_differences_fail_the_visible_long_case(step):
    # rn0607 07-3: a visible case as long as the hidden one (H = 5, T = 12), so the instant check
    # already rejects central differences, whatever the step
    question = specs.load(SET).question("state_form_grads")
    (long_case,) = [c for c in question.visible_cases if "H = 5, T = 12" in c.description]
    W_hh, hs, _ = long_case.make_inputs()
    assert W_hh.shape == (5, 5) and hs.shape == (13, 5)
    answer = _state_form_numerically(_central(step))
    assert not judge(question, long_case, observe(question, long_case, answer)).passed
    assert judge(
        question, long_case, observe(question, long_case, _reference("state_form_grads"))
    ).passed


def test_adaptive_clip_one_liner_without_the_comparison_fails_with_its_hint():
    """ro0607: g *= min(1, limit / max(norm, 1e-6)) shrinks a gradient already below a limit
    under 1e-6; it passed every visible case and no hidden one could catch it."""

    def one_liner(params, grads, clipping=0.01, eps=1e-3):
        if not (clipping > 0 and eps > 0) or len(params) != len(grads):
            raise ValueError("bad arguments")
        for p, g in zip(params, grads, strict=True):
            if p.shape != g.shape:
                raise ValueError("shapes differ")
            axes = tuple(range(1, p.ndim)) if p.ndim > 1 else None
            p_norm = np.sqrt(np.sum(p**2, axis=axes, keepdims=p.ndim > 1))
            g_norm = np.sqrt(np.sum(g**2, axis=axes, keepdims=p.ndim > 1))
            g *= np.minimum(1.0, clipping * np.maximum(p_norm, eps) / np.maximum(g_norm, 1e-6))
        return grads

    _fails_with("adaptive_clip", one_liner, "without comparing the norm with the limit")
    assert _judged("07_vanishing_exploding", "adaptive_clip", one_liner).score == 0


# ------------------------------------- the referee read rr0607 (07-2): max_norm must be positive


def _solution_clip_grad_norm():
    """Question 1's answer as the solution notebook writes it."""
    nb = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.source.startswith("def clip_grad_norm(")]
    namespace = {"np": np}
    exec(compile(cell.source, "clip_grad_norm", "exec"), namespace)
    return namespace["clip_grad_norm"]


def _clip_without_max_norm_check(grads, max_norm, norm_type=2.0):
    # rr0607's t3.py answer: norm_type checked, max_norm not (a negative one flips the sign)
    if not norm_type > 0:
        raise ValueError("norm_type must be positive.")
    flat = np.abs(np.concatenate([g.ravel() for g in grads] + [np.zeros(0)]))
    total = (
        float(flat.max(initial=0.0))
        if np.isinf(norm_type)
        else float((flat**norm_type).sum() ** (1 / norm_type))
    )
    for g in grads:
        g *= min(1.0, max_norm / (total + 1e-6))
    return total, grads


def _clip_refusing_negative_max_norm_only(grads, max_norm, norm_type=2.0):
    if max_norm < 0:
        raise ValueError("max_norm must not be negative.")
    return _clip_without_max_norm_check(grads, max_norm, norm_type)


@pytest.mark.parametrize(
    ("max_norm", "message"),
    [
        (-1.0, r"^max_norm must be positive, got -1\.0\.$"),
        (0.0, r"^max_norm must be positive, got 0\.0\.$"),
        (-0.0, r"^max_norm must be positive, got -0\.0\.$"),
        (math.nan, r"^max_norm must be finite, got nan\.$"),
    ],
)
def test_clip_grad_norm_bad_max_norm_is_one_sentence(max_norm, message):
    with pytest.raises(ValueError, match=message):
        _reference("clip_grad_norm")([np.ones(2)], max_norm)


def test_clip_grad_norm_solution_passes_and_every_max_norm_mistake_fails():
    question = specs.load(SET).question("clip_grad_norm")
    _passes("clip_grad_norm", _solution_clip_grad_norm())
    assert _score("clip_grad_norm", _solution_clip_grad_norm()) == question.points
    hints = {m.answer.__name__: m.hint for m in question.mistakes}
    for answer, mistake in (
        (_clip_without_max_norm_check, "_max_norm_unchecked"),
        (_clip_refusing_negative_max_norm_only, "_zero_max_norm_allowed"),
    ):
        _fails_with("clip_grad_norm", answer, hints[mistake])
        assert _score("clip_grad_norm", answer) == 0
    for mistake in question.mistakes:
        assert _score("clip_grad_norm", mistake.answer) == 0

    def stub(grads, max_norm, norm_type=2.0):
        raise NotImplementedError()

    with pytest.raises(CheckFailed):
        checker(SET)("clip_grad_norm", stub)


def test_clip_grad_norm_visible_cases_ask_for_both_max_norm_raises():
    question = specs.load(SET).question("clip_grad_norm")
    raising = [c.make_inputs()[1] for c in question.visible_cases if c.raises == "ValueError"]
    assert -1.0 in raising and 0.0 in raising
    exercise = nbformat.read(ROOT / "exercises" / f"{SET}.ipynb", as_version=4)
    text = next(c.source for c in exercise.cells if c.source.startswith("## 1."))
    assert "raises `ValueError` when `max_norm` is not positive" in text


def _agc_by_last_axis(params, grads, clipping=0.01, eps=1e-3):
    # rr0607's t3.py answer (07-4): norms over the last axis only; right for 2-D, wrong for 3-D
    if clipping <= 0 or eps <= 0 or len(params) != len(grads):
        raise ValueError("clipping and eps must be positive, one gradient per parameter.")
    if any(p.shape != g.shape for p, g in zip(params, grads, strict=True)):
        raise ValueError("every gradient must have its parameter's shape.")
    for p, g in zip(params, grads, strict=True):
        if p.ndim <= 1:
            p_norm, g_norm = np.linalg.norm(p), np.linalg.norm(g)
        else:
            p_norm = np.linalg.norm(p, axis=-1, keepdims=True)
            g_norm = np.linalg.norm(g, axis=-1, keepdims=True)
        limit = clipping * np.maximum(p_norm, eps)
        g[...] = np.where(g_norm < limit, g, g * limit / np.maximum(g_norm, 1e-6))
    return grads


def test_adaptive_clip_by_the_last_axis_fails_a_visible_3d_case():
    question = specs.load(SET).question("adaptive_clip")
    case = next(c for c in question.visible_cases if "3-D" in c.description)
    assert not judge(question, case, observe(question, case, _agc_by_last_axis)).passed
    assert judge(question, case, observe(question, case, question.reference)).passed
    with pytest.raises(CheckFailed, match="3-D parameter"):
        checker(SET)("adaptive_clip", _agc_by_last_axis)


def _described_grads(description):
    # the `grads = [...]` a learner would copy from a case's description, built as numpy builds it
    listed = description.split("grads = ", 1)[1]
    depths = itertools.accumulate({"[": 1, "]": -1}.get(char, 0) for char in listed)
    end = next(i for i, depth in enumerate(depths) if depth == 0)
    return eval(listed[: end + 1], {"__builtins__": {}, "array": np.array})  # noqa: S307


def test_clip_grad_norm_descriptions_build_the_inputs_they_describe():
    # rt0607 7.1: `array([3, -4])` copied from a failure message builds int64 arrays, on which
    # the in-place `g *= factor` the text prescribes raises a different error: show the floats
    described = [
        case
        for case in specs.load(SET).question("clip_grad_norm").cases
        if case.description.startswith("grads = [array(")
    ]
    assert len(described) == 6
    for case in described:
        shown, given = _described_grads(case.description), case.make_inputs()[0]
        assert len(shown) == len(given), case.description
        for mine, theirs in zip(shown, given, strict=True):
            assert mine.dtype == theirs.dtype == np.float64, case.description
            np.testing.assert_array_equal(mine, theirs, err_msg=case.description)


@pytest.mark.parametrize("as_type", [float, np.int64, np.float64])
def test_guaranteed_lag_as_another_whole_number_type_passes_as_the_text_says(as_type):
    # rt0607 7.2: the check compares values (rtol = atol = 0), so the text allows these types
    reference = _reference("guaranteed_lag")

    def typed(W_hh, activation, grad_norm, threshold):
        return as_type(reference(W_hh, activation, grad_norm, threshold))

    _passes("guaranteed_lag", typed)
    cells = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4).cells
    text = " ".join(" ".join(c.source.split()) for c in cells if "guaranteed_lag(" in c.source)
    assert "an `np.int64`, or a float with an integer value, is accepted" in text


def test_state_form_derivation_is_in_the_solution_only():
    # rt0607 7.3: a learner who failed Q3 can read the chain-rule argument it grades
    solution = nbformat.read(ROOT / "solutions" / f"{SET}.ipynb", as_version=4).cells
    exercise = nbformat.read(ROOT / "exercises" / f"{SET}.ipynb", as_version=4).cells
    marker = "**The derivation (solution only).**"
    derivations = [c for c in solution if c.source.startswith(marker)]
    assert len(derivations) == 1
    assert "solution-only" in derivations[0].metadata.get("tags", [])
    assert r"W_{hh}\operatorname{diag}\big(1 - \tanh^2(h_{t-1})\big)" in derivations[0].source
    assert not any(marker in c.source for c in exercise)


def test_guaranteed_lag_by_logarithms_without_the_zero_case_fails():
    # rx07 E1: W_hh = 0 gives q = 0, lag 1; math.log(0) raises ValueError (math domain error),
    # the very type the question reserves for "no lag guaranteed", so only a case with q = 0
    # tells that answer apart
    def by_logs(W_hh, activation, grad_norm, threshold, zero_case):
        gamma = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}
        if activation not in gamma:
            raise ValueError("unknown activation.")
        if W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1] or not threshold > 0:
            raise ValueError("W_hh must be square and threshold > 0.")
        if not 0 <= grad_norm < np.inf:
            raise ValueError("grad_norm must be finite and >= 0.")
        return _lag_by_logs(W_hh, grad_norm, threshold, gamma[activation], zero_case)

    assert _reference("guaranteed_lag")(np.zeros((3, 3)), "tanh", 3.0, 1e-4) == 1
    assert _score_within("guaranteed_lag", lambda *a: by_logs(*a, zero_case=True)) == 2
    assert _score_within("guaranteed_lag", lambda *a: by_logs(*a, zero_case=False)) == 0
