"""Exercise 07, question 2: adaptive gradient clipping (AGC; Brock, De, Smith & Simonyan, 2021),
a variant of lecture §5's clipping by norm that the lecture does not write.

Each *unit* (one row of a weight matrix in torch's (out, in) layout: the weights into one output
unit; a whole 1-D array such as a bias) has its gradient clipped separately, by the ratio of its
gradient's norm to its parameters' norm: with u_i = max(||W_i||, eps), a row whose gradient norm
||G_i|| is at least ``clipping`` · u_i is rescaled to exactly that norm (the scale uses
max(||G_i||, 1e-6) in the denominator, as the paper's and timm's code do); the other rows are kept.
The gradients change in place, the parameters do not.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _unit_norms(x, axis_of_units=0):
    """Norm per unit: over every axis but the first for ndim >= 2, the whole array for ndim <= 1."""
    if x.ndim <= 1:
        return np.sqrt(np.sum(x**2))
    axes = tuple(a for a in range(x.ndim) if a != axis_of_units)
    return np.sqrt(np.sum(x**2, axis=axes, keepdims=True))


def _check(params, grads, clipping, eps):
    if not isinstance(params, list | tuple) or not isinstance(grads, list | tuple):
        raise TypeError("params and grads must be lists of numpy arrays.")
    if len(params) != len(grads):
        raise ValueError(
            f"params and grads must have the same length, got {len(params)} and {len(grads)}."
        )
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if np.shape(p) != np.shape(g):
            raise ValueError(
                f"params[{i}] and grads[{i}] must have the same shape, got {np.shape(p)} and {np.shape(g)}."
            )
    if not (clipping > 0 and eps > 0):
        raise ValueError(f"clipping and eps must be positive, got {clipping} and {eps}.")


def _agc(
    params,
    grads,
    clipping,
    eps,
    *,
    unit_norms=_unit_norms,
    floor=np.maximum,
    always=False,
    division_floor=1e-6,
    added_to_division=False,
    capped=False,
):
    _check(params, grads, clipping, eps)
    for p, g in zip(params, grads, strict=True):
        max_norm = clipping * floor(unit_norms(p), eps)
        g_norm = unit_norms(g)
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero norm is below any limit
            below = g_norm + 1e-6 if added_to_division else np.maximum(g_norm, division_floor)
            scale = max_norm / below
        if capped:  # the one-liner g *= min(1, limit / max(||G||, 1e-6)), no comparison
            g *= np.minimum(1.0, scale)
        else:
            g *= scale if always else np.where(g_norm < max_norm, 1.0, scale)
    return grads


def _adaptive_clip(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps)


def _whole_array(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, unit_norms=lambda x: np.sqrt(np.sum(x**2)))


def _per_column(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, unit_norms=lambda x: _unit_norms(x, x.ndim - 1))


def _no_floor(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, floor=lambda n, e: n)


def _floor_zero_only(params, grads, clipping=0.01, eps=1e-3):
    # sd07 E2: eps put in only where the norm is exactly 0 (np.where(norm == 0, eps, norm))
    return _agc(params, grads, clipping, eps, floor=lambda n, e: np.where(n == 0, e, n))


def _floor_added(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, floor=lambda n, e: n + e)


def _always(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, always=True)


def _unguarded_division(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, division_floor=0.0)


def _division_added(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, added_to_division=True)


def _min_of_one(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, eps, capped=True)


def _eps_unchecked(params, grads, clipping=0.01, eps=1e-3):
    return _agc(params, grads, clipping, max(eps, 1e-300) if eps <= 0 else eps)


def _rebinds_entries(params, grads, clipping=0.01, eps=1e-3):
    # grads[k] = np.asarray(g * factor): the right values, in new arrays put into the caller's
    # list; the caller's own arrays are left as they were (referee sb07 E1: passed every case)
    _check(params, grads, clipping, eps)
    copies = [np.array(g, dtype=float) for g in grads]
    _adaptive_clip(params, copies, clipping, eps)
    for k, g in enumerate(copies):
        grads[k] = g
    return grads


def _layer(rng, out, inp, g_scale):
    """A weight (out, inp), a zero bias (out,) and their gradients, some rows large."""
    W = rng.normal(scale=0.5, size=(out, inp))
    b = np.zeros(out)
    gW = rng.normal(scale=g_scale, size=(out, inp)) * rng.choice([0.01, 1.0], size=(out, 1))
    gb = rng.normal(scale=g_scale * 1e-3, size=out)
    return [W, b], [gW, gb]


def _generated(rng):
    params, grads = _layer(rng, int(rng.integers(2, 6)), int(rng.integers(2, 6)), 0.05)
    return params, grads, float(rng.choice([0.01, 0.02, 0.1])), 1e-3


def _fixed():
    W = np.array([[3.0, 4.0], [0.6, 0.8], [0.0, 0.0]])
    G = np.array([[0.03, 0.0], [0.3, -0.4], [1e-6, 2e-6]])
    b = np.zeros(3)
    gb = np.array([1e-3, -2e-3, 2e-3])
    return [W, b], [G, gb], 0.02, 1e-3


def _three_d():
    P = np.array([[[3.0, 0.0], [0.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    G = np.array([[[0.03, 0.04], [0.06, 0.08]], [[0.001, 0.0], [0.0, 0.001]]])
    return [P], [G], 0.01, 1e-3


ADAPTIVE_CLIP = Question(
    name="adaptive_clip",
    points=3,
    skill="variant",
    reference=_adaptive_clip,
    in_place=True,
    rtol=1e-9,
    atol=1e-15,
    cases=(
        Case(
            _fixed,
            "params = [W (3, 2) with rows [3, 4], [0.6, 0.8], [0, 0], b = zeros(3)], their "
            "gradients (rows [0.03, 0], [0.3, -0.4], [1e-6, 2e-6]; [1e-3, -2e-3, 2e-3]), "
            "clipping = 0.02, eps = 1e-3",
        ),
        Case(
            lambda: (
                [np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])],
                [np.array([[0.001, 0.0, 0.001], [0.0, 0.5, 0.0]])],
                0.01,
                1e-3,
            ),
            "one weight (2, 3) with unit rows of norms 1 and 2, a gradient too large in row 1 only",
        ),
        Case(
            lambda: ([np.array([2.0, -1.0])], [np.array([0.001, 0.001])], 0.01, 1e-3),
            "a 1-D parameter whose gradient is small enough: nothing changes",
        ),
        Case(
            lambda: ([np.array(2.0)], [np.array(0.5)], 0.01, 1e-3),
            "a 0-D parameter (a scalar gain 2.0) with gradient 0.5: one unit, whose limit is "
            "0.01 * 2.0 = 0.02, so the gradient becomes 0.02",
        ),
        Case(lambda: ([], [], 0.01, 1e-3), "params = grads = [] (nothing to clip)"),
        Case(
            lambda: ([np.zeros((1, 2))], [np.array([[3e-7, 4e-7]])], 1e-4, 1e-3),
            "a zero weight row (1, 2) with gradient [[3e-7, 4e-7]] (norm 5e-7), clipping = 1e-4, "
            "eps = 1e-3: the limit is 1e-7 and the gradient's norm is below the 1e-6 of the division",
        ),
        Case(
            lambda: ([np.zeros((1, 2))], [np.array([[3e-8, 4e-8]])], 1e-4, 1e-3),
            "a zero weight row (1, 2) with gradient [[3e-8, 4e-8]] (norm 5e-8), clipping = 1e-4, "
            "eps = 1e-3: the limit is 1e-7 and the gradient is below it, so it is kept",
        ),
        Case(  # sd07 E2: 0 < ||W_i|| < eps, so the floor acts on a norm that is not 0
            lambda: ([np.array([[1e-4, 0.0]])], [np.array([[5e-6, 0.0]])], 0.01, 1e-3),
            "a weight row [[1e-4, 0]] (norm 1e-4, below eps but not 0) with gradient [[5e-6, 0]], "
            "clipping = 0.01, eps = 1e-3: the limit is 0.01 * 1e-3 = 1e-5, so the gradient is kept",
        ),
        Case(
            lambda: ([np.ones((2, 2))], [np.ones((2, 2))], 0.0, 1e-3),
            "clipping = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: ([np.ones((2, 2))], [np.ones((2, 2))], 0.01, 0.0),
            "eps = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            _three_d,
            "a 3-D parameter (2, 2, 2), 2 units of shape (2, 2): weights [[3, 0], [0, 4]] with "
            "gradient [[0.03, 0.04], [0.06, 0.08]] (norm 0.112, above its limit 0.05) and weights "
            "[[1, 0], [0, 1]] with gradient [[0.001, 0], [0, 0.001]] (below its limit), "
            "clipping = 0.01, eps = 1e-3: a unit's norm is over both of its axes",
        ),
        Case(_generated, "a random layer: weight and zero bias, some rows large", hidden=True),
        Case(
            lambda rng: (
                [rng.normal(size=(3, 2, 2))],
                [rng.normal(scale=0.1, size=(3, 2, 2))],
                0.05,
                1e-3,
            ),
            "a 3-D parameter (3 units of shape (2, 2))",
            hidden=True,
        ),
        Case(
            lambda: ([np.ones(2)], [np.ones(3)], 0.01, 1e-3),
            "shapes that differ",
            hidden=True,
            raises="ValueError",
        ),
        Case(
            lambda: ([np.ones(2), np.ones(3)], [np.ones(2)], 0.01, 1e-3),
            "lists of different lengths",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "You clipped each whole array by its own norm: AGC clips per UNIT, one row of a weight "
            "matrix (the weights into one output unit) at a time; only a 0-D or 1-D array is one unit.",
            _whole_array,
        ),
        Mistake(
            "Your units are the columns: in torch's (out, in) layout a unit's weights are a ROW, "
            "so the norms are taken over every axis but the first.",
            _per_column,
        ),
        Mistake(
            "eps floors EVERY parameter norm below it, not only a norm of exactly 0: with eps "
            "1e-3, a row of norm 1e-4 counts as 1e-3 (take the larger of the norm and eps).",
            _floor_zero_only,
        ),
        Mistake(
            "A parameter row of norm 0 (a zero-initialised bias) then gets its gradient clipped to "
            "0 and can never move: the parameter norm is floored at eps first.",
            _no_floor,
        ),
        Mistake(
            "eps is a floor on the parameter norm (the larger of the two), not a term added to it.",
            _floor_added,
        ),
        Mistake(
            "You scaled every unit by the smaller of 1 and the limit over the floored norm, "
            "without comparing the norm with the limit: where the limit is below the 1e-6 floor, "
            "a gradient already under its limit is shrunk too. Keep a unit whose gradient's norm "
            "is below its limit unchanged.",
            _min_of_one,
        ),
        Mistake(
            "You rescaled every unit, also those whose gradient was already small enough (scaled "
            "them UP): clipping only ever shrinks.",
            _always,
        ),
        Mistake(
            "The 1e-6 of the division is a floor (divide by the larger of the gradient's norm and "
            "1e-6), not added to the gradient's norm as clip_grad_norm_ adds its 1e-6 (question 1): "
            "a unit at or above its limit whose gradient norm is at least 1e-6 must end exactly at "
            "the limit.",
            _division_added,
        ),
        Mistake(
            "The division by the gradient's norm has a floor of 1e-6 too: a gradient whose norm is "
            "below 1e-6 is divided by 1e-6 instead, so it ends below the limit, not exactly at it.",
            _unguarded_division,
        ),
        Mistake(
            "eps <= 0 must raise ValueError as clipping <= 0 does: a floor of 0 is no floor.",
            _eps_unchecked,
            missing_raise="ValueError",
        ),
        Mistake(  # rebinds the list entries instead of changing the arrays in place
            "Assigning a scaled copy to an entry of grads puts a new array there and leaves the "
            "caller's gradient as it was: scale each gradient array itself, in place (multiply "
            "it with `*=`).",
            _rebinds_entries,
        ),
    ),
    hint=(
        "Work unit by unit: a unit is one row of a weight (norms over every axis but the first), "
        "or a whole 0-D or 1-D array. Compare the norm of its gradient with clipping times the larger of "
        "its parameters' norm and eps; only a gradient at or above that limit is scaled, down to "
        "exactly the limit, in place. clipping <= 0, eps <= 0 or shapes that differ are a "
        "ValueError."
    ),
)
