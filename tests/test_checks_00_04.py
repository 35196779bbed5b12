"""The named Mistakes added to exercises 01-04 after the referee reads (ref-a 01 item 14, ref-b 04
item 14, issue 21's step counters): each wrong answer, written as a learner writes it (not the
spec's own Mistake function), fails its instant check with its own hint; the solution passes; the
untouched stub fails. Plus the solution notebooks' side of the same points."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.specs._max_stable_lr import A_QUESTION

ROOT = Path(__file__).resolve().parent.parent


def _hint(assignment: str, question: str, words: str) -> str:
    """The one Mistake hint of a question that contains ``words``."""
    found = [m.hint for m in specs.load(assignment).question(question).mistakes if words in m.hint]
    assert len(found) == 1, f"{question}: expected one Mistake whose hint has {words!r}: {found}"
    return found[0]


def _fails_with(assignment: str, question: str, answer, hint: str) -> None:
    with pytest.raises(CheckFailed) as failed:
        checker(assignment)(question, answer)
    assert f"hint: {hint}" in str(failed.value)


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ----------------------------------------------------------------------------- 01 max_stable_lr

A = np.array([[2.0, 1.0], [1.0, 4.0]])  # the notebook's A (test_notebook_matrix_is_the_specs)


def test_the_matrix_does_not_let_row_sums_or_norms_pass():
    values, vectors = np.linalg.eigh(A_QUESTION)
    top = vectors[:, -1]
    assert abs(abs(top @ np.ones(2)) / np.sqrt(2) - 1) > 0.05, "top eigenvector must not be (1, 1)"
    right = 2 / values.max()
    for wrong in (
        2 / np.linalg.norm(A_QUESTION, np.inf),
        2 / np.linalg.norm(A_QUESTION, 1),
        2 / (A_QUESTION[0, 0] + A_QUESTION[0, 1]),
        2 / np.linalg.norm(A_QUESTION),
        2 / A_QUESTION.diagonal().max(),
    ):
        assert abs(wrong / right - 1) > 0.05


def test_notebook_matrix_is_the_specs():
    for folder in ("solutions", "exercises"):
        nb = nbformat.read(ROOT / folder / "01_gradient_descent.ipynb", as_version=4)
        assigned = [
            node.value
            for cell in nb.cells
            if cell.cell_type == "code" and "A = np.array(" in cell.source
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "A"
        ]
        assert len(assigned) == 1, folder
        matrix = np.array(ast.literal_eval(assigned[0].args[0]))
        assert np.array_equal(matrix, A_QUESTION) and np.array_equal(matrix, A), folder


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (2 / np.linalg.norm(A, np.inf), "largest row sum"),
        (2 / np.abs(A).sum(axis=0).max(), "largest row sum"),  # the 1-norm: column sums
        (2 / (A[0, 0] + A[0, 1]), "sum of the first row"),
        (2 / np.linalg.norm(A), "Frobenius"),
    ],
    ids=["inf-norm", "1-norm", "first-row-sum", "frobenius"],
)
def test_max_stable_lr_norms_and_row_sums_get_their_hint(answer, words):
    _fails_with(
        "01_gradient_descent",
        "max_stable_lr",
        answer,
        _hint("01_gradient_descent", "max_stable_lr", words),
    )


def test_max_stable_lr_old_answer_and_stub_fail_and_eigenvalue_passes(capsys):
    check = checker("01_gradient_descent")
    for wrong in (None, 0.5):  # the stub, and 2/L of the former A = [[3, 1], [1, 3]]
        with pytest.raises(CheckFailed):
            check("max_stable_lr", wrong)
    check("max_stable_lr", 2 / np.linalg.eigvalsh(A).max())
    assert "✓" in capsys.readouterr().out


# ----------------------------------------------------------------------------- 02 the epoch counter


def _epochs_from_one(n, batch_size, n_epochs, rng):
    batches = []
    for _epoch in range(1, n_epochs):
        order = rng.permutation(n)
        batches += [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return batches


def _epochs_inclusive(n, batch_size, n_epochs, rng):
    batches = []
    for _epoch in range(n_epochs + 1):
        order = rng.permutation(n)
        batches += [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return batches


@pytest.mark.parametrize(
    ("answer", "words"),
    [(_epochs_from_one, "one epoch too few"), (_epochs_inclusive, "one epoch too many")],
)
def test_minibatch_indices_epoch_count_off_by_one_gets_its_hint(answer, words):
    aid = "02_batch_stochastic_minibatch"
    _fails_with(aid, "minibatch_indices", answer, _hint(aid, "minibatch_indices", words))


# ----------------------------------------------------------------------------- 04 rmsprop's names

AID_04 = "04_momentum_adaptive"


def _rmsprop_alpha_as_step(x, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    # The formula's alpha (the step) read as the argument `alpha`, and lr taken as the decay.
    v = lr * square_avg + (1 - lr) * grad**2
    return x - alpha * grad / (np.sqrt(v) + eps), v


def test_rmsprop_decay_and_step_swapped_gets_its_hint():
    hint = _hint(AID_04, "rmsprop_step", "swapped the two rates")
    _fails_with(AID_04, "rmsprop_step", _rmsprop_alpha_as_step, hint)


def test_rmsprop_question_says_which_alpha_is_which():
    nb = nbformat.read(ROOT / "exercises" / "04_momentum_adaptive.ipynb", as_version=4)
    text = next(c.source for c in nb.cells if c.source.startswith("## 2. RMSProp"))
    assert "the argument `lr`" in text and "decay $\\beta_2$ (the argument `alpha`" in text


# ----------------------------------------------------------------------------- 04 Adam's step count


def _adam(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, *, shift=0):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = m / (1 - beta1 ** (t + shift))
        v_hat = v / (1 - beta2 ** (t + shift))
        return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_shifted(shift):
    def adam_step(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return _adam(x, grad, m, v, t, lr, beta1, beta2, eps, shift=shift)

    return adam_step


def _adamw_shifted(shift):
    def adamw_step(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
        x = x * (1 - lr * weight_decay)
        return _adam(x, grad, m, v, t, lr, beta1, beta2, eps, shift=shift)

    return adamw_step


@pytest.mark.parametrize("question", ["adam_step", "adamw_step"])
@pytest.mark.parametrize(("shift", "words"), [(-1, "starts at 1"), (+1, "one step ahead")])
def test_adam_step_count_off_by_one_either_way_gets_its_hint(question, shift, words):
    answer = _adam_shifted(shift) if question == "adam_step" else _adamw_shifted(shift)
    _fails_with(AID_04, question, answer, _hint(AID_04, question, words))


@pytest.mark.parametrize("question", ["adam_step", "adamw_step"])
def test_adam_learner_forms_pass_and_stub_fails(question, capsys):
    check = checker(AID_04)
    check(question, _adam_shifted(0) if question == "adam_step" else _adamw_shifted(0))
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check(question, _stub)


def _adam_hard_eps(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """The read's passing answer: the eps argument ignored, 1e-8 hard-coded (ref-i 04 point 7)."""
    return _adam(x, grad, m, v, t, lr, beta1, beta2, 1e-8)


