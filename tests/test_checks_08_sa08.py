"""Exercise 08 after the referee read sa08 (category 6): forward-mode autograd and torch's LSTM
kernels are refused where the questions ban them.

Points 1 and 2 of the exercise part: the derivations (questions 2-4) were answered in full by
``torch.func.jacfwd`` and by the dual numbers of ``torch.autograd.forward_ad``, which are torch's
autograd in forward mode and exact; question 1 was answered by ``torch.lstm_cell`` and
``torch._VF.lstm``, the kernels ``torch.nn.LSTMCell`` and ``torch.nn.LSTM`` call. Each answer here
computes the right result (so only the library rule can fail it) and fails ``check`` with the
library message and scores 0 in the grader's counting; an exact answer written by hand (question
1's reference; for questions 2-4, whose references are the library's own cells, the spec's
mistake-free code) passes both."""

import nbformat
import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as fwAD
from test_checks_08_redesign import ROOT, grader_scores

from course_utils.checks import CheckFailed, checker
from course_utils.grading import scoring
from course_utils.specs import lstm_gru
from course_utils.specs._gru_backward import gru_backward_wrong
from course_utils.specs._lstm_backward import lstm_backward_wrong
from course_utils.specs.base import AUTOGRAD

torch.set_num_threads(1)
T = torch.tensor


def _lstm_step(x, h, c, Wi, Wh, bi, bh):
    H = h.shape[1]
    a = x @ Wi.T + bi + h @ Wh.T + bh
    i, f, g, o = (a[:, k * H : (k + 1) * H] for k in range(4))
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def _gru_step(x, h, Wi, Wh, bi, bh):
    H = h.shape[1]
    ax, ah = x @ Wi.T + bi, h @ Wh.T + bh
    r = torch.sigmoid(ax[:, :H] + ah[:, :H])
    z = torch.sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])
    n = torch.tanh(ax[:, 2 * H :] + r * ah[:, 2 * H :])
    return (1 - z) * n + z * h


def _loss_and_wrt(name, args):
    """(scalar loss of the differentiated tensors, those tensors) for question ``name``."""
    t = [T(np.asarray(a, dtype=np.float64)) for a in args]
    if name == "lstm_step_backward":  # (d_h, d_c, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
        d_h, d_c, b_hh = t[0], t[1], t[8]

        def loss(x, h, c, Wi, Wh, bi):
            h_t, c_t = _lstm_step(x, h, c, Wi, Wh, bi, b_hh)
            return (h_t * d_h).sum() + (c_t * d_c).sum()

        return loss, t[2:8]
    if name == "lstm_bptt":  # (xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs)
        b_hh, d_hs = t[6], t[7]

        def loss(xs, h, c, Wi, Wh, bi):
            total = 0
            for k in range(xs.shape[0]):
                h, c = _lstm_step(xs[k], h, c, Wi, Wh, bi, b_hh)
                total = total + (h * d_hs[k]).sum()
            return total

        return loss, t[:6]
    d_h = t[0]  # gru_step_backward: (d_h, x, h_prev, W_ih, W_hh, b_ih, b_hh)

    def loss(x, h, Wi, Wh, bi, bh):
        return (_gru_step(x, h, Wi, Wh, bi, bh) * d_h).sum()

    return loss, t[1:]


def _by_jacfwd(name):
    def answer(*args):
        loss, wrt = _loss_and_wrt(name, args)
        grads = torch.func.jacfwd(loss, argnums=tuple(range(len(wrt))))(*wrt)
        return tuple(g.numpy() for g in grads)

    return answer


def _by_dual_numbers(name):
    def answer(*args):
        loss, wrt = _loss_and_wrt(name, args)
        grads = []
        for k, a in enumerate(wrt):
            g = np.zeros(tuple(a.shape))
            for index in np.ndindex(*a.shape):
                tangent = torch.zeros_like(a)
                tangent[index] = 1.0
                with fwAD.dual_level():
                    dual = [fwAD.make_dual(b, tangent) if j == k else b for j, b in enumerate(wrt)]
                    g[index] = fwAD.unpack_dual(loss(*dual)).tangent.item()
            grads.append(g)
        return tuple(grads)

    return answer


def _bptt_by_hand(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs):
    """Question 3 on the spec's hand-written step backward (no library cell, no autograd)."""
    step, hs, cs = lstm_backward_wrong(), [h0], [c0]  # hs[k] is the state step k + 1 starts from
    for x in xs:
        with torch.no_grad():
            h, c = _lstm_step(*(T(a) for a in (x, hs[-1], cs[-1], W_ih, W_hh, b_ih, b_hh)))
        hs, cs = [*hs, h.numpy()], [*cs, c.numpy()]
    dxs, dh, dc, grads = np.zeros_like(xs), 0 * h0, 0 * c0, 0
    for t in range(len(xs) - 1, -1, -1):
        dxs[t], dh, dc, *g = step(d_hs[t] + dh, dc, xs[t], hs[t], cs[t], W_ih, W_hh, b_ih, b_hh)
        grads = [a + b for a, b in zip(g, grads or [0, 0, 0], strict=True)]
    return dxs, dh, dc, *grads


