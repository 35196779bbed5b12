"""Exercise 05 after referee read sa05 (points 7, 8 and 9, cat. 6).

7: question 1's text says that the course library's schedules score 0, but an answer built on
   the course's own cosine annealer (its class or its formula) passed while the same answer on
   torch's scored 0; both now score 0.
8: question 3 had no case with alpha L = 1 and a start inside the band, so an answer returning 1
   whenever alpha L = 1 passed; a visible case now fails it with its own hint.
9: question 3 asks for an int and a float passed: it now grades the type (``exact_types``);
   question 1's text asks only for what is graded (values: a list of the same floats passes)."""

import math
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from test_checks import _judged
from test_grading_library_rule import _observe_with_counting

from course_utils import schedules, specs
from course_utils.checks import CheckFailed, checker
from course_utils.grading import scoring
from course_utils.optim import SGD
from course_utils.schedules import functional

SCHEDULES = "05_learning_rate_schedules"


def _reference(name):
    return specs.load(SCHEDULES).question(name).reference


def _failure(name, answer):
    with pytest.raises(CheckFailed) as failed:
        checker(SCHEDULES)(name, answer)
    return str(failed.value)


# ------------------------------------------------- 7. the course's cosine annealer scores 0 too


def _checked_arguments(T_0, steps, T_mult):
    for value, low in ((T_0, 1), (T_mult, 1), (steps, 0)):
        if type(value) is not int or value < low:
            raise ValueError(f"{value!r} must be a whole number >= {low}.")


