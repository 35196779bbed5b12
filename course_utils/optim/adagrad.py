"""AdaGrad: the step function ``adagrad_step`` and the class ``Adagrad``.

Symbols: p the parameter, g the gradient, t the step count (1 on the first step), lr the learning
rate, lambda the weight decay.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import real_number

from ._inplace import descend, effective_gradient, work_arrays
from .optimizer import Optimizer

__all__ = ["Adagrad", "adagrad_step"]


def adagrad_step(
    param,
    grad,
    state_sum,
    step,
    *,
    lr,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    maximize=False,
    scratch=None,
):
    """One step of AdaGrad, as ``torch.optim.Adagrad``: each coordinate's own step size.

        g_t = grad + lambda p
        s_t = s_{t-1} + g_t^2              (``state_sum``; s_0 = initial_accumulator_value)
        p  <- p - lr / (1 + (t - 1) lr_decay) * g_t / (sqrt(s_t) + eps)

    ``step`` is t, counting from 1. Pass ``state_sum=None`` on the first step: s_0 is then a new
    array filled with ``initial_accumulator_value``. Returns ``(param, state_sum)``.
    """
    g_out, tmp = work_arrays(param, scratch)
    if state_sum is None:
        state_sum = np.full_like(param, initial_accumulator_value)
    g = effective_gradient(param, grad, weight_decay, maximize, g_out)
    np.multiply(g, g, out=tmp)
    state_sum += tmp
    np.sqrt(state_sum, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    descend(param, tmp, lr / (1 + (step - 1) * lr_decay), tmp)
    return param, state_sum


class Adagrad(Optimizer):
    """AdaGrad: divide each coordinate's step by the root of its summed squared gradients."""

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        real_number(group["lr_decay"], "lr_decay", nonnegative=True)
        real_number(
            group["initial_accumulator_value"], "initial_accumulator_value", nonnegative=True
        )
        real_number(group["eps"], "eps", nonnegative=True)

    def _update(self, param, grad, state, group, scratch):
        state["step"] = state.get("step", 0) + 1
        # s_t = s_{t-1} + g_t^2;  p <- p - lr_t g_t / (sqrt(s_t) + eps)  (s_0 filled on step 1)
        _, state["sum"] = adagrad_step(
            param,
            grad,
            state.get("sum"),
            state["step"],
            scratch=scratch,
            **self.step_options(group),
        )
