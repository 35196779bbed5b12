"""Exercise 08 after the referee read sb08 (category 6): torch's LSTM forward is banned in question
3 as the library's is, and question 1's ban reaches the kernel's ``torch.ops.aten`` names.

E1: a question 3 whose backward is written out but whose states (h_t, c_t) come from a forward
scored 0 with ``course_utils.rnn.lstm_cell_forward`` and full marks with ``torch.nn.LSTMCell``
under ``no_grad``, the same numbers. Both now score 0, in ``check`` and in the grader's counting,
and the same answer with the forward written out passes. E2: question 1 through
``torch.ops.aten.lstm_cell`` passed; it scores 0 now. ``torch._C._VariableFunctions.lstm_cell``
cannot be watched (its class is immutable): the text says so instead of claiming it scores 0."""

import nbformat
import numpy as np
import pytest
import torch
from test_checks_08_redesign import ROOT, grader_scores
from test_checks_08_sa08 import _coupled_by_lstm, _coupled_by_lstm_cell

import course_utils.rnn as R
from course_utils.checks import CheckFailed, checker
from course_utils.specs import lstm_gru
from course_utils.specs._lstm_backward import TORCH_LSTM_FORWARD, sigmoid

torch.set_num_threads(1)
T = torch.tensor
BPTT = lstm_gru.ASSIGNMENT.question("lstm_bptt")
COUPLED = lstm_gru.ASSIGNMENT.question("coupled_lstm_step")


def _written_out(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
    c = f * c + i * np.tanh(a[:, 2 * H : 3 * H])
    return o * np.tanh(c), c


def _by_kernel(kernel):  # looked up when called: the check and the grader patch these names
    def step(x, h, c, W_ih, W_hh, b_ih, b_hh):
        with torch.no_grad():
            hn, cn = kernel()(T(x), (T(h), T(c)), T(W_ih), T(W_hh), T(b_ih), T(b_hh))
        return hn.numpy(), cn.numpy()

    return step


def _by_module(module):
    def step(x, h, c, W_ih, W_hh, b_ih, b_hh):
        layer = module(W_ih.shape[1], h.shape[1]).double()
        suffix = "_l0" if module is torch.nn.LSTM else ""
        state = (T(h), T(c)) if suffix == "" else (T(h)[None], T(c)[None])
        with torch.no_grad():
            for k, w in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                            (W_ih, W_hh, b_ih, b_hh), strict=True):  # fmt: skip
                getattr(layer, k + suffix).copy_(T(w))
            out = layer(T(x)[None] if suffix else T(x), state)
        hn, cn = out if suffix == "" else out[1]
        return (hn.numpy(), cn.numpy()) if suffix == "" else (hn[0].numpy(), cn[0].numpy())

    return step


def _bptt_from(state_fn):
    """Question 3 with the backward written out; the states (h_t, c_t) come from ``state_fn``."""

    def lstm_bptt(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs):
        H, hs, cs = h0.shape[1], [h0], [c0]
        for x in xs:
            h, c = state_fn(x, hs[-1], cs[-1], W_ih, W_hh, b_ih, b_hh)
            hs.append(h)
            cs.append(c)
        dxs, dW_ih, dW_hh, db = np.zeros_like(xs), 0 * W_ih, 0 * W_hh, 0 * b_ih
        d_h, d_c = np.zeros_like(h0), np.zeros_like(c0)
        for t in reversed(range(len(xs))):
            x, hp, cp = xs[t], hs[t], cs[t]
            a = x @ W_ih.T + b_ih + hp @ W_hh.T + b_hh
            i, f = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H])
            g, o = np.tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
            tc, d_h = np.tanh(cs[t + 1]), d_hs[t] + d_h
            dct = d_c + d_h * o * (1 - tc**2)
            da = np.concatenate(
                [dct * g * i * (1 - i), dct * cp * f * (1 - f), dct * i * (1 - g**2),
                 d_h * tc * o * (1 - o)], axis=1,
            )  # fmt: skip
            dxs[t], d_h, d_c = da @ W_ih, da @ W_hh, dct * f
            dW_ih, dW_hh, db = dW_ih + da.T @ x, dW_hh + da.T @ hp, db + da.sum(0)
        return dxs, d_h, d_c, dW_ih, dW_hh, db

    return lstm_bptt


