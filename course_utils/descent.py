"""One descent loop for every optimizer: it records a Trajectory and diagnoses divergence.

``run(objective, x0, optimizer, lr)`` builds ``optimizer([x], lr=lr)`` on the iterate x (a numpy
array the optimizer updates in place, as ``torch.optim`` updates tensors; ``optimizer`` is a class
such as ``SGD`` or a ``functools.partial`` of one) and steps until the gradient norm
falls below ``tol``, ``max_iters`` steps are taken, or the run diverges. ``gradient_descent`` is
plain SGD, x_{k+1} = x_k - lr * grad f(x_k), through that loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .optim import SGD
from .validation import (
    as_point,
    gradient_output,
    integer,
    objective_like,
    one_of,
    optimizer_class,
    real_number,
    scalar_output,
)

__all__ = [
    "DivergenceError",
    "Trajectory",
    "run",
    "gradient_descent",
    "contraction_rate",
]


#: A step diverges when its loss exceeds this factor times max(1, |loss at x0|).
DIVERGENCE_FACTOR = 1e8


class DivergenceError(RuntimeError):
    """A descent run blew up; ``trajectory`` holds the iterates before the bad step."""

    def __init__(self, message: str, trajectory: Trajectory):
        super().__init__(message)
        self.trajectory = trajectory


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Iterates of one descent run, for any optimizer.

    ``xs`` has shape (n_steps + 1, dim) and starts with x0; ``losses`` and ``grad_norms``
    have shape (n_steps + 1,); ``lrs`` (shape (n_steps,)) is the learning rate of each step,
    read from ``param_groups[0]["lr"]`` (NaN if the optimizer has none). ``lr`` is the first
    step's learning rate, ``optimizer`` names the optimizer. For status "diverged", the bad
    iterate is not included and ``bad_loss`` is its loss (NaN if the iterate itself was not
    finite). ``lr_limit`` is 2/L when the optimizer is plain SGD (no momentum, no weight decay)
    and the objective exposes its smoothness constant L; else None.
    """

    xs: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    status: str
    n_steps: int
    lr: float
    tol: float
    lr_limit: float | None = None
    bad_loss: float | None = None
    optimizer: str = "SGD"
    lrs: np.ndarray | None = None

    @property
    def message(self) -> str:
        """One sentence saying how the run ended."""
        gnorm = self.grad_norms[-1]
        if self.status == "converged":
            return (
                f"converged in {self.n_steps} steps: ||grad|| = {gnorm:.1e} < tol {self.tol:.0e}."
            )
        if self.status == "max_iters":
            return (
                f"stopped after max_iters = {self.n_steps} steps: "
                f"||grad|| = {gnorm:.1e} is still >= tol {self.tol:.0e}."
            )
        return _divergence_sentence(self)


def _divergence_sentence(traj: Trajectory) -> str:
    """The one-sentence divergence diagnosis shared by Trajectory.message and DivergenceError."""
    bad = "not finite" if not np.isfinite(traj.bad_loss) else f"{traj.bad_loss:.3g}"
    head = f"diverged at step {traj.n_steps + 1}: the loss grew from {traj.losses[0]:.3g} to {bad}"
    lr = traj.lr
    if traj.lr_limit is not None:
        relation = "is above" if lr > traj.lr_limit else "is not above"
        return (
            f"{head}; lr = {lr:.3g} {relation} 2/L = {traj.lr_limit:.3g}, "
            "so try a smaller learning rate."
        )
    if np.isfinite(lr):
        return f"{head}; try a learning rate smaller than lr = {lr:.3g}."
    return f"{head}; try smaller steps."


def _lr_limit(objective) -> float | None:
    """2/L if the objective exposes a positive finite smoothness constant L, else None."""
    L = getattr(objective, "L", None)
    if isinstance(L, int | float | np.integer | np.floating) and np.isfinite(L) and L > 0:
        return 2.0 / float(L)
    return None


