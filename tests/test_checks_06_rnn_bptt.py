"""Exercise 06 after its redesign (issue 21): each reference agrees with torch in float64 (autograd
for the two backward passes, ``detach`` at the chunk starts for truncated BPTT, torch's softmax at
extreme temperatures for the predicted limits) and with central differences; correct answers
written in another form pass; wrong answers written as a learner writes them fail with the hint
that names them; bad input is one sentence.

The generic tests in ``test_checks.py`` already prove, for every declared Mistake, that the
reference passes, the mistake fails with its own hint and the stub fails."""

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from test_checks import _judged

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.gradcheck import numerical_gradient, relative_error
from course_utils.rnn import RNN
from course_utils.specs._residual_rnn import residual_inputs
from course_utils.specs._temperature_limits import _hot_at_large_tau

SET = "06_rnn_bptt"
ROOT = Path(__file__).resolve().parent.parent


def _reference(name):
    return specs.load(SET).question(name).reference


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SET)(name, answer)
    assert text in str(failed.value), str(failed.value)


def _torch_grads(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, *, residual=False, k=None):
    """(dxs, dh0, dW_ih, dW_hh, db_ih, db_hh) from autograd in float64; the state is detached
    before every step t > 0 with t % k == 0 when k is given (lecture §6's h = h_n.detach())."""
    leaves = [torch.tensor(v, requires_grad=True) for v in (xs, h0, W_ih, W_hh, b_ih, b_hh)]
    X, h, Wi, Wh, bi, bh = leaves
    states = []
    for t in range(len(xs)):
        if k is not None and t > 0 and t % k == 0:
            h = h.detach()
        step = torch.tanh(X[t] @ Wi.T + bi + h @ Wh.T + bh)
        h = h + step if residual else step
        states.append(h)
    if states:
        (torch.stack(states) * torch.tensor(d_hs)).sum().backward()
    return tuple(
        np.zeros_like(v) if leaf.grad is None else leaf.grad.numpy()
        for v, leaf in zip((xs, h0, W_ih, W_hh, b_ih, b_hh), leaves, strict=True)
    )


SHAPES = [(1, 1, 1, 1), (4, 2, 3, 4), (9, 3, 2, 5)]


# ----------------------------------------------------------------------------- 1-2 residual RNN


@pytest.mark.parametrize(("T", "B", "D", "H"), SHAPES)
def test_residual_forward_reference_is_torchs(T, B, D, H):
    xs, h0, W_ih, W_hh, b_ih, b_hh = residual_inputs(T, T, B, D, H)()
    h, expected = torch.tensor(h0), []
    for x_t in torch.tensor(xs):
        cell = torch.nn.functional.linear(x_t, torch.tensor(W_ih), torch.tensor(b_ih))
        h = h + torch.tanh(
            cell + torch.nn.functional.linear(h, torch.tensor(W_hh), torch.tensor(b_hh))
        )
        expected.append(h)
    got = _reference("residual_rnn_forward")(xs, h0, W_ih, W_hh, b_ih, b_hh)
    np.testing.assert_allclose(got, torch.stack(expected).numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("T", "B", "D", "H"), [*SHAPES, (0, 2, 3, 4)])
