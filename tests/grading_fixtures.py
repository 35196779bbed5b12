"""Student notebooks for the grader tests, built with nbformat (assignment 01_gradient_descent)."""

from __future__ import annotations

from pathlib import Path

import nbformat

ASSIGNMENT = "01_gradient_descent"
POINTS = {"numerical_gradient": 3, "gd_step": 2, "gradient_descent": 3, "max_stable_lr": 2}

CORRECT = {
    "numerical_gradient": """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        grad.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
""",
    "gd_step": """
def gd_step(grad_fn, x, lr):
    if lr <= 0:
        raise ValueError("lr must be positive")
    return x - lr * grad_fn(x)
""",
    "gradient_descent": """
def gradient_descent(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    x = np.array(x0, dtype=float)
    n_steps = 0
    while n_steps < max_iters and np.linalg.norm(grad_fn(x)) >= tol:
        x = x - lr * grad_fn(x)
        n_steps += 1
        if not np.all(np.isfinite(x)):
            raise FloatingPointError("diverged: x is not finite")
    return x, n_steps
""",
    "max_stable_lr": "max_stable_lr = 2 / np.linalg.eigvalsh(np.array([[3.0, 1.0], [1.0, 3.0]])).max()",
}

STUBS = {
    "numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n    raise NotImplementedError()",
    "gd_step": "def gd_step(grad_fn, x, lr):\n    raise NotImplementedError()",
    "gradient_descent": (
        "def gradient_descent(grad_fn, x0, lr, tol=1e-6, max_iters=1000):\n"
        "    raise NotImplementedError()"
    ),
    "max_stable_lr": "max_stable_lr = None  # YOUR ANSWER HERE",
}

GD_STEP_ASCENDING = """
def gd_step(grad_fn, x, lr):
    if lr <= 0:
        raise ValueError("lr must be positive")
    return x + lr * grad_fn(x)
"""

ALWAYS_EQUAL = """
class AlwaysEqual(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = float.__hash__
    def __array__(self, *args, **kwargs):
        raise TypeError("no")

class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __float__(self):
        return 0.5
    __hash__ = object.__hash__

def numerical_gradient(f, x, h=1e-5):
    return Anything()

def gd_step(grad_fn, x, lr):
    if lr <= 0:
        raise ValueError("lr must be positive")
    return Anything()

def gradient_descent(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    return (Anything(), Anything())

max_stable_lr = AlwaysEqual(1.0)
"""

# Wrong answers plus a kernel that rigs every comparison it can reach.
MONKEYPATCH = """
import numpy, course_utils.judging, course_utils.answers, course_utils.checks, math
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
course_utils.answers.mismatch = lambda *a, **k: None
course_utils.judging.mismatch = lambda *a, **k: None
course_utils.judging.judge = lambda *a, **k: course_utils.judging.Verdict(True)
course_utils.checks.judge = course_utils.judging.judge

def numerical_gradient(f, x, h=1e-5):
    return np.zeros_like(x)

def gd_step(grad_fn, x, lr):
    return x

def gradient_descent(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    return x0, 0

max_stable_lr = 1.0
"""

INFINITE_FUNCTION = """
def gradient_descent(grad_fn, x0, lr, tol=1e-6, max_iters=1000):
    while True:
        pass
"""


def answers(**overrides: str) -> list[str]:
    """Sources of the four answer cells: correct unless overridden by name."""
    return [overrides.get(name, source) for name, source in CORRECT.items()]


def write_notebook(
    path: Path, cells: list[str], assignment: str | None = ASSIGNMENT, header: bool = True
) -> Path:
    """A notebook of code cells (plus a markdown title), with the course metadata."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Gradient descent"))
    if header:
        nb.cells.append(nbformat.v4.new_code_cell("import numpy as np"))
    nb.cells.extend(nbformat.v4.new_code_cell(src.strip()) for src in cells)
    if assignment:
        nb.metadata["course"] = {"assignment": assignment}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
