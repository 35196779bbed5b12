"""Notebook 00's practice question (referee ri00, 00-2 and 00-5): a fitted answer fails every
grading run, a rare mistake fails some, and a type or a missing return gets a hint that fits."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.grading.scoring import case_inputs
from course_utils.judging import judge, observe

PRACTICE = specs.load("00_start_here").question("l2_norm")
SEEDS = range(100)


def _full_marks(answer, seed: int) -> bool:
    cases = zip(PRACTICE.cases, case_inputs(PRACTICE, seed), strict=True)
    return all(judge(PRACTICE, c, observe(PRACTICE, c, answer, args), args) for c, args in cases)


def l2_norm_up_to_3(g):  # fitted to the visible examples' lengths (2 and 3 entries)
    total = g[0] ** 2 + g[1] ** 2
    if len(g) > 2:
        total += g[2] ** 2
    return float(math.sqrt(total))


def l2_norm_first_3(g):  # np.linalg.norm(g[:3]): wrong on 84 % of the old single draw
    return float(np.linalg.norm(g[:3]))


@pytest.mark.parametrize("answer", [l2_norm_up_to_3, l2_norm_first_3])
def test_an_answer_fitted_to_the_visible_lengths_passes_check_and_fails_every_grading_run(answer):
    checker("00_start_here")("l2_norm", answer)
    assert not any(_full_marks(answer, seed) for seed in SEEDS)


def test_the_right_answer_scores_in_every_run_and_each_run_draws_three_new_vectors():
    assert all(_full_marks(lambda g: float(np.linalg.norm(g)), seed) for seed in SEEDS)
    generated = [case.generated and case.hidden for case in PRACTICE.cases]
    assert sum(generated) == 3
    fixed_hidden = [c for c in PRACTICE.cases if c.hidden and not c.generated]
    assert [len(c.make_inputs()[0]) for c in fixed_hidden] == [6]
    first, second = case_inputs(PRACTICE, 0), case_inputs(PRACTICE, 1)
    drawn = [i for i, g in enumerate(generated) if g]
    assert all(not np.array_equal(first[i][0], second[i][0]) for i in drawn)


def test_a_rare_mistake_passes_some_runs_and_fails_others():
    def rare(g):  # wrong only on a vector of one negative entry
        return float(np.sqrt(np.sum(g**2))) if g.size > 1 else float(g[0])

    passed = sum(_full_marks(rare, seed) for seed in SEEDS)
    assert 0 < passed < len(SEEDS)


def test_a_tensor_and_a_missing_return_get_hints_about_the_type_and_the_return():
    check = checker("00_start_here")
    with pytest.raises(CheckFailed) as tensor:
        check("l2_norm", lambda g: torch.linalg.norm(torch.as_tensor(g)))
    assert "object of type Tensor" in str(tensor.value) and "`.item()`" in str(tensor.value)
    # rl0004/rm0004 00-1: the message for a tensor, or any object, no longer lists an array or a
    # list as accepted: this question takes one number, and the message says so
    assert "this question asks for a single number" in str(tensor.value)
    assert "a list or tuple of them" not in str(tensor.value)
    with pytest.raises(CheckFailed) as text:
        check("l2_norm", lambda g: str(np.linalg.norm(g)))
    assert "object of type str; this question asks for a single number" in str(text.value)
    assert "a list or tuple of them" not in str(text.value)

    def forgot_return(g):
        np.sqrt(np.sum(g**2))

    with pytest.raises(CheckFailed) as missing:
        check("l2_norm", forgot_return)
    assert "hint: The function computes but returns nothing" in str(missing.value)


def test_what_the_text_says_is_accepted_is_accepted():
    """Cell 12: one number (a Python or numpy float); an array or a list holding just that
    number is refused by name (the question asks for exact types)."""
    check = checker("00_start_here")
    for wrap in (float, np.float32, np.float64):
        check("l2_norm", lambda g, wrap=wrap: wrap(np.linalg.norm(g)))
    for wrap in (lambda v: np.array([v]), lambda v: [v]):
        with pytest.raises(CheckFailed, match="expected a single number, got an array"):
            check("l2_norm", lambda g, wrap=wrap: wrap(np.linalg.norm(g)))


@pytest.mark.parametrize(
    "answer",
    [
        lambda g: round(float(np.linalg.norm(g)), 4),
        lambda g: np.round(np.linalg.norm(g), 2),
        lambda g: round(float(np.linalg.norm(g))),
    ],
)
def test_a_right_norm_rounded_for_display_gets_the_do_not_round_hint(answer):
    """rj00 00-10: a rounded right value was told its formula was wrong (the question's hint)."""
    with pytest.raises(CheckFailed) as failure:
        checker("00_start_here")("l2_norm", answer)
    assert "do not round" in str(failure.value)
    assert "square root of the sum" not in str(failure.value)


def test_a_wrong_formula_is_not_called_rounded():
    with pytest.raises(CheckFailed) as failure:
        checker("00_start_here")("l2_norm", lambda g: float(np.max(np.abs(g))))
    assert "do not round" not in str(failure.value)
