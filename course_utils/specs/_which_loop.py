"""Question 2 of exercise set 05 (``learning_rate_schedules``): ``which_loop``, a *diagnosis*:
from the learning rates a run logged before each optimizer step and the schedule it was meant to
follow, decide which of four training loops ran (the right one, or one of three misplaced
``scheduler.step()`` calls), or that the log cannot tell them apart.

Lecture 05 §1 states the step counter and names the most common bug (stepping the scheduler
before the optimizer); it writes no code that reads a log. Graded on the decision (an integer):
each Mistake is a loop whose effect on the step counter is misread (one step off) or a tie
decided instead of reported.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..schedules.functional import cosine_annealing_lr, cosine_warm_restarts_lr, step_lr
from .base import Case, Mistake, Question

# loop number -> the step of the intended schedule whose rate optimizer step t uses
_LOOPS = {
    0: lambda t, per_epoch: t,  # optimizer.step(); scheduler.step()
    1: lambda t, per_epoch: t + 1,  # scheduler.step() before optimizer.step()
    2: lambda t, per_epoch: t // per_epoch,  # scheduler.step() once per epoch
    3: lambda t, per_epoch: 2 * t,  # scheduler.step() twice per batch
}


def _which_loop(
    logged, intended, steps_per_epoch, *, loops=None, on_tie="report", last_only=False, equal=None
):
    """The reference; ``loops`` replaces some loops' step maps (a learner's misreading),
    ``on_tie`` is "report" (-1), "first" (the first loop that fits) or "raise",
    ``last_only`` compares only the last logged rate (rm05 E1), and ``equal`` replaces
    ``np.array_equal`` (``np.allclose``: a tolerance where the task says none, ro05 6)."""
    logged = np.asarray(logged, dtype=float)
    intended = np.asarray(intended, dtype=float)
    whole = isinstance(steps_per_epoch, numbers.Integral) and not isinstance(steps_per_epoch, bool)
    if not whole or steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be a whole number >= 1, got {steps_per_epoch!r}.")
    if logged.size == 0:
        raise ValueError("the log is empty: there is nothing to diagnose.")
    if intended.size < 2 * logged.size:
        raise ValueError(
            f"intended holds {intended.size} rates; the diagnosis needs at least "
            f"2 * len(logged) = {2 * logged.size}."
        )
    maps = _LOOPS | (loops or {})
    t = np.arange(logged.size)
    part = slice(-1, None) if last_only else slice(None)
    fitting = [
        n
        for n, step in maps.items()
        if (equal or np.array_equal)(logged[part], intended[step(t, steps_per_epoch)][part])
    ]
    if not fitting:
        raise ValueError("no loop of the four gives this log.")
    if len(fitting) == 1 or on_tie == "first":
        return fitting[0]
    if on_tie == "raise":
        raise ValueError("several loops give this log.")
    return -1


def _misread(**options):
    return lambda logged, intended, steps_per_epoch: _which_loop(
        logged, intended, steps_per_epoch, **options
    )


def _delayed(t, per_epoch):
    return np.maximum(t - 1, 0)


def _log(intended, loop, n, per_epoch):
    return intended[_LOOPS[loop](np.arange(n), per_epoch)].copy()


def _cosine(T_max, length, base_lr=0.1):
    return np.array([cosine_annealing_lr(t, base_lr, T_max) for t in range(length)])


def _case(loop, T_max=60, n=24, per_epoch=6):
    intended = _cosine(T_max, 2 * n)
    return lambda: (_log(intended, loop, n, per_epoch), intended, per_epoch)


def _restarted_log():
    intended = _cosine(60, 48)
    logged = _log(intended, 0, 24, 6)
    logged[10:] = intended[: 24 - 10]  # the schedule was rebuilt at step 10
    return logged, intended, 6


def _flat_start():
    intended = np.array([step_lr(t, 0.1, 30, 0.5) for t in range(40)])
    return _log(intended, 2, 12, 4), intended, 4


def _drop_inside():
    """StepLR past its drop (rm05 E1): the loops differ early and all but loop 2 end alike."""
    intended = np.r_[np.full(5, 0.1), np.full(40, 0.05)]
    return _log(intended, 0, 12, 4), intended, 4


def _slow_cosine():
    """A cosine over 10**5 steps (ro05 6): neighbouring rates of its first 20 steps differ by
    less than 1e-8, np.allclose's default atol, but are not equal."""
    intended = _cosine(10**5, 20)
    return _log(intended, 0, 10, 5), intended, 5


