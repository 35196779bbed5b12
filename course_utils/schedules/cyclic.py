"""Cyclical schedules: ``CyclicLR`` (triangles, Smith 2017) and ``OneCycleLR`` (Smith & Topin
2019). Both also cycle the optimizer's momentum (``momentum``, or ``betas[0]`` for Adam) the
opposite way. Their formulas, and the checks of their arguments, are in :mod:`.functional`."""

from __future__ import annotations

from ..validation import flag, integer
from . import functional
from .scheduler import LRScheduler, _groups, _per_group

__all__ = ["CyclicLR", "OneCycleLR"]


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
        bases = _per_group("base_lr", base_lr, len(groups))
        self.max_lrs = _per_group("max_lr", max_lr, len(groups))
        self.step_size_up, self.step_size_down = step_size_up, step_size_down
        self.mode, self.gamma = mode, gamma
        for b, m in zip(bases, self.max_lrs, strict=True):  # checks them all, before any change
            functional.cyclic_lr(0, b, m, step_size_up, step_size_down, mode, gamma)
        self.cycle_momentum = flag(cycle_momentum, "cycle_momentum")
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
                value = functional.cyclic_momentum(t, lo, hi, *args)
                _set_momentum(group, self._momentum_key, value)
        return [
            functional.cyclic_lr(t, b, m, *args)
            for b, m in zip(self.base_lrs, self.max_lrs, strict=True)
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
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = integer(epochs, "epochs", low=1) * integer(
                steps_per_epoch, "steps_per_epoch", low=1
            )
        else:
            raise ValueError("give either total_steps or both epochs and steps_per_epoch.")
        self.pct_start, self.anneal_strategy = pct_start, anneal_strategy
        self.div_factor, self.final_div_factor = div_factor, final_div_factor
        self.three_phase = three_phase
        self.max_lrs = _per_group("max_lr", max_lr, len(groups))
        for m in self.max_lrs:  # checks them all, before the optimizer is changed
            self._lr_at(0, m)
        self.cycle_momentum = flag(cycle_momentum, "cycle_momentum")
        if last_epoch == -1:
            for m, group in zip(self.max_lrs, groups, strict=True):
                group["initial_lr"] = m / div_factor
        if self.cycle_momentum:
            self._momentum_key = _momentum_key(optimizer)
            self.base_momentums = _per_group("base_momentum", base_momentum, len(groups))
            self.max_momentums = _per_group("max_momentum", max_momentum, len(groups))
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, t: int, max_lr: float) -> float:
        shape = (self.total_steps, self.pct_start, self.anneal_strategy)
        divisions = (self.div_factor, self.final_div_factor)
        return functional.one_cycle_lr(t, max_lr, *shape, *divisions, self.three_phase)

    def get_lr(self) -> list[float]:
        t, shape = self.last_epoch, (self.total_steps, self.pct_start, self.anneal_strategy)
        if self.cycle_momentum:
            for group, lo, hi in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                value = functional.one_cycle_momentum(t, *shape, lo, hi, self.three_phase)
                _set_momentum(group, self._momentum_key, value)
        return [self._lr_at(t, m) for m in self.max_lrs]
