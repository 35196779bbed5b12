"""Failure messages point at the one thing wrong: the item that differs, in the task's names, with
enough digits to see the difference, indices counted from 0 everywhere."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_utils.answers import to_plain
from course_utils.checks import CheckFailed, checker
from course_utils.comparison import first_difference, two_numbers
from course_utils.judging import judge, observe, render_case
from course_utils.specs.base import Case, Mistake, Question

ROOT = Path(__file__).resolve().parent.parent


def _backward(x, w):
    """A stand-in for a backward pass returning three named gradients."""
    return x * 2.0, w.T @ w, np.full(3, 0.123456789)


def _question(**options):
    case = Case(lambda: (np.arange(6.0).reshape(2, 3), np.eye(3)), "a 2x3 x and the identity")
    return Question("backward", 2, _backward, (case,), **options)


def _message(question, answer):
    case = question.cases[0]
    verdict = judge(question, case, observe(question, case, answer))
    assert not verdict.passed
    return verdict.message


def _wrong_last(x, w):
    dx, dw, db = _backward(x, w)
    return dx, dw, db + 4e-7  # differs in the 7th significant digit: 0.123457 at 6 digits


def test_the_differing_item_is_named_and_shown_alone():
    text = _message(_question(returns=("dx", "dw", "db")), _wrong_last)
    assert text.startswith("in `db`: 3 of 3 values differ")
    assert "[0, 2, 4]" not in text and "[1, 3, 5]" not in text  # dx is right: not printed
    assert text.count("expected:") == 1 and text.count("got:") == 1


def test_a_tuple_of_named_numbers_names_the_number_that_differs():
    # a tuple of scalars travels as one 1-D array; with names it is still reported by name
    case = Case(lambda: (np.array([3.0, 1.0, 3.0]),), "three logits")
    question = Question(
        "limits", 2, lambda y: (np.log(2.0), np.log(3.0)), (case,), returns=("cold", "hot")
    )
    message = _message(question, lambda y: (0.0, np.log(3.0)))
    assert message == "in `cold`: expected 0.693147, got 0."
    assert "hot" in _message(question, lambda y: (np.log(2.0), 1.0))


def test_enough_digits_to_see_the_difference():
    text = _message(_question(returns=("dx", "dw", "db")), _wrong_last)
    expected_line = next(line for line in text.splitlines() if "expected:" in line)
    got_line = next(line for line in text.splitlines() if "got:" in line)
    assert expected_line.split(":", 1)[1] != got_line.split(":", 1)[1]
    assert "expected 0.1234568, got 0.1234572" in text  # 7 digits: the first that differ
    assert two_numbers(1.0, 1.0 + 1e-12) == ("1", "1.000000000001")


def test_without_names_the_item_is_indexed_from_zero_and_multi_dimensional():
    def wrong_middle(x, w):
        dx, dw, db = _backward(x, w)
        dw = dw.copy()
        dw[1, 2] += 1.0
        return dx, dw, db

    text = _message(_question(), wrong_middle)
    assert text.startswith("in result[1]: 1 of 9 values differ")
    assert "at index (1, 2): expected 0, got 1" in text


def test_a_graded_value_never_shows_the_expected_numbers():
    question = Question(
        "answer", 1, lambda: np.array([0.25, 0.5, 0.75]), (Case(lambda: (), "-"),), kind="value"
    )
    case = question.cases[0]
    verdict = judge(question, case, observe(question, case, np.array([0.25, 0.5, 0.7])))
    assert verdict.message == "1 of 3 values differ."
    assert "0.75" not in verdict.message


def test_arguments_and_results_share_one_numbering():
    def changes_its_input(*args):
        args[0][0] = 99.0
        return 0.0

    question = Question(
        "f", 1, lambda *args: 0.0, (Case(lambda: (np.zeros(2),), "zeros"),), inputs_unchanged=True
    )
    text = _message(question, changes_its_input)
    assert "changed its argument args[0] in place" in text


def test_first_difference_counts_only_entries_outside_the_tolerance():
    e, g = to_plain(np.array([1.0, 2.0, 3.0])), to_plain(np.array([1.0 + 1e-9, 2.5, 3.0]))
    found = first_difference(e, g, 1e-6, 1e-8)
    assert found.values_only and found.summary == "1 of 3 values differ"


@pytest.mark.parametrize("bad", [["dx", 2], "dx", ("d x",)])
def test_returns_must_be_a_tuple_of_names(bad):
    with pytest.raises(ValueError, match="returns must be a tuple of names"):
        _question(returns=bad)


def test_a_change_made_by_a_called_answer_is_blamed_on_it():
    """adamw_amsgrad_step calling the learner's amsgrad_step, which writes into m: the called
    amsgrad_step is named."""
    check = checker("04_momentum_adaptive")
    namespace = {}
    exec(AMSGRAD_WRITING_INTO_M, namespace)
    with pytest.raises(CheckFailed) as failed:
        check("adamw_amsgrad_step", namespace["adamw_amsgrad_step"])
    text = str(failed.value)
    assert (
        "your `amsgrad_step`, which `adamw_amsgrad_step` calls, changed the argument `m` in place"
        in text
    )
    assert namespace["amsgrad_step"].__name__ == "amsgrad_step"  # the learner's own function
    assert "watched" not in repr(namespace["amsgrad_step"])
    with pytest.raises(CheckFailed, match="the function changed its argument `m` in place"):
        check("amsgrad_step", namespace["amsgrad_step"])


AMSGRAD_WRITING_INTO_M = """
import numpy as np

