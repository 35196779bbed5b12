"""Plain gradient descent x_{k+1} = x_k - lr * grad f(x_k), with a recorded trajectory."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import as_point, real_number

__all__ = ["DivergenceError", "Trajectory", "gradient_descent", "contraction_rate"]

#: A step diverges when its loss exceeds this factor times max(1, |loss at x0|).
DIVERGENCE_FACTOR = 1e8


class DivergenceError(RuntimeError):
    """Gradient descent blew up; ``trajectory`` holds the iterates before the bad step."""

    def __init__(self, message: str, trajectory: Trajectory):
        super().__init__(message)
        self.trajectory = trajectory


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Iterates of one gradient-descent run.

    ``xs`` has shape (n_steps + 1, dim) and starts with x0; ``losses`` and ``grad_norms``
    have shape (n_steps + 1,). For status "diverged", the bad iterate is not included and
    ``bad_loss`` is its loss (NaN if the iterate itself was not finite).
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
        return _divergence_sentence(
            self.n_steps + 1, self.losses[0], self.bad_loss, self.lr, self.lr_limit
        )


def _divergence_sentence(step, loss0, bad_loss, lr, lr_limit) -> str:
    """The one-sentence divergence diagnosis shared by Trajectory.message and DivergenceError."""
    head = f"diverged at step {step}: the loss grew from {loss0:.3g} to {bad_loss:.3g}"
    if lr_limit is None:
        return f"{head}; try a learning rate smaller than lr = {lr:.3g}."
    relation = "is above" if lr > lr_limit else "is not above"
    return f"{head}; lr = {lr:.3g} {relation} 2/L = {lr_limit:.3g}, so try a smaller learning rate."


def _lr_limit(objective) -> float | None:
    """2/L if the objective exposes a positive finite smoothness constant L, else None."""
    L = getattr(objective, "L", None)
    if isinstance(L, int | float | np.integer | np.floating) and np.isfinite(L) and L > 0:
        return 2.0 / float(L)
    return None


def gradient_descent(
    objective,
    x0,
    lr: float,
    max_iters: int = 1000,
    tol: float = 1e-6,
    on_divergence: str = "raise",
) -> Trajectory:
    """Run x_{k+1} = x_k - lr * grad f(x_k) from x0.

    Before each step, stop with status "converged" if ||grad f(x_k)|| < tol (so starting at a
    minimizer takes 0 steps); stop with "max_iters" after ``max_iters`` steps otherwise.
    A step diverges if x or the loss is not finite or the loss exceeds
    1e8 * max(1, |f(x0)|); then raise :class:`DivergenceError` (``on_divergence="raise"``) or
    return the trajectory up to the last good iterate with status "diverged" (``"stop"``).
    """
    for method in ("value", "grad"):
        if not callable(getattr(objective, method, None)):
            raise TypeError(f"objective must have a callable .{method}(x), got {objective!r}.")
    lr = real_number(lr, "lr", positive=True)
    tol = real_number(tol, "tol", nonnegative=True)
    if isinstance(max_iters, bool) or not isinstance(max_iters, int | np.integer):
        raise TypeError(f"max_iters must be an int, got {type(max_iters).__name__}.")
    if max_iters < 0:
        raise ValueError(f"max_iters must be >= 0, got {max_iters}.")
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop', got {on_divergence!r}.")

    x = as_point(x0, getattr(objective, "dim", np.size(x0)), "x0")

    loss = float(objective.value(x))
    g = np.asarray(objective.grad(x), dtype=np.float64)
    if not (np.isfinite(loss) and np.all(np.isfinite(g))):
        raise ValueError(f"objective value and gradient at x0 must be finite, got loss {loss}.")
    threshold = DIVERGENCE_FACTOR * max(1.0, abs(loss))
    limit = _lr_limit(objective)
    xs, losses, gnorms = [x], [loss], [float(np.linalg.norm(g))]
    status, bad_loss = "max_iters", None

    for step in range(max_iters + 1):
        if gnorms[-1] < tol:
            status = "converged"
            break
        if step == max_iters:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - lr * g
            ok = bool(np.all(np.isfinite(x)))
            loss = float(objective.value(x)) if ok else float("nan")
            ok = ok and np.isfinite(loss) and loss <= threshold
            if ok:
                g = np.asarray(objective.grad(x), dtype=np.float64)
                gnorm = float(np.linalg.norm(g))
                ok = bool(np.isfinite(gnorm))
        if not ok:
            status, bad_loss = "diverged", loss
            break
        xs.append(x)
        losses.append(loss)
        gnorms.append(gnorm)

    traj = Trajectory(
        xs=np.array(xs),
        losses=np.array(losses),
        grad_norms=np.array(gnorms),
        status=status,
        n_steps=len(xs) - 1,
        lr=lr,
        tol=tol,
        lr_limit=limit,
        bad_loss=bad_loss,
    )
    if status == "diverged" and on_divergence == "raise":
        raise DivergenceError("Gradient descent " + traj.message, traj)
    return traj


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
    if isinstance(start, bool) or not isinstance(start, int | np.integer):
        raise TypeError(f"start must be an int, got {type(start).__name__}.")
    if not 0 <= start < n:
        raise ValueError(f"start must be in [0, {n - 1}], got {start}.")
    tail = e[start:]
    if not np.all(np.isfinite(tail)) or not np.all(tail > 0):
        raise ValueError(f"errors[{start}:] must be positive and finite, got min {tail.min()}.")
    return float(np.exp(np.mean(np.diff(np.log(tail)))))
