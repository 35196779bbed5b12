"""Exercise 08 after the referee read sc08 (category 6, E1): question 1's text said the trick of
negated rows "turns the lecture's own forward step into an answer" and then that calls of the
library's or torch's LSTM score 0, which read as if that route scored 0 in every form. The lecture's
``lstm_step`` copied into an answer and called with the negated rows passes (the check compares
values). The text now says exactly what scores 0 (calling an LSTM the library or torch implements)
and that a step written out in the answer, even one adapted from the lecture's code, is graded on
its values."""

import nbformat
import numpy as np
from test_checks_08_redesign import ROOT, grader_scores

from course_utils.checks import checker
from course_utils.specs import lstm_gru
from course_utils.specs._lstm_backward import sigmoid

COUPLED = lstm_gru.ASSIGNMENT.question("coupled_lstm_step")


def _lecture_lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):  # lecture 08's lstm_step, copied
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (B, 4H)
    H = h.shape[1]
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H])
    g, o = np.tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
    c = f * c + i * g
    h = o * np.tanh(c)
    return h, c, {"i": i, "f": f, "g": g, "o": o}


def _coupled_via_copied_lecture_step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    four = [np.concatenate([-w[:H], w]) for w in (W_ih, W_hh, b_ih, b_hh)]
    h, c, _ = _lecture_lstm_step(x, h_prev, c_prev, *four)
    return h, c


def _question_1_text():
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith("def coupled_lstm_step("))
    return " ".join(cells[stub - 1].source.split())


def test_the_lecture_s_step_copied_with_negated_rows_passes_and_the_text_says_so():
    checker("08_lstm_gru")("coupled_lstm_step", _coupled_via_copied_lecture_step)
    assert grader_scores(COUPLED, [_coupled_via_copied_lecture_step]) == [COUPLED.points]
    text = _question_1_text()
    for words in (
        "What scores 0 on this question is calling an LSTM that the course library or torch implements",
        "A step written out in your answer is graded on its values only",
        "even one adapted from the lecture's code",
        "copied into your notebook and called with the negated rows passes",
    ):
        assert words in text
    assert "so an answer that calls" not in text  # the old wording tied the ban to the trick
