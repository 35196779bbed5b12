"""``check`` fails, as the grader does, when an answer calls the course library's own
implementation of the question (the grader scores such an answer 0), and says nothing of it for an
answer written from scratch (exercise 08's referee: a BPTT loop over the library's cells got a
plain tick)."""

import numpy as np
import pytest

from course_utils import rnn
from course_utils.checks import CheckFailed, checker
from course_utils.rnn import lstm_cell_backward
from course_utils.specs._lstm_backward import _bptt_wrong

WARNING = "calls the course library's own implementation"


def _own_gru_step_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    """Question 4 from scratch, written unlike the solution (np.split, the interpolation as
    n + z (h_prev - n)), so the check has nothing of the library to see."""
    (ir, iz, i_n), (hr, hz, hn) = (
        np.split(x @ W_ih.T + b_ih, 3, 1),
        np.split(h_prev @ W_hh.T + b_hh, 3, 1),
    )
    r, z = 1 / (1 + np.exp(-(ir + hr))), 1 / (1 + np.exp(-(iz + hz)))
    n = np.tanh(i_n + r * hn)
    d_n = dh * (1 - z) * (1 - n * n)
    d_r, d_z = d_n * hn * r * (1 - r), dh * (h_prev - n) * z * (1 - z)
    d_ai, d_ah = np.hstack([d_r, d_z, d_n]), np.hstack([d_r, d_z, d_n * r])
    return (
        d_ai @ W_ih, d_ah @ W_hh + dh * z, d_ai.T @ x, d_ah.T @ h_prev, d_ai.sum(0), d_ah.sum(0)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "answer", "called"),
    [
        ("lstm_step_backward", lambda *a: lstm_cell_backward(*a), "lstm_cell_backward"),
        ("lstm_step_backward", lambda *a: rnn.cells.lstm_cell_backward(*a), "lstm_cell_backward"),
        ("gru_step_backward", lambda *a: rnn.gru_cell_backward(*a), "gru_cell_backward"),
        ("lstm_bptt", _bptt_wrong(), "lstm_cell_backward"),  # the referee's loop over the cells
        # the answer *is* the library function (an alias): the grader counts it, so must check
        ("lstm_step_backward", lstm_cell_backward, "lstm_cell_backward"),
        ("gru_step_backward", rnn.gru_cell_backward, "gru_cell_backward"),
    ],
)
def test_a_right_answer_that_calls_the_library_fails_as_the_grader_scores_it(name, answer, called):
    with pytest.raises(CheckFailed) as failed:
        checker("08_lstm_gru")(name, answer)
    text = str(failed.value)
    assert WARNING in text and called in text and "scores 0" in text
    assert rnn.lstm_cell_backward is lstm_cell_backward  # the library is put back after the check


def test_an_answer_written_from_scratch_gets_no_warning(capsys):
    checker("08_lstm_gru")("gru_step_backward", _own_gru_step_backward)
    out = capsys.readouterr().out
    assert "✓ gru_step_backward" in out and WARNING not in out


def test_a_wrong_answer_that_calls_the_library_still_fails_on_its_values():
    def wrong(dh, dc, *inputs):
        dx, dh_prev, dc_prev, *weights = lstm_cell_backward(dh, dc, *inputs)
        return dx, dc_prev, dh_prev, *weights  # swapped

    with pytest.raises(CheckFailed):
        checker("08_lstm_gru")("lstm_step_backward", wrong)


def _residual_backward_by_autograd(x, W, b, dout):
    """Exercise 03's derivation answered by torch instead of derived (the referee of 08's way)."""
    import torch

    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    ((tx + torch.tanh(tx @ tW + tb)) * torch.tensor(dout)).sum().backward()
    return tx.grad.numpy(), tW.grad.numpy(), tb.grad.numpy()


def _residual_backward_by_grad(x, W, b, dout):
    import torch

    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    y = ((tx + torch.tanh(tx @ tW + tb)) * torch.tensor(dout)).sum()
    return tuple(g.numpy() for g in torch.autograd.grad(y, (tx, tW, tb)))


