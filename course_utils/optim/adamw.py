"""AdamW: Adam with decoupled weight decay, as the step function ``adamw_step`` and the class
``AdamW``; both are Adam's (``adam.py``) with ``decoupled_weight_decay=True``."""

from __future__ import annotations

from .adam import Adam, adam_step

__all__ = ["AdamW", "adamw_step"]


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, weight_decay=1e-2, **options):
    """One step of AdamW, as ``torch.optim.AdamW``: ``adam_step`` with decoupled weight decay.

    Takes the same arguments as ``adam_step`` (without ``decoupled_weight_decay``), with torch's
    AdamW default ``weight_decay=1e-2``. Returns ``(param, exp_avg, exp_avg_sq)``.
    """
    return adam_step(
        param,
        grad,
        exp_avg,
        exp_avg_sq,
        step,
        lr=lr,
        weight_decay=weight_decay,
        decoupled_weight_decay=True,
        **options,
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
