"""Synthetic data sets and mini-batch iteration (numpy only).

Each submodule holds one kind of data; this package re-exports their public names.
"""

from .regression import *  # noqa: F403
from .regression import __all__ as _regression_all

__all__ = [*_regression_all]