@pytest.mark.parametrize("answer", [_residual_backward_by_autograd, _residual_backward_by_grad])
def test_a_derivation_answered_by_torch_autograd_fails_as_the_grader_scores_it(answer):
    import torch

    backward, grad = torch.Tensor.backward, torch.autograd.grad
    with pytest.raises(CheckFailed) as failed:
        checker("03_backpropagation")("residual_backward", answer)
    assert "or torch's autograd" in str(failed.value) and "scores 0" in str(failed.value)
    assert torch.Tensor.backward is backward and torch.autograd.grad is grad  # put back


def _count_in_probe(queue):  # in a forked child, as the grading sandbox installs the counting
    from course_utils import specs
    from course_utils.grading.sandbox import probe

    question = specs.load("03_backpropagation").question("residual_backward")
    probe.install(list(question.library_names))
    rng = np.random.default_rng(0)
    x, W, b, dout = (
        rng.normal(size=(4, 3)),
        rng.normal(size=(3, 3)),
        rng.normal(size=3),
        rng.normal(size=(4, 3)),
    )
    before = sum(probe._library_calls.values())
    _residual_backward_by_autograd(x, W, b, dout)
    queue.put(sum(probe._library_calls.values()) - before)


def test_the_grading_probe_counts_a_call_of_tensor_backward():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_count_in_probe, args=(queue,))
    child.start()
    calls = queue.get(timeout=60)
    child.join(timeout=30)
    assert calls >= 1


def test_a_wrapper_around_torch_s_own_clipping_fails_as_the_grader_scores_it():
    # exercise 07 asks for clipping in numpy; torch's clip_grad_norm_ implements question 1
    import torch

    def wrapped(grads, max_norm, norm_type=2.0):
        tensors = [torch.tensor(g) for g in grads]
        total = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type)
        for g, t in zip(grads, tensors, strict=True):
            g[...] = t.numpy()
        return float(total), grads

    with pytest.raises(CheckFailed) as failed:
        checker("07_vanishing_exploding")("clip_grad_norm", wrapped)
    assert "torch.nn.utils.clip_grad_norm_" in str(failed.value) and "scores 0" in str(failed.value)


def test_a_wrapper_around_torch_s_distributed_sampler_scores_0():
    # exercise 10 asks for the shard in numpy; torch's DistributedSampler implements it
    import torch

    def wrapped(order, k, rank, drop_last):
        sampler = torch.utils.data.DistributedSampler(
            range(len(order)), num_replicas=k, rank=rank, shuffle=False, drop_last=drop_last
        )
        return np.asarray(order)[list(iter(sampler))] if len(order) else np.asarray(order)

    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("distributed_shard", wrapped)
    assert "DistributedSampler.__iter__" in str(failed.value) and "scores 0" in str(failed.value)


def test_a_wrapper_around_torch_s_own_amsgrad_scores_0():
    # exercise 04 asks for AMSGrad in numpy; torch.optim.Adam(amsgrad=True) implements it
    import torch

    def wrapped(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        p = torch.nn.Parameter(torch.tensor(x))
        opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps, amsgrad=True)
        state = opt.state[p]
        state["step"] = torch.tensor(float(t - 1))
        state["exp_avg"], state["exp_avg_sq"] = torch.tensor(m), torch.tensor(v)
        state["max_exp_avg_sq"] = torch.tensor(v_max)
        p.grad = torch.tensor(grad)
        opt.step()
        return (
            p.detach().numpy().copy(),
            state["exp_avg"].numpy().copy(),
            state["exp_avg_sq"].numpy().copy(),
            state["max_exp_avg_sq"].numpy().copy(),
        )

    with pytest.raises(CheckFailed) as failed:
        checker("04_momentum_adaptive")("amsgrad_step", wrapped)
    assert "torch.optim.Adam.step" in str(failed.value) and "scores 0" in str(failed.value)
