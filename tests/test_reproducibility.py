"""setup() and seed_everything(): identical random numbers across runs, limited threads."""

import os
import random

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from course_utils import reproducibility
from course_utils.reproducibility import seed_everything
from course_utils.threads import THREAD_ENV

# Not imported as a bare `setup`: pytest < 8.1 would run a module-level `setup` as a setup hook.
setup_notebook = reproducibility.setup

ENV_VARS = tuple(THREAD_ENV)


@pytest.fixture(autouse=True)
def _restore_global_state(monkeypatch):
    """setup() changes process-wide state; put it back after each test."""
    for var in ENV_VARS:
        monkeypatch.setenv(var, os.environ.get(var, "1"))
    printopts, torch_threads = np.get_printoptions(), torch.get_num_threads()
    yield
    np.set_printoptions(**printopts)
    torch.set_num_threads(torch_threads)


def _draws(rng):
    return (
        random.random(),
        np.random.rand(3).tolist(),  # noqa: NPY002
        torch.rand(3, dtype=torch.float64).tolist(),
        rng.standard_normal(3).tolist(),
    )


def test_setup_twice_gives_identical_random_numbers():
    first = _draws(setup_notebook(123))
    second = _draws(setup_notebook(123))
    assert first == second
    assert _draws(setup_notebook(124)) != first


def test_seed_everything_seeds_all_generators():
    seed_everything(5)
    a = (random.random(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    seed_everything(5)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a  # noqa: NPY002


def test_setup_returns_a_default_rng_with_the_seed():
    rng = setup_notebook(42)
    assert isinstance(rng, np.random.Generator)
    assert rng.random() == np.random.default_rng(42).random()


def test_setup_limits_threads_and_sets_env_and_printoptions(monkeypatch):
    for var in ENV_VARS:
        monkeypatch.setenv(var, "7")
    setup_notebook(0, threads=1)
    assert all(os.environ[var] == "1" for var in ENV_VARS)
    assert torch.get_num_threads() == 1
    assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    assert reproducibility._blas_limiter is not None
    opts = np.get_printoptions()
    assert opts["precision"] == 4 and opts["suppress"] is True


def test_setup_can_be_called_again_with_other_thread_counts():
    setup_notebook(0, threads=2)
    assert torch.get_num_threads() == 2 and os.environ["OMP_NUM_THREADS"] == "2"
    setup_notebook(0, threads=1)
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"seed": -1}, ValueError, r"^seed must be in \[0, 4294967296\), got -1\.$"),
        ({"seed": 2**32}, ValueError, r"^seed must be in \[0, 4294967296\)"),
        ({"seed": 1.5}, TypeError, r"^seed must be an int, got float\.$"),
        ({"threads": 0}, ValueError, r"^threads must be >= 1, got 0\.$"),
        ({"threads": True}, TypeError, r"^threads must be an int, got bool\.$"),
    ],
)
def test_setup_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        setup_notebook(**kwargs)


def test_seed_everything_errors():
    with pytest.raises(TypeError, match=r"^seed must be an int, got str\.$"):
        seed_everything("0")
