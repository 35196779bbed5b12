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
its formula from :mod:`.functional` (lr at step t, computed from the initial learning rates,
torch's closed form; every argument is checked there, once); torch updates some schedules
recursively from the current lr, which gives the same values up to rounding unless someone else
changes the lr.

The files: ``scheduler.py`` (the base ``LRScheduler``), ``decay.py`` (closed-form decays: step,
exponential, linear, polynomial, cosine, warm restarts, lambda), ``cyclic.py`` (``CyclicLR``,
``OneCycleLR``), ``sequential.py`` (``SequentialLR``), ``plateau.py`` (``ReduceLROnPlateau``),
``functional.py`` (the formulas as plain functions of t, also for plotting a schedule).

Adding a schedule: its formula ``name_lr(t, base_lr, ...)`` in ``functional.py``, checking every
argument with ``course_utils.validation``; its class in the family file, storing its arguments and
returning the formula from ``lr_at(t, base_lr)``; export it here, give it a LaTeX formula in
``schedule_explorer.FORMULAS`` (a test asks for one per class) and a step-for-step test against
torch in ``tests/test_schedules.py``.
"""

from __future__ import annotations

from . import functional
from .cyclic import CyclicLR, OneCycleLR
from .decay import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    InverseTimeLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .plateau import ReduceLROnPlateau
from .scheduler import LRScheduler
from .sequential import SequentialLR

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
    "functional",
]
