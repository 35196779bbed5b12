"""The adding problem and copy-memory generators: layout, seeding, and their measured baselines."""

import math

import numpy as np
import pytest

from course_utils.data import adding_problem, copy_memory, copy_memory_baseline
from course_utils.data.sequences import (
    ADDING_BASELINE_MSE,
    COPY_BLANK,
    COPY_DELIMITER,
    COPY_N_CLASSES,
)


def test_adding_problem_layout_markers_and_target():
    x, y = adding_problem(30, 7, rng=0)
    assert x.shape == (30, 7, 2) and y.shape == (7, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers[:15].sum(axis=0), 1)  # one in the first half
    np.testing.assert_array_equal(markers[15:].sum(axis=0), 1)  # one in the second half
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=0), rtol=1e-6)


def test_adding_problem_is_seeded():
    a, b = adding_problem(10, 4, rng=3), adding_problem(10, 4, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], adding_problem(10, 4, rng=4)[0])


def test_adding_baseline_is_one_sixth_measured():
    # target = U1 + U2, U uniform on [0, 1): E = 1, Var = 2/12, so predicting 1 gives MSE 1/6
    _, y = adding_problem(20, 200_000, rng=1)
    mse_of_one = float(np.mean((y.astype(np.float64) - 1.0) ** 2))
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    assert mse_of_one == pytest.approx(1 / 6, abs=3e-3)  # standard error ~4e-4
    # 1 is the best constant: moving it either way costs
    for c in (0.9, 1.1):
        assert np.mean((y - c) ** 2) > mse_of_one + 0.005


def test_copy_memory_layout():
    x, y = copy_memory(5, 3, rng=0)
    assert x.shape == y.shape == (25, 3) and x.dtype == y.dtype == np.int64
    assert ((x[:10] >= 1) & (x[:10] <= 8)).all()
    assert (x[10:14] == COPY_BLANK).all() and (x[14] == COPY_DELIMITER).all()
    assert (x[15:] == COPY_BLANK).all()
    assert (y[:15] == COPY_BLANK).all()
    np.testing.assert_array_equal(y[15:], x[:10])
    assert x.max() < COPY_N_CLASSES
    np.testing.assert_array_equal(copy_memory(5, 3, rng=0)[0], x)


@pytest.mark.parametrize("blank_len", [10, 100])
def test_copy_memory_baseline_measured_against_a_memoryless_predictor(blank_len):
    # The best a model without memory can do: predict, at each position, the marginal frequency of
    # the targets there (fitted on one batch, scored on another).
    _, y_fit = copy_memory(blank_len, 20_000, rng=1)
    _, y_test = copy_memory(blank_len, 20_000, rng=2)
    counts = np.stack([(y_fit == k).sum(axis=1) for k in range(COPY_N_CLASSES)], axis=1) + 0.5
    probs = counts / counts.sum(axis=1, keepdims=True)  # (T + 20, classes)
    steps = np.arange(y_test.shape[0])[:, None]
    cross_entropy = float(-np.log(probs[steps, y_test]).mean())
    formula = 10 * math.log(8) / (blank_len + 20)
    assert copy_memory_baseline(blank_len) == pytest.approx(formula, rel=1e-15)
    assert cross_entropy == pytest.approx(formula, rel=2e-3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: adding_problem(1, 4, 0), ValueError, r"seq_len must be >= 2, got 1\."),
        (lambda: adding_problem(10.0, 4, 0), TypeError, r"seq_len must be an int, got float\."),
        (lambda: adding_problem(10, 0, 0), ValueError, r"batch_size must be >= 1"),
        (lambda: adding_problem(10, 4, -1), TypeError, r"rng must be a numpy Generator"),
        (lambda: adding_problem(10, 4, None), TypeError, r"rng must be a numpy Generator"),
        (lambda: copy_memory(0, 4, 0), ValueError, r"blank_len must be >= 1"),
        (lambda: copy_memory_baseline(True), TypeError, r"blank_len must be an int"),
    ],
)
def test_bad_input_gets_one_sentence(call, error, message):
    with pytest.raises(error, match=message):
        call()
