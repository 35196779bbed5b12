"""Spec for exercise set 07: vanishing and exploding gradients.

Redesigned for issue 21 (no graded answer is the lecture's code). The lecture writes the backward
recursion over the lag for h_t = tanh(a_t) (``grads_by_lag``), the bound (γ||W_hh||_2)^ℓ, and uses
the library's clipping by norm and by value; the questions ask for what it does not show:

1. ``clip_grad_norm`` (warm-up, 3): clipping by the global norm of any order ``norm_type``
   (torch's argument; the lecture uses the 2-norm only), in place, returning the norm before;
2. ``adaptive_clip`` (variant, 3): adaptive gradient clipping, per unit (``_adaptive_clip``);
3. ``state_form_grads`` (derivation, 4): the recursion for h_t = W_hh tanh(h_{t-1}) + W_ih x_t + b,
   derived by the learner (``_state_form``);
4. ``guaranteed_lag`` (prediction, 2): the lag by which lecture §2's bound guarantees the
   gradient below a threshold, then measured (``_guaranteed_lag``).

The clipping functions work in place, like torch's ``clip_grad_norm_``, and return the list they
were given (``clip_grad_norm`` with the total norm before clipping in front), so the checks see
the clipped arrays as well as the norm.
"""

from __future__ import annotations

import numpy as np

from .. import clipping
from ..validation import real_number
from ._adaptive_clip import ADAPTIVE_CLIP
from ._guaranteed_lag import GUARANTEED_LAG
from ._state_form import STATE_FORM_GRADS
from .base import Assignment, Case, Mistake, Question

_EPS = 1e-6

# ----------------------------------------------------------------------------- 1. clip_grad_norm


def _clip_grad_norm(grads, max_norm, norm_type=2.0):
    # norm_type is checked by the library (a call on no arrays changes nothing, and every case,
    # the raising ones too, calls the library, as tests/test_grading_library_rule.py asks of a
    # reference that delegates); max_norm then by the exercise's rule, max_norm > 0, stricter
    # than the library's and torch's (both let max_norm = 0 zero the whole gradient)
    clipping.clip_grad_norm([], 1.0, norm_type)
    if not _is_plus_inf(max_norm):  # inf: torch's idiom, measure the norm, clip nothing (factor 1)
        real_number(max_norm, "max_norm", positive=True)
    total = clipping.clip_grad_norm(grads, max_norm, norm_type)
    return total, grads


def _is_plus_inf(value):
    return isinstance(value, float | np.floating) and value == np.inf


def _p_norm(values, p, root=True):
    values = np.abs(np.concatenate([np.ravel(v) for v in values] + [np.zeros(0)]))
    if np.isinf(p):
        return float(values.max(initial=0.0))
    return float(np.sum(values**p) ** (1.0 / p if root else 1.0))


def _scale_all(grads, max_norm, total, *, clamp=True):
    factor = max_norm / (total + _EPS)
    for g in grads:
        g *= min(1.0, factor) if clamp else factor
    return total, grads


def _per_tensor(grads, max_norm, norm_type=2.0):
    total = _p_norm(grads, norm_type)
    for g in grads:
        g *= min(1.0, max_norm / (_p_norm([g], norm_type) + _EPS))
    return total, grads


def _norm_after(grads, max_norm, norm_type=2.0):
    clipping.clip_grad_norm(grads, max_norm, norm_type)  # accepts max_norm = inf, as torch
    return _p_norm(grads, norm_type), grads


def _refuses_inf(grads, max_norm, norm_type=2.0):
    if not 0 < max_norm < np.inf:
        raise ValueError("max_norm must be a positive finite number.")
    return _clip_grad_norm(grads, max_norm, norm_type)


def _unguarded_division(grads, max_norm, norm_type=2.0):
    # the empty list special-cased, then max_norm / total with no guard: a Python float division,
    # so an all-zero gradient raises ZeroDivisionError (referee sa07 point 9, exp8.py)
    total = _p_norm(grads, norm_type)
    if grads:
        factor = min(1.0, float(max_norm) / total)
        for g in grads:
            g *= factor
    return total, grads


def _never_clamped(grads, max_norm, norm_type=2.0):
    return _scale_all(grads, max_norm, _p_norm(grads, norm_type), clamp=False)


def _sum_of_norms(grads, max_norm, norm_type=2.0):
    return _scale_all(grads, max_norm, float(sum(_p_norm([g], norm_type) for g in grads)))


