"""Adam: the step function ``adam_step`` and the class ``Adam`` (AdamW is in ``adamw.py``).

Symbols: p the parameter, g the gradient, t the step count (1 on the first step), lr the learning
rate, lambda the weight decay.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import flag, fraction, real_number

from ._inplace import descend, effective_gradient, ema, ema_of_square, work_arrays
from .optimizer import Optimizer

__all__ = ["Adam", "adam_step"]


def adam_step(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    step,
    *,
    lr,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    max_exp_avg_sq=None,
    decoupled_weight_decay=False,
    maximize=False,
    scratch=None,
):
    """One step of Adam (or AdamW with ``decoupled_weight_decay``), as ``torch.optim.Adam``.

        L2 (Adam):       g_t = grad + lambda p
        decoupled (AdamW): g_t = grad,  p <- (1 - lr lambda) p
        m_t = beta1 m_{t-1} + (1 - beta1) g_t                      (``exp_avg``; m_0 = 0)
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2                    (``exp_avg_sq``; v_0 = 0)
        amsgrad: vmax_t = max(vmax_{t-1}, v_t), used instead of v_t below (``max_exp_avg_sq``)
        bias correction: m_hat = m_t / (1 - beta1^t),  v_hat = v_t / (1 - beta2^t)
        p <- p - lr m_hat / (sqrt(v_hat) + eps)

    ``step`` is t, counting from 1. ``max_exp_avg_sq`` (needed when ``amsgrad``; start it at
    zeros) is updated in place. Returns ``(param, exp_avg, exp_avg_sq)``.
    """
    g_out, tmp = work_arrays(param, scratch)
    if weight_decay and decoupled_weight_decay:
        param *= 1 - lr * weight_decay  # decay the weights directly, outside the moments
        weight_decay = 0.0
    g = effective_gradient(param, grad, weight_decay, maximize, g_out)
    ema(exp_avg, g, beta1, tmp)
    ema_of_square(exp_avg_sq, g, beta2, tmp)
    second = exp_avg_sq
    if amsgrad:
        second = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    np.sqrt(second, out=tmp)  # sqrt(v_hat) + eps = sqrt(v_t) / sqrt(1 - beta2^t) + eps
    tmp /= bias_correction2**0.5
    tmp += eps
    np.divide(exp_avg, tmp, out=tmp)
    descend(param, tmp, lr / bias_correction1, tmp)  # m_hat = m_t / (1 - beta1^t)
    return param, exp_avg, exp_avg_sq


class Adam(Optimizer):
    """Adam: momentum (first moment) over RMSprop's scale (second moment), both bias-corrected.

    ``decoupled_weight_decay=True`` makes it AdamW (the class ``AdamW`` in ``adamw.py``).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}.")
        fraction(betas[0], "betas[0]")
        fraction(betas[1], "betas[1]")
        real_number(group["eps"], "eps", nonnegative=True)
        flag(group["amsgrad"], "amsgrad")
        flag(group["decoupled_weight_decay"], "decoupled_weight_decay")

    def _update(self, param, grad, state, group, scratch):
        if not state:  # m_0 = v_0 = 0
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        options = self.step_options(group)
        options["beta1"], options["beta2"] = options.pop("betas")  # torch's groups keep a pair
        # m_t, v_t: moving averages of g_t and g_t^2; p <- p - lr m_hat / (sqrt(v_hat) + eps)
        adam_step(
            param,
            grad,
            state["exp_avg"],
            state["exp_avg_sq"],
            state["step"],
            max_exp_avg_sq=state.get("max_exp_avg_sq"),
            scratch=scratch,
            **options,
        )
