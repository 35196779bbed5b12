"""Spec for exercise set 04: momentum and adaptive methods.

Questions: ``nesterov_step``, ``rmsprop_step``, ``adam_step``, ``adamw_step``. Each is one step of
the optimizer as a pure function (inputs unchanged, new state returned). The references are the
library's one-step functions (``course_utils.optim``, equal to ``torch.optim``) applied to
copies. Each mistake below is an implementation learners really write; the check names it when
the learner's output equals that wrong implementation's output.
"""

from __future__ import annotations

import numpy as np

from ..optim import adam_step, adamw_step, rmsprop_step, sgd_step
from ._adam_parts import (
    _EPS_CASE,
    _EPS_CASE_TEXT,
    _EPS_IGNORED_HINT,
    _NO_EPS_HINT,
    _T_FROM_0_HINT,
    _T_PLUS_ONE_HINT,
    _adam_update,
    _adamw_eps,
    _adamw_t_shifted,
)
from .base import Assignment, Case, Mistake, Question


def _a(*values):
    return np.array(values, dtype=float)


# ----------------------------------------------------------------------------- 1. nesterov_step


def _nesterov(x, grad, buffer, lr, momentum):
    x_new, b_new = sgd_step(x.copy(), grad, buffer.copy(), lr=lr, momentum=momentum, nesterov=True)
    return x_new, b_new


def _heavy_ball(x, grad, buffer, lr, momentum):
    b = momentum * buffer + grad
    return x - lr * b, b


def _lookahead_on_top_of_heavy_ball(x, grad, buffer, lr, momentum):
    b = momentum * buffer + grad
    return x - lr * b - lr * momentum * b, b


def _lookahead_without_gradient(x, grad, buffer, lr, momentum):
    b = momentum * buffer + grad
    return x - lr * momentum * b, b


NESTEROV_STEP = Question(
    name="nesterov_step",
    returns=("x_new", "buffer_new"),
    points=2,
    reference=_nesterov,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_a(1.0, -2.0), _a(0.5, 1.5), _a(0.2, -0.1), 0.1, 0.9),
            "x = [1, -2], grad = [0.5, 1.5], buffer = [0.2, -0.1], lr = 0.1, momentum = 0.9",
        ),
        Case(
            lambda: (_a(0.3, 0.0, -1.0), _a(-2.0, 0.25, 4.0), np.zeros(3), 0.05, 0.5),
            "the first step (buffer = 0), x = [0.3, 0, -1], lr = 0.05, momentum = 0.5",
        ),
        Case(
            lambda: (_a(2.0, 2.0), _a(-0.1, 0.4), _a(1.0, -3.0), 0.01, 0.99),
            "momentum = 0.99 with a large buffer",
            hidden=True,
        ),
        Case(
            lambda: (np.linspace(-1, 1, 5), np.linspace(2, -2, 5), np.ones(5), 0.2, 0.3),
            "five coordinates, momentum = 0.3",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "That is heavy-ball momentum (a step along the buffer). Nesterov looks ahead: it steps along the gradient plus momentum times the new buffer.",
            _heavy_ball,
        ),
        Mistake(
            "You added the look-ahead on top of the heavy-ball step, x - lr * (b_new + momentum * "
            "b_new): the step is the gradient plus the look-ahead, x - lr * (grad + momentum * "
            "b_new).",
            _lookahead_on_top_of_heavy_ball,
        ),
        Mistake(
            "The gradient term is missing from the step: Nesterov's step has the gradient itself plus the momentum part.",
            _lookahead_without_gradient,
        ),
    ),
    hint=(
        "torch's Nesterov: first update the momentum buffer with the gradient, then step "
        "along the gradient plus momentum times the NEW buffer; return the new point and the "
        "new buffer."
    ),
    library=("course_utils.optim.sgd_step",),
)

# ----------------------------------------------------------------------------- 2. rmsprop_step