def test_residual_bptt_reference_is_torchs_autograd(T, B, D, H):
    args = residual_inputs(10 + T, T, B, D, H, grads=True)()
    got = _reference("residual_bptt")(*args)
    expected = _torch_grads(*args, residual=True)
    for mine, theirs in zip(got, expected[:5], strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(got[4], expected[5], rtol=1e-11, atol=1e-13)  # db_hh = db_ih


def test_residual_bptt_reference_agrees_with_central_differences():
    xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs = residual_inputs(21, 5, 2, 3, 4, grads=True)()
    forward = _reference("residual_rnn_forward")

    def loss(xs_, h0_, W_hh_):
        return float((forward(xs_, h0_, W_ih, W_hh_, b_ih, b_hh) * d_hs).sum())

    dxs, dh0, _, dW_hh, _ = _reference("residual_bptt")(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs)
    assert relative_error(dxs, numerical_gradient(lambda v: loss(v, h0, W_hh), xs)) < 1e-7
    assert relative_error(dh0, numerical_gradient(lambda v: loss(xs, v, W_hh), h0)) < 1e-7
    assert relative_error(dW_hh, numerical_gradient(lambda w: loss(xs, h0, w), W_hh)) < 1e-7


def test_residual_bptt_through_stored_pre_activations_passes():
    # a correct alternative: tanh' from the stored pre-activation, the gradient on h_{t-1} built
    # as two separate terms
    def through_pre_activations(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs):
        pre, states, h = [], [h0], h0
        for x_t in xs:
            pre.append(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            h = h + np.tanh(pre[-1])
            states.append(h)
        grads = [np.zeros_like(xs), None, np.zeros_like(W_ih), np.zeros_like(W_hh)]
        db, carried = np.zeros_like(b_ih), np.zeros_like(h0)
        for t in range(len(xs) - 1, -1, -1):
            total = d_hs[t] + carried
            da = total / np.cosh(pre[t]) ** 2
            grads[0][t] = da @ W_ih
            grads[2] = grads[2] + da.T @ xs[t]
            grads[3] = grads[3] + da.T @ states[t]
            db = db + da.sum(axis=0)
            carried = total + da @ W_hh
        return grads[0], carried, grads[2], grads[3], db

    checker(SET)("residual_bptt", through_pre_activations)


def test_residual_bptt_with_the_lectures_tanh_derivative_names_it():
    # the lecture's plain-RNN line, 1 - h_t^2, copied into the residual backward pass
    def lecture_derivative(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs):
        hs, h = [], h0
        for x_t in xs:
            h = h + np.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            hs.append(h)
        dxs, dW_ih, dW_hh = np.zeros_like(xs), np.zeros_like(W_ih), np.zeros_like(W_hh)
        db, dh = np.zeros_like(b_ih), np.zeros_like(h0)
        for t in reversed(range(len(xs))):
            total = d_hs[t] + dh
            da = total * (1 - hs[t] ** 2)
            dxs[t] = da @ W_ih
            dW_ih += da.T @ xs[t]
            dW_hh += da.T @ (hs[t - 1] if t > 0 else h0)
            db += da.sum(axis=0)
            dh = total + da @ W_hh
        return dxs, dh, dW_ih, dW_hh, db

    _fails_with("residual_bptt", lecture_derivative, "tanh' is taken at h_t")


# ----------------------------------------------------------------------------- 3 truncated BPTT


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7, 8, 20])
def test_truncated_bptt_reference_is_torch_with_detach(k):
    args = residual_inputs(30 + k, 7, 2, 3, 4, grads=True)()
    got = _reference("truncated_bptt")(*args, k)
    expected = _torch_grads(*args, k=k)
    for mine, theirs in zip(got, expected[:5], strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-11, atol=1e-13)


def test_truncated_bptt_with_one_chunk_is_the_course_layers_bptt():
    layer = RNN(3, 4, rng=3)
    rng = np.random.default_rng(3)
    xs, h0, d_hs = (
        rng.normal(size=(6, 2, 3)),
        rng.normal(size=(1, 2, 4)),
        rng.normal(size=(6, 2, 4)),
    )
    layer.forward(xs, h0)
    d_x, d_h0 = layer.backward(d_hs)
    weights = (layer.weight_ih, layer.weight_hh, layer.bias_ih, layer.bias_hh)
    dxs, dh0, dW_ih, dW_hh, db = _reference("truncated_bptt")(xs, h0[0], *weights, d_hs, 6)
    assert relative_error(dxs, d_x) < 1e-12 and relative_error(dh0, d_h0[0]) < 1e-12
    assert relative_error(dW_hh, layer.grads["weight_hh"]) < 1e-12
    assert relative_error(db, layer.grads["bias_hh"]) < 1e-12


