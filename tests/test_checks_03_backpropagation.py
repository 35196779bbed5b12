"""Exercise 03 (redesigned for issue 21): each reference against torch in float64 and, for the
backward pass, against central differences; correct alternative forms that must pass; the
one-sentence errors for bad input; and the set's design (kinds, points, nothing in the lecture).
The generic rules (reference passes, stub and each named mistake fail with its hint) are in
tests/test_checks.py."""

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.gradcheck import check_gradient
from course_utils.specs._residual_backward import residual_backward
from course_utils.specs._smoothed_cross_entropy import smoothed_cross_entropy
from course_utils.specs.backpropagation import leaky_relu_grad, leaky_relu_init_std

AID = "03_backpropagation"


def test_the_set_s_kinds_and_points():
    kinds = {q.name: (q.skill, q.points) for q in specs.load(AID).questions}
    assert kinds == {
        "leaky_relu_grad": ("warm-up", 2),
        "smoothed_cross_entropy": ("derivation", 3),
        "residual_backward": ("derivation", 3),
        "leaky_relu_init_std": ("prediction", 2),
    }


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3, 1.0])
def test_leaky_relu_grad_equals_torch_autograd_kink_included(slope):
    z = torch.tensor([-2.0, -1e-300, 0.0, 1e-300, 0.5, 3.0], dtype=torch.float64)
    z.requires_grad_(True)
    torch.nn.functional.leaky_relu(z, slope).sum().backward()
    assert np.array_equal(leaky_relu_grad(z.detach().numpy(), slope), z.grad.numpy())


@pytest.mark.parametrize("smoothing", [0.0, 0.05, 0.3, 1.0])
def test_smoothed_cross_entropy_equals_torch(smoothing):
    rng = np.random.default_rng(4)
    logits, labels = 4 * rng.normal(size=(7, 5)), rng.integers(0, 5, size=7)
    loss, grad = smoothed_cross_entropy(logits, labels, smoothing)
    t = torch.tensor(logits, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t, torch.tensor(labels), label_smoothing=smoothing)
    t_loss.backward()
    assert abs(loss - t_loss.item()) <= 1e-13 * abs(t_loss.item())
    assert np.abs(grad - t.grad.numpy()).max() < 1e-15


def test_residual_backward_equals_torch_autograd_and_central_differences():
    rng = np.random.default_rng(5)
    x, W, b, G = (
        rng.normal(size=(6, 4)),
        rng.normal(size=(4, 4)),
        rng.normal(size=4),
        rng.normal(size=(6, 4)),
    )
    dx, dW, db = residual_backward(x, W, b, G)
    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    ((tx + torch.tanh(tx @ tW + tb)) * torch.tensor(G)).sum().backward()
    for mine, t in zip((dx, dW, db), (tx, tW, tb), strict=True):
        assert np.abs(mine - t.grad.numpy()).max() < 1e-14
    for mine, point, loss in [
        (dx, x, lambda x_: np.sum((x_ + np.tanh(x_ @ W + b)) * G)),
        (dW, W, lambda W_: np.sum((x + np.tanh(x @ W_ + b)) * G)),
        (db, b, lambda b_: np.sum((x + np.tanh(x @ W + b_)) * G)),
    ]:
        result = check_gradient(loss, lambda _, g=mine: g, point)
        assert result.passed and result.relative_error < 1e-8


@pytest.mark.parametrize(("fan_in", "slope"), [(1, 0.0), (100, 0.2), (256, 0.01), (64, 1.0)])
def test_leaky_relu_init_std_is_torch_s_kaiming_scale(fan_in, slope):
    gain = torch.nn.init.calculate_gain("leaky_relu", slope)
    assert leaky_relu_init_std(fan_in, slope) == pytest.approx(gain / np.sqrt(fan_in), rel=1e-14)


