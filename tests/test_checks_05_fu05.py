"""Exercise 05 after referee read rs05 (point 10): question 2's length rule, ``intended`` must
hold at least ``2 * len(logged)`` rates, is now a case. An answer that takes the tight bound
2n - 1 (loop 3 reads up to index 2n - 2) passed every case before; it now fails the case with
exactly 2n - 1 rates, and the reference raises there."""

import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.specs import _which_loop as wl

SCHEDULES = "05_learning_rate_schedules"


def _tight_bound(logged, intended, steps_per_epoch):
    """The reference with the length rule 2n - 1 instead of the text's 2n."""
    logged, intended = np.asarray(logged, dtype=float), np.asarray(intended, dtype=float)
    if logged.size and intended.size == 2 * logged.size - 1:
        intended = np.r_[intended, intended[-1]]  # long enough for the reference's rule
    return wl._which_loop(logged, intended, steps_per_epoch)


def test_the_tight_bound_fails_the_2n_minus_1_case():
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)("which_loop", _tight_bound)
    assert "47 rates" in str(failed.value), str(failed.value)


def test_the_reference_raises_on_2n_minus_1_rates_and_passes_every_case():
    question = specs.load(SCHEDULES).question("which_loop")
    case = next(c for c in question.cases if "47 rates" in c.description)
    logged, intended, per_epoch = case.make_inputs()
    assert len(intended) == 2 * len(logged) - 1
    with pytest.raises(ValueError, match="2 \\* len\\(logged\\)"):
        wl._which_loop(logged, intended, per_epoch)
    checker(SCHEDULES)("which_loop", wl._which_loop)
