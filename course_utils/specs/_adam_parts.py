"""Pieces shared by the adam_step and adamw_step questions of exercise set 04
(``momentum_adaptive``): the step-count and eps hints, the case where eps matters, and the Adam
update the AdamW mistakes build on.

A private part of that spec (the registry skips modules whose name starts with ``_``), kept apart
so that each module stays small.
"""

from __future__ import annotations

import numpy as np


def _a(*values):
    return np.array(values, dtype=float)


#: Named for both questions that take Adam's step count (adam_step, adamw_step).
_T_FROM_0_HINT = (
    "The step count t starts at 1: on the first step the correction uses beta to the power 1 "
    "(to the power 0 it would divide by zero). Use t as given."
)
_T_PLUS_ONE_HINT = (
    "Your bias correction is one step ahead: t is already the number of this step (1 on the "
    "first), so the powers of beta use t itself; do not add 1 to it (a loop index counting "
    "from 0 would need the 1, the argument t does not)."
)

_EPS_IGNORED_HINT = (
    "Use the eps you are given: your step ignores the eps argument (a hard-coded 1e-8?), which "
    "shows wherever the root of the corrected second moment is comparable to eps."
)
_NO_EPS_HINT = (
    "Add eps to the root of the corrected second moment: without it a zero gradient divides "
    "zero by zero (NaN), and where the root is comparable to eps the step is too long."
)
#: Gradients of the size of eps = 1e-3 and a zero one, at t = 1 (m = v = 0): eps matters.
_EPS_CASE = (_a(1.0, -2.0, 0.5), _a(1e-3, -4e-3, 0.0), np.zeros(3), np.zeros(3), 1, 0.01)
_EPS_CASE_TEXT = (
    "x = [1, -2, 0.5], grad = [0.001, -0.004, 0] (the root of v_hat comparable to eps), "
)


def _adam_update(x, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adamw_t_shifted(shift):
    """AdamW with the step count off by ``shift`` in the bias correction (t - 1 or t + 1)."""

    def answer(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
        x = x * (1 - lr * weight_decay)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _adam_update(x, grad, m, v, t + shift, lr, beta1, beta2, eps)

    return answer


def _adamw_eps(eps_used):
    """AdamW that steps with ``eps_used`` (1e-8 hard-coded, or 0) whatever eps it is given."""

    def answer(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
        x = x * (1 - lr * weight_decay)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _adam_update(x, grad, m, v, t, lr, beta1, beta2, eps_used)

    return answer
