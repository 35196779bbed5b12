"""Questions 2 and 3 of exercise set 04 (``momentum_adaptive``): ``amsgrad_step``, a variant the
lecture names (§10) but does not write, and ``adamw_amsgrad_step``, the lecture's decoupled decay
put on it. References: the library's ``adam_step``/``adamw_step`` with ``amsgrad=True`` (equal to
``torch.optim.Adam``/``AdamW(amsgrad=True)``, tests/test_checks_04_momentum_adaptive.py) on copies.
"""

from __future__ import annotations

import numpy as np

from ..optim import adam_step, adamw_step
from ._adam_parts import (
    _EPS_CASE,
    _EPS_CASE_TEXT,
    _EPS_INSIDE_HINT,
    _T_FROM_0_HINT,
    _T_PLUS_ONE_HINT,
    _a,
    _amsgrad_update,
)
from .base import Case, Mistake, Question

#: torch's own Adam family: an answer that steps a torch optimizer is not an answer in numpy.
TORCH_ADAM = (
    "torch.optim.Adam.step",
    "torch.optim.AdamW.step",
    "torch.optim.Adamax.step",
    "torch.optim.adam.adam",
    "torch.optim.adamw.adamw",
    "torch.optim.adamax.adamax",
)

# ----------------------------------------------------------------------------- 2. amsgrad_step


