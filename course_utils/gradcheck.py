"""Check analytic gradients against central finite differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import gradient_output, real_array, real_number, scalar_output

__all__ = [
    "GradientCheck",
    "numerical_gradient",
    "hessian_vector_product",
    "relative_error",
    "check_gradient",
]


def _scalar(out, where: str) -> float:
    """Return f's output as a float, or raise if it is not a single real number."""
    return scalar_output(out, "f", where)


def _index(idx: tuple) -> str:
    return ", ".join(str(i) for i in idx)


def numerical_gradient(f, x, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient (f(x + h eᵢ) - f(x - h eᵢ)) / 2h for every entry i of x.

    Works for x of any shape, never modifies x, and returns a float64 array of x's shape.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}.")
    h = real_number(h, "h", positive=True)
    work = real_array(x, "x")
    grad = np.zeros_like(work)
    for idx in np.ndindex(work.shape):
        old = work[idx]
        work[idx] = old + h
        f_plus = _scalar(f(work.copy()), f"x[{_index(idx)}] + h")
        work[idx] = old - h
        f_minus = _scalar(f(work.copy()), f"x[{_index(idx)}] - h")
        work[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def hessian_vector_product(grad_fn, x, v, h: float = 1e-5) -> np.ndarray:
    """Central difference of the gradient along v, (g(x + h v) - g(x - h v)) / 2h: the Hessian of
    f at x times v, from two calls of ``grad_fn`` whatever the dimension (exercise 01, question 4).

    ``x`` and ``v`` are 1-D arrays of one shape, never modified; ``v`` is not normalised (the
    product is linear in v). Returns a float64 array of x's shape.
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable, got {type(grad_fn).__name__}.")
    h = real_number(h, "h", positive=True)
    point, direction = real_array(x, "x"), real_array(v, "v")
    if point.ndim != 1 or direction.shape != point.shape:
        raise ValueError(
            f"x and v must be 1-D arrays of one shape, got {point.shape} and {direction.shape}."
        )
    plus = gradient_output(grad_fn(point + h * direction), point.shape, "grad_fn", "x + h v")
    minus = gradient_output(grad_fn(point - h * direction), point.shape, "grad_fn", "x - h v")
    return (plus - minus) / (2 * h)


def relative_error(a, b, eps: float = 1e-12) -> float:
    """max|a - b| / max(max|a| + max|b|, eps), over all entries; 0 means equal, ~1 unrelated.

    NaN entries make the result NaN.
    """
    eps = real_number(eps, "eps", positive=True)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    if a.size == 0:
        raise ValueError("a and b must be non-empty, got shape (0,).")
    scale = max(np.max(np.abs(a)) + np.max(np.abs(b)), eps)
    return float(np.max(np.abs(a - b)) / scale)


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """Result of :func:`check_gradient`; ``passed`` is ``relative_error <= tol``."""

    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: float
    passed: bool
    tol: float = 1e-6

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        sign = "<=" if self.passed else ">"
        worst = np.unravel_index(
            np.argmax(np.abs(self.analytic - self.numeric)), self.numeric.shape
        )
        where = f"index {tuple(int(i) for i in worst)}" if self.numeric.ndim else "the only entry"
        return (
            f"gradient check {verdict}: relative error {self.relative_error:.2e} {sign} tol "
            f"{self.tol:.0e} (largest gap at {where}: analytic {self.analytic[worst]:.6g}, "
            f"numeric {self.numeric[worst]:.6g})"
        )


def check_gradient(f, grad_f, x, h: float = 1e-5, tol: float = 1e-6) -> GradientCheck:
    """Compare ``grad_f(x)`` with :func:`numerical_gradient` of ``f`` at ``x``."""
    if not callable(grad_f):
        raise TypeError(f"grad_f must be callable, got {type(grad_f).__name__}.")
    tol = real_number(tol, "tol", positive=True)
    point = real_array(x, "x")
    numeric = numerical_gradient(f, point, h=h)
    analytic = gradient_output(grad_f(point.copy()), point.shape, "grad_f")
    err = relative_error(analytic, numeric)
    analytic.setflags(write=False)
    numeric.setflags(write=False)
    return GradientCheck(analytic, numeric, err, bool(err <= tol), tol)