def test_truncated_bptt_chunk_by_chunk_passes():
    # a correct alternative: an outer loop over the chunks, each a full BPTT from its first state
    def chunk_by_chunk(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k):
        if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
            raise ValueError("k must be an integer of at least 1.")
        states, h = [h0], h0
        for x_t in xs:
            h = np.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            states.append(h)
        dxs, dW_ih, dW_hh = np.zeros_like(xs), np.zeros_like(W_ih), np.zeros_like(W_hh)
        db, dh0 = np.zeros_like(b_ih), np.zeros_like(h0)
        for start in range(0, len(xs), k):
            dh = np.zeros_like(h0)
            for t in range(min(start + k, len(xs)) - 1, start - 1, -1):
                da = (d_hs[t] + dh) * (1 - states[t + 1] ** 2)
                dxs[t] = da @ W_ih
                dW_ih, dW_hh = dW_ih + da.T @ xs[t], dW_hh + da.T @ states[t]
                db, dh = db + da.sum(axis=0), da @ W_hh
            if start == 0:
                dh0 = dh
        return dxs, dh0, dW_ih, dW_hh, db

    checker(SET)("truncated_bptt", chunk_by_chunk)


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3"])
def test_truncated_bptt_bad_k_is_one_sentence(k):
    args = residual_inputs(1, 3, 1, 2, 2, grads=True)()
    with pytest.raises(ValueError, match="k must be an integer >= 1") as info:
        _reference("truncated_bptt")(*args, k)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


def test_truncated_bptt_that_zeroes_dh0_names_it():
    reference = _reference("truncated_bptt")

    def cuts_h0_too(*args):
        dxs, _, dW_ih, dW_hh, db = reference(*args)
        return dxs, np.zeros_like(args[1]), dW_ih, dW_hh, db

    _fails_with("truncated_bptt", cuts_h0_too, "dh0 is zero")


# ----------------------------------------------------------------------------- 4 temperature


@pytest.mark.parametrize(
    "logits", [[2.0, 1.0, 0.0, -1.0], [3.0, 1.0, 3.0, 0.5, 3.0], [0.7], [4.0, 4.0], [-2.0, 5.0]]
)
def test_temperature_limits_are_what_torch_measures(logits):
    y = torch.tensor(logits, dtype=torch.float64)

    def entropy(tau):
        p = torch.softmax(y / tau, dim=-1)
        return float(-(torch.special.xlogy(p, p)).sum())

    cold, hot = _reference("temperature_limits")(np.array(logits))
    assert abs(entropy(1e-4) - cold) < 1e-9
    assert abs(entropy(1e6) - hot) < 1e-9


def test_temperature_limits_as_numpy_floats_pass():
    # a correct alternative: numpy scalars instead of Python floats, ties found with np.isclose
    def numpy_scalars(logits):
        if len(logits) == 0 or not np.all(np.isfinite(logits)):
            raise ValueError("logits must be finite and at least one.")
        return np.log(np.isclose(logits, logits.max(), rtol=0, atol=0).sum()), np.log(len(logits))

    checker(SET)("temperature_limits", numpy_scalars)


@pytest.mark.parametrize("logits", [[], [1.0, np.nan], [np.inf, 1.0], [[1.0, 2.0]]])
def test_temperature_limits_bad_logits_are_one_sentence(logits):
    with pytest.raises(ValueError) as info:
        _reference("temperature_limits")(np.array(logits))
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


# ----------------------------------------------------------------------------- after referee rf06