def _amsgrad(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    v_max = v_max.copy()  # the library updates max_exp_avg_sq in place
    x_new, m_new, v_new = adam_step(
        x.copy(), grad, m.copy(), v.copy(), t, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
        amsgrad=True, max_exp_avg_sq=v_max,
    )  # fmt: skip
    return x_new, m_new, v_new, v_max


def _amsgrad_wrong(mistake):
    def answer(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return _amsgrad_update(x, grad, m, v, v_max, t, lr, beta1, beta2, eps, mistake)

    return answer


def _amsgrad_random(rng, t_range=(2, 60)):
    """A state that keeps AMSGrad's invariant, v_max >= v (a maximum is never below the v it has
    seen): v_max from 1 to 3 times v, so that either the old maximum or the new v can be the larger
    after the step. Not every such state is reachable by a run (v falls by at most a factor beta2
    per step); the step is a pure function of its inputs, so the check does not need it to be."""
    size = int(rng.integers(2, 7))
    v = rng.uniform(1e-4, 1.0, size)
    return (
        rng.normal(0, 1, size), rng.normal(0, 1, size), rng.normal(0, 0.3, size), v,
        v * rng.uniform(1.0, 3.0, size), int(rng.integers(*t_range)),
        float(rng.uniform(1e-3, 0.1)), float(rng.uniform(0.5, 0.95)),
        float(rng.uniform(0.9, 0.9999)), float(10 ** rng.uniform(-8, -3)),
    )  # fmt: skip


AMSGRAD_STEP = Question(
    name="amsgrad_step",
    returns=("x_new", "m_new", "v_new", "v_max_new"),
    points=3,
    skill="variant",
    reference=_amsgrad,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (
                _a(0.2, -0.5, 0.3),
                _a(0.1, -0.4, 0.05),
                _a(0.05, -0.2, 0.02),
                _a(0.05, 0.1, 0.002),
                _a(0.12, 0.1, 0.003),
                100,
                0.01,
                0.95,
                0.99,
                1e-8,
            ),  # fmt: skip
            "step t = 100 of a run, x = [0.2, -0.5, 0.3], grad = [0.1, -0.4, 0.05], "
            "m = [0.05, -0.2, 0.02], v = [0.05, 0.1, 0.002], v_max = [0.12, 0.1, 0.003] (the "
            "first maximum is above this step's v even after v's bias correction, the third "
            "only before it), "
            "lr = 0.01, beta1 = 0.95, beta2 = 0.99",
        ),
        Case(
            lambda: (
                _a(0.2, 0.3),
                _a(0.1, 0.3),
                _a(0.05, 0.1),
                _a(0.2, 0.004),
                _a(0.5, 0.004),
                4,
                0.001,
                0.9,
                0.99,
                1e-8,
            ),  # fmt: skip
            "step t = 4, x = [0.2, 0.3], grad = [0.1, 0.3], m = [0.05, 0.1], v = [0.2, 0.004], "
            "v_max = [0.5, 0.004] (the first coordinate's maximum is above its new v), "
            "lr = 0.001, beta1 = 0.9, beta2 = 0.99",
        ),
        Case(
            lambda: (_a(1.0, -1.0, 0.5), _a(0.4, -3.0, 1e-3), *np.zeros((3, 3)), 1, 0.01),
            "the first step t = 1 (m = v = v_max = 0), grad = [0.4, -3, 0.001], lr = 0.01, "
            "defaults beta1 = 0.9, beta2 = 0.999, eps = 1e-8",
        ),
        Case(
            lambda: (*(a.copy() for a in _EPS_CASE), *np.zeros((3, 3)), 1, 0.01, 0.9, 0.999, 1e-3),
            _EPS_CASE_TEXT + "m = v = v_max = 0, t = 1, lr = 0.01, eps = 1e-3",
        ),
        Case(
            lambda rng: _amsgrad_random(rng),
            "a random state in mid-run (t from 2 to 59)",
            hidden=True,
        ),
        Case(
            lambda rng: _amsgrad_random(rng, (900, 1100)), "a late step, t near 1000", hidden=True
        ),
    ),
    mistakes=(
        Mistake(
            "You kept the running maximum of the bias-CORRECTED second moment. torch keeps the "
            "maximum of the uncorrected v_t (that is the state v_max it returns) and applies the "
            "bias correction of step t to that maximum when it steps.",
            _amsgrad_wrong("max of corrected"),
        ),
        Mistake(
            "You compared the old maximum, bias-corrected with step t-1's factor, with this "
            "step's corrected v. torch keeps the maximum of the UNCORRECTED averages (the old "
            "maximum against the new v_t) and divides that maximum by (1 - beta2^t) of this "
            "step: the old maximum gets no correction of its own.",
            _amsgrad_wrong("max of corrected, old at t - 1"),
        ),
        Mistake(
            "Your step compares unlike with unlike: the old maximum v_max is of UNCORRECTED "
            "averages, this step's v divided by (1 - beta2^t) is corrected. Compare like with "
            "like: take the maximum of the uncorrected averages (v_max against the new v_t), "
            "then divide that maximum by (1 - beta2^t).",
            _amsgrad_wrong("old max uncorrected, new v corrected"),
        ),
        Mistake(
            "Your step divides by the current second moment, which is plain Adam: the point of "
            "AMSGrad is that the step uses the running maximum, so a large gradient seen earlier "
            "keeps shortening the step.",
            _amsgrad_wrong("step with v"),
        ),
        Mistake(
            "Your maximum is taken with the previous v, before this step's gradient entered it: "
            "update v first, then compare the maximum with the new v.",
            _amsgrad_wrong("max before update"),
        ),
        Mistake(
            "The maximum in your step is not bias-corrected. torch.optim.Adam(amsgrad=True), "
            "whose form this question follows, divides the maximum of the uncorrected averages "
            "by (1 - beta2^t) of this step, as Adam does v_t, and only then takes its root and "
            "adds eps.",
            _amsgrad_wrong("max uncorrected"),
        ),
        Mistake(
            "You took the bias correction of the maximum outside the root: your step divides "
            "by sqrt(v_max) / (1 - beta2^t). The correction belongs under the root, as Adam's "
            "does for v_t: divide the maximum by (1 - beta2^t) first, then take the root of "
            "that quotient, then add eps.",
            _amsgrad_wrong("correction outside root"),
        ),
        Mistake(
            "That is Reddi, Kale & Kumar's Algorithm 2, which corrects neither average: m and "
            "the maximum enter the step as they are. The check follows torch's AMSGrad, which "
            "bias-corrects both with this step's factors, as Adam does m_t and v_t: m with "
            "beta1's, the maximum of the uncorrected averages with beta2's, before the root and "
            "eps.",
            _amsgrad_wrong("no correction"),
        ),
        Mistake(
            "You folded the bias corrections into the learning rate and added eps to the root "
            "of the UNCORRECTED maximum (the ordering Kingma & Ba give as more efficient). torch "
            "adds eps after the maximum is divided by (1 - beta2^t) and rooted, so in your form "
            "eps is in effect divided by the root of (1 - beta2^t), most at t = 1.",
            _amsgrad_wrong("eps before correction"),
        ),
        Mistake(_EPS_INSIDE_HINT, _amsgrad_wrong("eps inside")),
        Mistake(_T_FROM_0_HINT, _amsgrad_wrong("t from 0")),
        Mistake(_T_PLUS_ONE_HINT, _amsgrad_wrong("t + 1")),
    ),
    hint=(
        "AMSGrad is Adam whose second moment in the step is replaced by its running maximum: "
        "update m and v as Adam does, update the maximum of the uncorrected v, and step with "
        "the bias-corrected m over the root of the bias-corrected maximum plus eps; return "
        "(x_new, m_new, v_new, v_max_new)."
    ),
    library=("course_utils.optim.adam_step", *TORCH_ADAM),
)

