"""Synthetic regression data and mini-batch indices: known parameters, seeds, epochs, bad input."""

import numpy as np
import pytest

from course_utils.data import (
    MiniBatches,
    SyntheticData,
    make_linear_regression,
    make_logistic_regression,
)


def test_linear_data_recovers_its_true_parameters_by_least_squares():
    data = make_linear_regression(20_000, 4, noise=0.5, bias=1.5, rng=np.random.default_rng(1))
    assert isinstance(data, SyntheticData)
    assert data.X.shape == (20_000, 4) and data.y.shape == (20_000,)
    A = np.column_stack([data.X, np.ones(len(data.y))])
    coef, *_ = np.linalg.lstsq(A, data.y, rcond=None)
    np.testing.assert_allclose(coef[:4], data.w_true, atol=0.02)
    assert abs(coef[4] - 1.5) < 0.02
    residual = data.y - A @ coef
    assert abs(residual.var() - 0.25) < 0.02  # noise**2


def test_feature_scales_scale_the_columns():
    data = make_linear_regression(
        50_000, 3, feature_scales=[1.0, 0.1, 3.0], rng=np.random.default_rng(2)
    )
    np.testing.assert_allclose(data.X.std(axis=0), [1.0, 0.1, 3.0], rtol=0.02)


def test_logistic_labels_follow_the_true_model():
    data = make_logistic_regression(
        40_000, 2, weight_norm=2.0, bias=-0.5, rng=np.random.default_rng(3)
    )
    assert set(np.unique(data.y)) == {0.0, 1.0}
    assert np.isclose(np.linalg.norm(data.w_true), 2.0)
    p = 1 / (1 + np.exp(-(data.X @ data.w_true + data.b_true)))
    for lo, hi in [(0.1, 0.3), (0.4, 0.6), (0.7, 0.9)]:
        sel = (p > lo) & (p < hi)
        assert abs(data.y[sel].mean() - p[sel].mean()) < 0.02


def test_same_seed_same_data_other_seed_other_data():
    a = make_logistic_regression(100, 3, rng=np.random.default_rng(0))
    b = make_logistic_regression(100, 3, rng=np.random.default_rng(0))
    c = make_logistic_regression(100, 3, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_each_epoch_is_a_fresh_permutation_with_the_last_partial_batch_kept():
    batches = MiniBatches(10, 4, rng=np.random.default_rng(0))
    assert len(batches) == 3
    epochs = [list(batches) for _ in range(3)]
    for epoch in epochs:
        assert [len(b) for b in epoch] == [4, 4, 2]
        assert sorted(np.concatenate(epoch).tolist()) == list(range(10))
    orders = [np.concatenate(e).tolist() for e in epochs]
    assert orders[0] != orders[1] and orders[1] != orders[2]
    # exactly one rng.permutation(n) per epoch, so learners can reproduce it
    rng = np.random.default_rng(0)
    assert orders == [rng.permutation(10).tolist() for _ in range(3)]


def test_drop_last_and_no_shuffle():
    batches = MiniBatches(10, 4, shuffle=False, drop_last=True)
    assert len(batches) == 2
    assert [b.tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [b.tolist() for b in MiniBatches(8, 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6, 7]]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: make_linear_regression(0, 2, rng=np.random.default_rng()),
            ValueError,
            "n_samples must be >= 1",
        ),
        (
            lambda: make_linear_regression(10, 2.0, rng=np.random.default_rng()),
            TypeError,
            "n_features must be an int",
        ),
        (
            lambda: make_linear_regression(10, 2, noise=-1.0, rng=np.random.default_rng()),
            ValueError,
            "noise must be non-negative",
        ),
        (lambda: make_linear_regression(10, 2, rng=0), TypeError, "rng must be a numpy Generator"),
        (
            lambda: make_linear_regression(
                10, 2, feature_scales=[1.0], rng=np.random.default_rng()
            ),
            ValueError,
            r"feature_scales must have shape \(2,\)",
        ),
        (
            lambda: make_linear_regression(
                10, 2, feature_scales=[1.0, 0.0], rng=np.random.default_rng()
            ),
            ValueError,
            "feature_scales must all be positive",
        ),
        (
            lambda: make_logistic_regression(10, 2, weight_norm=0.0, rng=np.random.default_rng()),
            ValueError,
            "weight_norm must be positive",
        ),
        (
            lambda: MiniBatches(10, 0, shuffle=False),
            ValueError,
            "batch_size must be >= 1",
        ),
        (
            lambda: MiniBatches(10, 11, shuffle=False),
            ValueError,
            r"batch_size \(11\) must not exceed n_samples \(10\)",
        ),
        (lambda: MiniBatches(10, 2), TypeError, "rng must be a numpy Generator"),
        (
            lambda: MiniBatches(10, 2, shuffle=False, rng=np.random.default_rng()),
            ValueError,
            "rng is only used with shuffle=True",
        ),
        (lambda: MiniBatches(True, 2, shuffle=False), TypeError, "n_samples must be an int"),
    ],
)
def test_bad_input_gets_one_clear_sentence(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert str(info.value).count(". ") == 0 and str(info.value).endswith(".")