def test_the_predicted_scale_keeps_the_mean_square_in_a_deep_stack():
    # the prediction the question grades, measured: 30 layers, the mean square over 8 draws
    width, depth, slope = 128, 30, 0.5
    h0 = np.random.default_rng(0).normal(size=(64, width))
    ms = np.zeros((8, depth))
    for draw in range(8):
        rng, h = np.random.default_rng(draw + 1), h0
        for layer in range(depth):
            z = h @ (leaky_relu_init_std(width, slope) * rng.normal(size=(width, width)))
            ms[draw, layer] = np.mean(z**2)
            h = np.where(z > 0, z, slope * z)
    factor = (ms.mean(0)[-1] / ms.mean(0)[0]) ** (1 / (depth - 1))
    assert abs(factor - 1) < 0.02


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: leaky_relu_grad(np.zeros(2), -0.1), r"slope must be in \[0, 1\], got -0.1\."),
        (lambda: leaky_relu_init_std(10, 1.5), r"slope must be in \[0, 1\], got 1.5\."),
        (lambda: leaky_relu_init_std(0, 0.1), r"fan_in must be at least 1, got 0\."),
        (
            lambda: smoothed_cross_entropy(np.zeros((1, 2)), np.array([0]), -0.2),
            r"smoothing must be in \[0, 1\], got -0.2\.",
        ),
    ],
)
def test_bad_input_gets_one_clear_sentence(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- alternative forms


def _smoothed_as_a_mixture(logits, labels, smoothing):
    """(1 - smoothing) * plain cross-entropy + smoothing * the uniform one, as torch documents it."""
    n, k = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    nll = -log_p[np.arange(n), labels].mean()
    uniform = -log_p.mean(axis=1).mean()
    p = np.exp(log_p)
    grad_nll = p.copy()
    grad_nll[np.arange(n), labels] -= 1
    grad_uniform = p - 1.0 / k
    grad = ((1 - smoothing) * grad_nll + smoothing * grad_uniform) / n
    if not 0 <= smoothing <= 1:
        raise ValueError("smoothing must be in [0, 1].")
    return (1 - smoothing) * nll + smoothing * uniform, grad


def _residual_with_cosh(x, W, b, dout):
    """tanh' written as 1 / cosh^2, and the tanh path's dx as an einsum."""
    dz = dout / np.cosh(x @ W + b) ** 2
    return dout + np.einsum("bj,ij->bi", dz, W), np.einsum("bi,bj->ij", x, dz), dz.sum(0)


def _leaky_grad_by_masks(z, slope):
    if slope < 0 or slope > 1:
        raise ValueError("slope must be in [0, 1].")
    positive = np.asarray(z) > 0
    return positive * 1.0 + (~positive) * slope


def _std_from_variance(fan_in, slope):
    if fan_in < 1 or not 0 <= slope <= 1:
        raise ValueError("fan_in must be positive and slope in [0, 1].")
    return (2 / fan_in / (1 + slope * slope)) ** 0.5


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("smoothed_cross_entropy", _smoothed_as_a_mixture),
        ("residual_backward", _residual_with_cosh),
        ("leaky_relu_grad", _leaky_grad_by_masks),
        ("leaky_relu_init_std", _std_from_variance),
    ],
)
def test_a_correct_alternative_form_passes(name, answer):
    with np.errstate(over="ignore"):  # cosh of a large pre-activation is inf: 1 / inf = 0
        checker(AID)(name, answer)  # raises CheckFailed if it does not pass


@pytest.mark.parametrize(
    ("name", "unchecked"),
    [
        ("leaky_relu_grad", lambda z, slope: np.where(z > 0, 1.0, float(slope))),
        ("leaky_relu_init_std", lambda fan_in, slope: (2 / ((1 + slope**2) * fan_in)) ** 0.5),
        (
            "smoothed_cross_entropy",
            lambda z, y, s: smoothed_cross_entropy(z, y, min(s, 1.0)),
        ),
    ],
)
def test_forgetting_the_value_error_gets_the_raise_hint_not_a_mistake_s(name, unchecked):
    # the right values without the input check: no named mistake may claim it, and the hint is
    # about the exception to raise (judging._mistake_returning), not the question's computation
    question = specs.load(AID).question(name)
    with np.errstate(divide="ignore"), pytest.raises(CheckFailed) as failed:
        checker(AID)(name, unchecked)
    text = str(failed.value)
    assert "asks for a ValueError on this input" in text and question.hint not in text
    assert not any(m.hint in str(failed.value) for m in question.mistakes)


