"""Every exercise check fails on the untouched stub and on the typical mistakes, passes on the
solution, and cannot be fooled by an object that compares equal to everything."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.judging import judge, observe

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [(a, q) for a in specs.ASSIGNMENT_IDS for q in specs.load(a).questions]
IDS = [f"{a}:{q.name}" for a, q in QUESTIONS]
WITH_NOTEBOOKS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class RiggedArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)


def _verdicts(question, answer, hidden=True):
    cases = question.cases if hidden else question.visible_cases
    return [judge(question, case, observe(question, case, answer)) for case in cases]


@pytest.mark.parametrize(("assignment", "question"), QUESTIONS, ids=IDS)
def test_reference_passes_every_case(assignment, question):
    answer = question.reference() if question.kind == "value" else question.reference
    assert all(_verdicts(question, answer))


@pytest.mark.parametrize(("assignment", "question"), QUESTIONS, ids=IDS)
def test_each_typical_mistake_fails_with_its_own_hint(assignment, question):
    assert question.mistakes, "every question names at least one typical mistake"
    for mistake in question.mistakes:
        answer = mistake.answer() if question.kind == "value" else mistake.answer
        verdicts = _verdicts(question, answer, hidden=False)
        failed = [v for v in verdicts if not v.passed]
        assert failed, f"a visible case must catch: {mistake.hint}"
        # a mistake that raises where the reference returns is named after the sentence saying
        # the task accepts the input (tc05 E2)
        hint = failed[0].hint
        assert hint == mistake.hint or hint.endswith(f"comes from the computation: {mistake.hint}")


@pytest.mark.parametrize(("assignment", "question"), QUESTIONS, ids=IDS)
def test_stub_and_always_equal_objects_fail(assignment, question):
    check = checker(assignment)

    def stub(*args, **kwargs):
        raise NotImplementedError()

    if question.kind == "value":
        fakes = [None, AlwaysEqual(), "0.5"]
    else:
        fakes = [stub, lambda *a, **k: AlwaysEqual(), lambda *a, **k: None]
    for fake in fakes:
        with pytest.raises(CheckFailed, match=question.name):
            check(question.name, fake)


def test_rigged_ndarray_subclass_is_compared_by_value():
    question = specs.load("01_gradient_descent").question("projected_gd_step")
    wrong = lambda g, x, lr, lower, upper: np.zeros_like(x).view(RiggedArray)  # noqa: E731
    assert not any(_verdicts(question, wrong))


def test_failure_message_shows_input_expected_got_and_hint():
    check = checker("01_gradient_descent")
    with pytest.raises(CheckFailed) as info:
        check("projected_gd_step", lambda g, x, lr, lower, upper: x - lr * g(x))
    message = str(info.value)
    for part in ("test 1 of", "input: ", "expected: ", "got: ", "hint: Your point is the plain"):
        assert part in message


def test_wrong_shape_and_type_get_a_clear_message():
    check = checker("01_gradient_descent")
    with pytest.raises(CheckFailed, match=r"expected an array of shape \(2,\), got shape \(2, 1\)"):
        check(
            "projected_gd_step",
            lambda g, x, lr, lower, upper: np.clip(x - lr * g(x), lower, upper).reshape(-1, 1),
        )
    with pytest.raises(CheckFailed, match="object of type dict"):
        check("projected_gd_step", lambda g, x, lr, lower, upper: {"x": x})
    with pytest.raises(CheckFailed, match="your answer should be a number"):
        check("ridge_lr_threshold", np.array([0.5, 0.5]))


def test_mutating_the_input_is_reported():
    check = checker("01_gradient_descent")

    def in_place(g, x, lr, lower, upper):
        x -= lr * g(x)
        np.clip(x, lower, upper, out=x)
        return x

    with pytest.raises(CheckFailed, match="changed its argument `x` in place"):
        check("projected_gd_step", in_place)


def _clip_a_copy(grads, max_norm, norm_type=2.0):
    """Right values, but the caller's arrays are left as they were (the task says in place)."""
    grads = [g.copy() for g in grads]
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    for g in grads:
        g *= min(1.0, max_norm / (total + 1e-6))
    return total, grads


def test_an_in_place_requirement_is_part_of_the_verdict(capsys):
    check = checker("07_vanishing_exploding")
    with pytest.raises(CheckFailed, match="arrays of `grads` are not changed in place") as failed:
        check("clip_grad_norm", _clip_a_copy)
    assert "✓" not in capsys.readouterr().out  # one verdict: no tick before the failure
    assert "hint: The task asks to change the arrays of `grads` themselves" in str(failed.value)


