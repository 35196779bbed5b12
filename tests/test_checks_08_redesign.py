"""Exercise 08 as redesigned for issue 21: the coupled-gate LSTM (question 1) and the GRU step
backward (question 4) against torch in float64, the correct alternative forms that must pass, the
mistakes' code without a mistake equal to the reference (so each named mistake differs by exactly
the one thing its hint names), bad input to the coupled step's reference, and the exercise text
giving no gradient formula (the derivations are the learner's)."""

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from course_utils import rnn
from course_utils.checks import CheckFailed, checker
from course_utils.gradcheck import relative_error
from course_utils.specs import _gru_backward, lstm_gru
from course_utils.specs._lstm_backward import lstm_backward_wrong
from course_utils.specs.lstm_gru import coupled_lstm_step

ROOT = Path(__file__).resolve().parent.parent
torch.set_num_threads(1)
COUPLED = lstm_gru.ASSIGNMENT.question("coupled_lstm_step")
GRU = lstm_gru.ASSIGNMENT.question("gru_step_backward")
GRU_NAMES = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _all_inputs(question):
    rng = np.random.default_rng(0)
    return [c.make_inputs() if not c.hidden else c.inputs(rng) for c in question.cases]


@pytest.mark.parametrize("case", range(len(COUPLED.cases)))
def test_the_coupled_reference_is_a_torch_lstm_whose_input_gate_is_the_negated_forget_gate(case):
    x, h, c, *w3 = _all_inputs(COUPLED)[case]
    B, D = x.shape
    H = h.shape[1]
    lstm = torch.nn.LSTM(D, H).double()
    with torch.no_grad():
        for k, w in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), w3, strict=True):
            getattr(lstm, f"{k}_l0").copy_(torch.tensor(np.concatenate([-w[:H], w])))
        _, (h_t, c_t) = lstm(torch.tensor(x[None]), (torch.tensor(h[None]), torch.tensor(c[None])))
    mine_h, mine_c = coupled_lstm_step(x, h, c, *w3)
    assert np.allclose(mine_h, h_t[0].numpy(), rtol=1e-13, atol=1e-14)
    assert np.allclose(mine_c, c_t[0].numpy(), rtol=1e-13, atol=1e-14)


