"""Question 1 of exercise set 05 (``learning_rate_schedules``): ``warm_restarts_lrs``, the whole
schedule of torch's ``CosineAnnealingWarmRestarts`` (SGDR, Loshchilov & Hutter 2017).

A *variant*: lecture 05 writes the cosine of ``CosineAnnealingLR`` (its panel formula) and uses
the warm-restart scheduler only through the library, describing it in words ("cosine within each
period T_0, T_0·T_mult, ..."); the learner builds the period bookkeeping. The reference is the
library's formula, defined once in :mod:`course_utils.schedules.functional`; a test checks it
against torch in float64. Each Mistake is a restart or a clock counted off by one, or the period
rule misread.
"""

from __future__ import annotations

import math

import numpy as np

from ..schedules.functional import cosine_warm_restarts_lr
from ._float32 import float32_close
from .base import Case, Mistake, Question


def _warm_restarts(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    # The library's formula checks the values (called first, even for an empty schedule, so that
    # every case delegates); a float or a numpy integer for T_0 or T_mult is then refused with
    # ValueError, as torch's isinstance(value, int) refuses it (a bool, which torch takes, too)
    try:
        cosine_warm_restarts_lr(0, base_lr, T_0, T_mult, eta_min)
        problem = None
    except (TypeError, ValueError) as error:
        problem = error
    for name, value in (("T_0", T_0), ("T_mult", T_mult)):
        if type(value) is not int:
            raise ValueError(f"{name} must be a whole number >= 1 of type int, got {value!r}.")
    if problem is not None:
        raise problem
    if type(steps) is not int or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}.")
    return np.array(
        [cosine_warm_restarts_lr(t, base_lr, T_0, T_mult, eta_min) for t in range(steps)],
        dtype=float,
    )


def _periods(base_lr, T_0, steps, T_mult=1, eta_min=0.0, *, extra=0, first=None, clock=None,
             denominator=0, reset=True, grow=True):  # fmt: skip
    """A learner's SGDR: each period lasts ``T_i + extra`` steps (a restart one step late), the
    first period is ``first`` (default T_0), ``clock`` shifts the values (one step ahead),
    the cosine divides by ``T_i + denominator``, ``reset=False`` reads the clock as t modulo the
    period, ``grow=False`` ignores T_mult."""
    out, T_i, T_cur = [], (T_0 if first is None else first), 0
    for t in range(steps + (clock or 0)):
        position = T_cur if reset else t % T_i
        out.append(
            eta_min
            + (base_lr - eta_min) * (1 + math.cos(math.pi * position / (T_i + denominator))) / 2
        )
        T_cur += 1
        if T_cur >= T_i + extra:
            T_cur = 0
            T_i = T_i * T_mult if grow else T_i
    return np.array(out[clock or 0 :], dtype=float)


def _variant(**options):
    return lambda base_lr, T_0, steps, T_mult=1, eta_min=0.0: _periods(
        base_lr, T_0, steps, T_mult, eta_min, **options
    )


def _first_period_grown(base_lr, T_0, steps, T_mult=1, eta_min=0.0):
    return _periods(base_lr, T_0, steps, T_mult, eta_min, first=T_0 * T_mult)


def _generated_long_periods(rng):
    """Periods growing by a factor T_mult of 2 to 40, past the third restart: each floating-point
    logarithm misses some restart T_0 (T_mult^n - 1) / (T_mult - 1) (log2 at T_mult = 11, 15, 39,
    log10 at 5, 6, 15, log and log1p at 10, 17, 31, ...; un05)."""
    T_0, T_mult = int(rng.integers(1, 4)), int(rng.integers(2, 41))
    steps = T_0 * (1 + T_mult + T_mult**2) + int(rng.integers(1, 11))
    return float(rng.uniform(0.01, 1.0)), T_0, steps, T_mult, float(rng.uniform(0, 0.005))


def _generated(rng):
    T_0 = int(rng.integers(1, 12))
    T_mult = int(rng.choice([1, 2, 3]))
    steps = int(rng.integers(T_0 + 1, 6 * T_0 * T_mult + 2))
    return float(rng.uniform(0.01, 1.0)), T_0, steps, T_mult, float(rng.uniform(0, 0.005))


