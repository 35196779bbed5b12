"""Exercise 07 after its referee read sf07 (E1-E3): answers the check judged wrongly.

E1: question 4 had no case with ``grad_norm = 0`` (valid: a norm, below any threshold, answer 0),
so an answer refusing it passed; a visible case and a Mistake with its hint now catch it.
E2: question 1's empty list was tested only with ``norm_type = 2``, so an inf-norm taken as
``max()`` over the arrays (which fails on no arrays) passed; a hidden case has ``([], 1.0, inf)``.
E3: question 4 accepted a 1-element array as the lag; the check now asks for one number (an int,
an np.int64 or an integer-valued float, as the text says).
"""

import numpy as np
from test_checks_07_sc07 import _clip, _fails_with, _full_marks, _hint

from course_utils.specs._guaranteed_lag import W_TANH, _guaranteed_lag


def _lag(refuse_zero=False, wrap=int):
    def guaranteed_lag(W_hh, activation, grad_norm, threshold):
        if refuse_zero and grad_norm <= 0:
            raise ValueError("grad_norm must be positive.")
        return wrap(_guaranteed_lag(W_hh, activation, grad_norm, threshold))

    return guaranteed_lag


def test_q4_the_reference_answers_0_at_grad_norm_0():
    assert _guaranteed_lag(W_TANH.copy(), "tanh", 0.0, 1e-4) == 0


def test_q4_refusing_grad_norm_0_fails_with_its_hint():
    _fails_with("guaranteed_lag", _lag(refuse_zero=True), _hint("guaranteed_lag", "= 0 is allowed"))
    assert not _full_marks("guaranteed_lag", _lag(refuse_zero=True))


def test_q4_a_one_element_array_fails_and_each_number_type_of_the_text_passes():
    assert not _full_marks("guaranteed_lag", _lag(wrap=lambda n: np.array([n])))
    for wrap in (int, np.int64, float, np.float64):
        assert _full_marks("guaranteed_lag", _lag(wrap=wrap)), wrap


def test_q1_an_inf_norm_that_fails_on_no_arrays_loses_marks_and_a_guarded_one_passes():
    assert not _full_marks("clip_grad_norm", _clip(lambda gs: max(np.abs(g).max() for g in gs)))
    guarded = _clip(lambda gs: max((float(np.abs(g).max()) for g in gs), default=0.0))
    assert guarded([], 1.0, np.inf) == (0.0, [])
    assert _full_marks("clip_grad_norm", guarded)