def _generated(rng):
    loop, per_epoch, n = int(rng.integers(4)), int(rng.integers(2, 9)), int(rng.integers(12, 60))
    length = 2 * n + int(rng.integers(0, 5))
    if rng.random() < 0.5:
        T_max = int(rng.integers(n + 2, 3 * n))
        intended = _cosine(T_max, length, float(rng.uniform(0.01, 1)))
    else:
        T_0 = int(rng.integers(n // 2 + 2, n + 2))
        base_lr = float(rng.uniform(0.01, 1))
        intended = np.array([cosine_warm_restarts_lr(t, base_lr, T_0, 2) for t in range(length)])
    return _log(intended, loop, n, per_epoch), intended, per_epoch


WHICH_LOOP = Question(
    name="which_loop",
    points=2,
    skill="diagnosis",
    reference=_which_loop,
    rtol=0.0,
    atol=0.0,
    exact_types=True,  # "the loop's number as an `int`": a float or a bool fails (sb05 7)
    cases=(
        Case(_case(0), "a cosine schedule (T_max = 60), 24 steps logged, 6 steps per epoch"),
        Case(_case(1), "the same schedule and run length, a log from another loop"),
        Case(_case(2), "the same schedule and run length, a log from a third loop"),
        Case(_case(3), "the same schedule and run length, a log from a fourth loop"),
        Case(
            _flat_start,
            "StepLR (step_size = 30): 12 steps logged, 4 per epoch, while the rate is still flat",
        ),
        Case(
            _drop_inside,
            "a rate of 0.1 for 5 steps, then 0.05 (a StepLR past its drop): 12 steps logged, "
            "4 per epoch; the rate drops inside the log",
        ),
        Case(
            lambda: (_cosine(60, 48)[:12], _cosine(60, 48), 1),
            "a cosine, 12 steps logged, steps_per_epoch = 1 (an epoch of one batch)",
        ),
        Case(
            _slow_cosine,
            "a slow cosine (T_max = 100000): 10 steps logged, 5 per epoch; neighbouring rates "
            "differ by less than 1e-8 but are not equal",
        ),
        Case(
            _restarted_log,
            "a log whose schedule started over at step 10 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: ([], _cosine(60, 48), 6),
            "an empty log (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_cosine(60, 48)[:24], _cosine(60, 40), 6),
            "intended holds 40 rates for a log of 24 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_cosine(60, 48)[:24], _cosine(60, 47), 6),
            "intended holds 47 rates for a log of 24, one fewer than 2 * len(logged) "
            "(must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (_cosine(60, 48)[:24], _cosine(60, 48), 0),
            "steps_per_epoch = 0 (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (*_case(2)()[:2], np.int64(6)),
            "loop 2's log with steps_per_epoch = np.int64(6), a numpy integer",
        ),
        Case(
            lambda: (*_case(0)()[:2], True),
            "steps_per_epoch = True, a bool (must raise ValueError)",
            raises="ValueError",
        ),
        Case(
            lambda: (*_case(2)()[:2], 6.0),
            "loop 2's log with steps_per_epoch = 6.0, a float (must raise ValueError)",
            raises="ValueError",
        ),
        Case(_generated, "a random schedule, loop and run length", hidden=True),
        Case(_generated, "another random schedule, loop and run length", hidden=True),
        Case(_generated, "a third random schedule, loop and run length", hidden=True),
    ),
    mistakes=(
        Mistake(
            "More than one loop gives exactly this log (the rate had not changed yet, or an epoch "
            "is a single batch): the log cannot tell them apart, so the answer is -1, not the "
            "first loop that fits.",
            _misread(on_tie="first"),
        ),
        Mistake(
            "A scheduler stepped before the optimizer does not delay the schedule: the counter "
            "moves first, so the very first optimizer step already uses the rate of step 1 "
            "(every value one step ahead, none repeated).",
            _misread(loops={1: _delayed}),
        ),
        Mistake(
            "Stepping the scheduler twice after each optimizer step: the first optimizer step "
            "still uses the rate of step 0 (nothing has stepped yet), then the counter moves by "
            "two per batch; your reading is one step ahead of that.",
            _misread(loops={3: lambda t, per_epoch: 2 * t + 1}),
        ),
        Mistake(
            "A scheduler stepped once per epoch changes the rate for the first batch of the next "
            "epoch, not for the last batch of this one: your reading is one step early at every "
            "epoch's end.",
            _misread(loops={2: lambda t, per_epoch: (t + 1) // per_epoch}),
        ),
        Mistake(
            "A loop fits when it gives every logged rate, not only the last: here the rate "
            "dropped inside the log, so three loops end on the same rate but only one gives the "
            "rates before the drop.",
            _misread(last_only=True),
        ),
        Mistake(
            "Several loops giving the same log is not an error: the log is valid, it just cannot "
            "tell the loops apart; return -1 there (raise ValueError only when no loop fits).",
            _misread(on_tie="raise"),
        ),
        Mistake(
            "Equal means equal: the logged rates are copies of the intended ones, so compare "
            "them exactly; a tolerance (np.allclose's default absolute tolerance is 1e-8) makes "
            "loops fit whose rates differ, here by less than 1e-8 on a slow schedule.",
            _misread(equal=np.allclose),
        ),
    ),
    hint=(
        "For each loop, work out which step t of the intended schedule the optimizer's n-th "
        "step uses (t counts scheduler.step() calls and is 0 when the scheduler is built); the "
        "loop is the one whose rates equal the log. Exactly one: its number; several: -1; "
        "none: ValueError."
    ),
    inputs_unchanged=True,
)
