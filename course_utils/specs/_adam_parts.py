"""Pieces shared by the Adam-family questions of exercise set 04 (``momentum_adaptive``):
``amsgrad_step``, ``adamw_amsgrad_step`` and ``adamax_step``. The step-count hints, the case where
eps matters, and the wrong AMSGrad step the AdamW-with-AMSGrad mistakes build on.

A private part of that spec (the registry skips modules whose name starts with ``_``), kept apart
so that each module stays small.
"""

from __future__ import annotations

import numpy as np


def _a(*values):
    return np.array(values, dtype=float)


#: Named for every question that takes Adam's step count t.
_T_FROM_0_HINT = (
    "The step count t starts at 1: on the first step the bias correction uses beta to the power "
    "1 (to the power 0 it would divide by zero). Use t as given."
)
_T_PLUS_ONE_HINT = (
    "Your bias correction is one step ahead: t is already the number of this step (1 on the "
    "first), so the powers of beta use t itself; do not add 1 to it (a loop index counting "
    "from 0 would need the 1, the argument t does not)."
)
_EPS_INSIDE_HINT = (
    "epsilon goes OUTSIDE the square root, as in Adam: add it to the root of the corrected "
    "second moment, not under the root."
)

#: Gradients of the size of eps = 1e-3 and a zero one, at t = 1 (all state zero): eps matters.
_EPS_CASE = (_a(1.0, -2.0, 0.5), _a(1e-3, -4e-3, 0.0))
_EPS_CASE_TEXT = "x = [1, -2, 0.5], grad = [0.001, -0.004, 0] (gradients of the size of eps), "


def _amsgrad_update(x, grad, m, v, v_max, t, lr, beta1, beta2, eps, mistake=None):
    """AMSGrad in torch's form, or with one named ``mistake`` (the learners' wrong forms)."""
    k = {"t from 0": t - 1, "t + 1": t + 1}.get(mistake, t)
    v_old = v
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    with np.errstate(divide="ignore", invalid="ignore"):
        c1, c2 = 1 - beta1**k, 1 - beta2**k
        if mistake == "max of corrected":
            v_max = np.maximum(v_max, v / c2)
            second = v_max
        elif mistake == "max of corrected, old at t - 1":  # the old maximum re-corrected
            second = np.maximum(v_max / (1 - beta2 ** max(k - 1, 1)), v / c2)
            v_max = np.maximum(v_max, v)
        elif mistake == "old max uncorrected, new v corrected":  # unlike with unlike
            second = np.maximum(v_max, v / c2)
            v_max = np.maximum(v_max, v)
        else:
            v_max = np.maximum(v_max, v_old if mistake == "max before update" else v)
            if mistake == "no correction":  # Reddi, Kale & Kumar's Algorithm 2 (with eps)
                return x - lr * m / (np.sqrt(v_max) + eps), m, v, v_max
            second = {"step with v": v, "max uncorrected": v_max * c2}.get(mistake, v_max) / c2
        if mistake == "correction outside root":  # sqrt(v_max) / (1 - beta2^t), not its root
            return x - lr * (m / c1) / (np.sqrt(v_max) / c2 + eps), m, v, v_max
        if mistake == "eps before correction":  # Kingma & Ba's "more efficient" ordering
            return x - lr * (np.sqrt(c2) / c1) * m / (np.sqrt(v_max) + eps), m, v, v_max
        if mistake == "eps inside":
            return x - lr * (m / c1) / np.sqrt(second + eps), m, v, v_max
        return x - lr * (m / c1) / (np.sqrt(second) + eps), m, v, v_max
