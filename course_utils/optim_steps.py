"""One step of each optimizer, as a plain function on numpy arrays (the equations of the lessons).

Each function updates the arrays it is given IN PLACE and also returns them, so a caller can pass
copies and use it as a pure reference. ``grad`` is only read. The classes in ``course_utils.optim``
call these functions; they are written once, here.

The arithmetic follows ``torch.optim`` (torch 2.13) step by step (up to the order of roundings).
Every function takes ``maximize`` (ascend instead of descend: the gradient is negated first) and
an optional ``scratch``: a pair of work arrays shaped like ``param`` (any contents, overwritten),
so that a caller stepping many times allocates no temporaries; without it two are allocated.
The functions do not check their input; the classes do.

Symbols: p the parameter, g the gradient, t the step count (1 on the first step), lr the learning
rate, lambda the weight decay.
"""

from __future__ import annotations

import numpy as np

__all__ = ["adagrad_step", "adam_step", "adamw_step", "rmsprop_step", "sgd_step"]


def _work(param, scratch):
    """The two work arrays: the caller's ``scratch`` pair, or new ones."""
    return (np.empty_like(param), np.empty_like(param)) if scratch is None else scratch


def _direction(param, grad, weight_decay, maximize, out):
    """g_t = (-grad if maximize else grad) + lambda p, written into ``out``.

    Returns ``grad`` itself (which is never written to) when there is nothing to change.
    """
    if weight_decay:
        np.multiply(param, weight_decay, out=out)
        (np.subtract if maximize else np.add)(out, grad, out=out)
        return out
    if maximize:
        return np.negative(grad, out=out)
    return grad


def _ema(average, value, beta, tmp):
    """average <- beta average + (1 - beta) value: an exponential moving average, in place."""
    np.multiply(value, 1.0 - beta, out=tmp)
    average *= beta
    average += tmp
    return average


def _ema_of_square(average, value, beta, tmp):
    """average <- beta average + (1 - beta) value^2, in place."""
    np.multiply(value, value, out=tmp)
    return _ema(average, tmp, beta, tmp)


def _descend(param, direction, lr, tmp):
    """p <- p - lr direction (``tmp`` may be ``direction`` itself)."""
    np.multiply(direction, lr, out=tmp)
    np.subtract(param, tmp, out=param)
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
    created). Nesterov assumes ``dampening == 0``. Returns ``(param, momentum_buffer)``; the
    buffer is ``None`` when momentum is 0.
    """
    g_out, tmp = _work(param, scratch)
    g = _direction(param, grad, weight_decay, maximize, g_out)
    if momentum == 0:
        return _descend(param, g, lr, tmp), None
    if momentum_buffer is None:
        momentum_buffer = np.array(g, dtype=param.dtype)  # b_1 = g_1 (no dampening at first)
    else:
        momentum_buffer *= momentum
        momentum_buffer += g if dampening == 0 else np.multiply(g, 1.0 - dampening, out=tmp)
    if nesterov:  # p <- p - lr g_t - lr momentum b_t: a step along g_t, then the look-ahead
        _descend(param, g, lr, tmp)
        _descend(param, momentum_buffer, lr * momentum, tmp)
    else:
        _descend(param, momentum_buffer, lr, tmp)
    return param, momentum_buffer


def adagrad_step(
    param,
    grad,
    state_sum,
    step,
    *,
    lr,
    lr_decay=0.0,
    weight_decay=0.0,
    eps=1e-10,
    maximize=False,
    scratch=None,
):
    """One step of AdaGrad, as ``torch.optim.Adagrad``: each coordinate's own step size.

        g_t = grad + lambda p
        s_t = s_{t-1} + g_t^2                        (``state_sum``; s_0 = initial value)
        p  <- p - lr / (1 + (t - 1) lr_decay) * g_t / (sqrt(s_t) + eps)

    ``step`` is t, counting from 1. Returns ``(param, state_sum)``.
    """
    g_out, tmp = _work(param, scratch)
    g = _direction(param, grad, weight_decay, maximize, g_out)
    np.multiply(g, g, out=tmp)
    state_sum += tmp
    np.sqrt(state_sum, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    _descend(param, tmp, lr / (1 + (step - 1) * lr_decay), tmp)
    return param, state_sum


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
    g_out, tmp = _work(param, scratch)
    g = _direction(param, grad, weight_decay, maximize, g_out)
    _ema_of_square(square_avg, g, alpha, tmp)
    if centered:
        _ema(grad_avg, g, alpha, tmp)
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
        _descend(param, momentum_buffer, lr, tmp)
    else:
        _descend(param, tmp, lr, tmp)
    return param, square_avg


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
    g_out, tmp = _work(param, scratch)
    if weight_decay and decoupled_weight_decay:
        param *= 1 - lr * weight_decay  # decay the weights directly, outside the moments
        weight_decay = 0.0
    g = _direction(param, grad, weight_decay, maximize, g_out)
    _ema(exp_avg, g, beta1, tmp)
    _ema_of_square(exp_avg_sq, g, beta2, tmp)
    second = exp_avg_sq
    if amsgrad:
        second = np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    np.sqrt(second, out=tmp)  # sqrt(v_hat) + eps = sqrt(v_t) / sqrt(1 - beta2^t) + eps
    tmp /= bias_correction2**0.5
    tmp += eps
    np.divide(exp_avg, tmp, out=tmp)
    _descend(param, tmp, lr / bias_correction1, tmp)  # m_hat = m_t / (1 - beta1^t)
    return param, exp_avg, exp_avg_sq


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, weight_decay=1e-2, **options):
    """One step of AdamW, as ``torch.optim.AdamW``: ``adam_step`` with decoupled weight decay.

    Takes the same arguments as ``adam_step`` (without ``decoupled_weight_decay``), with torch's
    AdamW default ``weight_decay=1e-2``. Returns ``(param, exp_avg, exp_avg_sq)``.
    """
    return adam_step(
        param,
        grad,
        exp_avg,
        exp_avg_sq,
        step,
        lr=lr,
        weight_decay=weight_decay,
        decoupled_weight_decay=True,
        **options,
    )
