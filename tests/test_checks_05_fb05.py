"""Exercise 05 after referee read sb05 (point 7, cat. 6).

7: questions 2 (``which_loop``) and 4 (``range_test_verdict``) ask for an ``int``, but a float
   (1.0) or a bool (True for 1, False for 0) passed every case, while question 3 already graded
   its ``int``: both now grade the type (``exact_types``), and their texts say so. The answers
   below are the referee's (/work/ref/sb05/t_types.py): the reference's value as a float, and the
   codes 0 and 1 as bools."""

import numpy as np
import pytest
from test_checks import _judged
from test_checks_05_fa05 import SCHEDULES, _failure, _reference, exercise_markdown

from course_utils.checks import checker

POINTS = {"which_loop": 2, "range_test_verdict": 2}


def _as_float(name):
    reference = _reference(name)
    return lambda *args, **kwargs: float(reference(*args, **kwargs))


def _low_codes_as_bools(name):
    """0 and 1 returned as False and True (what ``code == 1``-style answers return)."""
    reference = _reference(name)

    def answer(*args, **kwargs):
        code = reference(*args, **kwargs)
        return bool(code) if code in (0, 1) else code

    return answer


def _as_numpy_integer(name):
    reference = _reference(name)
    return lambda *args, **kwargs: np.int64(reference(*args, **kwargs))


@pytest.mark.parametrize("name", sorted(POINTS))
def test_a_float_code_fails_with_the_type_message(name):
    text = _failure(name, _as_float(name))
    assert "expected an integer, got a float" in text, text
    assert _judged(SCHEDULES, name, _as_float(name)).score == 0


@pytest.mark.parametrize("name", sorted(POINTS))
def test_a_bool_code_fails_with_the_type_message(name):
    text = _failure(name, _low_codes_as_bools(name))
    assert "expected an integer, got True or False" in text, text
    assert _judged(SCHEDULES, name, _low_codes_as_bools(name)).score == 0


@pytest.mark.parametrize("name", sorted(POINTS))
def test_the_reference_and_a_numpy_integer_pass(name):
    for answer in (_reference(name), _as_numpy_integer(name)):
        checker(SCHEDULES)(name, answer)
        assert _judged(SCHEDULES, name, answer).score == POINTS[name]


def test_the_exercise_text_says_the_type_is_graded():
    text = exercise_markdown()
    assert "the check refuses a float such as `1.0` and a bool):" in text
    assert "the check refuses a float such as `1.0` and a bool such as `True`)" in text
    assert "which line to move or remove" in text