# ----------------------------------------------------------------------------- 3. AdamW + AMSGrad


def _adamw_amsgrad(x, grad, m, v, v_max, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    v_max = v_max.copy()
    x_new, m_new, v_new = adamw_step(
        x.copy(), grad, m.copy(), v.copy(), t, lr=lr, weight_decay=weight_decay, beta1=beta1,
        beta2=beta2, eps=eps, amsgrad=True, max_exp_avg_sq=v_max,
    )  # fmt: skip
    return x_new, m_new, v_new, v_max


def _decayed(where):
    """AdamW + AMSGrad with the decay in the wrong place: through the gradient, without lr, after."""

    def answer(x, grad, m, v, v_max, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
        if where == "gradient":
            grad = grad + weight_decay * x
        elif where == "without lr":
            x = x * (1 - weight_decay)
        x_new, *state = _amsgrad_update(x, grad, m, v, v_max, t, lr, beta1, beta2, eps)
        return (x_new * (1 - lr * weight_decay) if where == "after" else x_new, *state)

    return answer


ADAMW_AMSGRAD_STEP = Question(
    name="adamw_amsgrad_step",
    returns=("x_new", "m_new", "v_new", "v_max_new"),
    points=1,
    skill="warm-up",
    reference=_adamw_amsgrad,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (
                _a(2.0, -1.0),
                _a(0.5, 0.5),
                _a(0.1, 0.0),
                _a(0.01, 0.02),
                _a(0.05, 0.02),
                3,
                0.1,
                0.5,
            ),  # fmt: skip
            "x = [2, -1], grad = [0.5, 0.5], m = [0.1, 0], v = [0.01, 0.02], "
            "v_max = [0.05, 0.02], t = 3, lr = 0.1, weight_decay = 0.5",
        ),
        Case(
            lambda: (_a(1.0, 3.0, -4.0), *np.zeros((4, 3)), 1, 0.01, 0.1),
            "a zero gradient at t = 1 (all state zero): only the decay moves x",
        ),
        Case(
            lambda rng: (*_amsgrad_random(rng)[:7], float(rng.uniform(0.01, 0.5))),
            "a random state in mid-run, weight_decay between 0.01 and 0.5",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "Adding weight_decay * x to the gradient is L2 regularization (Adam's weight_decay), "
            "not AdamW: decay the weights directly and run the AMSGrad update on the loss "
            "gradient alone.",
            _decayed("gradient"),
        ),
        Mistake(
            "You shrank x by the fraction weight_decay of itself. That is the paper's form "
            "(Loshchilov & Hutter) with schedule multiplier 1, but this exercise follows "
            "torch.optim.AdamW, whose shrink is the fraction lr * weight_decay.",
            _decayed("without lr"),
        ),
        Mistake(
            "Decay the weights BEFORE the AMSGrad update, as torch.optim.AdamW does; you decayed "
            "the already-updated weights.",
            _decayed("after"),
        ),
    ),
    hint=(
        "Decoupled decay as in lecture §6: shrink x by the fraction lr * weight_decay of itself, "
        "then take the AMSGrad step with the loss gradient alone; return "
        "(x_new, m_new, v_new, v_max_new)."
    ),
    library=("course_utils.optim.adamw_step", "course_utils.optim.adam_step", *TORCH_ADAM),
)
