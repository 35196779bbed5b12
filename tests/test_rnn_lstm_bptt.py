"""Exercise 08's BPTT through an LSTM (``lstm_bptt``): the spec's reference equals
torch.nn.LSTM's autograd (float64, same weights) and finite differences; the mistakes' loop
without a mistake is the reference, so each named mistake differs from it by exactly the one thing
its hint names; the library rule forbids the layer and the one-step cells."""

import pytest
import torch

from course_utils import rnn
from course_utils.gradcheck import numerical_gradient, relative_error
from course_utils.specs import _lstm_backward, lstm_gru

torch.set_num_threads(1)

QUESTION = lstm_gru.ASSIGNMENT.question("lstm_bptt")
SHAPES = [(1, 1, 1, 1), (4, 2, 3, 4), (9, 3, 2, 5)]  # (T, B, D, H)
NAMES = ("dxs", "dh0", "dc0", "dW_ih", "dW_hh", "db")


def _inputs(T, B, D, H, seed):
    return _lstm_backward._bptt_inputs(seed, T, B, D, H)()


def _torch_gradients(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, d_hs):
    """torch.nn.LSTM (float64) with these weights, L = sum over t of d_hs[t] . h_t: the six
    gradients the question returns, by autograd (and the bias_hh gradient, which equals db)."""
    T, B, D = xs.shape
    lstm = torch.nn.LSTM(D, h0.shape[1]).double()
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                               (W_ih, W_hh, b_ih, b_hh), strict=True):  # fmt: skip
            getattr(lstm, f"{name}_l0").copy_(torch.from_numpy(value))
    x, h, c = (torch.tensor(a, requires_grad=True) for a in (xs, h0[None], c0[None]))
    out, _ = lstm(x, (h, c))
    (out * torch.from_numpy(d_hs)).sum().backward()
    grads = [getattr(lstm, f"{n}_l0").grad.numpy() for n in ("weight_ih", "weight_hh", "bias_ih")]
    return (x.grad.numpy(), h.grad.numpy()[0], c.grad.numpy()[0], *grads), lstm.bias_hh_l0.grad


@pytest.mark.parametrize("shape", SHAPES)
def test_reference_equals_torch_autograd(shape):
    args = _inputs(*shape, seed=sum(shape))
    wanted, d_bias_hh = _torch_gradients(*args)
    got = QUESTION.reference(*args)
    for name, mine, want in zip(NAMES, got, wanted, strict=True):
        assert mine.shape == want.shape, name
        assert relative_error(mine, want) < 1e-12, name
    assert relative_error(got[5], d_bias_hh.numpy()) < 1e-12  # b_ih and b_hh get the same


def test_reference_equals_finite_differences():
    args = list(_inputs(3, 2, 2, 3, seed=21))
    d_hs = args[-1]

    def loss(position):
        def f(value):
            changed = list(args)
            changed[position] = value
            h, c, total = changed[1], changed[2], 0.0
            for t, x in enumerate(changed[0]):
                h, c = rnn.lstm_cell_forward(x, h, c, *changed[3:7])
                total += float((d_hs[t] * h).sum())
            return total

        return f

    got = QUESTION.reference(*args)
    # argument positions of xs, h0, c0, W_ih, W_hh, b_ih (b_hh's gradient is b_ih's)
    for name, position, mine in zip(NAMES, (0, 1, 2, 3, 4, 5), got, strict=True):
        numeric = numerical_gradient(loss(position), args[position].copy())
        assert relative_error(mine, numeric) < 1e-8, name


@pytest.mark.parametrize("case", range(len(QUESTION.cases)))
def test_the_mistakes_loop_without_a_mistake_is_the_reference(case):
    """Each Mistake is this loop with one keyword changed: it differs from the reference by that."""
    args = QUESTION.cases[case].make_inputs()
    right = _lstm_backward._bptt_wrong()(*args)
    for mine, want in zip(right, QUESTION.reference(*args), strict=True):
        assert relative_error(mine, want) < 1e-12


def test_the_c_path_matters_on_the_visible_cases():
    """Dropping the cell's gradient changes dc0 and the weights, not only a rounding digit."""
    args = QUESTION.cases[1].make_inputs()  # the loss on the last h only
    right = QUESTION.reference(*args)
    no_c = _lstm_backward._bptt_wrong(carry_c=False)(*args)
    assert relative_error(no_c[2], right[2]) > 0.1  # dc0
    assert relative_error(no_c[4], right[4]) > 0.01  # dW_hh


def test_the_layer_and_the_cells_are_library_names():
    """The grader counts calls to every library name of the assignment in every question: the
    one-step cells (the lecture's forward step and question 2's reference) are named here too, so
    the message lists them."""
    names = set(QUESTION.library_names)
    assert {"course_utils.rnn.LSTM.backward", "course_utils.rnn.LSTM.__call__"} <= names
    assert {"course_utils.rnn.lstm_cell_forward", "course_utils.rnn.lstm_cell_backward"} <= names
