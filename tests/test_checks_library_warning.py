"""``check`` fails, as the grader does, when an answer calls the course library's own
implementation of the question (the grader scores such an answer 0), and says nothing of it for an
answer written from scratch (exercise 08's referee: a BPTT loop over the library's cells got a
plain tick)."""

import numpy as np
import pytest

from course_utils import rnn
from course_utils.checks import CheckFailed, checker
from course_utils.rnn import lstm_cell_forward
from course_utils.specs._lstm_backward import _bptt_wrong

WARNING = "calls the course library's own implementation"


def _own_lstm_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    i, f, g, o = np.split(a, 4, axis=1)
    c = c_prev / (1 + np.exp(-f)) + np.tanh(g) / (1 + np.exp(-i))
    return np.tanh(c) / (1 + np.exp(-o)), c


@pytest.mark.parametrize(
    ("name", "answer", "called"),
    [
        ("lstm_step_forward", lambda *a: lstm_cell_forward(*a), "lstm_cell_forward"),
        ("lstm_step_forward", lambda *a: rnn.cells.lstm_cell_forward(*a), "lstm_cell_forward"),
        ("gru_step_forward", lambda *a: rnn.gru_cell_forward(*a), "gru_cell_forward"),
        ("lstm_bptt", _bptt_wrong(), "lstm_cell_backward"),  # the referee's loop over the cells
        # the answer *is* the library function (an alias): the grader counts it, so must check
        ("lstm_step_forward", lstm_cell_forward, "lstm_cell_forward"),
        ("gru_step_forward", rnn.gru_cell_forward, "gru_cell_forward"),
    ],
)
def test_a_right_answer_that_calls_the_library_fails_as_the_grader_scores_it(name, answer, called):
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")(name, answer)
    text = str(failed.value)
    assert WARNING in text and called in text and "scores 0" in text
    assert rnn.lstm_cell_forward is lstm_cell_forward  # the library is put back after the check


def test_an_answer_written_from_scratch_gets_no_warning(capsys):
    checker("08_lstm_gru")("lstm_step_forward", _own_lstm_step)
    out = capsys.readouterr().out
    assert "✓ lstm_step_forward" in out and WARNING not in out


def test_a_wrong_answer_that_calls_the_library_still_fails_on_its_values():
    def wrong(x, h_prev, c_prev, *weights):
        h, c = lstm_cell_forward(x, h_prev, c_prev, *weights)
        return c, h  # swapped

    with pytest.raises(CheckFailed):
        checker("08_lstm_gru")("lstm_step_forward", wrong)
