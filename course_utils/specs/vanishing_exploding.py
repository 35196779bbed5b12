"""Spec for exercise set 07: vanishing and exploding gradients.

Questions: ``clip_grad_norm``, ``clip_grad_value``, ``grad_norm_at_lag``, ``jacobian_bound``.
The two clipping functions work in place, like torch's ``clip_grad_norm_`` / ``clip_grad_value_``,
and return the list they were given (``clip_grad_norm`` with the total norm before clipping in
front), so the checks see the clipped arrays as well as the norm.
"""

from __future__ import annotations

import numpy as np

from .. import clipping
from .base import Assignment, Case, Mistake, Question

_EPS = 1e-6

# ----------------------------------------------------------------------------- 1. clip_grad_norm


def _clip_grad_norm(grads, max_norm):
    total = clipping.clip_grad_norm(grads, max_norm)
    return total, grads


def _per_tensor(grads, max_norm):
    total = float(np.sqrt(sum(float(np.sum(g**2)) for g in grads)))
    for g in grads:
        g *= min(1.0, max_norm / (np.linalg.norm(g) + _EPS))
    return total, grads


def _norm_after(grads, max_norm):
    clipping.clip_grad_norm(grads, max_norm)
    return float(np.sqrt(sum(float(np.sum(g**2)) for g in grads))), grads


def _never_clamped(grads, max_norm):
    total = float(np.sqrt(sum(float(np.sum(g**2)) for g in grads)))
    for g in grads:
        g *= max_norm / (total + _EPS)
    return total, grads


def _sum_of_norms(grads, max_norm):
    total = float(sum(np.linalg.norm(g) for g in grads))
    for g in grads:
        g *= min(1.0, max_norm / (total + _EPS))
    return total, grads


def _random_grads(seed, shapes, scale):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(s) for s in shapes]


CLIP_GRAD_NORM = Question(
    name="clip_grad_norm",
    returns=("total_norm", "grads"),
    points=3,
    reference=_clip_grad_norm,
    in_place=True,
    rtol=1e-5,  # with or without torch's + 1e-6 in the denominator
    atol=1e-9,
    cases=(
        Case(
            lambda: ([np.array([3.0, 4.0]), np.array([[12.0]])], 1.0),
            "grads = [array([3, 4]), array([[12]])] (total norm 13), max_norm = 1",
        ),
        Case(
            lambda: ([np.array([0.3, -0.4]), np.array([[1.2, 0.0], [0.0, 0.0]])], 5.0),
            "grads = [array([0.3, -0.4]), array([[1.2, 0], [0, 0]])] (total norm 1.3), max_norm = 5",
        ),
        Case(
            lambda: ([np.array([6.0, 8.0]), np.array([0.5])], 5.0),
            "grads = [array([6, 8]), array([0.5])], max_norm = 5 (the first array alone is over it)",
        ),
        Case(
            lambda: (_random_grads(1, [(4, 3), (3,), (2, 2, 2)], 10.0), 2.0),
            "three random arrays, max_norm = 2",
            hidden=True,
        ),
        Case(lambda: ([np.array([[1e3, -2e3]])], 1.0), "a single array", hidden=True),
        Case(lambda: (_random_grads(2, [(5,), (5, 5)], 0.01), 1.0), "small: no clip", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Each array was clipped by its OWN norm: clipping by the global norm treats all arrays as one long vector, computes one total norm and scales every array by the same factor.",
            _per_tensor,
        ),
        Mistake(
            "You returned the norm AFTER clipping (about max_norm): return the total norm "
            "computed BEFORE scaling, as torch.nn.utils.clip_grad_norm_ does.",
            _norm_after,
        ),
        Mistake(
            "You also scaled gradients that were already below max_norm (scaled them UP): the factor is never above 1, clipping only ever shrinks.",
            _never_clamped,
        ),
        Mistake(
            "The total norm is not the sum of the arrays' norms: it is the norm of everything as one long vector.",
            _sum_of_norms,
        ),
    ),
    hint=(
        "Treat all arrays as one long vector: its norm is the global norm. Every array is "
        "scaled by the same factor, never above 1, that brings that norm down to max_norm "
        "(with the formula's 1e-6); scale the arrays themselves (in place) and return the "
        "norm before clipping with the same list."
    ),
    library=("course_utils.clipping.clip_grad_norm",),
)

# ----------------------------------------------------------------------------- 2. clip_grad_value


