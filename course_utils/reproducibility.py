"""One call at the top of each notebook: fixed seeds, fixed thread counts, tidy printing."""

from __future__ import annotations

import importlib.util
import os
import random

import numpy as np
from threadpoolctl import threadpool_limits

from .threads import THREAD_ENV
from .validation import integer

__all__ = ["THREAD_ENV", "setup", "seed_everything"]


#: The active threadpoolctl limiter; kept alive here so the BLAS limit stays in force.
_blas_limiter = None


def _torch():
    """The torch module if it is installed, else None (imported lazily)."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    return torch


def seed_everything(seed: int = 0) -> None:
    """Seed ``random``, numpy's legacy global RNG and (if installed) torch with ``seed``."""
    seed = integer(seed, "seed", 0, 2**32)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (the legacy global RNG is what we seed on purpose)
    torch = _torch()
    if torch is not None:
        torch.manual_seed(seed)


def setup(seed: int = 0, threads: int = 1) -> np.random.Generator:
    """Seed everything, limit numpy/torch/BLAS to ``threads`` threads, and return a fresh RNG.

    Also sets OMP/OPENBLAS/MKL_NUM_THREADS for child processes and numpy print options
    (precision 4, no scientific notation for small numbers). Returns
    ``np.random.default_rng(seed)``.
    """
    global _blas_limiter
    seed = integer(seed, "seed", 0, 2**32)
    threads = integer(threads, "threads", 1)
    seed_everything(seed)
    for var in THREAD_ENV:
        os.environ[var] = str(threads)
    if _blas_limiter is not None:
        _blas_limiter.restore_original_limits()
    _blas_limiter = threadpool_limits(limits=threads)
    torch = _torch()
    if torch is not None:
        torch.set_num_threads(threads)
    np.set_printoptions(precision=4, suppress=True)
    return np.random.default_rng(seed)
