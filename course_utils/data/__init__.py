"""Data for the course, generated or shipped, never downloaded (numpy only).

Each submodule holds one kind of data; this package re-exports their public names:
``regression`` (synthetic linear/logistic regression, mini-batches), ``sequences`` (the adding
problem and copy-memory task), ``text`` (the shipped Shakespeare corpus and its ``CharVocab``).
"""

from .regression import *  # noqa: F403
from .regression import __all__ as _regression_all
from .sequences import adding_problem, copy_memory, copy_memory_baseline
from .text import CharVocab, load_text

__all__ = [
    *_regression_all,
    "adding_problem",
    "copy_memory",
    "copy_memory_baseline",
    "CharVocab",
    "load_text",
]