def test_the_coupled_input_gate_written_as_a_sigmoid_of_minus_a_f_passes(capsys):
    """sigmoid(-a_f) = 1 - sigmoid(a_f): a correct form other than the solution's."""

    def other(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
        a_f, a_g, a_o = np.split(x @ W_ih.T + h_prev @ W_hh.T + (b_ih + b_hh), 3, axis=1)
        c = _sigmoid(a_f) * c_prev + _sigmoid(-a_f) * np.tanh(a_g)
        return _sigmoid(a_o) * np.tanh(c), c

    checker("08_lstm_gru")("coupled_lstm_step", other)
    assert "✓ coupled_lstm_step" in capsys.readouterr().out


@pytest.mark.parametrize(
    "bad",
    [
        lambda x, h, c, Wi, Wh, bi, bh: (x, h, c, Wi[:-1], Wh, bi, bh),  # 3H - 1 rows
        lambda x, h, c, Wi, Wh, bi, bh: (x, h, c, Wi, Wh, bi, np.r_[bh, 0.0]),
        lambda x, h, c, Wi, Wh, bi, bh: (x, h, c, np.vstack([Wi, Wi[:2]]), Wh, bi, bh),  # 4H rows
    ],
)
def test_coupled_reference_rejects_weights_without_three_blocks_in_one_sentence(bad):
    args = bad(*COUPLED.cases[0].make_inputs())
    with pytest.raises(ValueError, match="needs 3H") as info:
        coupled_lstm_step(*args)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


@pytest.mark.parametrize("case", range(len(GRU.cases)))
def test_the_gru_reference_equals_grucell_autograd_in_float64(case):
    dh, x, h, W_ih, W_hh, b_ih, b_hh = _all_inputs(GRU)[case]
    cell = torch.nn.GRUCell(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for p, w in zip(
            (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh),
            (W_ih, W_hh, b_ih, b_hh),
            strict=True,
        ):
            p.copy_(torch.tensor(w))
    xt, ht = (torch.tensor(v, requires_grad=True) for v in (x, h))
    (cell(xt, ht) * torch.tensor(dh)).sum().backward()
    want = (xt.grad, ht.grad, cell.weight_ih.grad, cell.weight_hh.grad)
    want += (cell.bias_ih.grad, cell.bias_hh.grad)
    got = GRU.reference(dh, x, h, W_ih, W_hh, b_ih, b_hh)
    for name, mine, wanted in zip(GRU_NAMES, got, want, strict=True):
        assert relative_error(mine, wanted.numpy()) < 1e-12, name


@pytest.mark.parametrize("case", range(len(GRU.cases)))
def test_the_gru_mistakes_without_a_mistake_are_the_reference(case):
    args = _all_inputs(GRU)[case]
    for mine, want in zip(
        _gru_backward.gru_backward_wrong()(*args), GRU.reference(*args), strict=True
    ):
        assert relative_error(mine, want) < 1e-12


def test_the_reset_and_bias_mistakes_differ_where_their_hints_say():
    args = GRU.cases[0].make_inputs()
    right = GRU.reference(*args)
    shared = _gru_backward.gru_backward_wrong(shared_bias=True)(*args)
    # the input part (dx, dW_ih, db_ih) is right; the hidden part's n block is not
    for k in (0, 2, 4):
        assert relative_error(shared[k], right[k]) < 1e-12
    H = args[2].shape[1]
    assert np.allclose(shared[5][: 2 * H], right[5][: 2 * H])
    assert not np.allclose(shared[5][2 * H :], right[5][2 * H :])
    no_direct = _gru_backward.gru_backward_wrong(direct=False)(*args)
    assert relative_error(no_direct[1], right[1]) > 0.1  # only dh_prev differs
    assert all(relative_error(no_direct[k], right[k]) < 1e-12 for k in (0, 2, 3, 4, 5))


def _gru_one_product(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """h = n + z (h_prev - n), the form the library's forward uses: a correct alternative."""
    H = h_prev.shape[1]
    ai, ah = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    r, z = _sigmoid(ai[:, :H] + ah[:, :H]), _sigmoid(ai[:, H : 2 * H] + ah[:, H : 2 * H])
    n = np.tanh(ai[:, 2 * H :] + r * ah[:, 2 * H :])
    d_n = (dh - dh * z) * (1 - n**2)
    d_ai = np.hstack([d_n * ah[:, 2 * H :] * r * (1 - r), dh * (h_prev - n) * z * (1 - z), d_n])
    d_ah = d_ai * np.r_[np.ones(2 * H), np.zeros(H)] + np.hstack([0 * r, 0 * z, d_n * r])
    return (
        d_ai @ W_ih,
        d_ah @ W_hh + dh * z,
        d_ai.T @ x,
        d_ah.T @ h_prev,
        *(d.sum(axis=0) for d in (d_ai, d_ah)),
    )


def test_a_gru_backward_through_the_one_product_interpolation_passes(capsys):
    checker("08_lstm_gru")("gru_step_backward", _gru_one_product)
    assert "✓ gru_step_backward" in capsys.readouterr().out


def test_the_exercise_text_gives_no_gradient_formula():
    """Questions 2 and 4 are derivations: their text gives the forward pass and the names of what
    to return, no gradient formula (the old question 3 listed every one)."""
    notebook = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for formula in (r"\delta c_t =", "d a_i =", r"dc_{\text{prev}} =", "dW_{ih} =", "d a_o"):
        assert formula not in text
    assert "derive" in text.lower()


def test_at_least_half_the_points_are_derivations_and_variants():
    skills = {q.name: q.skill for q in lstm_gru.ASSIGNMENT.questions}
    assert skills == {
        "coupled_lstm_step": "variant",
        "lstm_step_backward": "derivation",
        "lstm_bptt": "derivation",
        "gru_step_backward": "derivation",
    }
    assert lstm_gru.ASSIGNMENT.max_score == 16


def _gru_via_layer(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    layer = rnn.GRU(x.shape[1], h_prev.shape[1])
    layer.params = dict(zip(layer.params, (W_ih, W_hh, b_ih, b_hh), strict=True))
    layer.forward(x[None], h_prev[None])
    dxs, dh0 = layer.backward(dh[None])
    g = layer.grads
    return dxs[0], dh0[0], g["weight_ih"], g["weight_hh"], g["bias_ih"], g["bias_hh"]


def _gru_via_gates(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    _, cache = rnn.cells.gru_gates_forward(gi, gh, h_prev)
    d_gi, d_gh, d_direct = rnn.cells.gru_gates_backward(dh, cache)
    return (
        d_gi @ W_ih, d_direct + d_gh @ W_hh, d_gi.T @ x, d_gh.T @ h_prev, d_gi.sum(0), d_gh.sum(0)
    )  # fmt: skip


def _lstm_via_gates(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    _, cache = rnn.cells.lstm_gates_forward(gi, gh, c_prev)
    d_a, d_c_prev = rnn.cells.lstm_gates_backward(dh, dc, cache)
    return d_a @ W_ih, d_a @ W_hh, d_c_prev, d_a.T @ x, d_a.T @ h_prev, d_a.sum(0)


@pytest.mark.parametrize(
    ("name", "answer", "called"),
    [
        ("gru_step_backward", _gru_via_layer, "GRU.backward"),
        ("gru_step_backward", _gru_via_gates, "gru_gates_backward"),
        ("lstm_step_backward", _lstm_via_gates, "lstm_gates_backward"),
    ],
)
def test_a_backward_through_the_library_s_gates_or_layer_scores_0(name, answer, called):
    """The cell's gate equations and the layer on a one-step sequence compute the answer too: the
    check fails them as the grader scores them (they gave a plain tick before they were named)."""
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")(name, answer)
    text = str(failed.value)
    assert "calls the course library's own implementation" in text and called in text


# ----------------------------------------------------------------------------- after the referee read


LSTM_STEP = lstm_gru.ASSIGNMENT.question("lstm_step_backward")


@pytest.mark.parametrize("case", range(len(LSTM_STEP.cases)))
def test_the_lstm_mistakes_without_a_mistake_are_the_reference(case):
    args = LSTM_STEP.cases[case].make_inputs()  # fixed seeds, the hidden one too
    right = LSTM_STEP.reference(*args)
    for mine, want in zip(lstm_backward_wrong()(*args), right, strict=True):
        assert relative_error(mine, want) < 1e-12


def test_dc_prev_from_the_given_d_c_differs_only_in_dc_prev_and_gets_its_own_hint():
    """The classic slip: dc_prev = d_c * f with the given d_c instead of the total on c_t."""
    args = LSTM_STEP.cases[0].make_inputs()
    right = LSTM_STEP.reference(*args)
    wrong = lstm_backward_wrong(prev_from_total=False)
    got = wrong(*args)
    assert relative_error(got[2], right[2]) > 0.1
    assert all(relative_error(got[k], right[k]) < 1e-12 for k in (0, 1, 3, 4, 5))
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")("lstm_step_backward", wrong)
    assert "dc_prev is built from the given d_c alone" in str(failed.value)


def test_greff_s_coupling_f_equal_1_minus_i_is_told_this_exercise_s_block_order():
    """Greff et al. keep the input gate (f = 1 - i); the exercise keeps f: the message says both."""
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")("coupled_lstm_step", lstm_gru._coupled_wrong(input_first=True))
    text = str(failed.value)
    assert "Greff et al. keep the input gate" in text and "f, g, o" in text


@pytest.mark.parametrize("name", ["lstm_step_backward", "lstm_bptt", "gru_step_backward"])
def test_each_derivation_question_says_an_autograd_answer_scores_0(name):
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith(f"def {name}("))
    text = cells[stub - 1].source
    assert cells[stub - 1].cell_type == "markdown"
    assert "lets torch's autograd compute the gradients" in text and "scores 0" in text


def test_the_reset_before_mistake_is_the_published_cho_gru_and_names_its_version():
    """rh08 point 1/11: the reset gate on h_prev before W_hn is the published (EMNLP 2014, arXiv
    v3) form of Cho et al.; their first arXiv version, torch and cuDNN put it after. The Mistake's
    output is autograd through that form, and its message and the lecture say which version."""
    dh, x, h, W_ih, W_hh, b_ih, b_hh = GRU.cases[0].make_inputs()
    H = h.shape[1]
    t = [torch.tensor(v, requires_grad=True) for v in (x, h, W_ih, W_hh, b_ih, b_hh)]
    xt, ht, Wi, Wh, bi, bh = t
    gi = xt @ Wi.T + bi
    r = torch.sigmoid(gi[:, :H] + ht @ Wh[:H].T + bh[:H])
    z = torch.sigmoid(gi[:, H : 2 * H] + ht @ Wh[H : 2 * H].T + bh[H : 2 * H])
    n = torch.tanh(gi[:, 2 * H :] + (r * ht) @ Wh[2 * H :].T + bh[2 * H :])
    (((1 - z) * n + z * ht) * torch.tensor(dh)).sum().backward()
    got = _gru_backward.gru_backward_wrong(reset_before=True)(dh, x, h, W_ih, W_hh, b_ih, b_hh)
    for name, mine, v in zip(GRU_NAMES, got, t, strict=True):
        assert relative_error(mine, v.grad.numpy()) < 1e-12, name
    (mistake,) = [m for m in GRU.mistakes if "BEFORE W_hn" in m.hint]
    assert "EMNLP" in mistake.hint and "first arXiv version" in mistake.hint
    lecture = nbformat.read(ROOT / "notebooks" / "08_lstm_gru.ipynb", as_version=4)
    text = " ".join(c.source for c in lecture.cells if c.cell_type == "markdown")
    assert "original paper" not in text  # the old claim: the original applies it before
    assert "arXiv:1406.1078v3" in text and "first arXiv version (v1)" in text


# ----------------------------------------------------------------------------- referee read rl08


def _coupled_via_negated_rows(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """The referee's answer (rl08, point 6): the lecture's forward step with i rows = -f rows."""
    H = h_prev.shape[1]
    return rnn.lstm_cell_forward(
        x, h_prev, c_prev, *(np.concatenate([-w[:H], w]) for w in (W_ih, W_hh, b_ih, b_hh))
    )


def _coupled_via_layer(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    layer = rnn.LSTM(x.shape[1], H)
    four = (np.concatenate([-w[:H], w]) for w in (W_ih, W_hh, b_ih, b_hh))
    layer.params = dict(zip(layer.params, four, strict=True))
    _, (h, c) = layer.forward(x[None], (h_prev[None], c_prev[None]))
    return h[0], c[0]


def _coupled_via_torch(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    lstm = torch.nn.LSTM(x.shape[1], H).double()
    with torch.no_grad():
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        for k, w in zip(names, (W_ih, W_hh, b_ih, b_hh), strict=True):
            getattr(lstm, f"{k}_l0").copy_(torch.tensor(np.concatenate([-w[:H], w])))
        _, (h, c) = lstm(
            torch.tensor(x[None]), (torch.tensor(h_prev[None]), torch.tensor(c_prev[None]))
        )
    return h[0].numpy(), c[0].numpy()


def grader_scores(question, answers, seed=7):
    """The grader's score of each answer on every case (hidden ones drawn with ``seed``), with the
    library calls counted as the sandbox counts them (the library-rule test's forked child)."""
    import multiprocessing

    from test_grading_library_rule import _observe_with_counting

    from course_utils.grading import scoring

    inputs, fork = scoring.case_inputs(question, seed), multiprocessing.get_context("fork")
    queue = fork.Queue()
    child = fork.Process(target=_observe_with_counting, args=(question, answers, inputs, queue))
    child.start()
    runs, _ = queue.get(timeout=240), child.join(timeout=30)
    return [scoring.judge_question(question, inputs, obs).score for obs in runs]


def _coupled_scores(answers, seed=7):
    return grader_scores(COUPLED, answers, seed)


@pytest.mark.parametrize(
    ("answer", "called"),
    [
        (_coupled_via_negated_rows, "lstm_cell_forward"),
        (_coupled_via_layer, "LSTM"),
        (_coupled_via_torch, "torch.nn.LSTM"),
    ],
)
def test_question_1_through_the_lecture_s_step_or_an_lstm_scores_0(answer, called):
    """Each computes the right (h, c) (so only the library rule can fail it), and scores 0: the
    question asks for the step written out, not the lecture's forward step with negated rows."""
    for case in COUPLED.cases[:3]:
        args = case.make_inputs()
        for mine, want in zip(answer(*args), coupled_lstm_step(*args), strict=True):
            assert relative_error(mine, want) < 1e-12
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")("coupled_lstm_step", answer)
    text = str(failed.value)
    assert "calls the course library's own implementation" in text or "scores 0" in text
    assert called in text
    assert _coupled_scores([answer, coupled_lstm_step]) == [0, COUPLED.points]


def test_question_1_says_which_calls_score_0():
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith("def coupled_lstm_step("))
    text = cells[stub - 1].source
    for name in ("lstm_cell_forward", "course_utils.rnn.LSTM", "torch.nn.LSTM", "scores 0"):
        assert name in text


# ----------------------------------------------------------------------------- rm08 point 8


def _lstm_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    H = h.shape[1]
    i, f, g, o = (a[:, k * H : (k + 1) * H] for k in range(4))
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def _gru_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    ax, ah = x @ W_ih.T + b_ih, h @ W_hh.T + b_hh
    H = h.shape[1]
    r, z = _sigmoid(ax[:, :H] + ah[:, :H]), _sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])
    n = np.tanh(ax[:, 2 * H :] + r * ah[:, 2 * H :])
    return (1 - z) * n + z * h


def _central(loss, args, which, eps):
    """Central differences of ``loss(*args)`` in each of the arrays ``args[k]``, k in ``which``."""
    grads = []
    for k in which:
        base = np.asarray(args[k], float)
        g = np.zeros(base.size)
        for j in range(base.size):
            step = np.zeros(base.size)
            step[j] = eps
            up = [*args[:k], base + step.reshape(base.shape), *args[k + 1 :]]
            down = [*args[:k], base - step.reshape(base.shape), *args[k + 1 :]]
            g[j] = (loss(*up) - loss(*down)) / (2 * eps)
        grads.append(g.reshape(base.shape))
    return grads


def _finite_difference_answer(name, eps):
    """Questions 2-4 answered without a derivation (rm08 point 8): central differences of the
    loss each question defines, through a forward pass written out."""
    if name == "lstm_step_backward":

        def answer(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
            def loss(x, h, c, Wi, Wh, bi):
                h_t, c_t = _lstm_forward(x, h, c, Wi, Wh, bi, b_hh)
                return float((h_t * dh).sum() + (c_t * dc).sum())

            return tuple(_central(loss, [x, h_prev, c_prev, W_ih, W_hh, b_ih], range(6), eps))

    elif name == "gru_step_backward":

        def answer(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
            def loss(x, h, Wi, Wh, bi, bh):
                return float((_gru_forward(x, h, Wi, Wh, bi, bh) * dh).sum())

            return tuple(_central(loss, [x, h_prev, W_ih, W_hh, b_ih, b_hh], range(6), eps))

    else:

        def answer(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs):
            def loss(xs, h, c, Wi, Wh, bi):
                total = 0.0
                for t, x_t in enumerate(xs):
                    h, c = _lstm_forward(x_t, h, c, Wi, Wh, bi, b_hh)
                    total += float((h * d_hs[t]).sum())
                return total

            return tuple(_central(loss, [xs, h0, c0, W_ih, W_hh, b_ih], range(6), eps))

    return answer


@pytest.mark.parametrize("eps", [1e-5, 1e-6])
@pytest.mark.parametrize("name", ["lstm_step_backward", "lstm_bptt", "gru_step_backward"])
def test_central_differences_score_0_on_each_derivation_question(name, eps):
    """rm08 point 8: at rtol 1e-6 these scored 13 of 16 points; at 1e-9 (atol 1e-12) they miss,
    while the solution's derivations and the references agree to about 1e-15."""
    from test_checks import _judged

    answer = _finite_difference_answer(name, eps)
    question = lstm_gru.ASSIGNMENT.question(name)
    # the answer is right to finite-difference accuracy: it is the tolerance that refuses it
    args = question.cases[0].make_inputs()
    for mine, want in zip(answer(*args), question.reference(*args), strict=True):
        assert relative_error(mine, want) < 1e-6
    assert _judged("08_lstm_gru", name, answer).score == 0
    assert "course_utils.gradcheck.numerical_gradient" in question.library_names
    assert (question.rtol, question.atol) == (1e-9, 1e-12)


@pytest.mark.parametrize("name", ["lstm_step_backward", "lstm_bptt", "gru_step_backward"])
def test_each_derivation_question_says_numerical_differentiation_is_not_a_derivation(name):
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith(f"def {name}("))
    text = " ".join(cells[stub - 1].source.split())
    assert "Numerical differentiation is not a derivation either" in text
    assert "`course_utils.gradcheck.numerical_gradient`) scores 0" in text
    assert "relative $10^{-9}$, absolute $10^{-12}$" in text


# ----------------------------------------------------------------------------- rt08 point 8


def _lstm_step_from_the_library_s_forward(d_h, d_c, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """The backward written out, with c_t taken from the library's forward step."""
    H = h_prev.shape[1]
    _, c = rnn.lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H : 2 * H]), _sigmoid(a[:, 3 * H :])
    g, tc = np.tanh(a[:, 2 * H : 3 * H]), np.tanh(c)
    d_ct = d_c + d_h * o * (1 - tc**2)
    d_a = np.hstack(
        [
            d_ct * g * i * (1 - i),
            d_ct * c_prev * f * (1 - f),
            d_ct * i * (1 - g**2),
            d_h * tc * o * (1 - o),
        ]
    )
    return d_a @ W_ih, d_a @ W_hh, d_ct * f, d_a.T @ x, d_a.T @ h_prev, d_a.sum(0)


def _gru_step_after_the_library_s_forward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    h = rnn.gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    assert h.shape == h_prev.shape
    return _gru_one_product(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh)


@pytest.mark.parametrize(
    ("name", "answer", "forward"),
    [
        ("lstm_step_backward", _lstm_step_from_the_library_s_forward, "lstm_cell_forward"),
        ("gru_step_backward", _gru_step_after_the_library_s_forward, "gru_cell_forward"),
    ],
)
def test_questions_2_and_4_allow_the_library_s_forward_and_say_so(name, answer, forward, capsys):
    """The questions grade the backward: calling the library's forward step passes, and the text
    says it may be called (question 3, which asks for the forward too, bans it)."""
    checker("08_lstm_gru")(name, answer)
    assert f"✓ {name}" in capsys.readouterr().out
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith(f"def {name}("))
    text = " ".join(cells[stub - 1].source.split())
    assert f"course_utils.rnn.{forward}`" in text and "is allowed" in text


# ----------------------------------------------------------------------------- ru08 point E1


def _lstm_step_from_the_gate_level_forward(d_h, d_c, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """The backward written out on the gates that lstm_gates_forward returns."""
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    _, (i, f, g, o, _, tanh_c) = rnn.lstm_gates_forward(gi, gh, c_prev)
    d_ct = d_c + d_h * o * (1 - tanh_c**2)
    d_a = np.hstack(
        [d_ct * g * i * (1 - i), d_ct * c_prev * f * (1 - f), d_ct * i * (1 - g**2),
         d_h * tanh_c * o * (1 - o)]
    )  # fmt: skip
    return d_a @ W_ih, d_a @ W_hh, d_ct * f, d_a.T @ x, d_a.T @ h_prev, d_a.sum(0)


def _gru_step_from_the_gate_level_forward(d_h, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """The backward written out on the gates that gru_gates_forward returns."""
    H = h_prev.shape[1]
    gi, gh = x @ W_ih.T + b_ih, h_prev @ W_hh.T + b_hh
    _, (rz, n, gh_n, _) = rnn.gru_gates_forward(gi, gh, h_prev)
    r, z = rz[:, :H], rz[:, H:]
    d_n = d_h * (1 - z) * (1 - n**2)
    d_rz = np.hstack([d_n * gh_n * r * (1 - r), d_h * (h_prev - n) * z * (1 - z)])
    d_gi, d_gh = np.hstack([d_rz, d_n]), np.hstack([d_rz, d_n * r])
    dh_prev = d_h * z + d_gh @ W_hh
    return d_gi @ W_ih, dh_prev, d_gi.T @ x, d_gh.T @ h_prev, d_gi.sum(0), d_gh.sum(0)


@pytest.mark.parametrize(
    ("name", "answer", "forward", "returns"),
    [
        (
            "lstm_step_backward",
            _lstm_step_from_the_gate_level_forward,
            "lstm_gates_forward(gi, gh, c_prev)",
            "`((h, c), (i, f, g, o, c_prev, tanh_c))`",
        ),
        (
            "gru_step_backward",
            _gru_step_from_the_gate_level_forward,
            "gru_gates_forward(gi, gh, h_prev)",
            "`(h, (rz, n, gh_n, h_prev))`",
        ),
    ],
)
def test_questions_2_and_4_name_the_gate_level_forward_that_returns_the_gates(
    name, answer, forward, returns, capsys
):
    """ru08 E1: the cell functions return only the new state; the text names the gate-level
    forwards (which return the gates the backward needs) with their return values, and an answer
    built on them passes."""
    checker("08_lstm_gru")(name, answer)
    assert f"✓ {name}" in capsys.readouterr().out
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith(f"def {name}("))
    text = " ".join(cells[stub - 1].source.split())
    assert f"`course_utils.rnn.{forward}`" in text and returns in text
    assert "returns only the new state" in text


# ----------------------------------------------------------------------------- rv08 point E1


def test_question_3_says_reusing_question_2_is_accepted_only_if_it_writes_its_own_forward():
    """Question 2 allows the library's forward, question 3 bans it, also through the learner's
    question 2: the sentence inviting the reuse states that condition and its consequence."""
    cells = nbformat.read(ROOT / "exercises" / "08_lstm_gru.ipynb", as_version=4).cells
    stub = next(k for k, c in enumerate(cells) if c.source.startswith("def lstm_bptt("))
    text = " ".join(cells[stub - 1].source.split())
    assert "the check accepts it if your question 2 writes its forward equations itself" in text
    assert "makes question 3 score 0" in text
    assert "`lstm_gates_forward` or `lstm_cell_forward`" in text
    assert "the check accepts it, but" not in text
