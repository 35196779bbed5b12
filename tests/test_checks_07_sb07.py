"""Exercise 07 after its referee read sb07 (E1-E3).

E1: an answer that rebinds the list's entries (``grads[i] = grads[i] * c``) returns the right
values but leaves the caller's arrays as they were; the in-place check read the list back after the
call and passed it. Now the arrays the list held before the call are read, so such an answer fails
with its own hint, in the instant check and in the grading sandbox's probe alike.
E2: the "Measure it" cell formats the lag with ``:13d``; a float with an integer value, which the
text accepts, now passes through ``int(...)`` there.
E3: the tie case's hint speaks of a loop that stops at equality as well as of a rounded logarithm.
"""

from pathlib import Path

import nbformat
import numpy as np
import pytest
from test_checks import _judged

from course_utils import specs
from course_utils.answers import held_arrays, inputs_after, observe_result
from course_utils.checks import CheckFailed, checker
from course_utils.judging import judge, observe

SET = "07_vanishing_exploding"
ROOT = Path(__file__).resolve().parents[1]


def _hint(name, words):
    (hint,) = [m.hint for m in specs.load(SET).question(name).mistakes if words in m.hint]
    return hint


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SET)(name, answer)
    assert text in str(failed.value), str(failed.value)


# The referee's answers (/work/ref/sb07/exp_q.py and exp_q2.py), as a learner writes them.
def q1_rebind(grads, max_norm, norm_type=2.0):
    if not norm_type > 0 or not max_norm > 0:
        raise ValueError("norm_type and max_norm must be positive.")
    flat = np.abs(np.concatenate([g.ravel() for g in grads] + [np.zeros(0)]))
    if np.isinf(norm_type):
        tot = float(flat.max(initial=0))
    else:
        tot = float(np.sum(flat**norm_type) ** (1 / norm_type))
    c = min(1.0, max_norm / (tot + 1e-6))
    for i in range(len(grads)):
        grads[i] = grads[i] * c
    return tot, grads


def _unit_norms(x):
    if x.ndim <= 1:
        return np.sqrt(np.sum(x**2))
    return np.sqrt(np.sum(x**2, axis=tuple(range(1, x.ndim)), keepdims=True))


def _agc(params, grads, clipping, eps, put):
    if not isinstance(params, list) or not isinstance(grads, list):
        raise TypeError("params and grads must be lists.")
    if len(params) != len(grads) or any(
        p.shape != g.shape for p, g in zip(params, grads, strict=True)
    ):
        raise ValueError("params and grads must match.")
    if not (clipping > 0 and eps > 0):
        raise ValueError("clipping and eps must be positive.")
    for k, (p, g) in enumerate(zip(params, grads, strict=True)):
        limit, g_norm = clipping * np.maximum(_unit_norms(p), eps), _unit_norms(g)
        put(grads, k, np.where(g_norm < limit, 1.0, limit / np.maximum(g_norm, 1e-6)))
    return grads


def q2_rebind_asarray(params, grads, clipping=0.01, eps=1e-3):
    def put(grads, k, factor):
        grads[k] = np.asarray(grads[k] * factor)

    return _agc(params, grads, clipping, eps, put)


def q2_rebind(params, grads, clipping=0.01, eps=1e-3):
    def put(grads, k, factor):
        grads[k] = grads[k] * factor  # a 0-D entry becomes a numpy scalar

    return _agc(params, grads, clipping, eps, put)


def q2_in_place_by_index(params, grads, clipping=0.01, eps=1e-3):
    def put(grads, k, factor):
        grads[k] *= factor  # the hint's own suggestion: the same array, changed in place

    return _agc(params, grads, clipping, eps, put)


def test_clip_grad_norm_that_rebinds_the_entries_fails_with_its_hint():
    hint = _hint("clip_grad_norm", "Assigning a scaled copy")
    _fails_with("clip_grad_norm", q1_rebind, hint)
    _fails_with("clip_grad_norm", q1_rebind, "now holds other arrays than it was given")
    assert _judged(SET, "clip_grad_norm", q1_rebind).score == 0
    question = specs.load(SET).question("clip_grad_norm")  # the reference (no library count)
    assert all(judge(q, c, observe(q, c, q.reference)) for q in [question] for c in q.cases)


