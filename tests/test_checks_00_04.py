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
        for name in ("smoothed_cross_entropy", "residual_backward")
        for c in question(name).cases
    ]
    words += [
        m.hint
        for name in ("smoothed_cross_entropy", "residual_backward")
        for m in question(name).mistakes
    ]
    assert not [w for w in words if "N =" in w or "1/N" in w or "dL/" in w]


# ----------------------------------------------------------------------------- third read (ref-b2)


def _sce_in_place(logits, labels, smoothing):
    if not 0 <= smoothing <= 1:
        raise ValueError("smoothing must be in [0, 1].")
    logits -= logits.max(axis=1, keepdims=True)  # right values, but changes the argument
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    target = np.full(logits.shape, smoothing / logits.shape[1])
    target[np.arange(len(labels)), labels] += 1 - smoothing
    return float(-(target * log_p).sum() / len(labels)), (np.exp(log_p) - target) / len(labels)


def test_exercise_03_states_the_in_place_rule_that_its_check_enforces():
    """ref-b2 03-5: the check rejects `logits -= max`, so the introduction says so for every
    question; ref-b2 03-6: the task says what a loss of shape (1,) gets (accepted, values
    compared) and the check does accept it."""
    nb = nbformat.read(ROOT / "exercises" / "03_backpropagation.ipynb", as_version=4)
    intro = nb.cells[0].source
    assert "do not modify the input arrays" in intro and "in any question" in intro
    with pytest.raises(CheckFailed) as failed:
        checker("03_backpropagation")("smoothed_cross_entropy", _sce_in_place)
    assert "in place" in str(failed.value)
    task = next(c.source for c in nb.cells if c.source.startswith("## 2. Cross-entropy"))
    assert "shape `(1,)` also passes" in task

    def as_array(logits, labels, smoothing):
        loss, grad = _sce_in_place(logits.copy(), labels, smoothing)
        return np.array([loss]), grad

    checker("03_backpropagation")("smoothed_cross_entropy", as_array)  # no CheckFailed