def _clip_grad_value(grads, clip_value):
    clipping.clip_grad_value(grads, clip_value)
    return grads


def _not_written_back(grads, clip_value):
    for g in grads:
        np.clip(g, -clip_value, clip_value)  # result thrown away
    return grads


def _upper_only(grads, clip_value):
    for g in grads:
        np.minimum(g, clip_value, out=g)
    return grads


def _scaled_per_array(grads, clip_value):
    for g in grads:
        g *= min(1.0, clip_value / (np.linalg.norm(g) + _EPS))
    return grads


CLIP_GRAD_VALUE = Question(
    name="clip_grad_value",
    points=2,
    reference=_clip_grad_value,
    in_place=True,
    rtol=1e-12,
    atol=0.0,
    cases=(
        Case(
            lambda: ([np.array([-3.0, 0.5, 2.0]), np.array([[-0.2, 7.0]])], 1.0),
            "grads = [array([-3, 0.5, 2]), array([[-0.2, 7]])], clip_value = 1",
        ),
        Case(
            lambda: ([np.array([0.1, -0.2])], 0.5),
            "grads = [array([0.1, -0.2])], clip_value = 0.5 (nothing to clip)",
        ),
        Case(lambda: (_random_grads(3, [(3, 4), (6,)], 2.0), 1.5), "random arrays", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The arrays did not change: np.clip returns a NEW array. Write the result back into each array (numpy functions can write into their input).",
            _not_written_back,
        ),
        Mistake(
            "Only the upper side was clipped: large NEGATIVE entries must become -clip_value too.",
            _upper_only,
        ),
        Mistake(
            "That rescales each array by its norm (clipping by norm). Clipping by value clamps "
            "every entry separately into [-clip_value, clip_value].",
            _scaled_per_array,
        ),
    ),
    hint=(
        "Clamp every entry into [-clip_value, clip_value] by writing into the arrays "
        "themselves (in place: numpy's functions can write their result into their input), "
        "then return the same list."
    ),
    library=("course_utils.clipping.clip_grad_value",),
)

# ----------------------------------------------------------------------------- 3. grad_norm_at_lag


def _check_lag(pre_acts, k):
    if not 0 <= k <= len(pre_acts):
        raise ValueError(f"k must be between 0 and T = {len(pre_acts)}, got {k}.")


def _backprop(W_hh, pre_acts, dL_dh_T, k, step):
    _check_lag(pre_acts, k)
    g = np.array(dL_dh_T, dtype=float)
    T = len(pre_acts)
    for j in range(T, T - k, -1):  # step j uses a_j = pre_acts[j - 1]
        g = step(W_hh, pre_acts[j - 1], g)
    return float(np.linalg.norm(g))


def _grad_norm_at_lag(W_hh, pre_acts, dL_dh_T, k):
    return _backprop(W_hh, pre_acts, dL_dh_T, k, lambda W, a, g: W.T @ ((1 - np.tanh(a) ** 2) * g))


def _tanh_twice(W_hh, pre_acts, dL_dh_T, k):
    return _backprop(
        W_hh, pre_acts, dL_dh_T, k, lambda W, a, g: W.T @ ((1 - np.tanh(np.tanh(a)) ** 2) * g)
    )


def _one_minus_a_squared(W_hh, pre_acts, dL_dh_T, k):
    return _backprop(W_hh, pre_acts, dL_dh_T, k, lambda W, a, g: W.T @ ((1 - a**2) * g))


def _not_transposed(W_hh, pre_acts, dL_dh_T, k):
    return _backprop(W_hh, pre_acts, dL_dh_T, k, lambda W, a, g: W @ ((1 - np.tanh(a) ** 2) * g))


def _wrong_order(W_hh, pre_acts, dL_dh_T, k):
    return _backprop(W_hh, pre_acts, dL_dh_T, k, lambda W, a, g: (1 - np.tanh(a) ** 2) * (W.T @ g))


W_LAG = np.array([[0.9, -1.4, 0.3], [0.6, 0.2, -1.1], [-0.5, 0.8, 0.7]])
PRE_LAG = np.array(
    [[0.4, -1.2, 0.9], [1.5, 0.3, -0.7], [-0.6, 0.8, 1.1], [0.2, -0.9, -1.4]]
)  # rows a_1 .. a_4
G_LAG = np.array([1.0, -2.0, 0.5])


def _random_lag_case(seed, H, T, k):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((H, H)) / np.sqrt(H) * 1.5
    return W, 1.3 * rng.standard_normal((T, H)), rng.standard_normal(H), k