def _adamw_no_eps(x, grad, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    """The read's other passing answer: AdamW without eps, a 0/0 = NaN step replaced by 0."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.nan_to_num((m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t)))
    return x * (1 - lr * weight_decay) - lr * step, m, v


def _adam_no_eps(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam(x, grad, m, v, t, lr, beta1, beta2, 0.0)


@pytest.mark.parametrize(
    ("question", "answer", "words"),
    [
        ("adam_step", _adam_hard_eps, "Use the eps"),
        ("adam_step", _adam_no_eps, "Add eps"),
        ("adamw_step", _adamw_no_eps, "Use the eps"),  # NaN -> 0 looks like a tiny eps
    ],
)
def test_adam_and_adamw_without_their_eps_fail_with_an_eps_hint(question, answer, words):
    _fails_with(AID_04, question, answer, _hint(AID_04, question, words))


# ----------------------------------------------------------------------------- the notebooks' side


def test_solution_01_runs_without_a_runtime_warning():
    """ref-a 01 item 16: the bisection printed "overflow encountered in dot"."""
    nb = nbformat.read(ROOT / "solutions" / "01_gradient_descent.ipynb", as_version=4)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, "solution-01", "exec"), namespace)  # noqa: S102
    assert namespace["gaps"][1] < namespace["gaps"][0]


def test_solution_and_spec_03_write_the_lectures_symbols():
    """ref-b 03 item 11: f for the loss, B for the batch size, i for the sample (notation.md)."""
    nb = nbformat.read(ROOT / "solutions" / "03_backpropagation.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for old in ("(N, D)", "(N, K)", r"\frac1N", "/N$", r"\partial L", "$L =", "_{n,"):
        assert old not in text, old
    question = specs.load("03_backpropagation").question
    words = [
        c.description
        for name in ("dense_backward", "softmax_cross_entropy")
        for c in question(name).cases
    ]
    words += [
        m.hint
        for name in ("dense_backward", "softmax_cross_entropy")
        for m in question(name).mistakes
    ]
    assert not [w for w in words if "N =" in w or "1/N" in w or "dL/" in w]


# ----------------------------------------------------------------------------- third read (ref-b2)


def _adam_paper_form(x, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma & Ba's 'efficient' Algorithm 1: both corrections in the step, eps on sqrt(v_t)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - step * m / (np.sqrt(v) + eps), m, v


def test_adam_papers_efficient_form_is_named():
    """ref-b2 04-12: the paper's form failed with only the generic hint ("expected 0.49, got
    0.490003"); the task fixes torch's formula, and the feedback now says which form it was."""
    _fails_with(AID_04, "adam_step", _adam_paper_form, _hint(AID_04, "adam_step", "Kingma & Ba"))


def _sce_in_place(logits, labels):
    logits -= logits.max(axis=1, keepdims=True)  # right values, but changes the argument
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    grad = np.exp(log_p)
    grad[np.arange(len(labels)), labels] -= 1
    return float(-log_p[np.arange(len(labels)), labels].mean()), grad / len(labels)


def test_exercise_03_states_the_in_place_rule_that_its_check_enforces():
    """ref-b2 03-5: the check rejects `logits -= max`, so the introduction says so for every
    question; ref-b2 03-6: the task says what a loss of shape (1,) gets (accepted, values
    compared) and the check does accept it."""
    nb = nbformat.read(ROOT / "exercises" / "03_backpropagation.ipynb", as_version=4)
    intro = nb.cells[0].source
    assert "do not modify the input arrays" in intro and "in any question" in intro
    with pytest.raises(CheckFailed) as failed:
        checker("03_backpropagation")("softmax_cross_entropy", _sce_in_place)
    assert "in place" in str(failed.value)
    task = next(c.source for c in nb.cells if c.source.startswith("## 3. Softmax"))
    assert "shape `(1,)` also passes" in task

    def as_array(logits, labels):
        loss, grad = _sce_in_place(logits.copy(), labels)
        return np.array([loss]), grad

    checker("03_backpropagation")("softmax_cross_entropy", as_array)  # no CheckFailed