def test_truncated_bptt_empty_sequence_is_zero_gradients():
    args = residual_inputs(17, 0, 2, 3, 4, grads=True)()
    got = _reference("truncated_bptt")(*args, 3)
    assert got[0].shape == (0, 2, 3)
    for mine, theirs in zip(got, _torch_grads(*args, k=3)[:5], strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_truncated_bptt_hint_does_not_describe_the_dh0_mistake():
    # the hint used to say "reset ... at step 0, k, 2k": done literally, that zeroes dh0; since
    # ri06 E1 it names no step at all, and asks the learner to settle h0
    hint = specs.load(SET).question("truncated_bptt").hint
    assert "step 0, k" not in hint and "whether h0 is a detached state" in hint


def _hidden_test(grade_id):
    import nbformat

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "solutions" / f"{SET}.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]


def _run_hidden_residual_bptt(forward, backward):
    namespace = {
        "np": np,
        "rng": np.random.default_rng(0),
        "relative_error": relative_error,
        "numerical_gradient": numerical_gradient,
        "residual_rnn_forward": forward,
        "residual_bptt": backward,
    }
    exec(_hidden_test("check_residual_bptt"), namespace)


def test_residual_bptt_hidden_test_does_not_use_question_1():
    # a right question 2 keeps its points when question 1 is wrong (or missing)
    question = specs.load(SET).question("residual_rnn_forward")
    for mistake in question.mistakes:
        _run_hidden_residual_bptt(mistake.answer, _reference("residual_bptt"))

    def unanswered(*args):
        raise NotImplementedError

    _run_hidden_residual_bptt(unanswered, _reference("residual_bptt"))


def test_residual_bptt_hidden_test_fails_a_wrong_question_2():
    # a wrong derivation; the float32 family (ri06 E3) is right to round-off, which central
    # differences cannot see: the check's visible cases fail it (test_checks.py)
    for mistake in specs.load(SET).question("residual_bptt").mistakes:
        if "float32" in mistake.hint:
            continue
        with pytest.raises(AssertionError):
            _run_hidden_residual_bptt(_reference("residual_rnn_forward"), mistake.answer)


# ----------------------------------------------------------------------------- after referee rg06


def _residual_forward_through(step):
    """Question 1 written with ``step(x_t, h)`` for the tanh of the pre-activation."""

    def answer(xs, h0, W_ih, W_hh, b_ih, b_hh):
        hs, h = np.empty((len(xs), *h0.shape)), h0
        for t in range(len(xs)):
            h = h + step(xs[t], h, W_ih, W_hh, b_ih, b_hh)
            hs[t] = h
        return hs

    return answer


def _through_gates(x_t, h, W_ih, W_hh, b_ih, b_hh):
    from course_utils.rnn.cells import rnn_gates_forward

    return rnn_gates_forward(x_t @ W_ih.T + b_ih, h @ W_hh.T + b_hh, "tanh")


def _through_torch_cell(x_t, h, W_ih, W_hh, b_ih, b_hh):
    cell = torch.nn.RNNCell(W_ih.shape[1], W_ih.shape[0]).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (W_ih, W_hh, b_ih, b_hh), strict=True):  # fmt: skip
            getattr(cell, name).copy_(torch.tensor(value))
        tanh_step = cell(torch.tensor(x_t), torch.tensor(h)).numpy()
    return tanh_step  # the residual step adds h outside


@pytest.mark.parametrize("step", [_through_gates, _through_torch_cell])
def test_residual_forward_through_the_cells_or_torchs_cell_scores_zero(step):
    # exercise 06 opens with "none may call course_utils.rnn or torch's recurrent modules"
    _fails_with("residual_rnn_forward", _residual_forward_through(step), "calls the course library")


def test_residual_bptt_through_the_gates_scores_zero():
    reference = _reference("residual_bptt")

    def through_gates(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs):
        from course_utils.rnn.cells import rnn_gates_backward  # imported as the learner would

        rnn_gates_backward(np.ones_like(h0), np.zeros_like(h0), "tanh")  # one call is enough
        return reference(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs)

    _fails_with("residual_bptt", through_gates, "calls the course library")