def _per_period_with_the_course_formula(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """The per-period answer, each rate from the course's cosine_annealing_lr."""
    _checked_arguments(T_0, steps, T_mult)
    out, since, period = [], 0, T_0
    for _ in range(steps):
        out.append(functional.cosine_annealing_lr(since, base_lr, period, eta_min))
        since += 1
        if since == period:
            since, period = 0, period * T_mult
    return np.array(out, dtype=float)


def _per_period_with_the_course_class(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """The per-period answer, a course CosineAnnealingLR built at every restart."""
    _checked_arguments(T_0, steps, T_mult)
    out, period = [], T_0
    while len(out) < steps:
        sched = schedules.CosineAnnealingLR(SGD([np.zeros(1)], lr=base_lr), T_max=period,
                                            eta_min=eta_min)  # fmt: skip
        for _ in range(min(period, steps - len(out))):
            out.append(sched.get_last_lr()[0])
            sched.step()
        period *= T_mult
    return np.array(out, dtype=float)


def _the_course_warm_restarts_class(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    _checked_arguments(T_0, steps, T_mult)
    sched = schedules.CosineAnnealingWarmRestarts(SGD([np.zeros(1)], lr=base_lr), T_0, T_mult,
                                                  eta_min)  # fmt: skip
    out = []
    for _ in range(steps):
        out.append(sched.get_last_lr()[0])
        sched.step()
    return np.array(out, dtype=float)


COURSE_ANSWERS = [
    _per_period_with_the_course_formula,
    _per_period_with_the_course_class,
    _the_course_warm_restarts_class,
]


@pytest.mark.parametrize("answer", COURSE_ANSWERS)
def test_the_course_answers_compute_the_right_rates(answer):
    """Without the library rule they would pass: their values are the reference's."""
    reference = _reference("warm_restarts_lrs")
    for args in ((0.1, 5, 12), (0.1, 2, 14, 2), (0.5, 3, 20, 3, 0.01), (0.1, 1, 130, 3)):
        np.testing.assert_allclose(answer(*args), reference(*args), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("answer", COURSE_ANSWERS)
def test_an_answer_on_the_courses_cosine_scores_0_in_check(answer):
    text = _failure("warm_restarts_lrs", answer)
    assert "calls the course library's own implementation" in text and "scores 0" in text, text


def test_the_grader_counts_the_courses_cosine_and_scores_0():
    """As the grading sandbox runs them: its probe counts the calls (in a forked child, so the
    library stays unpatched here), and every case scores 0."""
    question = specs.load(SCHEDULES).question("warm_restarts_lrs")
    inputs = scoring.case_inputs(question, 7)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(
        target=_observe_with_counting, args=(question, COURSE_ANSWERS, inputs, queue)
    )
    child.start()
    runs = queue.get(timeout=120)
    child.join(timeout=30)
    for observations in runs:
        # every case that computes a rate counts calls (steps = 0 and the refusals compute none)
        computed = [o for o in observations if o.get("outcome") == "value" and o["value"]["data"]]
        assert computed and all(o.get("library_calls") for o in computed)
        result = scoring.judge_question(question, inputs, observations)
        assert result.score == 0.0
        assert "calls the course library's own implementation" in result.output


def test_the_library_list_names_the_courses_cosine_class_and_formula():
    names = specs.load(SCHEDULES).question("warm_restarts_lrs").library_names
    for name in (
        "course_utils.schedules.functional.cosine_annealing_lr",
        "course_utils.schedules.CosineAnnealingLR.lr_at",
        "course_utils.schedules.functional.cosine_warm_restarts_lr",
        "course_utils.schedules.CosineAnnealingWarmRestarts.lr_at",
        "torch.optim.lr_scheduler.CosineAnnealingLR.get_lr",
    ):
        assert name in names


def _written_out(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    """The same per-period answer with the cosine written out."""
    _checked_arguments(T_0, steps, T_mult)
    out, since, period = [], 0, T_0
    for _ in range(steps):
        out.append(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * since / period)) / 2)
        since += 1
        if since == period:
            since, period = 0, period * T_mult
    return np.array(out, dtype=float)


def test_the_written_out_cosine_still_passes():
    """The rule refuses calls, not the formula: written out, the answer passes and scores the
    question's 3 points."""
    checker(SCHEDULES)("warm_restarts_lrs", _written_out)
    assert _judged(SCHEDULES, "warm_restarts_lrs", _written_out).score == 3


# ----------------------------------------- 8. alpha L = 1 with the start already inside the band


def test_the_new_case_is_alpha_l_1_inside_the_band_and_its_answer_is_0():
    reference = _reference("steps_to_floor")
    lr, L, sigma, start = 1.0, 1.0, 1.0, 0.95
    floor = lr * sigma**2 / (L * (2 - lr * L))
    assert lr * L == 1 and floor == 1 and abs(start - floor) <= 0.1 * floor
    assert reference(lr, L, sigma, start) == 0
    question = specs.load(SCHEDULES).question("steps_to_floor")
    visible = [case.make_inputs() for case in question.visible_cases if not case.raises]
    assert any(tuple(args) == (1.0, 1.0, 1.0, 0.95) for args in visible)


def _one_whenever_alpha_l_is_1(lr, L, sigma, start_mean_square, rel=0.1):
    if lr * L == 1:
        return 1
    return _reference("steps_to_floor")(lr, L, sigma, start_mean_square, rel)


def _one_whenever_alpha_l_is_1_but_a_bool(lr, L, sigma, start_mean_square, rel=0.1):
    """The referee's form, which skips the visible bool case lr = True (also inside the band)."""
    if lr * L == 1 and not isinstance(lr, bool):
        return 1
    return _reference("steps_to_floor")(lr, L, sigma, start_mean_square, rel)


@pytest.mark.parametrize(
    "answer", [_one_whenever_alpha_l_is_1, _one_whenever_alpha_l_is_1_but_a_bool]
)
def test_returning_1_whenever_alpha_l_is_1_fails_with_its_hint(answer):
    text = _failure("steps_to_floor", answer)
    assert "E x_0^2 = 0.95: already within 10% of the floor 1" in text, text
    assert "expected 0, got 1" in text and "test the band first" in text, text
    assert _judged(SCHEDULES, "steps_to_floor", answer).score == 0


# ------------------------------------------------------------ 9. the types the tasks ask for


def test_steps_to_floor_as_a_float_fails_and_a_numpy_integer_passes():
    reference = _reference("steps_to_floor")

    def as_float(*args, **kwargs):
        return float(reference(*args, **kwargs))

    def as_numpy_integer(*args, **kwargs):
        return np.int64(reference(*args, **kwargs))

    text = _failure("steps_to_floor", as_float)
    assert "expected an integer, got a float" in text, text
    assert _judged(SCHEDULES, "steps_to_floor", as_float).score == 0
    checker(SCHEDULES)("steps_to_floor", as_numpy_integer)
    assert _judged(SCHEDULES, "steps_to_floor", as_numpy_integer).score == 3


def test_warm_restarts_as_a_list_passes_as_the_text_says():
    def as_list(*args, **kwargs):
        return [float(v) for v in _written_out(*args, **kwargs)]

    checker(SCHEDULES)("warm_restarts_lrs", as_list)
    assert _judged(SCHEDULES, "warm_restarts_lrs", as_list).score == 3


def exercise_markdown():
    """The generated exercise's markdown, whitespace collapsed to single spaces."""
    import nbformat

    path = Path(__file__).parents[1] / "exercises" / "05_learning_rate_schedules.ipynb"
    nb = nbformat.read(path, as_version=4)
    return " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


def test_the_exercise_text_says_what_is_graded():
    text = exercise_markdown()
    assert "a list of the same numbers passes too" in text
    assert "the check refuses a float such as `25.0`" in text
    assert "`course_utils.schedules.functional.cosine_annealing_lr`) or torch's, scores 0" in text
