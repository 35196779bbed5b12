"""Test functions for optimization, with exact gradients, Hessians and minimizers."""

from __future__ import annotations

import numpy as np

from .validation import as_point, real_number

__all__ = [
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "NonConvex1D",
    "DoubleWell2D",
    "Saddle",
    "as_point",
]


def _cubic_minimizers(coeffs, f, f2) -> np.ndarray:
    """Real roots of the cubic f' (``coeffs``) with f'' > 0, Newton-polished, lowest f first."""
    d = np.polyder(np.poly1d(coeffs))
    roots = [r.real for r in np.roots(coeffs) if abs(r.imag) < 1e-9]
    polished = []
    for r in roots:
        for _ in range(3):
            r = r - np.polyval(coeffs, r) / np.polyval(d, r)
        if f2(r) > 0:
            polished.append(r)
    return np.array(sorted(polished, key=f), dtype=np.float64)


class Objective:
    """Base class: a smooth function R^dim -> R with its gradient and Hessian.

    Subclasses set ``name``, ``dim``, ``_minimizers`` (shape (k, dim), global first) and
    implement ``_value`` (on arrays of shape (dim, ...)), ``_grad`` and ``_hessian``.
    """

    name: str = "objective"
    dim: int = 0
    _minimizers: np.ndarray

    def value(self, x):
        """f(x) as a float for x of shape (dim,); an array of shape (...) for x of shape (dim, ...)."""
        arr = as_point(x, self.dim, batched=True)
        out = self._value(arr)
        return float(out) if arr.ndim == 1 else np.asarray(out, dtype=np.float64)

    def grad(self, x) -> np.ndarray:
        """Gradient at x (shape (dim,)), as an array of shape (dim,)."""
        return np.asarray(self._grad(as_point(x, self.dim)), dtype=np.float64)

    def hessian(self, x) -> np.ndarray:
        """Hessian at x (shape (dim,)), as an array of shape (dim, dim)."""
        return np.asarray(self._hessian(as_point(x, self.dim)), dtype=np.float64)

    def __call__(self, x):
        """Same as :meth:`value`."""
        return self.value(x)

    @property
    def minimizers(self) -> np.ndarray:
        """Known local minimizers, shape (k, dim), global minimizer first."""
        return self._minimizers.copy()

    @property
    def min_value(self) -> float:
        """The global minimum value f(minimizers[0])."""
        return self.value(self._minimizers[0])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}, dim={self.dim}>"

    def _value(self, x):
        raise NotImplementedError

    def _grad(self, x):
        raise NotImplementedError

    def _hessian(self, x):
        raise NotImplementedError


class Quadratic(Objective):
    """f(x) = ½ (x - c)ᵀ A (x - c) with A = R diag(eigenvalues) Rᵀ.

    In 2-D, R rotates by ``angle`` radians. In other dimensions R is the identity if
    ``angle == 0`` and otherwise a fixed orthogonal matrix (QR of a seed-0 Gaussian matrix).
    """

    def __init__(self, eigenvalues, angle: float = 0.0, center=None):
        raw = np.asarray(eigenvalues)
        if raw.dtype.kind not in "iuf":
            raise TypeError(f"eigenvalues must be real numbers, got dtype {raw.dtype}.")
        lam = raw.astype(np.float64)
        if lam.ndim != 1 or lam.size == 0:
            raise ValueError(
                f"eigenvalues must be a non-empty 1-D sequence, got shape {lam.shape}."
            )
        if not np.all(np.isfinite(lam)) or not np.all(lam > 0):
            raise ValueError(f"eigenvalues must be positive and finite, got {lam.tolist()}.")
        angle = real_number(angle, "angle")
        self.dim = lam.size
        self.eigenvalues = lam
        self.angle = angle
        if self.dim == 2:
            c, s = np.cos(angle), np.sin(angle)
            rot = np.array([[c, -s], [s, c]])
        elif angle != 0.0:
            q, r = np.linalg.qr(np.random.default_rng(0).standard_normal((self.dim, self.dim)))
            rot = q * np.sign(np.diag(r))
        else:
            rot = np.eye(self.dim)
        self._A = rot @ np.diag(lam) @ rot.T
        self._A = 0.5 * (self._A + self._A.T)
        self._c = np.zeros(self.dim) if center is None else as_point(center, self.dim, "center")
        self._minimizers = self._c[None, :].copy()
        self.name = f"quadratic (kappa={self.kappa:.3g})"

    @property
    def A(self) -> np.ndarray:
        """The symmetric positive-definite matrix A, shape (dim, dim)."""
        return self._A.copy()

    @property
    def L(self) -> float:
        """Smoothness constant: the largest eigenvalue of A."""
        return float(self.eigenvalues.max())

    @property
    def mu(self) -> float:
        """Strong-convexity constant: the smallest eigenvalue of A."""
        return float(self.eigenvalues.min())

    @property
    def kappa(self) -> float:
        """Condition number L / mu."""
        return self.L / self.mu

    @property
    def x_star(self) -> np.ndarray:
        """The unique minimizer c."""
        return self._c.copy()

    def _value(self, x):
        d = x - self._c.reshape((self.dim,) + (1,) * (x.ndim - 1))
        return 0.5 * np.einsum("i...,ij,j...->...", d, self._A, d)

    def _grad(self, x):
        return self._A @ (x - self._c)

    def _hessian(self, x):
        return self._A.copy()


