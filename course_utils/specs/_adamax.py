"""Question 4 of exercise set 04 (``momentum_adaptive``): ``adamax_step``, Kingma & Ba's Adamax
in ``torch.optim.Adamax``'s form. The learner derives the infinity-norm recursion from the
L^p form of Adam's second moment; the lecture writes Adam only. The reference is written here
(the library has no Adamax) and checked against torch in tests/test_checks_04_momentum_adaptive.py.
"""

from __future__ import annotations

import numpy as np

from ._adam_parts import _EPS_CASE, _EPS_CASE_TEXT, _T_FROM_0_HINT, _T_PLUS_ONE_HINT, _a
from ._amsgrad import TORCH_ADAM
from .base import Case, Mistake, Question


def _adamax(x, grad, m, exp_inf, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * grad
    u_new = np.maximum(beta2 * exp_inf, np.abs(grad) + eps)
    return x - lr / (1 - beta1**t) * m_new / u_new, m_new, u_new


def _adamax_wrong(mistake):
    def answer(x, grad, m, exp_inf, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        k = {"t from 0": t - 1, "t + 1": t + 1}.get(mistake, t)
        m_new = beta1 * m + (1 - beta1) * grad
        size = np.abs(grad) + (0.0 if mistake == "eps outside" else eps)
        if mistake == "abs of grad + eps":
            size = np.abs(grad + eps)
        if mistake == "average":
            u_new = beta2 * exp_inf + (1 - beta2) * size
        else:
            u_new = np.maximum(exp_inf if mistake == "no decay" else beta2 * exp_inf, size)
        denominator = u_new + eps if mistake == "eps outside" else u_new
        with np.errstate(divide="ignore", invalid="ignore"):
            if mistake == "u corrected":
                denominator = denominator / (1 - beta2**k)
            m_hat = m_new if mistake == "m uncorrected" else m_new / (1 - beta1**k)
            return x - lr * m_hat / denominator, m_new, u_new

    return answer


def _adamax_random(rng):
    """A state a run can reach: exp_inf is at least eps after the first step."""
    size = int(rng.integers(2, 7))
    eps = float(10 ** rng.uniform(-8, -2))
    return (
        rng.normal(0, 1, size), rng.normal(0, 1, size) * 10 ** rng.uniform(-3, 1, size),
        rng.normal(0, 0.3, size), eps + rng.uniform(1e-3, 2.0, size), int(rng.integers(2, 60)),
        float(rng.uniform(1e-3, 0.05)), float(rng.uniform(0.5, 0.95)),
        float(rng.uniform(0.9, 0.999)), eps,
    )  # fmt: skip


ADAMAX_STEP = Question(
    name="adamax_step",
    returns=("x_new", "m_new", "exp_inf_new"),
    points=2,
    skill="variant",
    reference=_adamax,
    library=TORCH_ADAM,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (
                _a(0.2, 0.3, -1.0),
                _a(0.1, -0.5, 2.0),
                _a(0.05, 0.1, -0.2),
                _a(0.8, 0.2, 0.5),
                4,
                0.01,
                0.8,
                0.9,
                1e-8,
            ),  # fmt: skip
            "step t = 4, grad = [0.1, -0.5, 2], m = [0.05, 0.1, -0.2], exp_inf = [0.8, 0.2, "
            "0.5] (the first coordinate's old maximum still wins), lr = 0.01, beta1 = 0.8, "
            "beta2 = 0.9",
        ),
        Case(
            lambda: (_a(1.0, -1.0, 0.5), _a(0.4, -3.0, 1e-3), np.zeros(3), np.zeros(3), 1, 0.002),
            "the first step t = 1 (m = exp_inf = 0), grad = [0.4, -3, 0.001], lr = 0.002, "
            "defaults beta1 = 0.9, beta2 = 0.999, eps = 1e-8",
        ),
        Case(
            lambda: (
                *(a.copy() for a in _EPS_CASE),
                _a(0.0, 0.0, 0.0),
                _a(1e-3, 0.012, 1e-3),
                2,
                0.01,
                0.9,
                0.5,
                1e-3,
            ),  # fmt: skip
            _EPS_CASE_TEXT
            + "m = 0, exp_inf = [0.001, 0.012, 0.001] (at least eps, as after any first step), t = 2, "
            "lr = 0.01, beta2 = 0.5, "
            "eps = 1e-3",
        ),
        Case(
            lambda: (
                _a(0.5, -1.0),
                _a(0.0, -4e-3),
                _a(0.0, 0.0),
                _a(1e-3, 2e-3),
                3,
                0.01,
                0.9,
                0.5,
                1e-3,
            ),
            "a negative gradient of the size of eps that wins the maximum: x = [0.5, -1], "
            "grad = [0, -0.004], m = 0, exp_inf = [0.001, 0.002], t = 3, lr = 0.01, "
            "beta2 = 0.5, eps = 1e-3 (here |g| + eps = 0.005 beats beta2 * exp_inf = 0.001)",
        ),  # fmt: skip
        Case(_adamax_random, "a random state in mid-run (t from 2 to 59)", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Your exp_inf is an exponential AVERAGE of |g|, which is the p = 1 member of the "
            "family, not its limit p -> infinity: in the limit the largest of the decayed terms "
            "wins outright.",
            _adamax_wrong("average"),
        ),
        Mistake(
            "eps goes where torch.optim.Adamax puts it, onto |g| inside the recursion for "
            "exp_inf, not onto the denominator of the step (the paper's Adamax has no eps; "
            "torch adds it there).",
            _adamax_wrong("eps outside"),
        ),
        Mistake(
            "eps is added to the absolute value, |g| + eps, not inside it: |g + eps| is "
            "smaller than |g| + eps for every negative g, so exp_inf comes out too small "
            "whenever a negative gradient wins the maximum.",
            _adamax_wrong("abs of grad + eps"),
        ),
        Mistake(
            "exp_inf needs no bias correction: a maximum of decayed |g| is not pulled towards "
            "its zero start the way an average is. Correct m only.",
            _adamax_wrong("u corrected"),
        ),
        Mistake(
            "The old exp_inf must decay by beta2 before it competes with the new |g|: in the "
            "limit each past |g| enters weighted by beta2 to the power of its age.",
            _adamax_wrong("no decay"),
        ),
        Mistake(
            "The first moment needs Adam's bias correction (divide by one minus beta1 to the "
            "power t); only exp_inf goes without one.",
            _adamax_wrong("m uncorrected"),
        ),
        Mistake(_T_FROM_0_HINT, _adamax_wrong("t from 0")),
        Mistake(_T_PLUS_ONE_HINT, _adamax_wrong("t + 1")),
    ),
    hint=(
        "Take the limit p -> infinity of the p-th root of the L^p average: it is a recursion "
        "that compares the decayed old value with the new |g| (plus eps, in torch's form). Step "
        "with the bias-corrected m divided by it; return (x_new, m_new, exp_inf_new)."
    ),
)