@pytest.mark.parametrize("answer", [q2_rebind_asarray, q2_rebind])
def test_adaptive_clip_that_rebinds_the_entries_fails(answer):
    hint = _hint("adaptive_clip", "Assigning a scaled copy")
    _fails_with("adaptive_clip", answer, hint)  # the first visible case has no 0-D array
    assert _judged(SET, "adaptive_clip", answer).score == 0


def test_adaptive_clip_changed_in_place_through_an_index_passes():
    checker(SET)("adaptive_clip", q2_in_place_by_index)
    assert _judged(SET, "adaptive_clip", q2_in_place_by_index).score == 3


def test_the_caller_s_arrays_are_what_the_in_place_check_reads():
    # the exercise's demo (cell 6) clips one array at a time, in one-item lists it then drops:
    # only the array objects tell whether that changed anything
    g = np.array([3.0, 4.0])
    q1_rebind([g], 1.0)
    assert g.tolist() == [3.0, 4.0]  # the caller's array is as it was
    args = ([np.array([3.0, 4.0])], 1.0)
    held = held_arrays(args)
    q1_rebind(*args)
    assert inputs_after(args, held)[0] is None and inputs_after(args)[0] is not None
    args = ([np.array([3.0, 4.0])], 1.0)
    held = held_arrays(args)
    args[0][0] *= 0.5
    assert inputs_after(args, held)[0] is not None
    # the grading sandbox's probe passes the held arrays positionally (grading_fixtures replaces
    # observe_result with a function of (result, args, *rest))
    args = ([np.array([3.0, 4.0])], 1.0)
    held = held_arrays(args)
    result = q1_rebind(*args)
    assert observe_result(result, args, True, 0, "", held).inputs_after[0] is None


def test_an_unchanged_input_question_reports_a_list_given_new_arrays():
    question = specs.load("01_gradient_descent").questions[0]  # any function question
    args = ([np.array([1.0, 2.0])],)
    held = held_arrays(args)
    args[0][0] = np.array([1.0, 2.0])  # equal values, a new array
    from course_utils.judging import _inputs_unchanged

    verdict = _inputs_unchanged(question, args, inputs_after(args, held))
    assert not verdict.passed and "put other arrays into its argument" in verdict.message


def test_guaranteed_lag_tie_hint_covers_a_loop_that_stops_at_equality():
    def stops_at_equality(W_hh, activation, grad_norm, threshold):
        reference = specs.load(SET).question("guaranteed_lag").reference
        if reference(W_hh, activation, grad_norm, threshold) == 0:  # its checks, its raises
            return 0
        q = (0.25 if activation == "sigmoid" else 1.0) * np.linalg.norm(W_hh, 2)
        lag, bound = 0, grad_norm
        while bound > threshold:  # referee sb07 E3 (exp_q4b.py): stops at equality
            bound *= q
            lag += 1
        return lag

    hint = _hint("guaranteed_lag", "not yet strictly below")
    assert "bound >= threshold" in hint and "rounded-up logarithm" in hint
    _fails_with("guaranteed_lag", stops_at_equality, hint)


def _measure_cell(folder):
    cells = nbformat.read(ROOT / folder / f"{SET}.ipynb", as_version=4).cells
    (cell,) = [c for c in cells if c.cell_type == "code" and "def measured_lag" in c.source]
    return cell.source


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
@pytest.mark.parametrize("as_type", [float, np.float64, np.int64])
def test_the_measure_cell_runs_with_every_whole_number_type_the_text_accepts(folder, as_type):
    reference = specs.load(SET).question("guaranteed_lag").reference
    namespace = {"np": np, "guaranteed_lag": lambda *a: as_type(reference(*a))}
    exec(_measure_cell(folder), namespace)  # the cell's own asserts run too
    assert all(type(row[0]) is int for row in namespace["result"].values())


def test_a_rebinding_answer_and_a_copying_one_get_different_hints():
    question = specs.load(SET).question("clip_grad_norm")
    case = question.visible_cases[0]

    def copies(grads, max_norm, norm_type=2.0):
        return q1_rebind([g.copy() for g in grads], max_norm, norm_type)

    verdicts = {}
    for answer in (q1_rebind, copies):
        args = case.make_inputs()
        verdicts[answer] = judge(question, case, observe(question, case, answer, args), args)
    assert not verdicts[q1_rebind].passed and not verdicts[copies].passed
    assert verdicts[q1_rebind].hint == _hint("clip_grad_norm", "Assigning a scaled copy")
    assert "a copy, a new list" in verdicts[copies].hint
