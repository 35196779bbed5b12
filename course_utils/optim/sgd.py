"""SGD with heavy-ball or Nesterov momentum: the step function ``sgd_step`` and the class ``SGD``.

Symbols: p the parameter, g the gradient, lr the learning rate, lambda the weight decay.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import flag, real_number

from ._inplace import descend, effective_gradient, work_arrays
from .optimizer import Optimizer

__all__ = ["SGD", "sgd_step"]


def sgd_step(
    param,
    grad,
    momentum_buffer=None,
    *,
    lr,
    momentum=0.0,
    dampening=0.0,
    weight_decay=0.0,
    nesterov=False,
    maximize=False,
    scratch=None,
):
    """One step of SGD with (heavy-ball or Nesterov) momentum, as ``torch.optim.SGD``.

        g_t = grad + lambda p
        b_1 = g_1,  b_t = momentum b_{t-1} + (1 - dampening) g_t      (if momentum != 0)
        d_t = g_t + momentum b_t  (Nesterov)  or  b_t  (heavy ball)  or  g_t  (no momentum)
        p  <- p - lr d_t

    ``momentum_buffer`` is b_{t-1}; pass ``None`` on the first step (a new buffer holding g_1 is
    created). Nesterov assumes ``dampening == 0``. Returns ``(param, momentum_buffer)``; the
    buffer is ``None`` when momentum is 0.
    """
    g_out, tmp = work_arrays(param, scratch)
    g = effective_gradient(param, grad, weight_decay, maximize, g_out)
    if momentum == 0:
        return descend(param, g, lr, tmp), None
    if momentum_buffer is None:
        momentum_buffer = np.array(g, dtype=param.dtype)  # b_1 = g_1 (no dampening at first)
    else:
        momentum_buffer *= momentum
        momentum_buffer += g if dampening == 0 else np.multiply(g, 1.0 - dampening, out=tmp)
    if nesterov:  # p <- p - lr g_t - lr momentum b_t: a step along g_t, then the look-ahead
        descend(param, g, lr, tmp)
        descend(param, momentum_buffer, lr * momentum, tmp)
    else:
        descend(param, momentum_buffer, lr, tmp)
    return param, momentum_buffer


class SGD(Optimizer):
    """Stochastic gradient descent with optional heavy-ball or Nesterov momentum (``sgd_step``)."""

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
    ):
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        momentum = real_number(group["momentum"], "momentum", nonnegative=True)
        dampening = real_number(group["dampening"], "dampening")
        if flag(group["nesterov"], "nesterov") and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a positive momentum and zero dampening.")

    def _update(self, param, grad, state, group, scratch):
        # b_t = momentum b_{t-1} + (1 - dampening) g_t;  p <- p - lr b_t (or Nesterov's look-ahead)
        _, buffer = sgd_step(
            param, grad, state.get("momentum_buffer"), scratch=scratch, **self.step_options(group)
        )
        if buffer is not None:
            state["momentum_buffer"] = buffer
