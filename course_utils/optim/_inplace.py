"""In-place array operations shared by the step functions, so that a step allocates nothing.

Private: the equations are in the step functions (``sgd.py``, ``adam.py``, ...); these are their
building blocks, written for speed (numpy ``out=`` arguments, one reused pair of work arrays,
and a block-by-block ``p <- p - lr d`` for large arrays).
"""

from __future__ import annotations

import numpy as np

BLOCK = 1 << 16  # elements per block in descend (256 KiB of float32: stays in cache)


def work_arrays(param, scratch):
    """The two work arrays: the caller's ``scratch`` pair, or new ones."""
    return (np.empty_like(param), np.empty_like(param)) if scratch is None else scratch


def effective_gradient(param, grad, weight_decay, maximize, out):
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


def ema(average, value, beta, tmp):
    """average <- beta average + (1 - beta) value: an exponential moving average, in place."""
    np.multiply(value, 1.0 - beta, out=tmp)
    average *= beta
    average += tmp
    return average


def ema_of_square(average, value, beta, tmp):
    """average <- beta average + (1 - beta) value^2, in place."""
    np.multiply(value, value, out=tmp)
    return ema(average, tmp, beta, tmp)


def descend(param, direction, lr, tmp):
    """p <- p - lr direction (``tmp`` may be ``direction`` itself).

    numpy has no fused multiply-subtract (torch's ``p.add_(d, alpha=-lr)`` is one pass over
    memory), so a large contiguous array goes block by block through a small buffer that stays in
    cache; lr * direction then never travels to memory and back.
    """
    if param.size <= BLOCK or not (param.flags.c_contiguous and direction.flags.c_contiguous):
        np.multiply(direction, lr, out=tmp)
        return np.subtract(param, tmp, out=param)
    p, d = param.reshape(-1), direction.reshape(-1)  # views, as both are contiguous
    buffer = np.empty(BLOCK, dtype=param.dtype)
    for start in range(0, p.size, BLOCK):
        block = slice(start, start + BLOCK)
        work = buffer[: p[block].size]
        np.multiply(d[block], lr, out=work)
        np.subtract(p[block], work, out=p[block])
    return param