# ----------------------------------------------------------------------------- the notebook's own checks

SOLUTION = Path(__file__).resolve().parent.parent / "solutions" / f"{AID}.ipynb"


def _solution_cell(marker):
    """The source of the one solution cell that contains ``marker``, magics dropped."""
    cells = [c.source for c in nbformat.read(SOLUTION, as_version=4).cells if marker in c.source]
    assert len(cells) == 1, marker
    return "\n".join(line for line in cells[0].splitlines() if not line.startswith("%"))


def _leaky_ge(z, slope):  # the spec's first named mistake: 1 at the kink z = 0
    return np.where(np.asarray(z) >= 0, 1.0, float(slope))


@pytest.mark.parametrize(
    "marker", ["z_grid = (torch.arange(", 'check("leaky_relu_grad", leaky_relu_grad)']
)
def test_the_torch_comparisons_of_question_1_include_the_kink(marker):
    # rf03 E1: a linspace grid misses z = 0 by 1e-17, so `>=` passed the comparison and the
    # hidden test; the grids now hold an exact 0, and the mistake fails both
    source = _solution_cell(marker).replace('check("leaky_relu_grad", leaky_relu_grad)', "")
    exec(source, {"np": np, "torch": torch, "leaky_relu_grad": leaky_relu_grad})
    with pytest.raises(AssertionError):
        exec(source, {"np": np, "torch": torch, "leaky_relu_grad": _leaky_ge})


def test_the_measurement_of_question_4_names_a_wrong_scale_with_its_message():
    # rf03 E4: the messaged assert came second and could never fire; a wrong scale now gets it
    source = _solution_cell("def mean_square_per_layer(")

    def one_plus_a(fan_in, slope):  # a named mistake: slope, not slope squared
        return float(np.sqrt(2.0 / ((1.0 + slope) * fan_in)))

    namespace = {"np": np, "rng": np.random.default_rng(0)}
    exec(source, {**namespace, "leaky_relu_init_std": leaky_relu_init_std})
    with pytest.raises(AssertionError, match="your scale should keep the mean square"):
        exec(source, {**namespace, "leaky_relu_init_std": one_plus_a})


# ----------------------------------------------------------------------------- both sides of a range


def _leaky_checks_only_negative(z, slope):
    if slope < 0:
        raise ValueError("slope must not be negative.")
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, float(slope))


def _smoothed_checks_only_above_one(logits, labels, smoothing):
    if smoothing > 1:
        raise ValueError("smoothing must not exceed 1.")
    return smoothed_cross_entropy(logits, labels, min(max(smoothing, 0.0), 1.0))


def _init_std_checks_only_above_one(fan_in, slope):
    if fan_in < 1 or slope > 1:
        raise ValueError("fan_in must be positive and slope at most 1.")
    return float(np.sqrt(2.0 / ((1.0 + slope**2) * fan_in)))


def _init_std_refuses_only_non_positive_fan_in(fan_in, slope):
    if fan_in <= 0 or not 0 <= slope <= 1:
        raise ValueError("fan_in must be positive and slope in [0, 1].")
    return float(np.sqrt(2.0 / ((1.0 + slope**2) * fan_in)))


