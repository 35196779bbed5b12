"""Exercise 08, question 5: every split of the forget-gate bias with the right sum builds the right
network, so the check names it as such (the course's split is graded), never with the generic hint;
wrong sums still get their own hints."""

import numpy as np
import pytest

from course_utils import specs
from course_utils.judging import judge, observe

QUESTION = specs.load("08_lstm_gru").question("init_forget_bias")
(SAME_SUM,) = [m for m in QUESTION.mistakes if m.matches is not None]


def _first_failure(answer):
    verdicts = [judge(QUESTION, c, observe(QUESTION, c, answer)) for c in QUESTION.cases]
    failed = [v for v in verdicts if not v.passed]
    return failed[0] if failed else None


def _split(new_hh_forget):
    """The answer that puts ``new_hh_forget(bias_hh_forget, value)`` in the hidden bias's forget
    block and the rest of ``value`` in the input bias's."""

    def answer(bias_ih, bias_hh, value):
        H = len(bias_ih) // 4
        a, b = np.array(bias_ih, float), np.array(bias_hh, float)
        b[H : 2 * H] = new_hh_forget(b[H : 2 * H], value)
        a[H : 2 * H] = value - b[H : 2 * H]
        return a, b

    return answer


@pytest.mark.parametrize(
    "hh_forget",
    [
        lambda b_hf, value: b_hf,  # keep torch's b_hf, b_if = value - b_hf (the referee's split)
        lambda b_hf, value: value / 2 + 0 * b_hf,  # half in each
        lambda b_hf, value: value + 0 * b_hf,  # all in the hidden bias (the swapped split)
        lambda b_hf, value: -3.0 + 0 * b_hf,  # any other
    ],
    ids=["keep-b_hf", "half-half", "swapped", "minus-3"],
)
def test_every_same_sum_split_is_named_as_such(hh_forget):
    failure = _first_failure(_split(hh_forget))
    assert failure is not None and failure.hint == SAME_SUM.hint
    assert "right network" in SAME_SUM.hint and "only the sum" in SAME_SUM.hint


def test_the_course_split_passes_and_wrong_sums_are_not_called_the_same_network():
    assert _first_failure(_split(lambda b_hf, value: 0 * b_hf)) is None  # b_hf = 0: the course's

    def added(bias_ih, bias_hh, value):  # value added to b_if, torch's b_hf kept: sum is wrong
        H = len(bias_ih) // 4
        a, b = np.array(bias_ih, float), np.array(bias_hh, float)
        a[H : 2 * H] += value
        return a, b

    def other_block_changed(bias_ih, bias_hh, value):  # right sum, but the input gate zeroed
        a, b = _split(lambda b_hf, v: v / 2 + 0 * b_hf)(bias_ih, bias_hh, value)
        a[: len(a) // 4] = 0.0
        return a, b

    for wrong in (added, other_block_changed):
        failure = _first_failure(wrong)
        assert failure is not None and failure.hint != SAME_SUM.hint
