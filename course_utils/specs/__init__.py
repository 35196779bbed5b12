"""Assignment specs: graded names, test inputs (visible and hidden), references, tolerances, hints.

``load("01_gradient_descent")`` returns the :class:`Assignment` whose id matches a notebook stem.

The registry is discovered, not listed: every module of this package except ``base`` is one
assignment's spec, named like the assignment's notebooks without their number
(``gradient_descent.py`` for ``01_gradient_descent``), and declares that assignment as
``ASSIGNMENT``. Adding ``specs/<topic>.py`` registers ``NN_<topic>``; a module whose name and
assignment id disagree is an error that says so. A private module (``_name.py``) holds part of
one spec, imported by it, and is skipped here. The modules are imported on first use
(``load`` or ``ASSIGNMENT_IDS``), not when this package is imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .base import Assignment, Case, Mistake, Question

#: Modules of this package that hold no assignment.
NOT_SPECS = frozenset({"base"})


def spec_module_names() -> tuple[str, ...]:
    """The names of the spec modules in this package (found on disk, nothing imported)."""
    return tuple(
        sorted(
            info.name
            for info in pkgutil.iter_modules(__path__)
            if info.name not in NOT_SPECS and not info.name.startswith("_")
        )
    )


@cache
def _registry() -> dict[str, Assignment]:
    """assignment id -> Assignment, in id order, from every spec module (each checked)."""
    found = {}
    for name in spec_module_names():
        module = importlib.import_module(f"{__name__}.{name}")
        assignment = getattr(module, "ASSIGNMENT", None)
        if not isinstance(assignment, Assignment):
            raise ImportError(f"{module.__name__} must define ASSIGNMENT, an Assignment.")
        number, _, topic = assignment.id.partition("_")
        if not (number.isdigit() and topic == name):
            raise ImportError(
                f"{module.__name__} declares assignment {assignment.id!r}; a spec module is named "
                f"like its notebook without the number, so it must be specs/{topic}.py."
            )
        if assignment.id in found:
            raise ImportError(f"two spec modules declare assignment {assignment.id!r}.")
        found[assignment.id] = assignment
    return dict(sorted(found.items()))


def load(assignment_id: str) -> Assignment:
    """The spec for an assignment id (the shared stem of its notebooks)."""
    registry = _registry()
    try:
        return registry[assignment_id]
    except KeyError:
        known = ", ".join(registry)
        raise KeyError(f"unknown assignment {assignment_id!r}; known: {known}.") from None


def __getattr__(name: str):
    if name == "ASSIGNMENT_IDS":  # computed on first use: it imports every spec module
        return tuple(_registry())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ASSIGNMENT_IDS", "Assignment", "Case", "Mistake", "Question", "load"]
