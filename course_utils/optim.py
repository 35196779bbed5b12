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

The update of each optimizer is one function in ``course_utils.optim_steps``; the classes only
keep the state and call it.
"""

from __future__ import annotations

import numpy as np

from course_utils.optim_base import Optimizer, check_flag, check_fraction
from course_utils.optim_steps import (
    adagrad_step,
    adam_step,
    adamw_step,
    rmsprop_step,
    sgd_step,
)
from course_utils.validation import real_number

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


class SGD(Optimizer):
    """Stochastic gradient descent with optional heavy-ball or Nesterov momentum (``sgd_step``)."""

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
    ):
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        momentum = real_number(group["momentum"], "momentum", nonnegative=True)
        dampening = real_number(group["dampening"], "dampening")
        check_flag(group, "nesterov")
        if group["nesterov"] and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a positive momentum and zero dampening.")

    def _update(self, param, grad, state, group, scratch):
        # b_t = momentum b_{t-1} + (1 - dampening) g_t;  p <- p - lr b_t (or Nesterov's look-ahead)
        _, buffer = sgd_step(
            param,
            grad,
            state.get("momentum_buffer"),
            lr=group["lr"],
            momentum=group["momentum"],
            dampening=group["dampening"],
            weight_decay=group["weight_decay"],
            nesterov=group["nesterov"],
            maximize=group["maximize"],
            scratch=scratch,
        )
        if buffer is not None:
            state["momentum_buffer"] = buffer


class Adagrad(Optimizer):
    """AdaGrad: divide each coordinate's step by the root of its summed squared gradients."""

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        *,
        maximize=False,
    ):
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        real_number(group["lr_decay"], "lr_decay", nonnegative=True)
        real_number(
            group["initial_accumulator_value"], "initial_accumulator_value", nonnegative=True
        )
        real_number(group["eps"], "eps", nonnegative=True)

    def _update(self, param, grad, state, group, scratch):
        if not state:  # s_0: the accumulator starts at initial_accumulator_value
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        # s_t = s_{t-1} + g_t^2;  p <- p - lr_t g_t / (sqrt(s_t) + eps)
        adagrad_step(
            param,
            grad,
            state["sum"],
            state["step"],
            lr=group["lr"],
            lr_decay=group["lr_decay"],
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            maximize=group["maximize"],
            scratch=scratch,
        )


class RMSprop(Optimizer):
    """RMSprop: divide the step by a moving root-mean-square of recent gradients."""

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        *,
        maximize=False,
    ):
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        check_fraction(group["alpha"], "alpha", one_allowed=True)
        real_number(group["eps"], "eps", nonnegative=True)
        real_number(group["momentum"], "momentum", nonnegative=True)
        check_flag(group, "centered")

    def _update(self, param, grad, state, group, scratch):
        if not state:  # v_0 = 0 (and m_0 = 0, b_0 = 0 when used)
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        # v_t = alpha v_{t-1} + (1 - alpha) g_t^2;  p <- p - lr g_t / (sqrt(v_t) + eps)
        rmsprop_step(
            param,
            grad,
            state["square_avg"],
            lr=group["lr"],
            alpha=group["alpha"],
            eps=group["eps"],
            weight_decay=group["weight_decay"],
            momentum=group["momentum"],
            centered=group["centered"],
            grad_avg=state.get("grad_avg"),
            momentum_buffer=state.get("momentum_buffer"),
            maximize=group["maximize"],
            scratch=scratch,
        )


class Adam(Optimizer):
    """Adam: momentum (first moment) over RMSprop's scale (second moment), both bias-corrected.

    ``decoupled_weight_decay=True`` makes it AdamW (the class ``AdamW`` below).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}.")
        check_fraction(betas[0], "betas[0]")
        check_fraction(betas[1], "betas[1]")
        real_number(group["eps"], "eps", nonnegative=True)
        check_flag(group, "amsgrad")
        check_flag(group, "decoupled_weight_decay")

    def _update(self, param, grad, state, group, scratch):
        if not state:  # m_0 = v_0 = 0
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        # m_t, v_t: moving averages of g_t and g_t^2; p <- p - lr m_hat / (sqrt(v_hat) + eps)
        beta1, beta2 = group["betas"]
        adam_step(
            param,
            grad,
            state["exp_avg"],
            state["exp_avg_sq"],
            state["step"],
            lr=group["lr"],
            beta1=beta1,
            beta2=beta2,
            eps=group["eps"],
            weight_decay=group["weight_decay"],
            amsgrad=group["amsgrad"],
            max_exp_avg_sq=state.get("max_exp_avg_sq"),
            decoupled_weight_decay=group["decoupled_weight_decay"],
            maximize=group["maximize"],
            scratch=scratch,
        )


class AdamW(Adam):
    """AdamW: Adam whose weight decay shrinks the weights directly, outside the moments.

    It is ``Adam(..., decoupled_weight_decay=True)`` with torch's default ``weight_decay=1e-2``;
    ``adamw_step`` is the same update written as a function.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
    ):
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