FORWARDS = {  # name the refusal must show -> where the states come from
    "torch.nn.LSTMCell.forward": _by_module(torch.nn.LSTMCell),
    "torch.nn.LSTM.forward": _by_module(torch.nn.LSTM),
    "torch.lstm_cell": _by_kernel(lambda: torch.lstm_cell),
    "torch._VF.lstm_cell": _by_kernel(lambda: torch._VF.lstm_cell),
    "torch.ops.aten.lstm_cell": _by_kernel(lambda: torch.ops.aten.lstm_cell),
    "course_utils.rnn.lstm_cell_forward": lambda *a: R.lstm_cell_forward(*a),
}


def _right_on_the_visible_cases(question, answer, rtol=1e-12, atol=1e-13):
    for case in question.cases[:3]:
        args = case.make_inputs()
        for mine, want in zip(answer(*args), question.reference(*args), strict=True):
            assert np.allclose(mine, want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("forward", list(FORWARDS))
def test_question_3_with_states_from_torch_or_the_library_is_right_and_scores_0(forward):
    """Both directions of E1: torch's forward scores 0 as the library's does, in ``check`` and in
    the grader, and the same backward with the forward written out gets every point."""
    answer, written = _bptt_from(FORWARDS[forward]), _bptt_from(_written_out)
    _right_on_the_visible_cases(BPTT, answer, rtol=1e-10, atol=1e-12)
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")("lstm_bptt", answer)
    assert forward in str(failed.value) and "scores 0" in str(failed.value)
    assert grader_scores(BPTT, [answer, written]) == [0, BPTT.points]
    assert "lstm_cell" not in vars(torch._VF) and isinstance(
        torch.ops.aten.lstm_cell, torch._ops.OpOverloadPacket
    )  # put back


def test_question_3_written_out_passes_the_check(capsys):
    checker("08_lstm_gru")("lstm_bptt", _bptt_from(_written_out))
    assert "all 3 visible tests pass" in capsys.readouterr().out


def test_questions_1_and_3_ban_every_form_of_torch_s_lstm_forward():
    for question in (COUPLED, BPTT):
        assert set(TORCH_LSTM_FORWARD) <= set(question.library_names)
    assert f"{R.__name__}._fast_lstm.forward" in BPTT.library_names


@pytest.mark.parametrize(
    "kernel",
    [
        ("torch.ops.aten.lstm_cell", _coupled_by_lstm_cell(lambda: torch.ops.aten.lstm_cell)),
        ("torch.ops.aten.lstm", _coupled_by_lstm(lambda: torch.ops.aten.lstm)),
    ],
    ids=lambda k: k[0],
)
def test_question_1_through_torch_ops_aten_is_right_and_scores_0(kernel):
    name, answer = kernel
    _right_on_the_visible_cases(COUPLED, answer)
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")("coupled_lstm_step", answer)
    assert name in str(failed.value) and "scores 0" in str(failed.value)
    assert grader_scores(COUPLED, [answer, COUPLED.reference]) == [0, COUPLED.points]
    assert isinstance(torch.ops.aten.lstm_cell, torch._ops.OpOverloadPacket)  # put back
    assert isinstance(torch.ops.aten.lstm, torch._ops.OpOverloadPacket)


def test_the_variable_functions_object_cannot_be_patched_as_question_1_s_text_says():
    functions = torch._C._VariableFunctions
    assert functions.lstm_cell is torch._VF.lstm_cell is torch.lstm_cell
    with pytest.raises((TypeError, AttributeError)):
        type(functions).lstm_cell = staticmethod(lambda *args: None)
    with pytest.raises((TypeError, AttributeError)):
        functions.lstm_cell = lambda *args: None
    assert functions.lstm_cell is torch.lstm_cell


def _question_text(stub_start):
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith(stub_start))
    return " ".join(cells[stub - 1].source.split())


def test_question_1_says_which_names_are_watched_and_which_is_not():
    text = _question_text("def coupled_lstm_step(")
    for words in ("`torch.ops.aten`", "`torch._C._VariableFunctions.lstm_cell`",
                  "`torch.ops.aten.lstm_cell.default`", "not caught automatically"):  # fmt: skip
        assert words in text


def test_question_3_names_torch_s_lstm_forward_and_no_grad():
    text = _question_text("def lstm_bptt(")
    for words in ("`torch.nn.LSTMCell`", "`torch.nn.LSTM`", "`torch.lstm_cell`", "`torch._VF`",
                  "`torch.ops.aten`", "`torch.no_grad()`", "scores 0"):  # fmt: skip
        assert words in text