def test_unknown_names_are_clear_errors():
    with pytest.raises(KeyError, match="unknown assignment"):
        checker("99_nothing")
    with pytest.raises(CheckFailed, match="there is no question 'nope' here: The questions are"):
        checker("01_gradient_descent")("nope", 1.0)
    with pytest.raises(
        CheckFailed, match="'projected_gd_stpe' here: did you mean `projected_gd_step`?"
    ):
        checker("01_gradient_descent")("projected_gd_stpe", 1.0)


def test_feedback_uses_the_task_words_for_lists_and_whole_numbers():
    check = checker("02_batch_stochastic_minibatch")

    def batches_in_order(n, batch_size, n_epochs, rng):
        return [
            np.arange(n)[i : i + batch_size]
            for _ in range(n_epochs)
            for i in range(0, n, batch_size)
        ][:-1]

    with pytest.raises(CheckFailed) as failed:
        check("minibatch_indices", batches_in_order)
    text = str(failed.value)
    assert "expected a list of 6 items, got 5." in text and "tuple" not in text
    assert "array([0, 1, 2, 3])" in text  # integer indices shown as integers
    check = checker("07_vanishing_exploding")
    with pytest.raises(CheckFailed) as failed:
        check("clip_grad_norm", lambda grads, max_norm: (13.0, [g * 0 for g in grads]))
    assert "in `grads[0]`: 2 of 2 values differ" in str(failed.value)  # the task's own name
    assert "of the returned" not in str(failed.value)