def _rmsprop(x, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    x_new, v_new = rmsprop_step(x.copy(), grad, square_avg.copy(), lr=lr, alpha=alpha, eps=eps)
    return x_new, v_new


def _rms_eps_inside(x, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    v = alpha * square_avg + (1 - alpha) * grad**2
    return x - lr * grad / np.sqrt(v + eps), v


def _rms_no_one_minus_alpha(x, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    v = alpha * square_avg + grad**2
    return x - lr * grad / (np.sqrt(v) + eps), v


def _rms_no_sqrt(x, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    v = alpha * square_avg + (1 - alpha) * grad**2
    return x - lr * grad / (v + eps), v


def _rms_decay_and_step_swapped(x, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    # The formula's alpha read as the argument `alpha`: the decay used as the step, lr as decay.
    v = lr * square_avg + (1 - lr) * grad**2
    return x - alpha * grad / (np.sqrt(v) + eps), v


RMSPROP_STEP = Question(
    name="rmsprop_step",
    returns=("x_new", "square_avg_new"),
    points=2,
    reference=_rmsprop,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_a(1.0, -0.5, 2.0), _a(0.3, -0.02, 1.0), _a(0.01, 1e-4, 0.5), 0.01, 0.9, 1e-3),
            "x = [1, -0.5, 2], grad = [0.3, -0.02, 1], square_avg = [0.01, 1e-4, 0.5], "
            "lr = 0.01, alpha = 0.9, eps = 1e-3",
        ),
        Case(
            lambda: (_a(0.0, 4.0), _a(2.0, -1.0), np.zeros(2), 0.1),
            "the first step (square_avg = 0) with the defaults alpha = 0.99, eps = 1e-8",
        ),
        Case(
            lambda: (_a(1.0, 1.0), _a(1e-3, 50.0), _a(1e-7, 2000.0), 0.003, 0.95, 1e-6),
            "gradients of very different sizes",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "epsilon goes OUTSIDE the square root: add it to the root of the average, not under the root.",
            _rms_eps_inside,
        ),
        Mistake(
            "The moving average weighs the new squared gradient by one minus alpha: without that factor it is not an average.",
            _rms_no_one_minus_alpha,
        ),
        Mistake(
            "Divide by the ROOT of the mean square (plus eps), not by the mean square itself.",
            _rms_no_sqrt,
        ),
        Mistake(
            "You swapped the two rates: the argument `alpha` is torch's name for the DECAY of "
            "the moving average (beta2 in the formula), and `lr` is the step (the formula's "
            "alpha). Weigh the old average by the argument `alpha` and scale the step by `lr`.",
            _rms_decay_and_step_swapped,
        ),
    ),
    hint=(
        "Keep an exponential moving average of the squared gradient (weight alpha on the old "
        "average), then divide the step by its square root plus eps; return the new point and "
        "the new average."
    ),
    library=("course_utils.optim.rmsprop_step",),
)

# ----------------------------------------------------------------------------- 3. adam_step


def _adam(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(
        x.copy(), grad, m.copy(), v.copy(), t, lr=lr, beta1=beta1, beta2=beta2, eps=eps
    )


def _adam_wrong(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, *, mistake):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    k = {"t from 0": t - 1, "t + 1": t + 1}.get(mistake, t)
    eps = {"eps ignored": 1e-8, "no eps": 0.0}.get(mistake, eps)  # 1e-8 hard-coded, or none
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)
        if mistake == "no correction":
            m_hat, v_hat = m, v
        if mistake == "eps inside":
            return x - lr * m_hat / np.sqrt(v_hat + eps), m, v
        if mistake == "paper's efficient form":  # Kingma & Ba's Algorithm 1, last paragraph
            step = lr * np.sqrt(1 - beta2**k) / (1 - beta1**k)
            return x - step * m / (np.sqrt(v) + eps), m, v
        return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


_ADAM_CASE_1 = (_a(1.0, -1.0, 0.5), _a(0.4, -3.0, 1e-3), np.zeros(3), np.zeros(3), 1, 0.01)

ADAM_STEP = Question(
    name="adam_step",
    returns=("x_new", "m_new", "v_new"),
    points=3,
    reference=_adam,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: tuple(a.copy() if isinstance(a, np.ndarray) else a for a in _ADAM_CASE_1),
            "the first step t = 1 (m = v = 0), grad = [0.4, -3, 0.001], lr = 0.01, defaults "
            "beta1 = 0.9, beta2 = 0.999, eps = 1e-8",
        ),
        Case(
            lambda: (
                _a(0.2, 0.3),
                _a(1.0, -0.5),
                _a(0.3, -0.1),
                _a(0.02, 0.004),
                5,
                0.001,
                0.8,
                0.99,
                1e-6,
            ),  # fmt: skip
            "step t = 5 with m = [0.3, -0.1], v = [0.02, 0.004], lr = 0.001, beta1 = 0.8, "
            "beta2 = 0.99, eps = 1e-6",
        ),
        Case(
            lambda: (*(a.copy() for a in _EPS_CASE[:4]), 1, 0.01, 0.9, 0.999, 1e-3),
            _EPS_CASE_TEXT + "m = v = 0, t = 1, lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-3",
        ),
        Case(
            lambda: (np.ones(4), _a(1e-4, -1e-4, 10.0, 0.0), np.zeros(4), np.zeros(4), 1, 0.1),
            "tiny, large and zero gradients at t = 1",
            hidden=True,
        ),
        Case(
            lambda: (_a(-2.0), _a(0.7), _a(0.5), _a(0.3), 1000, 0.003),
            "t = 1000, where the bias correction is almost 1",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "epsilon goes OUTSIDE the square root: add it to the root of the corrected second moment, not under the root.",
            lambda *a: _adam_wrong(*a, mistake="eps inside"),
        ),
        Mistake(
            "The bias correction is missing: divide each moment by one minus its beta to the power t in the update (and return the uncorrected m and v).",
            lambda *a: _adam_wrong(*a, mistake="no correction"),
        ),
        Mistake(
            _T_FROM_0_HINT,
            lambda *a: _adam_wrong(*a, mistake="t from 0"),
        ),
        Mistake(
            _T_PLUS_ONE_HINT,
            lambda *a: _adam_wrong(*a, mistake="t + 1"),
        ),
        Mistake(
            "That is the 'efficient' form of Kingma & Ba's Algorithm 1, which folds both bias "
            "corrections into the step size and adds eps to the root of the UNcorrected second "
            "moment: eps sits in a different place, so the step differs from torch's wherever the "
            "root of v is not much larger than eps. The task fixes torch's formula: divide the "
            "corrected first moment by the root of the corrected second moment plus eps.",
            lambda *a: _adam_wrong(*a, mistake="paper's efficient form"),
        ),
        Mistake(_NO_EPS_HINT, lambda *a: _adam_wrong(*a, mistake="no eps")),
        Mistake(_EPS_IGNORED_HINT, lambda *a: _adam_wrong(*a, mistake="eps ignored")),
    ),
    hint=(
        "Update both moving averages, correct each one's bias with the step count t (counting "
        "from 1), then step by the corrected first moment over the root of the corrected "
        "second moment plus eps; return (x_new, m, v)."
    ),
    library=("course_utils.optim.adam_step",),
)