def test_truncated_bptt_with_the_course_layers_forward_scores_zero():
    reference = _reference("truncated_bptt")

    def through_layer(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k):
        layer = RNN(xs.shape[2], h0.shape[1])
        if len(xs):
            layer.forward(xs, h0[None])  # the states, by the course layer
        return reference(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k)

    _fails_with("truncated_bptt", through_layer, "calls the course library")


def test_truncated_bptt_that_accepts_a_float_k_fails():
    reference = _reference("truncated_bptt")

    def only_checks_the_sign(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k):
        if k < 1:
            raise ValueError("k must be at least 1.")
        return reference(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, int(k))

    _fails_with("truncated_bptt", only_checks_the_sign, "k = 2.5")


@pytest.mark.parametrize(
    "tie", [lambda y: np.isclose(y, y.max()), lambda y: np.round(y, 6) == np.round(y, 6).max()]
)
def test_temperature_limits_near_tie_counted_as_a_tie_names_it(tie):
    def near_ties(logits):
        y = np.asarray(logits, dtype=float)
        if y.size == 0 or not np.isfinite(y).all():
            raise ValueError("logits must be finite and at least one.")
        return float(np.log(np.count_nonzero(tie(y)))), float(np.log(y.size))

    _fails_with("temperature_limits", near_ties, "A near-tie is not a tie")


def test_temperature_limits_near_tie_case_is_what_torch_measures():
    y = torch.tensor([2.0, 2.0 + 1e-9, 0.0], dtype=torch.float64)
    p = torch.softmax(y / 1e-12, dim=-1)
    cold, _ = _reference("temperature_limits")(y.numpy())
    assert cold == 0.0 and float(-(torch.special.xlogy(p, p)).sum()) < 1e-9


# ----------------------------------------------------------------------------- after referee rh06


def _truncated_bptt_checking_k_with(valid_k):
    """Question 3 whose check of k is ``valid_k(k)``; the rest is the reference."""
    reference = _reference("truncated_bptt")

    def answer(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k):
        if not valid_k(k):
            raise ValueError("k must be an integer of at least 1.")
        return reference(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, int(k))

    return answer


@pytest.mark.parametrize(
    ("valid_k", "failing_case"),
    [
        (lambda k: type(k) is int and k >= 1, "np.int64(3)"),  # a numpy integer refused
        (lambda k: isinstance(k, int | np.integer) and k >= 1, "k = True"),  # no bool test
        (lambda k: float(k).is_integer() and k >= 1, "k = True"),  # 3.0 and True accepted
    ],
    ids=["python-int-only", "bool-accepted", "float-is-integer"],
)
def test_truncated_bptt_k_rules_of_the_text_are_all_tested(valid_k, failing_case):
    # rh06 E1: the text allows numpy integers and refuses bools and floats; each half-right
    # check of k used to pass every case
    _fails_with("truncated_bptt", _truncated_bptt_checking_k_with(valid_k), failing_case)


def test_truncated_bptt_whole_float_k_fails_a_visible_case():
    # bools refused, numpy integers taken, but 3.0 accepted: rj06 E1 made the case visible, so
    # the learner sees it before the hidden tests do
    question = specs.load(SET).question("truncated_bptt")
    (case,) = [c for c in question.cases if "k = 3.0" in c.description]
    assert not case.hidden and case.raises == "ValueError"
    answer = _truncated_bptt_checking_k_with(
        lambda k: not isinstance(k, bool) and float(k).is_integer() and k >= 1
    )
    _fails_with("truncated_bptt", answer, "k = 3.0")


