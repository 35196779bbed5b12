"""Learning-rate schedules as plain functions: the learning rate at step t.

Each function takes the step counter ``t`` (0, 1, 2, ...: the number of times the scheduler has
stepped, torch's ``last_epoch``) and the schedule's arguments, and returns a float. These are the
formulas; the classes of :mod:`course_utils.schedules` (same names, arguments and defaults as
``torch.optim.lr_scheduler``) call them to set ``param_groups[i]["lr"]`` of an optimizer. Use
them directly to plot a schedule: ``[cosine_annealing_lr(t, 0.1, T_max=100) for t in range(200)]``.

Every argument is checked here, once, with one clear sentence (the classes rely on it). Imports
only the standard library and ``course_utils.validation``.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from ..validation import flag, fraction, integer, real_number

__all__ = [
    "step_lr",
    "multistep_lr",
    "exponential_lr",
    "inverse_time_lr",
    "linear_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "warm_restart_position",
    "cosine_warm_restarts_lr",
    "cyclic_scale",
    "cyclic_lr",
    "cyclic_momentum",
    "one_cycle_phases",
    "one_cycle_lr",
    "one_cycle_momentum",
]


def _step(t) -> int:
    return integer(t, "t", low=0)


def _lr(value, name: str = "base_lr") -> float:
    return real_number(value, name, nonnegative=True)


def _gamma(gamma) -> float:
    return real_number(gamma, "gamma", positive=True)


def _momenta(base_momentum, max_momentum) -> tuple[float, float]:
    return (
        real_number(base_momentum, "base_momentum", nonnegative=True),
        real_number(max_momentum, "max_momentum", nonnegative=True),
    )


def _milestones(milestones) -> list[int]:
    if not isinstance(milestones, list | tuple | range):
        raise TypeError(f"milestones must be a list of steps, got {type(milestones).__name__}.")
    return sorted(integer(m, "each milestone", low=0) for m in milestones)


def step_lr(t: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """base_lr · gamma^floor(t / step_size): multiply by gamma every ``step_size`` steps."""
    t, base_lr, gamma = _step(t), _lr(base_lr), _gamma(gamma)
    return base_lr * gamma ** (t // integer(step_size, "step_size", low=1))


def multistep_lr(t: int, base_lr: float, milestones, gamma: float = 0.1) -> float:
    """base_lr · gamma^(number of milestones <= t): multiply by gamma at each milestone."""
    t, base_lr, gamma = _step(t), _lr(base_lr), _gamma(gamma)
    return base_lr * gamma ** bisect_right(_milestones(milestones), t)


def exponential_lr(t: int, base_lr: float, gamma: float) -> float:
    """base_lr · gamma^t."""
    t, base_lr, gamma = _step(t), _lr(base_lr), _gamma(gamma)
    return base_lr * gamma**t


def inverse_time_lr(t: int, base_lr: float, k: float) -> float:
    """base_lr / (1 + k t): the Robbins–Monro decay (sum of steps infinite, of squares finite)."""
    t, base_lr, k = _step(t), _lr(base_lr), real_number(k, "k", nonnegative=True)
    return base_lr / (1.0 + k * t)


def linear_lr(
    t: int,
    base_lr: float,
    start_factor: float = 1.0 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> float:
    """base_lr times a factor moving linearly from ``start_factor`` (t = 0) to ``end_factor``
    (t >= total_iters): the usual linear warm-up when start_factor < end_factor = 1.
    start_factor is in (0, 1], end_factor in [0, 1], as torch requires."""
    t, base_lr = _step(t), _lr(base_lr)
    real_number(start_factor, "start_factor", positive=True)
    start_factor = fraction(start_factor, "start_factor", one_allowed=True)
    end_factor = fraction(end_factor, "end_factor", one_allowed=True)
    total_iters = integer(total_iters, "total_iters", low=1)
    frac = min(t, total_iters) / total_iters
    return base_lr * (start_factor + (end_factor - start_factor) * frac)


def polynomial_lr(t: int, base_lr: float, total_iters: int = 5, power: float = 1.0) -> float:
    """base_lr · (1 - min(t, total_iters) / total_iters)^power: reaches 0 at total_iters."""
    t, base_lr = _step(t), _lr(base_lr)
    total_iters = integer(total_iters, "total_iters", low=1)
    power = real_number(power, "power", positive=True)
    return base_lr * (1.0 - min(t, total_iters) / total_iters) ** power


def cosine_annealing_lr(t: int, base_lr: float, T_max: int, eta_min: float = 0.0) -> float:
    """eta_min + (base_lr - eta_min) · (1 + cos(π t / T_max)) / 2: half a cosine from base_lr to
    eta_min over T_max steps (and back up after, as torch's does: the cosine is periodic)."""
    t, base_lr, eta_min = _step(t), _lr(base_lr), _lr(eta_min, "eta_min")
    T_max = integer(T_max, "T_max", low=1)
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def warm_restart_position(t: int, T_0: int, T_mult: int = 1) -> tuple[int, int]:
    """(T_cur, T_i): steps since the last restart and the length of the current period, for
    periods T_0, T_0·T_mult, T_0·T_mult², ... (SGDR, Loshchilov & Hutter 2017)."""
    t = _step(t)
    T_0 = integer(T_0, "T_0", low=1)
    T_mult = integer(T_mult, "T_mult", low=1)
    if T_mult == 1:
        return t % T_0, T_0
    period = T_0
    while t >= period:
        t -= period
        period *= T_mult
    return t, period


def cosine_warm_restarts_lr(
    t: int, base_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0
) -> float:
    """Cosine annealing from base_lr to eta_min within each period, restarting at base_lr."""
    T_cur, T_i = warm_restart_position(t, T_0, T_mult)
    base_lr, eta_min = _lr(base_lr), _lr(eta_min, "eta_min")
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2


def _cyclic_position(t: int, step_size_up: int, step_size_down: int | None):
    """(cycle number from 1, fraction of the triangle's height at t)."""
    up = float(integer(step_size_up, "step_size_up", low=1))
    down = up if step_size_down is None else float(integer(step_size_down, "step_size_down", 1))
    total = up + down
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    ratio = up / total
    height = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    return cycle, height


def cyclic_scale(t: int, cycle: int, mode: str = "triangular", gamma: float = 1.0) -> float:
    """The amplitude factor of CyclicLR: 1 (triangular), 1/2^(cycle-1) (triangular2),
    gamma^t (exp_range)."""
    gamma = _gamma(gamma)
    if mode == "triangular":
        return 1.0
    if mode == "triangular2":
        return 1 / (2.0 ** (cycle - 1))
    if mode == "exp_range":
        return gamma**t
    raise ValueError(f"mode must be 'triangular', 'triangular2' or 'exp_range', got {mode!r}.")


def cyclic_lr(
    t: int,
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> float:
    """Triangles between base_lr and max_lr (Smith 2017): up in step_size_up steps, down in
    step_size_down (default: the same), the amplitude scaled by :func:`cyclic_scale`."""
    t = _step(t)
    base_lr = real_number(base_lr, "base_lr", positive=True)
    max_lr = real_number(max_lr, "max_lr", positive=True)
    if max_lr < base_lr:
        raise ValueError(f"max_lr must be >= base_lr, got max_lr = {max_lr} < base_lr = {base_lr}.")
    cycle, height = _cyclic_position(t, step_size_up, step_size_down)
    return base_lr + (max_lr - base_lr) * height * cyclic_scale(t, cycle, mode, gamma)


def cyclic_momentum(
    t: int,
    base_momentum: float,
    max_momentum: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> float:
    """The momentum CyclicLR pairs with :func:`cyclic_lr`: low when the lr is high."""
    t = _step(t)
    base_momentum, max_momentum = _momenta(base_momentum, max_momentum)
    cycle, height = _cyclic_position(t, step_size_up, step_size_down)
    return max_momentum - (max_momentum - base_momentum) * height * cyclic_scale(
        t, cycle, mode, gamma
    )


def _anneal(start: float, end: float, pct: float, strategy: str) -> float:
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def one_cycle_phases(total_steps: int, pct_start: float = 0.3, three_phase: bool = False):
    """The phases of OneCycleLR as (end_step, start, end) with start/end naming the lr levels
    "initial" (max_lr/div_factor), "max" and "min" (initial/final_div_factor)."""
    total_steps = integer(total_steps, "total_steps", low=1)
    pct_start = fraction(pct_start, "pct_start", one_allowed=True)
    up = float(pct_start * total_steps) - 1
    if up == 0:  # torch's OneCycleLR divides by zero here (a first phase from step 0 to step 0)
        raise ValueError(
            f"pct_start * total_steps must not be 1, got {pct_start} * {total_steps}: the first "
            "phase would end at step 0, where it starts; choose another pct_start or total_steps."
        )
    if flag(three_phase, "three_phase"):
        return [
            (up, "initial", "max"),
            (float(2 * pct_start * total_steps) - 2, "max", "initial"),
            (total_steps - 1, "initial", "min"),
        ]
    return [(up, "initial", "max"), (total_steps - 1, "max", "min")]


def _one_cycle_levels(max_lr, div_factor, final_div_factor):
    max_lr = real_number(max_lr, "max_lr", positive=True)
    div_factor = real_number(div_factor, "div_factor", positive=True)
    final_div_factor = real_number(final_div_factor, "final_div_factor", positive=True)
    initial = max_lr / div_factor
    return {"initial": initial, "max": max_lr, "min": initial / final_div_factor}


def _one_cycle_value(t, levels, total_steps, pct_start, anneal_strategy, three_phase):
    phases = one_cycle_phases(total_steps, pct_start, three_phase)  # checks those three
    t = _step(t)
    if t > total_steps:
        raise ValueError(
            f"OneCycleLR was stepped {t} times but total_steps = {total_steps}: the cycle is "
            "over; give a larger total_steps (or epochs * steps_per_epoch)."
        )
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}.")
    start_step = 0.0
    for i, (end_step, start, end) in enumerate(phases):
        if t <= end_step or i == len(phases) - 1:
            pct = (t - start_step) / (end_step - start_step)
            return _anneal(levels[start], levels[end], pct, anneal_strategy)
        start_step = end_step
    raise AssertionError("unreachable")  # pragma: no cover


def one_cycle_lr(
    t: int,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> float:
    """One cycle (Smith & Topin 2019): from max_lr/div_factor up to max_lr over the first
    pct_start of total_steps, then down to max_lr/(div_factor·final_div_factor)."""
    levels = _one_cycle_levels(max_lr, div_factor, final_div_factor)
    return _one_cycle_value(t, levels, total_steps, pct_start, anneal_strategy, three_phase)


def one_cycle_momentum(
    t: int,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    three_phase: bool = False,
) -> float:
    """The momentum OneCycleLR pairs with :func:`one_cycle_lr`: max_momentum when the lr is
    lowest, base_momentum at the peak lr."""
    # momentum runs the same phases with initial -> max_momentum, max -> base_momentum,
    # min -> max_momentum (torch's start_momentum/end_momentum).
    base_momentum, max_momentum = _momenta(base_momentum, max_momentum)
    levels = {"initial": max_momentum, "max": base_momentum, "min": max_momentum}
    return _one_cycle_value(t, levels, total_steps, pct_start, anneal_strategy, three_phase)