def amsgrad_step(x, grad, m, v, v_max, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    v_max = np.maximum(v_max, v)
    m_hat, v_hat = m / (1 - beta1**t), v_max / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, v_max

def adamw_amsgrad_step(x, grad, m, v, v_max, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    x = x * (1 - lr * weight_decay)
    return amsgrad_step(x, grad, m, v, v_max, t, lr, beta1, beta2, eps)
"""


@pytest.mark.slow
def test_course_grade_blames_the_called_answer_too(tmp_path):
    """The grading sandbox watches the other answers the same way (probe.prepare/report)."""
    assignment = "04_momentum_adaptive"
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    called, caller = AMSGRAD_WRITING_INTO_M.split("def adamw_amsgrad_step")
    replaced = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ("amsgrad_step", "adamw_amsgrad_step"):
            cell.source = (
                called if grade_id == "amsgrad_step" else "def adamw_amsgrad_step" + caller
            )
            replaced.add(grade_id)
    assert replaced == {"amsgrad_step", "adamw_amsgrad_step"}
    submission = tmp_path / "submitted" / "student" / f"{assignment}.ipynb"
    submission.parent.mkdir(parents=True)
    nbformat.write(nb, submission)
    sandbox = [] if shutil.which("bwrap") else ["--unsafe-no-sandbox"]
    out = tmp_path / "grades"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("course-grade")), str(tmp_path / "submitted"),
         "--out", str(out), "--quiet", *sandbox],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((out / assignment / "students" / "student" / "results.json").read_text())
    tests = {t["name"]: t for t in result["tests"]}
    assert tests["adamw_amsgrad_step"]["score"] == 0 and tests["amsgrad_step"]["score"] == 0
    assert (
        "your `amsgrad_step`, which `adamw_amsgrad_step` calls"
        in tests["adamw_amsgrad_step"]["output"]
    )
    assert "the function changed its argument `m`" in tests["amsgrad_step"]["output"]


def test_a_tuple_of_numpy_booleans_is_plain_numbers_like_a_tuple_of_bools():
    """A diagnose() returning numpy.bool_ flags (np.mean(a) > b) is the same answer as bools."""
    ours = to_plain((np.bool_(True), np.bool_(False), True, np.float64(2.5)))
    assert ours == to_plain((True, False, True, 2.5))
    assert ours.shape == (4,)


def _returned_tuples():
    from course_utils.specs import _registry

    for assignment in _registry().values():
        for question in assignment.questions:
            if question.kind != "function":
                continue
            result = question.reference(*question.cases[0].make_inputs())
            if type(result) is tuple and not all(isinstance(v, int | float) for v in result):
                yield question, result


@pytest.mark.parametrize(
    ("question", "result"), list(_returned_tuples()), ids=lambda v: getattr(v, "name", "")
)
def test_every_question_returning_a_tuple_names_its_items(question, result):
    """So that a failing check says which array differs in the task's words, not result[2]."""
    assert len(question.returns) == len(result), (question.name, question.returns)


def _no_indices(n):
    return np.arange(n)[:0]


def test_an_empty_list_is_compared_as_an_empty_array():
    question = Question("none", 1, _no_indices, (Case(lambda: (5,), "n = 5"),))
    case = question.cases[0]
    assert judge(question, case, observe(question, case, lambda n: [])).passed
    assert judge(question, case, observe(question, case, lambda n: ())).passed
    assert judge(question, case, observe(question, case, lambda n: [[]])).passed is False
    longer = Question("some", 1, lambda n: np.arange(n), (Case(lambda: (3,), "n = 3"),))
    verdict = judge(longer, longer.cases[0], observe(longer, longer.cases[0], lambda n: []))
    assert not verdict.passed and "got shape (0,)" in verdict.message


def test_a_missing_raise_gets_a_hint_about_the_exception_not_the_computation():
    # the test learner of exercise 04: `nesterov_rate` without its ValueError on an empty input
    # got the derivation's hint; the hint now names the exception the input asks for (since
    # rf04 the input is a non-positive eigenvalue: np.max raised on an empty one by itself)
    from course_utils.specs._nesterov_rate import _largest_root

    def unchecked(eigenvalues, lr, momentum):
        shrink = 1 - lr * np.asarray(eigenvalues, dtype=float)
        return float(_largest_root((1 + momentum) * shrink, momentum * shrink).max())

    with pytest.raises(CheckFailed) as failed:
        checker("04_momentum_adaptive")("nesterov_rate", unchecked)
    text = str(failed.value)
    assert "expected a ValueError" in text and "asks for a ValueError on this input" in text


def test_the_in_place_hint_writes_its_example_with_the_argument_s_name():
    case = Case(lambda: (np.ones(3), np.ones(3)), "two vectors")
    question = Question("scale", 1, lambda m, g: m * 0.9 + g, (case,), inputs_unchanged=True)

    def in_place(m, g):
        m *= 0.9
        return m + g

    verdict = judge(question, case, observe(question, case, in_place), case.make_inputs())
    assert "`m`" in verdict.message and "`m = m.copy()`" in verdict.hint


def test_the_tick_says_how_many_hidden_tests_grading_adds(capsys):
    # the referee of lecture 00: "grading adds hidden tests" was printed for questions without any
    from course_utils import specs

    checker("00_start_here")("l2_norm", lambda g: float(np.sqrt(np.sum(g**2))))
    assert "all 3 visible tests pass (grading adds 4 hidden tests," in capsys.readouterr().out
    value = specs.load("01_gradient_descent").question("ridge_lr_threshold")
    checker("01_gradient_descent")("ridge_lr_threshold", value.reference())
    out = capsys.readouterr().out
    assert "its visible test passes (grading runs these same tests," in out


def _per_step(total, steps):
    """A stand-in task: ``total`` shared over ``steps`` >= 0 steps (0 steps gives ``total``);
    a negative ``steps`` raises ValueError."""
    if steps < 0:
        raise ValueError("steps must be at least 0.")
    return total / max(steps, 1)


_ZERO_STEPS = "Zero steps gives the total itself; only a negative count is refused."
_ACCEPTED = "The task accepts this input (the reference returns a result for it)"


def _per_step_question():
    zero = Case(lambda: (3.0, 0), "total = 3.0, steps = 0")
    negative = Case(lambda: (3.0, -1), "total = 3.0, steps = -1", raises="ValueError")
    hidden = Case(lambda: (5.0, 0), "total = 5.0, steps = 0", hidden=True)
    divides = Mistake(_ZERO_STEPS, lambda total, steps: total / steps)
    return Question(
        "per_step", 1, _per_step, (zero, negative, hidden), mistakes=(divides,), hint="Divide."
    )


def _verdict(question, case, answer):
    verdict = judge(question, case, observe(question, case, answer))
    assert not verdict.passed
    return verdict


def _refuses_zero(total, steps):
    if steps <= 0:
        raise ValueError("steps must be positive.")
    return total / steps


def test_an_answer_refusing_a_valid_input_is_told_the_task_accepts_it():
    # tc05 E2: `which_loop` refusing np.int64 steps_per_epoch got the hint of a mistake that
    # raised ValueError there for another reason, `steps_to_floor` refusing lr=True the
    # question's derivation hint; neither was true of an answer whose validation is too strict
    question = _per_step_question()
    hint = _verdict(question, question.cases[0], _refuses_zero).hint
    assert hint.startswith(_ACCEPTED) and "the task's rules for the arguments" in hint
    assert _ZERO_STEPS not in hint and question.hint not in hint  # no mistake raises ValueError

    class RefusedInput(Exception):  # the learner's own exception: no mistake is matched to it
        pass

    def refuses_in_own_words(total, steps):
        raise RefusedInput("no zero steps.")

    assert _verdict(question, question.cases[0], refuses_in_own_words).hint == hint


def test_a_mistake_raising_the_same_type_is_named_as_the_other_cause():
    question = _per_step_question()
    hint = _verdict(question, question.cases[0], lambda total, steps: total / steps).hint
    assert hint.startswith(_ACCEPTED)
    assert hint.endswith(f"If the ZeroDivisionError comes from the computation: {_ZERO_STEPS}")


def test_a_refused_hidden_case_shows_neither_its_input_nor_a_hint():
    question = _per_step_question()
    hidden = question.cases[2]
    line = render_case(3, 3, hidden, _verdict(question, hidden, _refuses_zero))
    assert line == "hidden test 3 of 3 failed: raised ValueError."
    shown = render_case(
        1, 3, question.cases[0], _verdict(question, question.cases[0], _refuses_zero)
    )
    assert f"hint: {_ACCEPTED}" in shown and "raised ValueError: steps must be positive." in shown


def test_a_case_that_must_raise_keeps_its_hint_about_the_exception():
    question = _per_step_question()
    negative = question.cases[1]
    asked = (
        "The task asks for a ValueError on this input: test for it and raise it with a sentence "
        "that says what is wrong."
    )
    returned = _verdict(question, negative, lambda total, steps: total / max(steps, 1))
    assert returned.message.startswith("expected a ValueError") and returned.hint == asked
    assert _verdict(question, negative, lambda total, steps: [][0]).hint == asked  # IndexError
    assert judge(question, negative, observe(question, negative, _refuses_zero)).passed