def _learner_truncated_bptt(starts_chunk, zero_start=False):
    """Question 3 as a learner writes it: the cut where ``starts_chunk(t, k)`` (t > 0), and with
    ``zero_start`` the detached state taken as zero in that step's term of dW_hh."""

    def answer(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k):
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
            raise ValueError("k must be an integer of at least 1.")
        hs, h = [], h0
        for x_t in xs:
            h = np.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            hs.append(h)
        dxs, dW_ih, dW_hh = np.zeros_like(xs), np.zeros_like(W_ih), np.zeros_like(W_hh)
        db, dh = np.zeros_like(b_ih), np.zeros_like(h0)
        for t in reversed(range(len(xs))):
            cut = starts_chunk(t, k) and t > 0
            h_prev = np.zeros_like(h0) if cut and zero_start else (hs[t - 1] if t > 0 else h0)
            da = (d_hs[t] + dh) * (1 - hs[t] ** 2)
            dxs[t] = da @ W_ih
            dW_ih, dW_hh, db = dW_ih + da.T @ xs[t], dW_hh + da.T @ h_prev, db + da.sum(axis=0)
            dh = np.zeros_like(h0) if cut else da @ W_hh
        return dxs, dh, dW_ih, dW_hh, db

    return answer


def test_truncated_bptt_with_the_detached_state_taken_as_zero_names_it():
    # rh06 E2: "treated as a constant" read as "zero" in that step's term of dW_hh
    zero_start = _learner_truncated_bptt(lambda t, k: t % k == 0, zero_start=True)
    _fails_with("truncated_bptt", zero_start, "the detached state is a constant, not zero")


# ----------------------------------------------------------------------------- after referee ri06


def _solution_cell(grade_id_or_heading):
    import nbformat

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "solutions" / f"{SET}.ipynb", as_version=4)
    return [c.source for c in nb.cells if grade_id_or_heading in c.source]


@pytest.mark.parametrize("question", ["truncated_bptt"])
def test_question_3_names_no_position_of_the_cut(question):
    # ri06 E1: hints name the idea, never the answer; the text defines the chunks without listing
    # the steps at which the backward pass is cut
    words = [specs.load(SET).question(question).hint]
    words += [m.hint for m in specs.load(SET).question(question).mistakes]
    words += _solution_cell("## 3. Truncated BPTT")
    for text in words:
        for answer in ("2K", "2k", "K, 2", "k, 2", "t % k", "steps $K", "steps K", "step 0 and"):
            assert answer not in text, (answer, text)


def _q1_in_torch_float32(xs, h0, W_ih, W_hh, b_ih, b_hh):
    """Question 1 in torch's default dtype, as a learner who reaches for torch writes it."""
    x, h = torch.tensor(xs, dtype=torch.float32), torch.tensor(h0, dtype=torch.float32)
    Wi, Wh = torch.tensor(W_ih, dtype=torch.float32), torch.tensor(W_hh, dtype=torch.float32)
    b = torch.tensor(b_ih + b_hh, dtype=torch.float32)
    hs = []
    for x_t in x:
        h = h + torch.tanh(x_t @ Wi.T + h @ Wh.T + b)
        hs.append(h)
    return torch.stack(hs).numpy() if hs else np.empty((0, *h0.shape))


def _in_np_float32(name):
    reference = _reference(name)
    return lambda *a: reference(
        *(v.astype(np.float32) if isinstance(v, np.ndarray) else v for v in a)
    )


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("residual_rnn_forward", _q1_in_torch_float32),
        ("residual_rnn_forward", _in_np_float32("residual_rnn_forward")),
        ("residual_bptt", _in_np_float32("residual_bptt")),
        ("truncated_bptt", _in_np_float32("truncated_bptt")),
    ],
)
def test_an_answer_computed_in_float32_is_told_so(name, answer):
    # ri06 E3: float32 round-off failed a few entries with the generic hint
    _fails_with(name, answer, "the precision of float32")


def test_a_wrong_float64_answer_is_not_told_it_is_float32():
    def bias_twice(xs, h0, W_ih, W_hh, b_ih, b_hh):  # a real bug, small but not round-off
        return _reference("residual_rnn_forward")(xs, h0, W_ih, W_hh, b_ih + 1e-3 * b_hh, b_hh)

    with pytest.raises(CheckFailed) as failed:
        checker(SET)("residual_rnn_forward", bias_twice)
    assert "float32" not in str(failed.value)


