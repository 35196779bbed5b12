"""RMSprop: the step function ``rmsprop_step`` and the class ``RMSprop``.

Symbols: p the parameter, g the gradient, lr the learning rate, lambda the weight decay.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import flag, fraction, real_number

from ._inplace import descend, effective_gradient, ema, ema_of_square, work_arrays
from .optimizer import Optimizer

__all__ = ["RMSprop", "rmsprop_step"]


def rmsprop_step(
    param,
    grad,
    square_avg,
    *,
    lr,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    grad_avg=None,
    momentum_buffer=None,
    maximize=False,
    scratch=None,
):
    """One step of RMSprop, as ``torch.optim.RMSprop``: divide by a moving RMS of the gradient.

        g_t = grad + lambda p
        v_t = alpha v_{t-1} + (1 - alpha) g_t^2                     (``square_avg``; v_0 = 0)
        centered: m_t = alpha m_{t-1} + (1 - alpha) g_t,  r_t = sqrt(v_t - m_t^2) + eps
        otherwise:                                         r_t = sqrt(v_t) + eps
        with momentum: b_t = momentum b_{t-1} + g_t / r_t,  p <- p - lr b_t   (b_0 = 0)
        otherwise:                                          p <- p - lr g_t / r_t

    ``grad_avg`` (m, needed when ``centered``) and ``momentum_buffer`` (b, needed when
    ``momentum > 0``) are updated in place; start them at zeros. Returns ``(param, square_avg)``.
    """
    g_out, tmp = work_arrays(param, scratch)
    g = effective_gradient(param, grad, weight_decay, maximize, g_out)
    ema_of_square(square_avg, g, alpha, tmp)
    if centered:
        ema(grad_avg, g, alpha, tmp)
        np.multiply(grad_avg, grad_avg, out=tmp)
        np.subtract(square_avg, tmp, out=tmp)  # the variance estimate v_t - m_t^2
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(square_avg, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)  # g_t / r_t
    if momentum > 0:
        momentum_buffer *= momentum
        momentum_buffer += tmp
        descend(param, momentum_buffer, lr, tmp)
    else:
        descend(param, tmp, lr, tmp)
    return param, square_avg


class RMSprop(Optimizer):
    """RMSprop: divide the step by a moving root-mean-square of recent gradients."""

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        *,
        maximize=False,
    ):
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        fraction(group["alpha"], "alpha", one_allowed=True)
        real_number(group["eps"], "eps", nonnegative=True)
        real_number(group["momentum"], "momentum", nonnegative=True)
        flag(group["centered"], "centered")

    def _update(self, param, grad, state, group, scratch):
        if not state:  # v_0 = 0 (and m_0 = 0, b_0 = 0 when used)
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        # v_t = alpha v_{t-1} + (1 - alpha) g_t^2;  p <- p - lr g_t / (sqrt(v_t) + eps)
        rmsprop_step(
            param,
            grad,
            state["square_avg"],
            grad_avg=state.get("grad_avg"),
            momentum_buffer=state.get("momentum_buffer"),
            scratch=scratch,
            **self.step_options(group),
        )