@pytest.mark.parametrize(
    ("name", "one_sided", "accepted"),
    [
        ("leaky_relu_grad", _leaky_checks_only_negative, "slope 1.5"),
        ("smoothed_cross_entropy", _smoothed_checks_only_above_one, "smoothing -0.1"),
        ("leaky_relu_init_std", _init_std_checks_only_above_one, "slope -0.2"),
        # rk0003 E1: "a fan_in below 1" is refused, not only 0 and below
        ("leaky_relu_init_std", _init_std_refuses_only_non_positive_fan_in, "fan_in = 0.5"),
    ],
)
def test_a_range_checked_on_one_side_only_fails(name, one_sided, accepted):
    # rh03 E1: the visible cases tested one side of each [0, 1] range, and the hidden ones draw
    # valid inputs, so these answers passed grading; the other side is now a visible case
    with pytest.raises(CheckFailed) as failed:
        checker(AID)(name, one_sided)
    text = str(failed.value)
    assert accepted in text and "asks for a ValueError on this input" in text


# ----------------------------------------------------------------------------- question 4 is a count, not a lookup


def _std_by_calculate_gain(fan_in, slope):  # ri03 E2: passed every visible test before
    if fan_in < 1 or not 0 <= slope <= 1:
        raise ValueError("fan_in must be positive and slope in [0, 1].")
    return torch.nn.init.calculate_gain("leaky_relu", slope) / np.sqrt(fan_in)


def _std_by_kaiming_normal(fan_in, slope):
    if fan_in < 1 or not 0 <= slope <= 1:
        raise ValueError("fan_in must be positive and slope in [0, 1].")
    w = torch.empty(2000, fan_in, dtype=torch.float64)  # torch's fan_in is the second dimension
    torch.nn.init.kaiming_normal_(w, a=slope)
    return float(np.sqrt(2.0 / ((1.0 + slope**2) * fan_in)))  # a look at w, then the count


@pytest.mark.parametrize(
    ("answer", "called"),
    [
        (_std_by_calculate_gain, "torch.nn.init.calculate_gain"),
        (_std_by_kaiming_normal, "torch.nn.init.kaiming_normal_"),
    ],
)
def test_question_4_answered_by_torch_s_initializers_fails_as_the_grader_scores_it(answer, called):
    gain = torch.nn.init.calculate_gain
    with pytest.raises(CheckFailed) as failed:
        checker(AID)("leaky_relu_init_std", answer)
    assert called in str(failed.value) and "scores 0" in str(failed.value)
    assert torch.nn.init.calculate_gain is gain  # put back after the check


def test_question_4_s_text_names_the_initializers_it_scores_0():
    text = nbformat.read(SOLUTION, as_version=4).cells
    task = next(
        c.source for c in text if "`leaky_relu_init_std(fan_in, slope)` returning" in c.source
    )
    assert "calculate_gain" in task and "kaiming_" in task and "scores 0" in task


def test_question_1_asks_for_float64_and_a_float32_answer_fails():
    # ri03 E3: the text said "a float array" while float32 fails the 1e-12 tolerance
    def float32_answer(z, slope):
        if not 0 <= slope <= 1:
            raise ValueError("slope must be in [0, 1].")
        return np.where(np.asarray(z) > 0, 1.0, slope).astype(np.float32)

    with pytest.raises(CheckFailed):
        checker(AID)("leaky_relu_grad", float32_answer)
    cells = nbformat.read(SOLUTION, as_version=4).cells
    task = next(c.source for c in cells if "Write `leaky_relu_grad(z, slope)`" in c.source)
    assert "float64 as `z` is" in task


def test_a_loss_computed_by_torch_scores_zero_though_its_gradient_is_derived():
    """rm03 E-2: the loss from torch's cross_entropy(label_smoothing=...), the gradient by hand,
    passed every test although the text says only numpy: it now scores 0, as the text says."""

    def torch_loss(logits, labels, smoothing):
        z = torch.as_tensor(logits)
        loss = torch.nn.functional.cross_entropy(
            z, torch.as_tensor(labels), label_smoothing=smoothing
        )
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        q = np.full_like(p, smoothing / p.shape[1])
        q[np.arange(len(labels)), labels] += 1 - smoothing
        if not 0 <= smoothing <= 1:
            raise ValueError("smoothing must be in [0, 1].")
        return loss.item(), (p - q) / len(labels)

    with pytest.raises(CheckFailed, match="scores 0"):
        checker("03_backpropagation")("smoothed_cross_entropy", torch_loss)


