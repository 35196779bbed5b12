"""One step of each optimizer, as a plain function on numpy arrays (the equations of the lessons).

Each function updates the arrays it is given IN PLACE and also returns them, so a caller can pass
copies and use it as a pure reference. ``grad`` is only read. The classes in ``course_utils.optim``
call these functions; they are written once, here.

The arithmetic follows ``torch.optim`` (torch 2.13) step by step, with one exception noted at
``adam_step``. Every function takes ``maximize`` (ascend instead of descend: the gradient is
negated first) and an optional ``scratch`` array shaped like ``param`` (any contents, overwritten)
so that a caller stepping many times allocates no temporaries; without it one is allocated.

Symbols: p the parameter, g the gradient, t the step count (1 on the first step), lr the learning
rate, lambda the weight decay.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sgd_step"]


def _direction(param, grad, weight_decay, maximize, scratch):
    """g_t = (-grad if maximize else grad) + lambda * p, written into ``scratch``.

    Returns ``grad`` itself (never written to) when there is nothing to add.
    """
    if weight_decay:
        np.multiply(param, weight_decay, out=scratch)
        (np.subtract if maximize else np.add)(scratch, grad, out=scratch)
        return scratch
    if maximize:
        return np.negative(grad, out=scratch)
    return grad


def _ema(average, value, beta, scratch):
    """average <- beta * average + (1 - beta) * value (an exponential moving average)."""
    np.multiply(value, 1.0 - beta, out=scratch)
    average *= beta
    average += scratch
    return average


def _descend(param, direction, lr, scratch):
    """p <- p - lr * direction (``scratch`` may be ``direction`` itself)."""
    np.multiply(direction, lr, out=scratch)
    np.subtract(param, scratch, out=param)
    return param


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
    created). Returns ``(param, momentum_buffer)``; the buffer is ``None`` when momentum is 0.
    """
    scratch = np.empty_like(param) if scratch is None else scratch
    g = _direction(param, grad, weight_decay, maximize, scratch)
    if momentum == 0:
        return _descend(param, g, lr, scratch), None
    if momentum_buffer is None:
        momentum_buffer = np.array(g, dtype=param.dtype)  # b_1 = g_1 (no dampening at first)
    else:
        momentum_buffer *= momentum
        if dampening:
            g = np.multiply(g, 1.0 - dampening, out=scratch)
        momentum_buffer += g
    if nesterov:  # p <- p - lr g_t - lr momentum b_t: look ahead along the new velocity
        _descend(param, g, lr, scratch)
        _descend(param, momentum_buffer, lr * momentum, scratch)
    else:
        _descend(param, momentum_buffer, lr, scratch)
    return param, momentum_buffer
