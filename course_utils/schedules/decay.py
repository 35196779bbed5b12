"""Schedules with a closed form lr(t) from the initial lr: each class stores its arguments and
reads its formula from :mod:`.functional`, which checks them (at construction, as the scheduler
takes its first step there, and on every step)."""

from __future__ import annotations

from . import functional
from .scheduler import LRScheduler, _groups, _per_group

__all__ = [
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "ExponentialLR",
    "InverseTimeLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "PolynomialLR",
    "StepLR",
]


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
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.step_lr(t, base_lr, self.step_size, self.gamma)


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each step listed in ``milestones``."""

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        self.milestones, self.gamma = milestones, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.multistep_lr(t, base_lr, self.milestones, self.gamma)


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every step."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.exponential_lr(t, base_lr, self.gamma)


class InverseTimeLR(LRScheduler):
    """lr = initial lr / (1 + k t) (not in torch): satisfies Robbins–Monro for k > 0."""

    def __init__(self, optimizer, k: float, last_epoch: int = -1):
        self.k = k
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.inverse_time_lr(t, base_lr, self.k)


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
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.linear_lr(
            t, base_lr, self.start_factor, self.end_factor, self.total_iters
        )


class PolynomialLR(LRScheduler):
    """lr · (1 - t/total_iters)^power until total_iters, then 0."""

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1):
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.polynomial_lr(t, base_lr, self.total_iters, self.power)


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from the initial lr down to eta_min over T_max steps."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return functional.cosine_annealing_lr(t, base_lr, self.T_max, self.eta_min)


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every T_0, T_0·T_mult, ... steps (SGDR)."""

    def __init__(
        self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1
    ):
        self.T_0, self.T_mult, self.eta_min = T_0, T_mult, eta_min
        super().__init__(optimizer, last_epoch)

    @property
    def T_cur(self) -> int:
        """Steps since the last restart."""
        return functional.warm_restart_position(self.last_epoch, self.T_0, self.T_mult)[0]

    def lr_at(self, t, base_lr):
        return functional.cosine_warm_restarts_lr(t, base_lr, self.T_0, self.T_mult, self.eta_min)