WARM_RESTARTS = Question(
    name="warm_restarts_lrs",
    points=3,
    skill="variant",
    reference=_warm_restarts,
    rtol=1e-9,
    atol=1e-12,
    cases=(
        Case(
            lambda: (0.1, 5, 12), "base_lr = 0.1, T_0 = 5, steps = 12 (T_mult = 1: periods 5, 5, 5)"
        ),
        Case(
            lambda: (0.1, 2, 14, 2),
            "base_lr = 0.1, T_0 = 2, steps = 14, T_mult = 2 (periods 2, 4, 8)",
        ),
        Case(
            lambda: (0.5, 3, 20, 3, 0.01),
            "base_lr = 0.5, T_0 = 3, steps = 20, T_mult = 3, eta_min = 0.01 (periods 3, 9, 27)",
        ),
        Case(lambda: (0.1, 1, 5), "T_0 = 1, T_mult = 1: a restart at every step"),
        Case(lambda: (0.1, 4, 0), "steps = 0: an empty array"),
        Case(lambda: (0.1, 0, 10), "T_0 = 0 (must raise ValueError)", raises="ValueError"),
        Case(lambda: (0.1, 4, 10, 0), "T_mult = 0 (must raise ValueError)", raises="ValueError"),
        Case(
            lambda: (0.1, 4, 10, 1.5),
            "T_mult = 1.5, not whole (must raise ValueError)",
            raises="ValueError",
        ),  # fmt: skip
        Case(
            lambda: (0.1, 4, 10, 2.0),
            "T_mult = 2.0, a float (must raise ValueError, as torch does)",
            raises="ValueError",
        ),
        Case(lambda: (0.1, 4, -1), "steps = -1 (must raise ValueError)", raises="ValueError"),
        Case(
            lambda: (0.1, np.int64(4), 10),
            "T_0 = np.int64(4), a numpy integer (must raise ValueError, as torch does)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, 4, 10.0),
            "steps = 10.0, a float (must raise ValueError: steps follows T_0's rule)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, 4, np.int64(10)),
            "steps = np.int64(10), a numpy integer (must raise ValueError: steps follows T_0's rule)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, 4, 10, True),
            "T_mult = True, a bool (must raise ValueError, although torch takes it)",
            raises="ValueError",
        ),
        Case(
            lambda: (0.1, True, 5),
            "T_0 = True, a bool (must raise ValueError)",
            raises="ValueError",
            hidden=True,
        ),
        Case(
            lambda: (0.1, 4, True),
            "steps = True, a bool (must raise ValueError)",
            raises="ValueError",
            hidden=True,
        ),
        Case(lambda: (1.0, 10, 400, 2, 1e-4), "400 steps, T_mult = 2", hidden=True),
        Case(
            lambda: (0.1, 1, 130, 3),
            "T_0 = 1, T_mult = 3, 130 steps: a restart at step 121 = 1 + 3 + 9 + 27 + 81",
        ),
        Case(
            lambda: (0.1, 1, 40, 5),
            "T_0 = 1, T_mult = 5, 40 steps: a restart at step 31 = 1 + 5 + 25",
        ),
        Case(
            lambda: (0.1, 1, 140, 11),
            "T_0 = 1, T_mult = 11, 140 steps: a restart at step 133 = 1 + 11 + 121",
        ),
        Case(
            lambda: (0.1, 1, 120, 10),
            "T_0 = 1, T_mult = 10, 120 steps: a restart at step 111 = 1 + 10 + 100",
        ),
        Case(_generated, "a random T_0, T_mult and length", hidden=True),
        Case(_generated, "another random T_0, T_mult and length", hidden=True),
        Case(_generated_long_periods, "T_mult from 2 to 40, past the third restart", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Each restart comes one step late: the period ends after T_i steps, so the clock reads "
            "T_i - 1 at its last step and the rate never reaches eta_min; at the next step it "
            "restarts at base_lr. (The SGDR paper's formula does reach eta_min at the end of a "
            "period; the task asks for torch's discrete clock, which never does.)",
            _variant(extra=1),
        ),
        Mistake(
            "Your cosine reaches eta_min one step too early, at the last step of each period: "
            "its half period is the whole period length T_i (as T_max in CosineAnnealingLR), "
            "not one step less.",
            _variant(denominator=-1),
        ),
        Mistake(
            "Every value is one step ahead (the rate of step t + 1 at index t): the list starts "
            "with base_lr, the rate of step 0, as get_last_lr() reads it before any "
            "scheduler.step().",
            _variant(clock=1),
        ),
        Mistake(
            "Every period has length T_0: T_mult multiplies the length of each new period "
            "(T_0, then T_0 times T_mult, then T_0 times T_mult squared, ...).",
            _variant(grow=False),
        ),
        Mistake(
            "The first period already has length T_0 times T_mult: it has length T_0, and only "
            "the periods after a restart grow.",
            _first_period_grown,
        ),
        Mistake(
            "The clock of a period counts the steps since its own restart, not t modulo the "
            "current period's length (the same only when T_mult = 1).",
            _variant(reset=False),
        ),
        Mistake(
            "Your rates agree with the reference only to float32's precision (about 7 digits): "
            "return them in float64, numpy's default dtype, as the task asks; the check compares "
            "to a relative 1e-9, which float32 cannot reach.",
            lambda *args: _warm_restarts(*args).astype(np.float32),
            matches=lambda args, got: float32_close(_warm_restarts(*args), got),
        ),
    ),
    hint=(
        "Within a period of T_i steps the rate follows half a cosine from base_lr toward eta_min "
        "(the lecture's cosine annealing with the period as T_max and the steps since the last "
        "restart as its clock); after T_i steps the clock restarts at 0 and the next period "
        "lasts T_mult times longer. The list starts with the rate of step 0. Count the periods "
        "with integers: a logarithm in floating point (math.log(243, 3) = 4.999..., "
        "math.log2(1331) / math.log2(11) = 2.999...) misses restarts."
    ),
    library=(
        "course_utils.schedules.functional.cosine_warm_restarts_lr",
        "course_utils.schedules.functional.warm_restart_position",
        # the course's own cosine of one period, class and formula, like torch's below (sa05,
        # point 7: a per-period answer built on them passed while torch's scored 0)
        "course_utils.schedules.functional.cosine_annealing_lr",
        "course_utils.schedules.CosineAnnealingLR.lr_at",
        "course_utils.schedules.CosineAnnealingWarmRestarts.lr_at",
        # torch's schedulers compute every rate in get_lr (called by step and at construction):
        # an answer that reads them off torch's scheduler rebuilds nothing (exercise 05's referee)
        "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.get_lr",
        "torch.optim.lr_scheduler.CosineAnnealingLR.get_lr",
        "torch.optim.lr_scheduler.CosineAnnealingLR._get_closed_form_lr",
    ),
)
