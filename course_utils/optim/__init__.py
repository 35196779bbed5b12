"""numpy optimizers in the shape of ``torch.optim``: same constructor arguments, names, defaults.

    x = np.array([2.0, 1.5])
    opt = SGD([x], lr=0.1, momentum=0.9)
    for _ in range(100):
        opt.step([objective.grad(x)])   # x is updated in place

``params`` is a list of float arrays, or a list of param groups ``{"params": [...], "lr": ...}``
whose missing hyperparameters come from the constructor. ``step(grads)`` takes one gradient per
parameter, in parameter order across groups. ``param_groups`` holds every hyperparameter, so a
schedule may change ``group["lr"]`` between steps; ``state[i]`` is the dict of the i-th parameter;
``state_dict()`` / ``load_state_dict()`` refer to parameters by index, as torch does.

One file per method, as in ``torch/optim``: ``sgd.py``, ``adagrad.py``, ``rmsprop.py``, ``adam.py``
and ``adamw.py`` each hold the method's step function (one update as a plain function on numpy
arrays, in place, the equations of the lessons) and its class, which keeps the state and calls
the function with the param group's hyperparameters. ``optimizer.py`` holds the base class (param
groups, state, input checks, state_dict); ``_inplace.py`` the private in-place building blocks.

The step functions follow ``torch.optim`` (torch 2.13) step by step (up to the order of
roundings). Each updates the arrays it is given IN PLACE and also returns them, so a caller can
pass copies and use it as a pure reference; ``grad`` is only read. Every one takes ``maximize``
(ascend instead of descend) and an optional ``scratch``: a pair of work arrays shaped like
``param`` (any contents, overwritten), so that a caller stepping many times allocates no
temporaries. The functions do not check their input; the classes do.

Adding an optimizer: a file ``name.py`` with ``name_step(param, grad, <state arrays>, *,
<hyperparameters under torch's names>, maximize=False, scratch=None)`` and ``class Name(Optimizer)``
whose ``__init__`` passes torch's defaults, whose ``_check_group`` checks them with
``course_utils.validation``, and whose ``_update`` makes the state on the first step and calls
``name_step(..., **self.step_options(group))``; export both here and test them against torch
in ``tests/test_optim.py``.
"""

from __future__ import annotations

from .adagrad import Adagrad, adagrad_step
from .adam import Adam, adam_step
from .adamw import AdamW, adamw_step
from .optimizer import Optimizer
from .rmsprop import RMSprop, rmsprop_step
from .sgd import SGD, sgd_step

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "adagrad_step",
    "adam_step",
    "adamw_step",
    "rmsprop_step",
    "sgd_step",
]