def test_temperature_limits_that_accepts_minus_inf_fails_the_hidden_case():
    # ri06 E2: the text refuses every logit that is not finite; -inf (torch's mask) was untested
    from course_utils.judging import judge, observe

    def minus_inf_as_a_mask(logits):
        y = np.asarray(logits, dtype=float)
        if y.ndim != 1 or y.size == 0 or np.isnan(y).any() or np.isposinf(y).any():
            raise ValueError("logits must be a non-empty 1-D array without NaN or +inf.")
        return float(np.log(np.count_nonzero(y == y.max()))), float(np.log(np.isfinite(y).sum()))

    question = specs.load(SET).question("temperature_limits")
    (case,) = [c for c in question.cases if "-inf" in c.description]
    assert case.hidden and case.raises == "ValueError"
    checker(SET)("temperature_limits", minus_inf_as_a_mask)  # every visible case passes
    assert not judge(question, case, observe(question, case, minus_inf_as_a_mask))
    assert judge(question, case, observe(question, case, _reference("temperature_limits")))


# ----------------------------------------------------------------------------- after referee rj06


def _temperature_answer(tie, dtype=float):
    def answer(logits):
        y = np.asarray(logits, dtype=dtype)
        if y.ndim != 1 or y.size == 0 or not np.isfinite(y).all():
            raise ValueError("logits must be a non-empty 1-D array of finite numbers.")
        return float(np.log(np.count_nonzero(tie(y)))), float(np.log(y.size))

    return answer


def test_temperature_limits_float32_answer_is_told_about_float32():
    # rj06 E2: exact ties counted on float32 logits: the hint names float32, not only the tie test
    answer = _temperature_answer(lambda y: y == y.max(), np.float32)
    _fails_with("temperature_limits", answer, "hint: A near-tie is not a tie")
    _fails_with("temperature_limits", answer, "or float32 (where 2 + 1e-9 equals 2)")


def test_temperature_limits_relative_tolerance_is_refused_and_named():
    # rj06 E3: a relative tolerance of 1e-12 passed every visible case
    answer = _temperature_answer(lambda y: np.isclose(y, y.max(), rtol=1e-12, atol=0))
    _fails_with("temperature_limits", answer, "relative tolerance of 1e-12")


@pytest.mark.parametrize("tau", [1e3, 3e3])
def test_temperature_limits_hot_limit_measured_at_a_large_tau_fails_visibly(tau):
    # rl06 E3: the entropy at tau = 1e3 passed every visible case and most grading runs
    def measured(logits):
        return _hot_at_large_tau(logits, tau)

    _fails_with("temperature_limits", measured, "spread-out logits [10, -10, 0, 5]")
    assert _judged("06_rnn_bptt", "temperature_limits", measured).score == 0


def test_a_torch_tensor_answer_is_refused_as_the_text_says():
    # rl06 E2: torch functions are allowed, but the answer must be returned as numpy arrays
    reference = specs.load(SET).question("residual_rnn_forward").reference

    def in_torch(*args):
        return torch.from_numpy(reference(*args))

    _fails_with("residual_rnn_forward", in_torch, "object of type Tensor")
    intro = nbformat.read(ROOT / "exercises" / "06_rnn_bptt.ipynb", as_version=4).cells[0].source
    assert "return numpy arrays: a torch tensor is refused" in " ".join(intro.split())


def test_residual_bptt_identity_path_without_the_direct_gradient_is_named():
    # rj06 E4: the identity path carries only what came from later steps, not d_hs[t]
    from course_utils.specs._residual_rnn import _residual_forward

    def later_only(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs):
        states = np.concatenate([h0[None], _residual_forward(xs, h0, W_ih, W_hh, b_ih, b_hh)])
        das, dh = np.zeros((len(xs), *h0.shape)), np.zeros_like(h0)
        for t in reversed(range(len(xs))):
            das[t] = (d_hs[t] + dh) * (1 - (states[t + 1] - states[t]) ** 2)
            dh = dh + das[t] @ W_hh  # the identity path without d_hs[t]
        dW_ih = np.einsum("tbh,tbd->hd", das, xs)
        dW_hh = np.einsum("tbh,tbk->hk", das, states[:-1])
        return das @ W_ih, dh, dW_ih, dW_hh, das.sum(axis=(0, 1))

    _fails_with("residual_bptt", later_only, "carries only what came from later steps")


