"""Data for the course, generated or shipped, never downloaded (numpy only).

Each submodule holds one kind of data; this package re-exports their public names:
``regression`` (synthetic linear/logistic regression, mini-batches), ``sequences`` (the adding
problem and copy-memory task), ``text`` (the shipped Shakespeare corpus, its ``CharVocab``, and
``consecutive_chunks`` for truncated BPTT with carried state).
"""

from .regression import *  # noqa: F403
from .regression import __all__ as _regression_all
from .sequences import adding_problem, copy_memory, copy_memory_baseline
from .text import CharVocab, consecutive_chunks, load_text

__all__ = [
    *_regression_all,
    "adding_problem",
    "copy_memory",
    "copy_memory_baseline",
    "CharVocab",
    "consecutive_chunks",
    "load_text",
]
