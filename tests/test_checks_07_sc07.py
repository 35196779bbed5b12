"""Exercise 07 after its referee read sc07 (E1-E3): answers that passed every case, hidden ones too.

E1: question 1's only returning ``norm_type = inf`` case had its largest entry alone in a 1x1 array,
so any per-array norm, maximised over the arrays, gave the right total. A visible case now puts the
largest entry in a row of a 2-D array (total 3; numpy's matrix inf-norm per array gives 6, the
largest per-array 1-norm 7), with a Mistake and a hint for each.
E2: question 3's raising cases all failed inside numpy by themselves; with T = 0 no product is
computed, so an answer without the stated shape checks returned normally. A visible T = 0 case (a
``df_dhT`` of length 4 for H = 3) and two hidden ones (``hs`` of 2 columns, a non-square ``W_hh``)
now ask for the checks.
E3: question 1's ``max_norm = 0`` rule was tested on a gradient that clips only; an answer that
checks ``max_norm`` only in its clipping branch passed. A visible all-zero case asks for the raise.
"""

import math

import numpy as np
import pytest
import torch
from test_checks import _judged

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.judging import judge, observe

SET = "07_vanishing_exploding"
INF_CASE = [np.array([1.0, -2.0]), np.array([[3.0, -3.0], [0.5, 0.5]])]


def _question(name):
    return specs.load(SET).question(name)


def _hint(name, words):
    (hint,) = [m.hint for m in _question(name).mistakes if words in m.hint]
    return hint


def _fails_with(name, answer, text):
    with pytest.raises(CheckFailed) as failed:
        checker(SET)(name, answer)
    assert text in str(failed.value), str(failed.value)


def _full_marks(name, answer):
    return all(_judged(SET, name, answer, seed).score == _question(name).points for seed in (0, 7))


# ----------------------------------------------------------------- question 1, as learners write it


def _clip(inf_total, *, lazy_max_norm=False):
    """clip_grad_norm right for every finite norm_type, with ``inf_total(grads)`` for inf; with
    ``lazy_max_norm`` max_norm is checked only inside the branch that clips."""

    def clip(grads, max_norm, norm_type=2.0):
        if not norm_type > 0 or (not lazy_max_norm and not max_norm > 0):
            raise ValueError("norm_type and max_norm must be positive.")
        if np.isinf(norm_type):
            total = inf_total(grads)
        else:
            flat = np.abs(np.concatenate([g.ravel() for g in grads] + [np.zeros(0)]))
            total = float(np.sum(flat**norm_type) ** (1 / norm_type))
        if total > max_norm:
            if not max_norm > 0:
                raise ValueError("max_norm must be positive.")
            for g in grads:
                g *= max_norm / (total + 1e-6)
        return total, grads

    return clip


def _max_abs(grads):
    return max((float(np.abs(g).max()) for g in grads if g.size), default=0.0)


def _matrix_norms(grads):  # np.linalg.norm(g, np.inf) of a 2-D array: the largest row sum
    return max((float(np.linalg.norm(g, np.inf)) for g in grads), default=0.0)


def _one_norms(grads):
    return max((float(np.abs(g).sum()) for g in grads), default=0.0)


def test_the_new_inf_case_has_the_totals_its_description_and_hints_name():
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in INF_CASE]
    for p, g in zip(params, INF_CASE, strict=True):
        p.grad = torch.tensor(g)
    assert torch.nn.utils.clip_grad_norm_(params, 1.0, norm_type=math.inf).item() == 3.0
    assert _question("clip_grad_norm").reference([g.copy() for g in INF_CASE], 1.0, np.inf)[0] == 3
    assert (_matrix_norms(INF_CASE), _one_norms(INF_CASE), _max_abs(INF_CASE)) == (6.0, 7.0, 3.0)
    (case,) = [
        c for c in _question("clip_grad_norm").visible_cases if "[0.5, 0.5]" in c.description
    ]
    assert "the largest absolute entry is 3" in case.description


@pytest.mark.parametrize(
    ("inf_total", "words"),
    [
        (_matrix_norms, "takes a 2-D array as a MATRIX"),
        (_one_norms, "not the largest of the arrays' sums"),
    ],
)
def test_a_per_array_inf_norm_fails_with_its_hint_and_scores_0(inf_total, words):
    answer = _clip(inf_total)
    _fails_with("clip_grad_norm", answer, _hint("clip_grad_norm", words))
    _fails_with("clip_grad_norm", answer, "expected 3, got")
    assert _judged(SET, "clip_grad_norm", answer).score == 0