def _always_two(grads, max_norm, norm_type=2.0):
    return _scale_all(grads, max_norm, _p_norm(grads, 2.0))


def _no_root(grads, max_norm, norm_type=2.0):
    return _scale_all(grads, max_norm, _p_norm(grads, norm_type, root=False))


def _max_norm_unchecked(grads, max_norm, norm_type=2.0):
    if not norm_type > 0:
        raise ValueError("norm_type must be positive.")
    return _scale_all(grads, max_norm, _p_norm(grads, norm_type))


def _zero_max_norm_allowed(grads, max_norm, norm_type=2.0):
    if max_norm < 0:
        raise ValueError("max_norm must not be negative.")
    return _max_norm_unchecked(grads, max_norm, norm_type)


def _zero_only(grads, max_norm, norm_type=2.0):
    if norm_type == 0:
        raise ValueError("norm_type must not be 0.")
    return _scale_all(grads, max_norm, _p_norm(grads, norm_type))


def _rebinds_entries(grads, max_norm, norm_type=2.0):
    # grads[i] = grads[i] * factor: the right values, in new arrays put into the caller's list;
    # the caller's own arrays are left as they were (referee sb07 E1: passed every case before)
    if not norm_type > 0 or not max_norm > 0:
        raise ValueError("norm_type and max_norm must be positive.")
    copies = [np.array(g, dtype=float) for g in grads]
    total, _ = _scale_all(copies, max_norm, _p_norm(copies, norm_type))
    for i, g in enumerate(copies):
        grads[i] = g
    return total, grads


def _inf_by_arrays(grads, max_norm, norm_type, per_array):
    # right for a finite norm_type; for inf, the largest of one number per array (referee sc07 E1)
    if not norm_type > 0 or not max_norm > 0:
        raise ValueError("norm_type and max_norm must be positive.")
    if not np.isinf(norm_type):
        return _scale_all(grads, max_norm, _p_norm(grads, norm_type))
    return _scale_all(grads, max_norm, max((per_array(g) for g in grads), default=0.0))


def _matrix_inf_norm(grads, max_norm, norm_type=2.0):
    # np.linalg.norm(g, np.inf): for a 2-D array numpy's MATRIX inf-norm, the largest row sum
    return _inf_by_arrays(grads, max_norm, norm_type, lambda g: float(np.linalg.norm(g, np.inf)))


def _largest_one_norm(grads, max_norm, norm_type=2.0):
    return _inf_by_arrays(grads, max_norm, norm_type, lambda g: float(np.abs(g).sum()))


def _signed_max(grads, max_norm, norm_type=2.0):
    # sd07 E1: for inf, the largest signed entry, np.abs forgotten
    return _inf_by_arrays(grads, max_norm, norm_type, lambda g: float(g.max(initial=-np.inf)))


def _max_norm_checked_when_clipping(grads, max_norm, norm_type=2.0):
    # max_norm checked only in the branch that clips: an all-zero gradient with max_norm = 0
    # never gets there (referee sc07 E3, /work/ref/sc07/exp_q1.py)
    if not norm_type > 0:
        raise ValueError("norm_type must be positive.")
    total = _p_norm(grads, norm_type)
    if total > max_norm:
        if not max_norm > 0:
            raise ValueError("max_norm must be positive.")
        _scale_all(grads, max_norm, total)
    return total, grads


_REBINDS_HINT = (
    "Assigning a scaled copy to an entry of the list puts a new array there and leaves the "
    "caller's array as it was: scale each array itself, in place (multiply it with `*=`)."
)


def _random_grads(seed, shapes, scale):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(s) for s in shapes]


