"""Exercise 10, question 1 (new problem): one rank's shard of an epoch as torch's
``DistributedSampler`` deals it (shuffled order given; equal counts by padding or by dropping the
tail; strided). ``tests/test_checks_10_data_parallel.py`` checks the reference against
``torch.utils.data.DistributedSampler``."""

from __future__ import annotations

import math

import numpy as np

from .base import Case, Mistake, Question


def _per_rank(n, k, drop_last):
    """torch's num_samples: ceil(n / k), or floor(n / k) when the tail is dropped."""
    return n // k if drop_last else math.ceil(n / k)


def _padded(order, total):
    """The order repeated from its start as often as needed, cut to ``total`` entries."""
    order = np.asarray(order)
    if len(order) == 0:
        return order[:0]
    return np.resize(order, max(total, 0)) if total > len(order) else order[:total]


def distributed_shard(order, k, rank, drop_last):
    if not (isinstance(k, int) and k >= 1 and isinstance(rank, int) and 0 <= rank < k):
        raise ValueError(f"need whole numbers k >= 1 and 0 <= rank < k, got k={k}, rank={rank}.")
    per = _per_rank(len(order), k, drop_last)
    return _padded(order, per * k)[rank::k]


def _contiguous(order, k, rank, drop_last):
    per = _per_rank(len(order), k, drop_last)
    return _padded(order, per * k)[rank * per : (rank + 1) * per]


def _padded_once(order, k, rank, drop_last):
    order = np.asarray(order)
    per = _per_rank(len(order), k, drop_last)
    if drop_last:
        return order[: per * k][rank::k]
    return np.concatenate([order, order[: per * k - len(order)]])[rank::k]


def _padded_per_rank(order, k, rank, drop_last):
    """rl10 E1: deals the unpadded order, then pads each short shard with the order's first entries."""
    order = np.asarray(order)
    per = _per_rank(len(order), k, drop_last)
    shard = order[rank::k][:per]
    return np.concatenate([shard, order[: per - len(shard)]])


def _never_drops(order, k, rank, drop_last):
    return distributed_shard(order, k, rank, False)


def _exactly_once(order, k, rank, drop_last):
    return np.array_split(np.asarray(order), k)[rank]


def _order(n, seed):
    return np.random.default_rng(seed).permutation(n)


def _shard_case(rng):
    k = int(rng.integers(2, 9))
    n = int(k * rng.integers(2, 20) + rng.integers(1, k))  # k does not divide n
    return _order(n, int(rng.integers(10**6))), k, int(rng.integers(0, k)), bool(rng.integers(2))


DISTRIBUTED_SHARD = Question(
    name="distributed_shard",
    exact_types=True,
    skill="new problem",
    points=3,
    reference=distributed_shard,
    # the text says no torch: a wrapper around torch's sampler would not be an answer
    library=("torch.utils.data.DistributedSampler.__iter__",),
    rtol=0.0,
    atol=0.0,
    inputs_unchanged=True,
    cases=(
        Case(
            lambda: (_order(10, 7), 4, 3, False),
            "n = 10, k = 4, rank 3, padded (its padding is the order's second entry)",
        ),
        Case(lambda: (_order(10, 7), 4, 3, True), "n = 10, k = 4, rank 3, drop_last"),
        Case(lambda: (_order(3, 1), 8, 6, False), "n = 3, k = 8, rank 6: padding longer than n"),
        Case(lambda: (_order(12, 2), 4, 2, True), "n = 12, k = 4 (k divides n), drop_last"),
        Case(_shard_case, "k does not divide n, random rank and drop_last", hidden=True),
        Case(lambda: (_order(3, 1), 8, 7, False), "n = 3, k = 8, rank 7, padded", hidden=True),
        Case(
            lambda: (_order(5, 3), 8, 2, True),
            "n = 5 < k = 8, drop_last: an empty shard, still an integer numpy array",
        ),
        Case(lambda: (_order(0, 3), 3, 0, False), "an empty data set", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Those are contiguous blocks of the padded order; DistributedSampler deals strided "
            "indices: rank r takes positions r, r + k, r + 2k, ... of the padded order.",
            _contiguous,
        ),
        Mistake(
            "The padding repeats the order only once: when the padding needed is longer than "
            "the data set (k > n), the order must be repeated from its start as many times as "
            "it takes to give every rank n / k entries rounded up.",
            _padded_once,
        ),
        Mistake(
            "Each short shard is padded with the order's first entries: pad the whole order "
            "first, then deal it. The entry a short rank gets is the one at its position in the "
            "padded order, which in general is not the order's first.",
            _padded_per_rank,
        ),
        Mistake(
            "drop_last is ignored: when it is true, the tail of the order is dropped (every rank "
            "gets n // k indices, rounded down), nothing is repeated.",
            _never_drops,
        ),
        Mistake(
            "Every index exactly once, in blocks whose sizes differ by one: that is np.array_split "
            "of the order, not DistributedSampler's convention. It gives every rank the same "
            "number of indices, by padding or by dropping the tail.",
            _exactly_once,
        ),
    ),
    hint="First make every rank's count equal (n / k rounded up, by repeating the order from its "
    "start, or rounded down, by dropping its tail when drop_last is true), then deal the result "
    "out like cards: rank r takes every k-th entry starting at position r.",
)
