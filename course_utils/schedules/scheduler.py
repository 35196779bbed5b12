"""The base of the learning-rate schedulers: ``LRScheduler``, in torch's shape.

A scheduler acts on any optimizer with ``param_groups`` (a list of dicts holding ``"lr"``).
Constructing it counts as its first step (t = 0, ``last_epoch = 0``); each ``step()`` moves to
t + 1 and sets every group's lr to ``lr_at(t, initial lr)`` (or ``get_lr()``).
"""

from __future__ import annotations

from ..validation import integer

__all__ = ["LRScheduler"]


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