def test_the_largest_absolute_entry_still_gets_full_marks():
    checker(SET)("clip_grad_norm", _clip(_max_abs))
    assert _full_marks("clip_grad_norm", _clip(_max_abs))


def test_max_norm_0_checked_only_when_clipping_fails_with_its_hint_and_scores_0():
    lazy = _clip(_max_abs, lazy_max_norm=True)
    assert lazy([np.zeros(3)], 0.0)[0] == 0.0  # returns normally where the text asks a raise
    with pytest.raises(ValueError, match=r"^max_norm must be positive, got 0\.0\.$"):
        _question("clip_grad_norm").reference([np.zeros(3)], 0.0)
    _fails_with("clip_grad_norm", lazy, _hint("clip_grad_norm", "even when there is nothing"))
    _fails_with("clip_grad_norm", lazy, "grads = [zeros(3)], max_norm = 0")
    assert _judged(SET, "clip_grad_norm", lazy).score == 0


def test_each_max_norm_mistake_keeps_its_own_hint_on_its_own_case():
    # the three Mistakes that miss a max_norm raise are tried in order: each must first fail on
    # a case where the ones before it do raise
    question = _question("clip_grad_norm")
    hints = {m.answer.__name__: m.hint for m in question.mistakes}
    for name, words in (
        ("_max_norm_checked_when_clipping", "grads = [zeros(3)], max_norm = 0"),
        ("_zero_max_norm_allowed", "max_norm = 0 (must raise"),
        ("_max_norm_unchecked", "max_norm = -1"),
    ):
        (mistake,) = [m for m in question.mistakes if m.answer.__name__ == name]
        failed = [
            (c, v)
            for c in question.visible_cases
            for v in [judge(question, c, observe(question, c, mistake.answer))]
            if not v.passed
        ]
        assert failed[0][0].description.startswith(words) and failed[0][1].hint == hints[name]


# ----------------------------------------------------------------- question 3, as learners write it


def _recursion(W_hh, hs, df_dhT):
    out = [np.array(df_dhT, dtype=float)]
    for lag in range(1, len(hs)):
        out.append((1 - np.tanh(hs[len(hs) - 1 - lag]) ** 2) * (W_hh.T @ out[-1]))
    return np.array(out)


def _checked(*, square=True, columns=True, g=True):
    """The recursion behind the text's shape checks, each of which can be left out."""

    def answer(W_hh, hs, df_dhT):
        H = W_hh.shape[0]
        if square and W_hh.shape != (H, H):
            raise ValueError("W_hh must be square.")
        if hs.ndim != 2 or hs.shape[0] < 1 or (columns and hs.shape[1] != H):
            raise ValueError("hs must have shape (T + 1, H).")
        if g and df_dhT.shape != (H,):
            raise ValueError("df_dhT must have shape (H,).")
        return _recursion(W_hh, hs, df_dhT)

    return answer


def test_state_form_t0_cases_are_ones_numpy_does_not_catch_by_itself():
    question = _question("state_form_grads")
    t0 = [c for c in question.cases if c.raises and c.description.startswith("T = 0")]
    assert [c.hidden for c in t0] == [False, True, True]
    for case in t0:
        args = case.make_inputs()
        with pytest.raises(ValueError):
            question.reference(*args)
        assert _recursion(*args).shape[0] == 1  # no check: numpy returns normally


def test_state_form_without_shape_checks_fails_with_its_hint_and_scores_0():
    _fails_with("state_form_grads", _recursion, _hint("state_form_grads", "with T = 0"))
    _fails_with("state_form_grads", _recursion, "T = 0 and df_dhT of length 4")
    assert _judged(SET, "state_form_grads", _recursion).score == 0


@pytest.mark.parametrize("left_out", ["square", "columns", "g"])
def test_state_form_without_any_one_shape_check_scores_0(left_out):
    assert _full_marks("state_form_grads", _checked())
    assert _judged(SET, "state_form_grads", _checked(**{left_out: False})).score == 0