#: an exact answer written by hand for each question: the references are the library's own cells,
#: which the library rule counts
BY_HAND = {
    "lstm_step_backward": lstm_backward_wrong(),
    "lstm_bptt": _bptt_by_hand,
    "gru_step_backward": gru_backward_wrong(),
}
DERIVATIONS = tuple(BY_HAND)
FORWARD_MODE = {"jacfwd": _by_jacfwd, "dual numbers": _by_dual_numbers}


@pytest.mark.parametrize("name", DERIVATIONS)
@pytest.mark.parametrize("how", list(FORWARD_MODE))
def test_a_forward_mode_autograd_answer_is_right_and_scores_0(name, how):
    question = lstm_gru.ASSIGNMENT.question(name)
    answer = FORWARD_MODE[how](name)
    args = question.cases[0].make_inputs()
    for mine, want in zip(answer(*args), question.reference(*args), strict=True):
        assert np.allclose(mine, want, rtol=1e-12, atol=1e-13)  # only the library rule fails it
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")(name, answer)
    text = str(failed.value)
    assert "torch's autograd in reverse or forward mode" in text and "scores 0" in text
    assert grader_scores(question, [answer, BY_HAND[name]]) == [0, question.points]


@pytest.mark.parametrize("name", DERIVATIONS)
def test_an_exact_answer_by_hand_passes_the_check_with_the_longer_watch_list(name, capsys):
    question = lstm_gru.ASSIGNMENT.question(name)
    for args in scoring.case_inputs(question, 7):
        for mine, want in zip(BY_HAND[name](*args), question.reference(*args), strict=True):
            assert np.allclose(mine, want, rtol=1e-12, atol=1e-14)
    checker("08_lstm_gru")(name, BY_HAND[name])
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("name", DERIVATIONS)
def test_each_derivation_question_names_forward_mode(name):
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith(f"def {name}("))
    text = " ".join(cells[stub - 1].source.split())
    for words in ("forward mode", "torch.func.jacfwd", "torch.autograd.forward_ad", "scores 0"):
        assert words in text


def test_every_watched_autograd_name_resolves_and_is_put_back():
    from course_utils.library_calls import counted_calls, resolve

    originals = [resolve(n)[2] for n in AUTOGRAD]
    with counted_calls(AUTOGRAD) as calls:
        assert all(resolve(n)[2] is not o for n, o in zip(AUTOGRAD, originals, strict=True))
    assert calls[0] == 0
    assert all(resolve(n)[2] is o for n, o in zip(AUTOGRAD, originals, strict=True))


# ----------------------------------------------------------------------- question 1: the kernels


def _four_blocks(W_ih, W_hh, b_ih, b_hh, H):
    return [T(np.concatenate([-w[:H], w])) for w in (W_ih, W_hh, b_ih, b_hh)]


def _coupled_by_lstm_cell(kernel):
    def answer(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        w = _four_blocks(W_ih, W_hh, b_ih, b_hh, h_prev.shape[1])
        h, c = kernel()(T(x), (T(h_prev), T(c_prev)), *w)
        return h.numpy(), c.numpy()

    return answer


def _coupled_by_lstm(kernel):
    def answer(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        w = _four_blocks(W_ih, W_hh, b_ih, b_hh, h_prev.shape[1])
        state = (T(h_prev)[None], T(c_prev)[None])
        _, h, c = kernel()(T(x)[None], state, w, True, 1, 0.0, False, False, False)
        return h[0].numpy(), c[0].numpy()

    return answer


KERNELS = {  # looked up when called: the check and the grader patch these names
    "torch.lstm_cell": _coupled_by_lstm_cell(lambda: torch.lstm_cell),
    "torch._VF.lstm_cell": _coupled_by_lstm_cell(lambda: torch._VF.lstm_cell),
    "torch.lstm": _coupled_by_lstm(lambda: torch.lstm),
    "torch._VF.lstm": _coupled_by_lstm(lambda: torch._VF.lstm),
}


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_question_1_through_torch_s_lstm_kernel_is_right_and_scores_0(kernel):
    question = lstm_gru.ASSIGNMENT.question("coupled_lstm_step")
    answer = KERNELS[kernel]
    for case in question.cases[:3]:
        args = case.make_inputs()
        for mine, want in zip(answer(*args), question.reference(*args), strict=True):
            assert np.allclose(mine, want, rtol=1e-12, atol=1e-13)
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")("coupled_lstm_step", answer)
    assert kernel in str(failed.value) and "scores 0" in str(failed.value)
    assert grader_scores(question, [answer, question.reference]) == [0, question.points]
    assert "lstm" not in vars(torch._VF) and "lstm_cell" not in vars(torch._VF)  # put back


def test_question_1_names_the_kernels():
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith("def coupled_lstm_step("))
    text = cells[stub - 1].source
    for name in ("`torch.lstm_cell`", "`torch.lstm`", "`torch._VF`"):
        assert name in text