CLIP_GRAD_NORM = Question(
    name="clip_grad_norm",
    returns=("total_norm", "grads"),
    points=3,
    skill="warm-up",
    reference=_clip_grad_norm,
    in_place=True,
    rtol=1e-5,  # with or without torch's + 1e-6 in the denominator
    atol=1e-9,
    cases=(
        Case(
            lambda: ([np.array([3.0, 4.0]), np.array([[12.0]])], 1.0),
            "grads = [array([3., 4.]), array([[12.]])] (total norm 13), max_norm = 1",
        ),
        Case(
            lambda: ([np.array([0.3, -0.4]), np.array([[1.2, 0.0], [0.0, 0.0]])], 5.0),
            "grads = [array([0.3, -0.4]), array([[1.2, 0.], [0., 0.]])] (total norm 1.3), max_norm = 5",
        ),
        Case(
            lambda: ([np.array([6.0, 8.0]), np.array([0.5])], 5.0),
            "grads = [array([6., 8.]), array([0.5])], max_norm = 5 (the first array alone is over it)",
        ),
        Case(  # sd07 E1: the largest absolute entry is negative (a signed max gives 3)
            lambda: ([np.array([3.0, -4.0]), np.array([[-12.0]])], 1.0, np.inf),
            "grads = [array([3., -4.]), array([[-12.]])], max_norm = 1, norm_type = inf (the "
            "largest absolute entry, -12, is negative)",
        ),
        Case(  # referee sc07 E1: the largest entry in a row of a 2-D array, not alone
            lambda: ([np.array([1.0, -2.0]), np.array([[3.0, -3.0], [0.5, 0.5]])], 1.0, np.inf),
            "grads = [array([1., -2.]), array([[3., -3.], [0.5, 0.5]])], max_norm = 1, "
            "norm_type = inf (the largest absolute entry is 3)",
        ),
        Case(
            lambda: ([np.array([1.0, -2.0]), np.array([[2.0]])], 1.0, 3.0),
            "grads = [array([1., -2.]), array([[2.]])], max_norm = 1, norm_type = 3",
        ),
        Case(lambda: ([], 1.0), "grads = [] (no arrays: the total norm is 0)"),
        Case(  # sf07 E2: an inf-norm as max() over the arrays fails on an empty list
            lambda: ([], 1.0, np.inf),
            "grads = [], norm_type = inf (no arrays: the total norm is 0)",
            hidden=True,
        ),
        Case(
            lambda: ([np.zeros(3), np.zeros((2, 2))], 1.0),
            "grads = [zeros(3), zeros((2, 2))], max_norm = 1 (an all-zero gradient: total norm 0, "
            "the arrays left as they are, no division by zero)",
        ),
        Case(
            lambda: ([np.array([1.0, 2.0])], 1.0, 0.0),
            "norm_type = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: ([np.array([1.0, 2.0])], 1.0, -1.0),
            "norm_type = -1 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: ([np.array([3.0, 4.0])], -1.0),
            "max_norm = -1 (must raise ValueError: the factor would flip the gradient's sign)",
            raises="ValueError",
        ),
        Case(
            lambda: ([np.array([3.0, 4.0])], 0.0),
            "max_norm = 0 (must raise ValueError: the rule is max_norm > 0)",
            raises="ValueError",
        ),
        Case(  # referee sc07 E3: nothing to clip, and still max_norm = 0 is refused
            lambda: ([np.zeros(3)], 0.0),
            "grads = [zeros(3)], max_norm = 0 (an all-zero gradient, nothing to clip: must raise "
            "ValueError all the same, the rule is max_norm > 0 whatever the gradient)",
            raises="ValueError",
        ),
        Case(
            lambda: ([np.array([3.0, -4.0]), np.array([[12.0]])], np.inf),
            "max_norm = inf (positive: factor 1, the total norm 13 returned and nothing clipped, as torch)",
        ),
        Case(
            lambda: (_random_grads(1, [(4, 3), (3,), (2, 2, 2)], 10.0), 2.0),
            "three random arrays, max_norm = 2",
            hidden=True,
        ),
        Case(lambda: ([np.array([[1e3, -2e3]])], 1.0), "a single array", hidden=True),
        Case(
            lambda rng: ([rng.standard_normal(5), rng.standard_normal((2, 3))], 0.5, 0.5),
            "norm_type = 0.5 (positive: computed as the formula says, as torch does)",
            hidden=True,
        ),
        Case(lambda: (_random_grads(2, [(5,), (5, 5)], 0.01), 1.0), "small: no clip", hidden=True),
        Case(
            lambda rng: ([5 * rng.standard_normal((3, 2)), rng.standard_normal(4)], 1.5, 1.0),
            "random arrays, norm_type = 1",
            hidden=True,
        ),
        Case(
            lambda rng: ([rng.standard_normal(3)], -float(rng.uniform(0.1, 10.0)), np.inf),
            "a negative max_norm with norm_type = inf (must raise ValueError)",
            hidden=True,
            raises="ValueError",
        ),
    ),
    mistakes=(
        Mistake(
            "max_norm = inf is allowed (it is positive): the factor, the smaller of 1 and "
            "infinity, is 1, so nothing is clipped and the total norm is returned, as torch does. "
            "Raise ValueError only when max_norm is not positive, not for an infinite one.",
            _refuses_inf,
        ),
        Mistake(
            "An all-zero gradient has total norm 0, so max_norm / total divides by zero: put "
            "torch's 1e-6 in the denominator (or skip the scaling when the total is 0); a gradient "
            "that is all zeros is left as it is.",
            _unguarded_division,
        ),
        Mistake(
            "Each array was clipped by its OWN norm: clipping by the global norm treats all arrays as one long vector, computes one total norm and scales every array by the same factor.",
            _per_tensor,
        ),
        Mistake(
            "You returned the norm AFTER clipping (about max_norm): return the total norm "
            "computed BEFORE scaling, as torch.nn.utils.clip_grad_norm_ does.",
            _norm_after,
        ),
        Mistake(
            "You also scaled gradients that were already below max_norm (scaled them UP): the factor is never above 1, clipping only ever shrinks.",
            _never_clamped,
        ),
        Mistake(
            "The total norm is not the sum of the arrays' norms: it is the norm of everything as one long vector.",
            _sum_of_norms,
        ),
        Mistake(
            "You ignored norm_type: the total is the norm of ORDER norm_type of all entries "
            "together (norm_type = inf: the largest absolute entry).",
            _always_two,
        ),
        Mistake(
            "The p-norm is the p-th ROOT of the sum of |entry|^p: the root is missing.",
            _no_root,
        ),
        Mistake(
            "With norm_type inf the total is the largest absolute entry of all arrays together. "
            "numpy's np.linalg.norm with the order inf takes a 2-D array as a MATRIX and gives "
            "its largest sum of absolute values along a row, not its largest absolute entry: "
            "take the largest absolute value of the flattened entries instead.",
            _matrix_inf_norm,
        ),
        Mistake(
            "With norm_type inf the total is the largest absolute ENTRY over all arrays, not "
            "the largest of the arrays' sums of absolute values (those are their 1-norms).",
            _largest_one_norm,
        ),
        Mistake(
            "With norm_type inf the total is the largest ABSOLUTE entry: a negative entry of large "
            "magnitude counts as much as a positive one, so take the largest of the absolute "
            "values, not the largest value.",
            _signed_max,
        ),
        Mistake(
            "A max_norm of 0 must raise ValueError even when there is nothing to clip (a gradient "
            "of zeros only): check max_norm before anything else, not only in the branch that "
            "scales.",
            _max_norm_checked_when_clipping,
            missing_raise="ValueError",
        ),
        Mistake(
            "max_norm = 0 must raise ValueError too, not only a negative max_norm: the threshold must "
            "be strictly positive (torch would zero the whole gradient).",
            _zero_max_norm_allowed,
            missing_raise="ValueError",
        ),
        Mistake(
            "max_norm must be positive: raise ValueError when max_norm <= 0 (a negative threshold "
            "makes the factor negative and flips the gradient's sign).",
            _max_norm_unchecked,
            missing_raise="ValueError",
        ),
        Mistake(
            "A negative norm_type must raise ValueError too, not only 0: the rule is norm_type > 0 "
            "(or inf).",
            _zero_only,
            missing_raise="ValueError",
        ),
        Mistake(_REBINDS_HINT, _rebinds_entries),  # rebinds the list entries instead of in place
    ),
    hint=(
        "Treat all arrays as one long vector: its norm of order norm_type is the global norm. "
        "Every array is scaled by the same factor, never above 1, that brings that norm down to "
        "max_norm (with the formula's 1e-6); scale the arrays themselves (in place) and return "
        "the norm before clipping with the same list. norm_type <= 0 is a ValueError, and so is "
        "max_norm <= 0."
    ),
    # torch's own clipping implements it too: a wrapper around it is not an answer in numpy; nor
    # are the two halves clip_grad_norm_ calls (torch >= 2.6), the global p-norm and the scaling
    # (rn0607 07-4: an answer calling them passed)
    library=(
        "course_utils.clipping.clip_grad_norm",
        # se07 E1: the library's global p-norm (clip_grad_norm's first half); an answer calling it
        # passed every case
        "course_utils.clipping.total_norm",
        "torch.nn.utils.clip_grad_norm_",
        "torch.nn.utils.get_total_norm",
        "torch.nn.utils.clip_grads_with_norm_",
    ),
)

ASSIGNMENT = Assignment(
    id="07_vanishing_exploding",
    title="Vanishing and exploding gradients",
    questions=(CLIP_GRAD_NORM, ADAPTIVE_CLIP, STATE_FORM_GRADS, GUARANTEED_LAG),
)
