"""``ReduceLROnPlateau``: cut the lr when a monitored metric stops improving (no formula in t:
it follows the values passed to ``step(metric)``)."""

from __future__ import annotations

import math

from ..validation import fraction, integer, real_number
from .scheduler import LRScheduler, _groups, _per_group

__all__ = ["ReduceLROnPlateau"]


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
        real_number(factor, "factor", positive=True)
        self.factor = fraction(factor, "factor")  # it multiplies the lr: below 1
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