GRAD_NORM_AT_LAG = Question(
    name="grad_norm_at_lag",
    points=3,
    reference=_grad_norm_at_lag,
    rtol=1e-9,
    atol=1e-12,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (W_LAG.copy(), PRE_LAG.copy(), G_LAG.copy(), 3),
            "the W_hh, pre_acts (T = 4) and dL_dh_T printed above, k = 3",
        ),
        Case(
            lambda: (W_LAG.copy(), PRE_LAG.copy(), G_LAG.copy(), 0),
            "the same, k = 0 (the gradient at h_T itself)",
        ),
        Case(
            lambda: (W_LAG.copy(), PRE_LAG.copy(), G_LAG.copy(), 5),
            "k = 5 > T = 4 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(lambda: _random_lag_case(4, 5, 10, 7), "H = 5, T = 10, k = 7", hidden=True),
        Case(lambda: _random_lag_case(5, 4, 6, 6), "k = T", hidden=True),
        Case(
            lambda: (W_LAG.copy(), PRE_LAG.copy(), G_LAG.copy(), -1),
            "k = -1",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "You applied tanh twice: tanh' takes the PRE-activation. If you first computed the hidden state, write the derivative through it, without a second tanh.",
            _tanh_twice,
        ),
        Mistake(
            "That form of tanh' takes the hidden state, not the pre-activation: apply the tanh to the pre-activation first.",
            _one_minus_a_squared,
        ),
        Mistake(
            "The gradient flows back through the TRANSPOSE of W_hh, not through W_hh itself.",
            _not_transposed,
        ),
        Mistake(
            "Wrong order: the Jacobian is diag(tanh'(a_j)) W_hh, so going back through its transpose multiplies by tanh'(a_j) FIRST and by the transposed W_hh after.",
            _wrong_order,
        ),
    ),
    hint=(
        "Start from df/dh_T (the argument dL_dh_T) and go back one step at a time, k times (the lag): each step multiplies by "
        "that step's transposed Jacobian, built from tanh' of that step's pre-activation; the "
        "answer is the norm of the result. A k outside 0..T is a ValueError."
    ),
)

# ----------------------------------------------------------------------------- 4. jacobian_bound

W_BOUND = np.array([[1.0, 2.5, 0.0], [0.0, 1.0, 2.5], [0.0, 0.0, 1.0]])  # rho = 1, ||W||_2 > 3
LAG_BOUND = 20


def _bound_with(norm_of_W, gamma=0.25):
    return (gamma * norm_of_W) ** LAG_BOUND


JACOBIAN_BOUND = Question(
    name="jacobian_bound",
    kind="value",
    points=2,
    reference=lambda: _bound_with(np.linalg.norm(W_BOUND, 2)),
    rtol=1e-6,
    atol=0.0,
    cases=(
        Case(
            lambda: (),
            "bound on ||dh_T/dh_(T-20)||_2 for a sigmoid RNN with the W_hh given above",
        ),
    ),
    mistakes=(
        Mistake(
            "That uses the spectral radius (largest |eigenvalue|). It sets the long-run rate of "
            "W^k, but a bound for every lag needs the largest SINGULAR value (the spectral norm).",
            lambda: _bound_with(np.abs(np.linalg.eigvals(W_BOUND)).max()),
        ),
        Mistake(
            "The activation's factor is missing: each step multiplies by diag(sigmoid'(a)), and "
            "sigmoid' is at most 1/4: that factor enters the bound once per step.",
            lambda: _bound_with(np.linalg.norm(W_BOUND, 2), gamma=1.0),
        ),
        Mistake(
            "That is the Frobenius norm (np.linalg.norm(W) without ord): it is larger than the "
            "spectral norm (the matrix 2-norm, the largest singular value).",
            lambda: _bound_with(np.linalg.norm(W_BOUND)),
        ),
    ),
    hint=(
        "Evaluate the bound for this W at the lag 20 and gamma the largest value sigmoid' "
        "takes; the norm in it is the spectral norm (the largest singular value), not the "
        "largest eigenvalue."
    ),
)

ASSIGNMENT = Assignment(
    id="07_vanishing_exploding",
    title="Vanishing and exploding gradients",
    questions=(CLIP_GRAD_NORM, CLIP_GRAD_VALUE, GRAD_NORM_AT_LAG, JACOBIAN_BOUND),
)