@pytest.mark.parametrize("wrap", [lambda s: [s], lambda s: np.array([s])])
def test_leaky_relu_init_std_in_a_list_or_array_of_one_is_refused(wrap):
    """rm03 E-1: question 4 asks for a float; [s] passed the check and then broke the
    measurement cell's f"{std:.4f}"."""
    reference = specs.load("03_backpropagation").question("leaky_relu_init_std").reference

    with pytest.raises(CheckFailed, match="expected a single number"):
        checker("03_backpropagation")("leaky_relu_init_std", lambda f, a: wrap(reference(f, a)))


@pytest.mark.parametrize("piece", ["log_softmax", "nll_loss"])
def test_torch_pieces_of_the_loss_score_zero_too(piece):
    """rn03 E-1: log_p from torch's log_softmax, or the loss from nll_loss of it, passed every
    test while the text said only numpy."""
    F = torch.nn.functional

    def answer(logits, labels, smoothing):
        if not 0 <= smoothing <= 1:
            raise ValueError("smoothing must be in [0, 1].")
        log_p = F.log_softmax(torch.as_tensor(logits), dim=1)
        n, v = logits.shape
        q = np.full((n, v), smoothing / v)
        q[np.arange(n), labels] += 1 - smoothing
        if piece == "nll_loss":
            nll = F.nll_loss(log_p, torch.as_tensor(labels)).item()
            loss = (1 - smoothing) * nll - smoothing * log_p.mean(dim=1).mean().item()
        else:
            loss = float(-(q * log_p.numpy()).sum(axis=1).mean())
        return loss, (np.exp(log_p.numpy()) - q) / n

    with pytest.raises(CheckFailed, match="scores 0"):
        checker("03_backpropagation")("smoothed_cross_entropy", answer)


_TENSOR_LOG_SOFTMAX = torch.Tensor.log_softmax
_LOG_P_BY_OTHER_BINDINGS = {
    "torch.Tensor.log_softmax": lambda t: t.log_softmax(1),
    "torch.Tensor.softmax": lambda t: t.softmax(1).log(),
    "torch.special.log_softmax": lambda t: torch.special.log_softmax(t, 1),
    "torch.special.softmax": lambda t: torch.special.softmax(t, 1).log(),
    "torch.logsumexp": lambda t: t - torch.logsumexp(t, 1, keepdim=True),
    "torch.Tensor.logsumexp": lambda t: t - t.logsumexp(1, keepdim=True),
}


@pytest.mark.parametrize("binding", sorted(_LOG_P_BY_OTHER_BINDINGS))
def test_torch_s_softmax_under_its_other_bindings_scores_zero(binding):
    """rs03 E1: log p from the Tensor method, torch.special or logsumexp passed every test,
    since only the torch.nn.functional and torch.* names were counted."""
    log_p_of = _LOG_P_BY_OTHER_BINDINGS[binding]

    def answer(logits, labels, smoothing):
        if not 0 <= smoothing <= 1:
            raise ValueError("smoothing must be in [0, 1].")
        log_p = log_p_of(torch.as_tensor(logits)).numpy()
        n, v = logits.shape
        q = np.full((n, v), smoothing / v)
        q[np.arange(n), labels] += 1 - smoothing
        return float(-(q * log_p).sum() / n), (np.exp(log_p) - q) / n

    names = specs.load(AID).question("smoothed_cross_entropy").library_names
    assert binding in names
    with pytest.raises(CheckFailed, match="scores 0"):
        checker(AID)("smoothed_cross_entropy", answer)
    assert torch.Tensor.log_softmax is _TENSOR_LOG_SOFTMAX  # put back after the check


def test_every_library_name_of_question_2_resolves():
    # a misspelt name would count nothing, silently
    from course_utils.library_calls import resolve

    for dotted in specs.load(AID).question("smoothed_cross_entropy").library_names:
        resolve(dotted)