class Rosenbrock(Objective):
    """f(x, y) = (a - x)² + b (y - x²)², minimized at (a, a²) with value 0."""

    dim = 2

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = real_number(a, "a")
        self.b = real_number(b, "b")
        if self.b <= 0:
            raise ValueError(f"b must be positive, got {b}.")
        self._minimizers = np.array([[self.a, self.a**2]])
        self.name = f"Rosenbrock (a={self.a:g}, b={self.b:g})"

    def _value(self, x):
        return (self.a - x[0]) ** 2 + self.b * (x[1] - x[0] ** 2) ** 2

    def _grad(self, x):
        r = x[1] - x[0] ** 2
        return np.array([-2 * (self.a - x[0]) - 4 * self.b * x[0] * r, 2 * self.b * r])

    def _hessian(self, x):
        h00 = 2 - 4 * self.b * (x[1] - x[0] ** 2) + 8 * self.b * x[0] ** 2
        h01 = -4 * self.b * x[0]
        return np.array([[h00, h01], [h01, 2 * self.b]])


class NonConvex1D(Objective):
    """f(x) = x⁴ - 3x² + x: a deep global minimum near -1.30 and a shallow local one near 1.13."""

    dim = 1
    name = "non-convex 1-D (x^4 - 3x^2 + x)"

    def __init__(self):
        mins = _cubic_minimizers([4.0, 0.0, -6.0, 1.0], self._f, lambda t: 12 * t**2 - 6)
        self._minimizers = mins[:, None]

    @staticmethod
    def _f(t):
        return t**4 - 3 * t**2 + t

    def _value(self, x):
        return self._f(x[0])

    def _grad(self, x):
        return np.array([4 * x[0] ** 3 - 6 * x[0] + 1])

    def _hessian(self, x):
        return np.array([[12 * x[0] ** 2 - 6]])


class DoubleWell2D(Objective):
    """f(x, y) = (x² - 1)² + y² + tilt·x: two minima on y = 0, the one at x < 0 deeper for tilt > 0."""

    dim = 2

    def __init__(self, tilt: float = 0.3):
        tilt = real_number(tilt, "tilt")
        limit = 8 / (3 * np.sqrt(3))
        if tilt == 0 or abs(tilt) >= limit:
            raise ValueError(f"tilt must be non-zero with |tilt| < {limit:.4f}, got {tilt}.")
        self.tilt = tilt
        xs = _cubic_minimizers(
            [4.0, 0.0, -4.0, tilt], lambda t: (t**2 - 1) ** 2 + tilt * t, lambda t: 12 * t**2 - 4
        )
        self._minimizers = np.column_stack([xs, np.zeros_like(xs)])
        self.name = f"double well (tilt={tilt:g})"

    def _value(self, x):
        return (x[0] ** 2 - 1) ** 2 + x[1] ** 2 + self.tilt * x[0]

    def _grad(self, x):
        return np.array([4 * x[0] * (x[0] ** 2 - 1) + self.tilt, 2 * x[1]])

    def _hessian(self, x):
        return np.array([[12 * x[0] ** 2 - 4, 0.0], [0.0, 2.0]])


class Saddle(Objective):
    """f(x, y) = ½x² + ¼y⁴ - ½y²: a saddle at the origin, minima at (0, ±1) with value -¼."""

    dim = 2
    name = "saddle (x^2/2 + y^4/4 - y^2/2)"

    def __init__(self):
        self._minimizers = np.array([[0.0, 1.0], [0.0, -1.0]])

    @property
    def saddle_point(self) -> np.ndarray:
        """The saddle point (0, 0), where the Hessian has eigenvalues +1 and -1."""
        return np.zeros(2)

    def _value(self, x):
        return 0.5 * x[0] ** 2 + 0.25 * x[1] ** 4 - 0.5 * x[1] ** 2

    def _grad(self, x):
        return np.array([x[0], x[1] ** 3 - x[1]])

    def _hessian(self, x):
        return np.array([[1.0, 0.0], [0.0, 3 * x[1] ** 2 - 1]])