# ----------------------------------------------------------------------------- 4. adamw_step


def _adamw(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    return adamw_step(
        x.copy(),
        grad,
        m.copy(),
        v.copy(),
        t,
        lr=lr,
        weight_decay=weight_decay,
        beta1=beta1,
        beta2=beta2,
        eps=eps,
    )


def _adamw_as_l2(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_update(x, grad + weight_decay * x, m, v, t, lr, beta1, beta2, eps)


def _adamw_decay_without_lr(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_update(x * (1 - weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def _adamw_decay_after(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    x_new, m, v = _adam_update(x, grad, m, v, t, lr, beta1, beta2, eps)
    return x_new * (1 - lr * weight_decay), m, v


ADAMW_STEP = Question(
    name="adamw_step",
    returns=("x_new", "m_new", "v_new"),
    points=3,
    reference=_adamw,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_a(2.0, -1.0), _a(0.5, 0.5), _a(0.1, 0.0), _a(0.01, 0.02), 3, 0.1, 0.5),
            "x = [2, -1], grad = [0.5, 0.5], m = [0.1, 0], v = [0.01, 0.02], t = 3, lr = 0.1, "
            "weight_decay = 0.5",
        ),
        Case(
            lambda: (_a(1.0, 3.0, -4.0), np.zeros(3), np.zeros(3), np.zeros(3), 1, 0.01, 0.1),
            "a zero gradient at t = 1: only the decay moves x",
        ),
        Case(
            lambda: (*(a.copy() for a in _EPS_CASE[:4]), 1, 0.01, 0.1, 0.9, 0.999, 1e-3),
            _EPS_CASE_TEXT + "m = v = 0, t = 1, lr = 0.01, weight_decay = 0.1, eps = 1e-3",
        ),
        Case(
            lambda: (_a(0.5), _a(-2.0), _a(-0.3), _a(0.5), 10, 0.003, 0.01, 0.85, 0.995, 1e-6),
            "other betas and eps",
            hidden=True,
        ),
    ),
    mistakes=(
        Mistake(
            "Adding weight_decay * x to the gradient is L2 regularization (Adam's weight_decay), "
            "not AdamW: decay the weights directly, x * (1 - lr * weight_decay), and run the Adam "
            "update on the loss gradient alone.",
            _adamw_as_l2,
        ),
        Mistake(
            "You shrank x by the fraction weight_decay of itself. That is the paper's form "
            "(Loshchilov & Hutter) with schedule multiplier 1, but this exercise follows "
            "torch.optim.AdamW, whose shrink is the fraction lr * weight_decay: the decay is "
            "scaled by the learning rate.",
            _adamw_decay_without_lr,
        ),
        Mistake(
            "Decay the weights BEFORE the Adam update (x <- x * (1 - lr * wd), then subtract the "
            "Adam step), as torch.optim.AdamW does; you decayed the already-updated weights.",
            _adamw_decay_after,
        ),
        Mistake(_NO_EPS_HINT, _adamw_eps(0.0)),  # before t - 1, whose 0/0 also gives NaN
        Mistake(_EPS_IGNORED_HINT, _adamw_eps(1e-8)),
        Mistake(_T_FROM_0_HINT, _adamw_t_shifted(-1)),
        Mistake(_T_PLUS_ONE_HINT, _adamw_t_shifted(+1)),
    ),
    hint=(
        "Decoupled decay: first shrink x by the fraction lr * weight_decay of itself, then "
        "take the plain Adam step with bias correction using the gradient alone (no decay "
        "term added to it); return (x_new, m, v)."
    ),
    library=("course_utils.optim.adamw_step", "course_utils.optim.adam_step"),
)

ASSIGNMENT = Assignment(
    id="04_momentum_adaptive",
    title="Momentum and adaptive methods",
    questions=(NESTEROV_STEP, RMSPROP_STEP, ADAM_STEP, ADAMW_STEP),
)
