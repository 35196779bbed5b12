"""Spec for exercise set 05: learning-rate schedules.

Questions: ``warmup_cosine_lrs``, ``one_cycle_lrs``, ``inverse_time_lrs``, ``pick_lr``. Each asks
for the WHOLE schedule (the lr at t = 0, 1, ..., steps - 1) so that one case sees every boundary:
the most common schedule bug is counting steps off by one, and each such bug is a Mistake below.
References come from ``course_utils.schedules`` and its ``functional`` (defined once).
Question 4, ``pick_lr``, is in ``_pick_lr.py`` (a private part of this spec).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import schedules
from ..schedules.functional import one_cycle_lr
from ._pick_lr import PICK_LR
from .base import Assignment, Case, Mistake, Question


def _run(make, base_lr, steps):
    """The lr at t = 0 .. steps-1 of a scheduler from course_utils.schedules."""
    optimizer = SimpleNamespace(param_groups=[{"lr": base_lr}], defaults={"lr": base_lr})
    sched = make(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(sched.get_last_lr()[0])
        sched.step()
    return np.array(lrs)


# ----------------------------------------------------------------------------- 1. warm-up + cosine


def _warmup_cosine(base_lr, warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
    # Either phase may be empty (torch's schedulers give the same rates); outside 0 <= W <= N the
    # library raises ValueError: LinearLR's total_iters < 1 or CosineAnnealingLR's T_max < 1.
    def make(opt):
        if warmup_steps == 0:
            return schedules.CosineAnnealingLR(opt, T_max=total_steps, eta_min=eta_min)
        warm = schedules.LinearLR(opt, start_factor=start_factor, total_iters=warmup_steps)
        if warmup_steps == total_steps:
            return warm
        cosine = schedules.CosineAnnealingLR(opt, T_max=total_steps - warmup_steps, eta_min=eta_min)
        return schedules.SequentialLR(opt, [warm, cosine], milestones=[warmup_steps])

    return _run(make, base_lr, total_steps)


def _warmup_formula(t, base_lr, w, start_factor):
    return base_lr * (start_factor + (1 - start_factor) * t / w)


def _cosine(t, base_lr, T, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t / T)) / 2


def _warmup_one_late(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(min(t + 1, w), base_lr, w, start_factor) if t < w
        else _cosine(t - w, base_lr, total - w, eta_min) for t in range(total)
    ])  # fmt: skip


def _cosine_not_shifted(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(t, base_lr, w, start_factor) if t < w
        else _cosine(t, base_lr, total, eta_min) for t in range(total)
    ])  # fmt: skip


def _cosine_full_length(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(t, base_lr, w, start_factor) if t < w
        else _cosine(t - w, base_lr, total, eta_min) for t in range(total)
    ])  # fmt: skip


def _one_step_ahead(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(t + 1, base_lr, w, start_factor) if t + 1 < w
        else _cosine(t + 1 - w, base_lr, total - w, eta_min) for t in range(total)
    ])  # fmt: skip


def _warmup_one_early(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(min(t, w - 1), base_lr, max(w - 1, 1), start_factor) if t < w
        else _cosine(t - w, base_lr, total - w, eta_min) for t in range(total)
    ])  # fmt: skip


def _cosine_one_ahead(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(t, base_lr, w, start_factor) if t < w
        else _cosine(t - w + 1, base_lr, total - w, eta_min) for t in range(total)
    ])  # fmt: skip


def _cosine_one_short(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return np.array([
        _warmup_formula(t, base_lr, w, start_factor) if t < w
        else _cosine(t - w, base_lr, total - w - 1, eta_min) for t in range(total)
    ])  # fmt: skip


def _stepped_before_use(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return _warmup_cosine(base_lr, w, total + 1, start_factor, eta_min)[1:]


def _zero_warmup_as_one_step(base_lr, w, total, start_factor=0.1, eta_min=0.0):
    return _warmup_cosine(base_lr, max(w, 1), total, start_factor, eta_min)


WARMUP_COSINE = Question(
    name="warmup_cosine_lrs",
    points=3,
    reference=_warmup_cosine,
    rtol=1e-9,
    atol=1e-12,
    cases=(
        Case(lambda: (0.1, 5, 20), "base_lr = 0.1, warmup_steps = 5, total_steps = 20"),
        Case(
            lambda: (0.5, 3, 12, 0.5, 0.01),
            "base_lr = 0.5, warmup_steps = 3, total_steps = 12, start_factor = 0.5, eta_min = 0.01",
        ),
        Case(
            lambda: (0.1, 0, 8),
            "base_lr = 0.1, warmup_steps = 0 (no warm-up: the cosine from t = 0), total_steps = 8",
        ),
        Case(
            lambda: (0.1, 6, 6),
            "base_lr = 0.1, warmup_steps = total_steps = 6 (warm-up only)",
        ),
        Case(
            lambda: (0.1, 7, 6),
            "warmup_steps = 7 > total_steps = 6 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(lambda: (0.1, 0, 0), "total_steps = 0 (must raise ValueError)", raises="ValueError"),
        Case(lambda: (1.0, 10, 100, 0.01, 1e-3), "a long schedule", hidden=True),
        Case(lambda: (0.2, 1, 7), "a one-step warm-up", hidden=True),
        Case(lambda: (0.3, 0, 50, 0.1, 1e-3), "50 steps without warm-up", hidden=True),
        Case(lambda: (0.3, 20, 20, 0.05), "20 steps of warm-up only", hidden=True),
        Case(lambda: (0.3, -1, 20), "a negative warm-up", hidden=True, raises="ValueError"),
    ),
    mistakes=(
        Mistake(
            "Your warm-up is one step ahead: at t = 0 the lr must be start_factor times base_lr, reaching base_lr exactly at t = warmup_steps; your fraction of the warm-up counts one step too many.",
            _warmup_one_late,
        ),
        Mistake(
            "The cosine must restart its clock at the end of the warm-up: use t - warmup_steps "
            "(so the cosine starts at base_lr), not t.",
            _cosine_not_shifted,
        ),
        Mistake(
            "The cosine part lasts from the end of the warm-up to the end of the run, not the whole run: its half period is the number of steps after the warm-up.",
            _cosine_full_length,
        ),
        Mistake(
            "Every value is the one of the NEXT step: the schedule was stepped once before the "
            "first value was used (scheduler.step() before optimizer.step()). The list starts "
            "with the lr for t = 0.",
            _stepped_before_use,
        ),
        Mistake(
            "Every value is one step ahead (the lr of step t + 1 at index t): the list starts "
            "with the lr of step 0, start_factor times base_lr, and the cosine's clock reads 0 "
            "at t = warmup_steps.",
            _one_step_ahead,
        ),
        Mistake(
            "Your warm-up reaches base_lr one step early, a step before warmup_steps: at step t the "
            "warm-up has done t of its warmup_steps steps, and base_lr comes at t = warmup_steps.",
            _warmup_one_early,
        ),
        Mistake(
            "The cosine part is one step ahead: its first value, at t = warmup_steps, must be "
            "base_lr itself (the cosine's clock reads 0 when the warm-up ends).",
            _cosine_one_ahead,
        ),
        Mistake(
            "The cosine is one step too short: its half period is the number of steps after the "
            "warm-up, so it is still a little above eta_min at the last step (torch's T_max).",
            _cosine_one_short,
        ),
        Mistake(
            "A warmup_steps of 0 means no warm-up at all: the list starts at base_lr and the "
            "cosine lasts all total_steps steps; a zero warm-up is not a one-step warm-up.",
            _zero_warmup_as_one_step,
        ),
    ),
    hint=(
        "Two phases: a linear warm-up from start_factor * base_lr that reaches base_lr when "
        "the warm-up ends, then half a cosine from base_lr down to eta_min over the remaining "
        "steps (toward eta_min); the list starts with the lr of step 0. Either phase may be "
        "empty (warmup_steps 0 or total_steps); outside that range raise ValueError."
    ),
    library=(
        "course_utils.schedules.functional.linear_lr",
        "course_utils.schedules.functional.cosine_annealing_lr",
    ),
)

# ----------------------------------------------------------------------------- 2. one-cycle


def _one_cycle(max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    return np.array(
        [
            one_cycle_lr(t, max_lr, total_steps, pct_start, "cos", div_factor, final_div_factor)
            for t in range(total_steps)
        ]
    )


def _one_cycle_variant(max_lr, total, pct, div, final_div, peak_at, end_lr, end_at=None):
    lo, hi = max_lr / div, max_lr
    out = []
    for t in range(total):
        if t <= peak_at:
            out.append(hi + (lo - hi) / 2 * (np.cos(np.pi * t / peak_at) + 1))
        else:
            pct_t = (t - peak_at) / ((total - 1 if end_at is None else end_at) - peak_at)
            out.append(end_lr + (hi - end_lr) / 2 * (np.cos(np.pi * pct_t) + 1))
    return np.array(out)


def _peak_one_late(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return _one_cycle_variant(
        max_lr, total, pct, div, final_div, pct * total, max_lr / div / final_div
    )


def _wrong_final_lr(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return _one_cycle_variant(
        max_lr, total, pct, div, final_div, pct * total - 1, max_lr / final_div
    )


def _peak_one_early(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return _one_cycle_variant(
        max_lr, total, pct, div, final_div, pct * total - 2, max_lr / div / final_div
    )


def _end_one_late(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return _one_cycle_variant(
        max_lr, total, pct, div, final_div, pct * total - 1, max_lr / div / final_div, total
    )


def _peak_rounded_down(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return _one_cycle_variant(
        max_lr, total, pct, div, final_div, int(pct * total) - 1, max_lr / div / final_div
    )


def _peak_rounded(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return _one_cycle_variant(
        max_lr, total, pct, div, final_div, round(pct * total) - 1, max_lr / div / final_div
    )


def _linear_one_cycle(max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    return np.array(
        [one_cycle_lr(t, max_lr, total, pct, "linear", div, final_div) for t in range(total)]
    )


ONE_CYCLE = Question(
    name="one_cycle_lrs",
    points=3,
    reference=_one_cycle,
    rtol=1e-9,
    atol=1e-12,
    cases=(
        Case(lambda: (0.1, 20), "max_lr = 0.1, total_steps = 20 (defaults otherwise)"),
        Case(
            lambda: (1.0, 50, 0.4, 10.0, 100.0),
            "max_lr = 1, total_steps = 50, pct_start = 0.4, div_factor = 10, final_div_factor = 100",
        ),
        Case(
            lambda: (0.1, 25),
            "max_lr = 0.1, total_steps = 25: pct_start * total_steps = 7.5 is not a whole step",
        ),
        Case(
            lambda: (0.1, 10, 0.1),
            "pct_start * total_steps = 1: phase 1 would end at step 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(lambda: (0.3, 1000, 0.25), "1000 steps", hidden=True),
        Case(lambda: (0.1, 33, 0.25), "33 steps, pct_start = 0.25", hidden=True),
        Case(
            lambda: (0.1, 3, 0.3), "pct_start * total_steps = 0.9 < 1: phase 1 empty", hidden=True
        ),
        Case(
            lambda: (0.1, 20, 0.05), "pct_start * total_steps = 1", hidden=True, raises="ValueError"
        ),
    ),
    mistakes=(
        Mistake(
            "The peak is one step late: torch's first phase ends at step pct_start * total_steps "
            "- 1 (steps count from 0), so the lr reaches max_lr there.",
            _peak_one_late,
        ),
        Mistake(
            "The final lr divides the INITIAL lr by final_div_factor, not max_lr: both factors divide max_lr.",
            _wrong_final_lr,
        ),
        Mistake(
            "The peak is one step early: torch's first phase ends at step pct_start * total_steps "
            "- 1 (steps count from 0), so the lr reaches max_lr there, not a step before.",
            _peak_one_early,
        ),
        Mistake(
            "The second phase ends one step late: the last value in the list (step total_steps - "
            "1) must already be the final lr.",
            _end_one_late,
        ),
        Mistake(
            "That is linear annealing: both phases follow half a cosine from their start value "
            "to their end value.",
            _linear_one_cycle,
        ),
        Mistake(
            "The peak must not be rounded down to a whole step: torch's first phase ends at "
            "pct_start * total_steps - 1 as a float (6.5 for 25 steps at pct_start 0.3), so "
            "when that is not a whole number no step reaches max_lr exactly.",
            _peak_rounded_down,
        ),
        Mistake(
            "The peak must not be rounded to a whole step: torch's first phase ends at "
            "pct_start * total_steps - 1 as a float (6.5 for 25 steps at pct_start 0.3), so "
            "when that is not a whole number no step reaches max_lr exactly.",
            _peak_rounded,
        ),
    ),
    hint=(
        "Phase 1 rises from max_lr/div_factor to max_lr, ending at step pct_start * "
        "total_steps - 1; phase 2 falls to max_lr/(div_factor*final_div_factor) at the last "
        "step; both phases anneal along a cosine of the fraction of the phase done. When "
        "pct_start * total_steps = 1, phase 1 would have length 0: raise ValueError."
    ),
    library=("course_utils.schedules.functional.one_cycle_lr",),
)

# ----------------------------------------------------------------------------- 3. inverse time


def _inverse_time(base_lr, k, steps):
    return _run(lambda opt: schedules.InverseTimeLR(opt, k=k), base_lr, steps)


INVERSE_TIME = Question(
    name="inverse_time_lrs",
    points=2,
    reference=_inverse_time,
    rtol=1e-12,
    atol=0.0,
    cases=(
        Case(lambda: (0.5, 0.1, 10), "base_lr = 0.5, k = 0.1, steps = 10"),
        Case(lambda: (1.0, 1.0, 5), "base_lr = 1, k = 1, steps = 5 (1, 1/2, 1/3, ...)"),
        Case(lambda: (0.2, 0.003, 500), "500 steps", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Off by one: at t = 0 the lr is base_lr itself, base_lr / (1 + k * 0); use t = 0, 1, "
            "..., steps - 1.",
            lambda base, k, steps: base / (1 + k * (np.arange(steps) + 1)),
        ),
        Mistake(
            "That is exponential decay (one factor per step, compounded); inverse-time decay "
            "divides base_lr by a factor that grows linearly with t.",
            lambda base, k, steps: base / (1 + k) ** np.arange(steps),
        ),
        Mistake(
            "One value too many: the list holds one lr per step, t = 0, 1, ..., steps - 1.",
            lambda base, k, steps: base / (1 + k * np.arange(steps + 1)),
        ),
    ),
    hint=(
        "Inverse-time decay divides base_lr by a factor that grows linearly with the step, by "
        "k per step and starting from 1 at step 0; one value per step."
    ),
    library=("course_utils.schedules.functional.inverse_time_lr",),
)

ASSIGNMENT = Assignment(
    id="05_learning_rate_schedules",
    title="Learning-rate schedules",
    questions=(WARMUP_COSINE, ONE_CYCLE, INVERSE_TIME, PICK_LR),
)