def _run_code_cells(path):
    """Execute a notebook's code cells in one namespace; return (namespace, {cell: exception})."""
    nb = nbformat.read(path, as_version=4)
    namespace, errors = {}, {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            exec(compile(cell.source, f"{path.name}[{index}]", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - we record what each cell raised
            errors[index] = exc
    return nb, namespace, errors


@pytest.mark.parametrize("assignment", WITH_NOTEBOOKS)
def test_solution_notebook_passes_its_checks(assignment, capsys):
    _, namespace, errors = _run_code_cells(ROOT / "solutions" / f"{assignment}.ipynb")
    assert errors == {}
    out = capsys.readouterr().out
    for question in specs.load(assignment).questions:
        assert f"✓ {question.name}" in out


@pytest.mark.parametrize("assignment", WITH_NOTEBOOKS)
def test_exercise_notebook_checks_fail_on_the_untouched_stubs(assignment):
    nb, _, errors = _run_code_cells(ROOT / "exercises" / f"{assignment}.ipynb")
    check_cells = [i for i, c in enumerate(nb.cells) if c.source.startswith("check(")]
    assert len(check_cells) == len(specs.load(assignment).questions)
    for index in check_cells:
        assert isinstance(errors.get(index), CheckFailed), (index, errors.get(index))


def test_in_ipython_a_failed_check_shows_its_message_without_a_traceback(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        result = shell.run_cell(
            "from course_utils.checks import checker\n"
            "check = checker('01_gradient_descent')\n"
            "check('ridge_lr_threshold', 0.25)\n"
        )
        shown = capsys.readouterr()
    finally:
        InteractiveShell.clear_instance()
    assert isinstance(result.error_in_exec, CheckFailed)  # the cell still fails: Run All stops
    text = shown.out + shown.err
    assert "0.25 is not the right answer" in text
    assert "Traceback" not in text and "checks.py" not in text


@pytest.mark.parametrize(
    "name", ["warm_restarts_lrs", "which_loop", "steps_to_floor", "range_test_verdict"]
)
def test_every_schedule_question_names_its_off_by_one_mistakes(name):
    """Exercise 05 promises that the checks look for off-by-one step counts."""
    question = specs.load("05_learning_rate_schedules").question(name)
    hints = [m.hint.lower() for m in question.mistakes]
    assert sum("one step" in h or "off by one" in h or "one value" in h for h in hints) >= 2


def test_warm_restarts_shifted_by_one_step_gets_its_own_hint():
    def shifted(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
        out, since, period = [], 0, T_0
        for _ in range(steps + 1):  # stepped once before the first value was read
            out.append(eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * since / period)) / 2)
            since += 1
            if since == period:
                since, period = 0, period * T_mult
        return out[1:]

    with pytest.raises(CheckFailed, match=r"hint: Every value is one step ahead"):
        checker("05_learning_rate_schedules")("warm_restarts_lrs", shifted)


# ------------------------------------------- answers the December read found passing (issue 15)


def _judged(assignment, name, answer, seed=7):
    """Every case, hidden ones with the inputs a grading run with ``seed`` draws."""
    from course_utils.grading import scoring

    question = specs.load(assignment).question(name)
    inputs = scoring.case_inputs(question, seed)
    observations = [
        observe(question, case, answer, args)
        for case, args in zip(question.cases, inputs, strict=True)
    ]
    return scoring.judge_question(question, inputs, observations)


def _hvp_ignoring_h(grad_fn, x, v, h=1e-5):
    """A central difference of the gradient with a tiny step of its own instead of h."""
    x, v = np.array(x, dtype=float), np.array(v, dtype=float)
    return (grad_fn(x + 1e-7 * v) - grad_fn(x - 1e-7 * v)) / 2e-7


def test_a_central_difference_that_ignores_h_fails_on_the_large_h_case():
    check = checker("01_gradient_descent")
    with pytest.raises(
        CheckFailed, match=r"h = 0\.1(.|\n)*hint: Your result is the exact second derivative"
    ):
        check("hessian_vector_product", _hvp_ignoring_h)
    question = specs.load("01_gradient_descent").question("hessian_vector_product")
    case = next(c for c in question.cases if "h = 0.1" in c.description)
    assert not case.hidden
    assert question.reference(*case.make_inputs())[0] == pytest.approx(12.04, abs=1e-9)
    assert _judged("01_gradient_descent", "hessian_vector_product", _hvp_ignoring_h).score == 0


def _backtracking_one_try_short(*args):
    """Tries lr0 and max_shrinks - 1 shrinks only (the spec's named mistake): it raises where the
    last allowed try passes."""
    from course_utils.specs._backtracking import _one_try_short

    return _one_try_short(*args)


def test_a_raising_mistake_gets_its_hint_and_an_unknown_raise_the_accepted_input_hint():
    # tc05 E2: a raise where the reference returns first says the task accepts the input (an
    # answer refusing it on purpose got a mistake's or the question's hint, both false for it)
    check = checker("01_gradient_descent")
    accepted = "The task accepts this input (the reference returns a result for it)"
    with pytest.raises(
        CheckFailed,
        match=r"(?s)max_shrinks = 2.*hint: The task accepts this input .*"
        r"If the FloatingPointError comes from the computation: You raised one try too early",
    ):
        check("backtracking_step", _backtracking_one_try_short)
    question = specs.load("01_gradient_descent").question("backtracking_step")
    last = next(c for c in question.visible_cases if "max_shrinks = 2" in c.description)

    def raises_value_error(*args):
        raise ValueError("no")

    verdict = judge(question, last, observe(question, last, _backtracking_one_try_short))
    assert not verdict.passed and verdict.hint.startswith(accepted)
    assert "computation: You raised one try too early" in verdict.hint
    verdict = judge(question, last, observe(question, last, raises_value_error))
    assert not verdict.passed and verdict.hint.startswith(accepted)
    assert question.hint not in verdict.hint and "computation" not in verdict.hint


def _solution_function(assignment, name, namespace):
    """Define the solution notebook's answer ``name`` in ``namespace`` (its cell, as written)."""
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.source.startswith(f"def {name}(")]
    exec(compile(cell.source, name, "exec"), namespace)
    return namespace[name]


def test_weighted_sgd_epoch_is_graded_on_its_own_a_wrong_question_3_does_not_sink_it():
    def minibatch_indices(n, batch_size, n_epochs, rng):  # wrong: never shuffled
        return [
            np.arange(n)[i : i + batch_size]
            for _ in range(n_epochs)
            for i in range(0, n, batch_size)
        ]

    namespace = {"np": np, "minibatch_indices": minibatch_indices}
    assignment = "02_batch_stochastic_minibatch"
    epoch = _solution_function(assignment, "weighted_sgd_epoch", namespace)
    assert _judged(assignment, "minibatch_indices", minibatch_indices).score == 0
    result = _judged(assignment, "weighted_sgd_epoch", epoch)
    assert result.score == result.max_score == 3, result.output


def test_an_answer_that_iterates_the_library_loader_scores_0():
    from course_utils.data import MiniBatches

    def from_the_loader(n, batch_size, n_epochs, rng):
        loader = MiniBatches(n, batch_size, rng=rng)
        return [b for _ in range(n_epochs) for b in loader]

    question = specs.load("02_batch_stochastic_minibatch").question("minibatch_indices")
    assert all(_verdicts(question, from_the_loader))  # right values: only the library rule stops it
    assert "course_utils.data.regression.MiniBatches.__iter__" in question.library_names


def test_no_hint_of_exercises_00_to_04_calls_another_answer_right():
    """A hint may name another method, never call it right for the case the question asks about
    (the init_std hint once called LeCun's scale right for tanh, where the question asks Xavier)."""
    for assignment in [a for a in specs.ASSIGNMENT_IDS if a[:2] in ("00", "01", "02", "03", "04")]:
        for question in specs.load(assignment).questions:
            for hint in [question.hint] + [m.hint for m in question.mistakes]:
                assert "right for" not in hint, (assignment, question.name, hint)


def test_the_adamw_hint_does_not_call_the_paper_s_form_a_slip():
    question = specs.load("04_momentum_adaptive").question("adamw_amsgrad_step")
    (hint,) = [m.hint for m in question.mistakes if "paper" in m.hint]
    assert "Loshchilov & Hutter" in hint and "torch.optim.AdamW" in hint