def _central_difference_bptt(residual):
    """Questions 2 and 3 answered without a derivation (rm06 E1): central differences of the
    loss sum_t <h_t, d_hs[t - 1]>, with its own forward pass (chunks detached for question 3)."""

    def answer(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k=None):
        def loss(xs_, h0_, W_ih_, W_hh_, b_):
            total, h = 0.0, h0_
            for t, x_t in enumerate(xs_):
                if k is not None and t > 0 and t % k == 0:
                    h = h_value[t - 1]  # the detached state: a constant here
                a = x_t @ W_ih_.T + b_ + h @ W_hh_.T + b_hh
                h = h + np.tanh(a) if residual else np.tanh(a)
                total += float((h * d_hs[t]).sum())
            return total

        h_value, h = [], h0
        for x_t in xs:
            a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
            h = h + np.tanh(a) if residual else np.tanh(a)
            h_value.append(h)
        args = [xs, h0, W_ih, W_hh, b_ih]
        grads = []
        for i in range(5):
            base = args[i]
            flat, g = base.astype(float).ravel(), np.zeros(base.size)
            for j in range(base.size):
                step = np.zeros(base.size)
                step[j] = 1e-5
                up = [*args[:i], (flat + step).reshape(base.shape), *args[i + 1 :]]
                down = [*args[:i], (flat - step).reshape(base.shape), *args[i + 1 :]]
                g[j] = (loss(*up) - loss(*down)) / 2e-5
            grads.append(g.reshape(base.shape))
        return tuple(grads)

    return answer


@pytest.mark.parametrize(("name", "residual"), [("residual_bptt", True), ("truncated_bptt", False)])
def test_central_differences_do_not_pass_the_derivation_questions(name, residual):
    answer = _central_difference_bptt(residual)
    if name == "residual_bptt":

        def fd(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs):
            return answer(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs)
    else:

        def fd(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, k):
            if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
                raise ValueError("k must be an integer >= 1.")
            return answer(xs, h0, W_ih, W_hh, b_ih, b_hh, d_hs, int(k))

    assert _judged(SET, name, fd).score == 0
    question = specs.load(SET).question(name)
    assert "course_utils.gradcheck.numerical_gradient" in question.library_names
    assert question.rtol == 1e-9


def test_exercise_says_that_an_exact_numerical_derivative_meets_the_tolerance():
    # rn0607 06-1: a complex-step derivative is exact to round-off and passes questions 2 and 3 at
    # rtol 1e-9; the exercise does not block it, but says plainly that it meets the tolerance and
    # is not the derivation the questions ask for
    path = Path(__file__).resolve().parent.parent / "exercises" / f"{SET}.ipynb"
    intro = nbformat.read(path, as_version=4).cells[0].source
    for words in ("$10^{-9}$", "exact to round-off", "complex-step", "not a derivation"):
        assert words in intro, words


def test_truncated_bptt_with_steps_counted_from_1_gets_its_hint():
    # rn0607 06-4: chunk boundaries one step early (the first chunk k - 1 steps long), written
    # as a learner would, get the named hint rather than only "36 of 42 values differ"
    counted_from_1 = _learner_truncated_bptt(lambda t, k: (t + 1) % k == 0)
    _fails_with("truncated_bptt", counted_from_1, "one step early")
    _fails_with(
        "truncated_bptt", _learner_truncated_bptt(lambda t, k: False), "Nothing is truncated"
    )
    checker(SET)("truncated_bptt", _learner_truncated_bptt(lambda t, k: t % k == 0))  # right
