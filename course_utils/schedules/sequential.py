"""``SequentialLR``: schedulers one after another, switched at milestones (e.g. warm-up, then
cosine)."""

from __future__ import annotations

from bisect import bisect_right

from ..validation import integer
from .plateau import ReduceLROnPlateau
from .scheduler import LRScheduler, _groups

__all__ = ["SequentialLR"]


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
