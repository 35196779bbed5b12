"""Exercise 07 after its referee read sd07 (E1-E3): wrong answers that passed every case.

E1: question 1's returning ``norm_type = inf`` cases had their largest-magnitude entry positive, so
an answer taking the largest *signed* entry passed; a visible case now has it negative (-12).
E2: question 2's ``eps`` floor was tested only on a weight norm of exactly 0, so an answer flooring
only zero norms passed; a visible case has a row of norm 1e-4 < eps = 1e-3.
E3: question 4's cut-off 1 - 1e-12 had no case between about 1 - 1e-5 and it, so a cut-off such as
``np.isclose(q, 1)`` or ``q >= 0.999`` passed; a visible case has q = 0.99999 (lag 1030891, which a
loop answer still counts in about a second).
"""

import numpy as np
import pytest
from test_checks_07_sc07 import _fails_with, _full_marks, _hint

GAMMA = {"linear": 1.0, "tanh": 1.0, "relu": 1.0, "sigmoid": 0.25}


# ----------------------------------------------------------------------------------- question 1


def _clip(signed):
    def clip(grads, max_norm, norm_type=2.0):
        if not norm_type > 0 or not max_norm > 0:
            raise ValueError("norm_type and max_norm must be positive.")
        flat = np.concatenate([g.ravel() for g in grads] + [np.zeros(0)])
        if np.isinf(norm_type):
            total = float((flat if signed else np.abs(flat)).max(initial=0.0))
        else:
            total = float(np.sum(np.abs(flat) ** norm_type) ** (1 / norm_type))
        for g in grads:
            g *= min(1.0, max_norm / (total + 1e-6))
        return total, grads

    return clip


def test_q1_signed_max_fails_with_its_hint_and_the_absolute_max_passes():
    _fails_with("clip_grad_norm", _clip(signed=True), _hint("clip_grad_norm", "ABSOLUTE entry"))
    assert _full_marks("clip_grad_norm", _clip(signed=False))
    assert not _full_marks("clip_grad_norm", _clip(signed=True))


# ----------------------------------------------------------------------------------- question 2


def _agc(floor):
    """AGC on each array seen as (units, entries) rows, with ``floor(norms, eps)`` for the floor."""

    def adaptive_clip(params, grads, clipping=0.01, eps=1e-3):
        if not (clipping > 0 and eps > 0) or len(params) != len(grads):
            raise ValueError("clipping and eps must be positive, the lists of equal length.")
        if any(p.shape != g.shape for p, g in zip(params, grads, strict=True)):
            raise ValueError("an array and its gradient differ in shape.")
        for p, g in zip(params, grads, strict=True):
            rows = (p.shape[0], -1) if p.ndim > 1 else (1, -1)
            g_rows = g.reshape(rows)  # a view: scaling it scales g
            limit = clipping * floor(np.linalg.norm(p.reshape(rows), axis=1), eps)
            norm = np.linalg.norm(g_rows, axis=1)
            g_rows *= np.where(norm < limit, 1.0, limit / np.maximum(norm, 1e-6))[:, None]
        return grads

    return adaptive_clip


@pytest.mark.parametrize(
    "floor",
    [
        lambda n, e: np.where(n == 0, e, n),  # the referee's zero-only floor
        lambda n, e: np.where(n < 1e-12, e, n),  # a floor for (nearly) zero norms only
    ],
)
def test_q2_floor_of_zero_norms_only_fails_with_its_hint(floor):
    _fails_with("adaptive_clip", _agc(floor), _hint("adaptive_clip", "EVERY parameter norm"))
    assert not _full_marks("adaptive_clip", _agc(floor))


def test_q2_the_rule_as_stated_passes():
    assert _full_marks("adaptive_clip", _agc(np.maximum))


# ----------------------------------------------------------------------------------- question 4


def _lag_by_loop(cut_off):
    def guaranteed_lag(W_hh, activation, grad_norm, threshold):
        if activation not in GAMMA:
            raise ValueError("unknown activation.")
        W = np.asarray(W_hh, dtype=float)
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise ValueError("W_hh must be square.")
        if not (threshold > 0 and 0 <= grad_norm < np.inf):
            raise ValueError("threshold must be positive, grad_norm finite and not negative.")
        q = GAMMA[activation] * np.linalg.norm(W, 2)
        if grad_norm < threshold:
            return 0
        if cut_off(q):
            raise ValueError("the bound does not shrink.")
        lag, bound = 0, grad_norm
        while bound >= threshold:
            bound *= q
            lag += 1
        return lag

    return guaranteed_lag


@pytest.mark.parametrize(
    "cut_off", [lambda q: bool(np.isclose(q, 1.0)) or q > 1, lambda q: q >= 0.999]
)
def test_q4_a_looser_cut_off_fails_with_its_hint(cut_off):
    _fails_with("guaranteed_lag", _lag_by_loop(cut_off), _hint("guaranteed_lag", "no looser"))
    assert not _full_marks("guaranteed_lag", _lag_by_loop(cut_off))


def test_q4_a_loop_with_the_stated_cut_off_passes_the_case_at_q_0_99999():
    answer = _lag_by_loop(lambda q: q >= 1 - 1e-12)
    assert answer(0.99999 * np.eye(3), "tanh", 3.0, 1e-4) == 1030891
    assert _full_marks("guaranteed_lag", answer)