def _is_plain_gd(optimizer) -> bool:
    """True for SGD without momentum, weight decay or maximize: x - lr * grad, the 2/L rule."""
    if not isinstance(optimizer, SGD):
        return False
    return all(
        not group.get(key) for group in optimizer.param_groups
        for key in ("momentum", "weight_decay", "nesterov", "maximize")
    )  # fmt: skip


def _current_lr(optimizer) -> float:
    try:
        return float(optimizer.param_groups[0]["lr"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return float("nan")


def _describe(optimizer) -> str:
    name = type(optimizer).__name__
    try:
        group = optimizer.param_groups[0]
    except (AttributeError, IndexError, KeyError, TypeError):
        return name
    shown = ("lr", "momentum", "betas", "weight_decay", "nesterov")
    parts = [f"{k}={group[k]:.3g}" if isinstance(group[k], float) else f"{k}={group[k]}"
             for k in shown if k in group and (k == "lr" or group[k])]  # fmt: skip
    return f"{name}({', '.join(parts)})"


def _evaluate(objective, x: np.ndarray, where: str) -> tuple[float, np.ndarray]:
    """f(x) and grad f(x), each checked: a wrong type or shape gets one sentence."""
    loss = scalar_output(objective.value(x), "objective.value(x)", where)
    g = gradient_output(objective.grad(x), x.shape, "objective.grad(x)", where)
    return loss, g


def _start(objective, x0, optimizer, lr, max_iters, tol, on_divergence):
    """The checked arguments of :func:`run`: (x, f(x0), grad f(x0), optimizer on x, max_iters, tol).

    Every check is one of :mod:`validation`'s, so a wrong argument gets its one sentence.
    """
    objective_like(objective)
    optimizer_class(optimizer)
    lr = real_number(lr, "lr", positive=True)
    tol = real_number(tol, "tol", nonnegative=True)
    max_iters = integer(max_iters, "max_iters", 0)
    one_of(on_divergence, ("raise", "stop"), "on_divergence")
    x = as_point(x0, getattr(objective, "dim", np.size(x0)), "x0")
    loss, g = _evaluate(objective, x, "x0")
    if not (np.isfinite(loss) and np.all(np.isfinite(g))):
        raise ValueError(f"objective value and gradient at x0 must be finite, got loss {loss}.")
    built = optimizer([x], lr=lr)
    if not callable(getattr(built, "step", None)):
        raise TypeError(
            "optimizer(params, lr=...) must return an optimizer with a .step(grads) method, "
            f"got {type(built).__name__}."
        )
    return x, loss, g, built, max_iters, tol


def _descend(objective, x, loss, g, optimizer, max_iters, tol):
    """The loop of :func:`run`: step x in place; (xs, losses, grad norms, lrs, status, bad loss)."""
    threshold = DIVERGENCE_FACTOR * max(1.0, abs(loss))
    xs, losses, gnorms, lrs = [x.copy()], [loss], [float(np.linalg.norm(g))], []
    status, bad_loss = "max_iters", None

    with np.errstate(over="ignore", invalid="ignore"):  # overflow is diagnosed, not warned about
        for step in range(max_iters + 1):
            if gnorms[-1] < tol:
                status = "converged"
                break
            if step == max_iters:
                break
            lrs.append(_current_lr(optimizer))
            optimizer.step([g])
            ok = bool(np.isfinite(x).all())
            loss = float("nan")
            if ok:
                loss, g = _evaluate(objective, x, f"step {step + 1}")
                gnorm = float(np.sqrt(g @ g)) if g.ndim == 1 else float(np.linalg.norm(g))
                ok = bool(np.isfinite(loss) and loss <= threshold and np.isfinite(gnorm))
            if not ok:
                status, bad_loss = "diverged", loss
                lrs.pop()
                break
            xs.append(x.copy())
            losses.append(loss)
            gnorms.append(gnorm)

    return xs, losses, gnorms, lrs, status, bad_loss


def run(
    objective,
    x0,
    optimizer,
    lr: float,
    *,
    max_iters: int = 1000,
    tol: float = 1e-6,
    on_divergence: str = "raise",
) -> Trajectory:
    """Minimize ``objective`` from ``x0`` with the optimizer ``optimizer([x], lr=lr)`` builds.

    ``optimizer`` is a class in torch.optim's shape or a ``functools.partial`` of one, e.g.
    ``SGD`` or ``partial(SGD, momentum=0.9)``: it is called on a list holding one float64 array,
    the iterate x (a copy of x0), and ``lr``; ``step(grads)`` updates x in place from a list of
    gradients and ``param_groups[0]["lr"]`` is the learning rate.

    Before each step, stop with status "converged" if ||grad f(x_k)|| < tol (so starting at a
    minimizer takes 0 steps); stop with "max_iters" after ``max_iters`` steps otherwise.
    A step diverges if x, the loss or the gradient is not finite, or the loss exceeds
    1e8 * max(1, |f(x0)|); then raise :class:`DivergenceError` (``on_divergence="raise"``) or
    return the trajectory up to the last good iterate with status "diverged" (``"stop"``).
    """
    x, loss, g, optimizer, max_iters, tol = _start(
        objective, x0, optimizer, lr, max_iters, tol, on_divergence
    )
    xs, losses, gnorms, lrs, status, bad_loss = _descend(objective, x, loss, g, optimizer,
                                                         max_iters, tol)  # fmt: skip
    lr0 = lrs[0] if lrs else _current_lr(optimizer)
    traj = Trajectory(
        xs=np.array(xs),
        losses=np.array(losses),
        grad_norms=np.array(gnorms),
        status=status,
        n_steps=len(xs) - 1,
        lr=lr0,
        tol=tol,
        lr_limit=_lr_limit(objective) if _is_plain_gd(optimizer) else None,
        bad_loss=bad_loss,
        optimizer=_describe(optimizer),
        lrs=np.array(lrs, dtype=np.float64),
    )
    if status == "diverged" and on_divergence == "raise":
        raise DivergenceError(f"{traj.optimizer} " + traj.message, traj)
    return traj


def gradient_descent(
    objective,
    x0,
    lr: float,
    *,
    tol: float = 1e-6,
    max_iters: int = 1000,
    on_divergence: str = "raise",
) -> Trajectory:
    """Plain gradient descent x_{k+1} = x_k - lr * grad f(x_k) from x0: :func:`run` with SGD.

    ``tol`` and ``max_iters`` are keyword-only (in the lecture's and exercise's order), so a
    positional call cannot swap them silently. See :func:`run` for the stopping rules.
    """
    return run(
        objective,
        x0,
        SGD,
        lr,
        max_iters=max_iters,
        tol=tol,
        on_divergence=on_divergence,
    )


def contraction_rate(errors, start: int | None = None) -> float:
    """Geometric-mean ratio e_{k+1} / e_k over steps k = start, ..., n - 1.

    ``errors`` = (e_0, ..., e_n), e.g. ||x_k - x*||; this equals (e_n / e_start)^(1/(n - start)).
    ``start`` defaults to n // 2 (the second half, after transients). For GD on a quadratic with
    lr = 2/(L + mu), the distance to x* contracts at (kappa - 1)/(kappa + 1) per step.
    """
    raw = np.asarray(errors)
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"errors must be an array of real numbers, got dtype {raw.dtype}.")
    e = raw.astype(np.float64)
    if e.ndim != 1 or e.size < 2:
        raise ValueError(
            f"errors must be a 1-D array with at least 2 entries, got shape {e.shape}."
        )
    n = e.size - 1
    if start is None:
        start = n // 2
    start = integer(start, "start")
    if not 0 <= start < n:
        raise ValueError(f"start must be in [0, {n - 1}], got {start}.")
    tail = e[start:]
    if not np.all(np.isfinite(tail)) or not np.all(tail > 0):
        raise ValueError(f"errors[{start}:] must be positive and finite, got min {tail.min()}.")
    return float(np.exp(np.mean(np.diff(np.log(tail)))))
