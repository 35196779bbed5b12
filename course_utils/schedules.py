"""Learning-rate schedulers with the names, arguments and defaults of ``torch.optim.lr_scheduler``.

They act on any optimizer with ``param_groups`` (a list of dicts holding ``"lr"``), such as
:mod:`course_utils.optim`'s, exactly as torch's act on a torch optimizer::

    opt = SGD(params, lr=0.1, momentum=0.9)
    sched = CosineAnnealingLR(opt, T_max=100)
    for t in range(100):
        opt.step(grads)      # uses opt.param_groups[0]["lr"]
        sched.step()         # sets it for the next step

Constructing a scheduler counts as its first step (t = 0, ``last_epoch = 0``), so the optimizer
starts at the schedule's value for t = 0; each ``step()`` then moves to t + 1. Each class reads
its formula from :mod:`course_utils.schedule_functions` (lr at step t, computed from the
initial learning rates, torch's closed form); torch updates some schedules recursively from the
current lr, which gives the same values up to rounding unless someone else changes the lr.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from . import schedule_functions as F
from .validation import integer, real_number

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "InverseTimeLR",
    "LinearLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ReduceLROnPlateau",
]


def _groups(optimizer) -> list:
    groups = getattr(optimizer, "param_groups", None)
    if (
        not isinstance(groups, list)
        or not groups
        or not all(isinstance(g, dict) and "lr" in g for g in groups)
    ):
        raise TypeError(
            "optimizer must have param_groups, a non-empty list of dicts with an 'lr' "
            f"(an optimizer from course_utils.optim), got {type(optimizer).__name__}."
        )
    return groups


def _per_group(name: str, value, n: int) -> list:
    """One value per param group: a scalar is repeated, a list must have n entries."""
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ValueError(f"{name} must have one value per param group ({n}), got {len(value)}.")
        return list(value)
    return [value] * n


def _momentum_key(optimizer) -> str:
    """'betas' for Adam-like optimizers, 'momentum' for SGD/RMSprop; error for neither."""
    defaults = getattr(optimizer, "defaults", None) or optimizer.param_groups[0]
    if "betas" in defaults:
        return "betas"
    if "momentum" in defaults:
        return "momentum"
    raise ValueError(
        "cycle_momentum=True needs an optimizer with momentum or betas (SGD, RMSprop, Adam, "
        "AdamW); pass cycle_momentum=False."
    )


def _set_momentum(group: dict, key: str, value: float) -> None:
    if key == "betas":
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class LRScheduler:
    """Base class: subclasses define ``lr_at(t, base_lr)`` (or override ``get_lr``)."""

    def __init__(self, optimizer, last_epoch: int = -1):
        groups = _groups(optimizer)
        self.optimizer = optimizer
        last_epoch = integer(last_epoch, "last_epoch", low=-1)
        for i, group in enumerate(groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"param_groups[{i}] has no 'initial_lr': resume a scheduler (last_epoch >= 0) "
                    "only on an optimizer that a scheduler has already set up."
                )
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self.step()

    def lr_at(self, t: int, base_lr: float) -> float:
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        """The learning rates for step ``last_epoch``, one per param group."""
        return [self.lr_at(self.last_epoch, base) for base in self.base_lrs]

    def step(self) -> None:
        """Move to the next step and set each param group's lr."""
        self._step_count += 1
        self._update_lr(self.last_epoch + 1)

    def _update_lr(self, t: int) -> None:
        self.last_epoch = t
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last step, one per param group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Everything but the optimizer (and functions), to save with a checkpoint."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    """lr = initial lr · lr_lambda(t); one function, or one per param group."""

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        n = len(_groups(optimizer))
        self.lr_lambdas = _per_group("lr_lambda", lr_lambda, n)
        if not all(callable(f) for f in self.lr_lambdas):
            raise TypeError("lr_lambda must be a function of the step t (or a list of them).")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [
            base * f(self.last_epoch)
            for f, base in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size = integer(step_size, "step_size", low=1)
        self.gamma = real_number(gamma, "gamma", positive=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.step_lr(t, base_lr, self.step_size, self.gamma)


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each step listed in ``milestones``."""

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        self.milestones = sorted(integer(m, "each milestone", low=0) for m in milestones)
        self.gamma = real_number(gamma, "gamma", positive=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.multistep_lr(t, base_lr, self.milestones, self.gamma)


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every step."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = real_number(gamma, "gamma", positive=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.exponential_lr(t, base_lr, self.gamma)


class InverseTimeLR(LRScheduler):
    """lr = initial lr / (1 + k t) (not in torch): satisfies Robbins–Monro for k > 0."""

    def __init__(self, optimizer, k: float, last_epoch: int = -1):
        self.k = real_number(k, "k", nonnegative=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.inverse_time_lr(t, base_lr, self.k)


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from start_factor to end_factor in total_iters."""

    def __init__(
        self,
        optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ):
        self.start_factor = real_number(start_factor, "start_factor", positive=True)
        self.end_factor = real_number(end_factor, "end_factor", nonnegative=True)
        if self.start_factor > 1 or self.end_factor > 1:
            raise ValueError(
                f"start_factor must be in (0, 1] and end_factor in [0, 1], got {start_factor} "
                f"and {end_factor}."
            )
        self.total_iters = integer(total_iters, "total_iters", low=1)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.linear_lr(t, base_lr, self.start_factor, self.end_factor, self.total_iters)


class PolynomialLR(LRScheduler):
    """lr · (1 - t/total_iters)^power until total_iters, then 0."""

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1):
        self.total_iters = integer(total_iters, "total_iters", low=1)
        self.power = real_number(power, "power", positive=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.polynomial_lr(t, base_lr, self.total_iters, self.power)


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from the initial lr down to eta_min over T_max steps."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max = integer(T_max, "T_max", low=1)
        self.eta_min = real_number(eta_min, "eta_min", nonnegative=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return F.cosine_annealing_lr(t, base_lr, self.T_max, self.eta_min)


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every T_0, T_0·T_mult, ... steps (SGDR)."""

    def __init__(
        self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1
    ):
        self.T_0 = integer(T_0, "T_0", low=1)
        self.T_mult = integer(T_mult, "T_mult", low=1)
        self.eta_min = real_number(eta_min, "eta_min", nonnegative=True)
        super().__init__(optimizer, last_epoch)

    @property
    def T_cur(self) -> int:
        """Steps since the last restart."""
        return F.warm_restart_position(self.last_epoch, self.T_0, self.T_mult)[0]

    def lr_at(self, t, base_lr):
        return F.cosine_warm_restarts_lr(t, base_lr, self.T_0, self.T_mult, self.eta_min)


class CyclicLR(LRScheduler):
    """Triangles between base_lr and max_lr; momentum cycles the opposite way (Smith 2017)."""

    def __init__(
        self,
        optimizer,
        base_lr,
        max_lr,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn=None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ):
        groups = _groups(optimizer)
        if scale_fn is not None:
            raise ValueError("scale_fn is not supported here; use mode and gamma.")
        if mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(
                f"mode must be 'triangular', 'triangular2' or 'exp_range', got {mode!r}."
            )
        bases = [
            real_number(b, "base_lr", positive=True)
            for b in _per_group("base_lr", base_lr, len(groups))
        ]
        maxes = [
            real_number(m, "max_lr", positive=True)
            for m in _per_group("max_lr", max_lr, len(groups))
        ]
        for b, m in zip(bases, maxes, strict=True):
            if m < b:
                raise ValueError(f"max_lr must be >= base_lr, got max_lr = {m} < base_lr = {b}.")
        self.max_lrs = maxes
        self.step_size_up = integer(step_size_up, "step_size_up", low=1)
        self.step_size_down = (
            None if step_size_down is None else integer(step_size_down, "step_size_down", 1)
        )
        self.mode, self.gamma = mode, real_number(gamma, "gamma", positive=True)
        self.cycle_momentum = bool(cycle_momentum)
        if last_epoch == -1:
            for b, group in zip(bases, groups, strict=True):
                group["lr"] = b
        if self.cycle_momentum:
            self._momentum_key = _momentum_key(optimizer)
            self.base_momentums = _per_group("base_momentum", base_momentum, len(groups))
            self.max_momentums = _per_group("max_momentum", max_momentum, len(groups))
        super().__init__(optimizer, last_epoch)
        self.base_lrs = bases

    def get_lr(self) -> list[float]:
        args = (self.step_size_up, self.step_size_down, self.mode, self.gamma)
        t = self.last_epoch
        if self.cycle_momentum:
            for group, lo, hi in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                _set_momentum(group, self._momentum_key, F.cyclic_momentum(t, lo, hi, *args))
        return [
            F.cyclic_lr(t, b, m, *args) for b, m in zip(self.base_lrs, self.max_lrs, strict=True)
        ]


class OneCycleLR(LRScheduler):
    """The 1cycle policy: warm up to max_lr, then anneal far below the start."""

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ):
        groups = _groups(optimizer)
        if total_steps is not None:
            self.total_steps = integer(total_steps, "total_steps", low=1)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = integer(epochs, "epochs", low=1) * integer(
                steps_per_epoch, "steps_per_epoch", low=1
            )
        else:
            raise ValueError("give either total_steps or both epochs and steps_per_epoch.")
        self.pct_start = real_number(pct_start, "pct_start", nonnegative=True)
        if self.pct_start > 1:
            raise ValueError(f"pct_start must be in [0, 1], got {pct_start}.")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}.")
        self.anneal_strategy, self.three_phase = anneal_strategy, bool(three_phase)
        self.div_factor = real_number(div_factor, "div_factor", positive=True)
        self.final_div_factor = real_number(final_div_factor, "final_div_factor", positive=True)
        self.max_lrs = [
            real_number(m, "max_lr", positive=True)
            for m in _per_group("max_lr", max_lr, len(groups))
        ]
        if last_epoch == -1:
            for m, group in zip(self.max_lrs, groups, strict=True):
                group["initial_lr"] = m / self.div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self._momentum_key = _momentum_key(optimizer)
            self.base_momentums = _per_group("base_momentum", base_momentum, len(groups))
            self.max_momentums = _per_group("max_momentum", max_momentum, len(groups))
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, shape = self.last_epoch, (self.total_steps, self.pct_start, self.anneal_strategy)
        if self.cycle_momentum:
            for group, lo, hi in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                value = F.one_cycle_momentum(t, *shape, lo, hi, self.three_phase)
                _set_momentum(group, self._momentum_key, value)
        return [
            F.one_cycle_lr(t, m, *shape, self.div_factor, self.final_div_factor, self.three_phase)
            for m in self.max_lrs
        ]


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after another, switching at ``milestones`` (e.g. warm-up, then
    cosine); each starts from its own t = 0 at its milestone."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch: int = -1):
        schedulers, milestones = list(schedulers), [integer(m, "milestone", 1) for m in milestones]
        if not schedulers:
            raise ValueError("SequentialLR needs at least one scheduler.")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler) or isinstance(s, ReduceLROnPlateau):
                raise TypeError(f"schedulers[{i}] must be a step-based scheduler from this module.")
            if s.optimizer is not optimizer:
                raise ValueError(f"schedulers[{i}] belongs to another optimizer.")
        if len(milestones) != len(schedulers) - 1 or milestones != sorted(milestones):
            raise ValueError(
                f"milestones must be {len(schedulers) - 1} increasing steps (one fewer than the "
                f"schedulers), got {milestones}."
            )
        self._schedulers, self._milestones = schedulers, milestones
        self.optimizer = optimizer
        self.last_epoch = integer(last_epoch, "last_epoch", low=-1) + 1
        for group in _groups(optimizer):
            group["lr"] = group["initial_lr"]
        for s in schedulers:  # each already took its first step when it was built: undo that
            s.last_epoch -= 1
        schedulers[bisect_right(milestones, 0)]._initial_step()
        self._last_lr = schedulers[bisect_right(milestones, 0)].get_last_lr()

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        for s, sub in zip(self._schedulers, state.pop("_schedulers"), strict=True):
            s.load_state_dict(sub)
        self.__dict__.update(state)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when the metric passed to ``step(metric)`` has not improved
    (by more than ``threshold``) for more than ``patience`` steps; then wait ``cooldown`` steps."""

    def __init__(
        self,
        optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr=0,
        eps: float = 1e-8,
    ):
        groups = _groups(optimizer)
        self.factor = real_number(factor, "factor", positive=True)
        if self.factor >= 1:
            raise ValueError(f"factor must be < 1 (it multiplies the lr), got {factor}.")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}.")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}.")
        self.optimizer = optimizer
        self.min_lrs = [
            real_number(m, "min_lr", nonnegative=True)
            for m in _per_group("min_lr", min_lr, len(groups))
        ]
        self.patience = integer(patience, "patience", low=0)
        self.cooldown = integer(cooldown, "cooldown", low=0)
        self.threshold = real_number(threshold, "threshold", nonnegative=True)
        self.eps = real_number(eps, "eps", nonnegative=True)
        self.mode, self.threshold_mode = mode, threshold_mode
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in groups]

    def _is_better(self, a: float) -> bool:
        if self.mode == "min":
            bar = (
                self.best * (1 - self.threshold)
                if self.threshold_mode == "rel"
                else (self.best - self.threshold)
            )
            return a < bar
        bar = (
            self.best * (1 + self.threshold)
            if self.threshold_mode == "rel"
            else (self.best + self.threshold)
        )
        return a > bar

    def step(self, metrics) -> None:  # type: ignore[override]
        """Record one value of the monitored metric (e.g. the validation loss)."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"step(metrics) needs the monitored number (e.g. the validation loss), got "
                f"{type(metrics).__name__}."
            ) from None
        current = real_number(current, "metrics")
        self.last_epoch += 1
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad steps in cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
