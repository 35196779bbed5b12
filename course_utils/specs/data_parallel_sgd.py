"""Spec for exercise set 10: data-parallel SGD.

Questions: ``shard_indices`` (a variant of the lecture's per-step split: a whole epoch dealt to k
ranks when k does not divide n), ``ring_all_reduce`` (the half of the ring the lecture does not
show, the average, the bytes each worker really sends when the chunks are uneven, and the buffers
after the reduce-scatter, which only a simulated ring gets right; a case whose numbers cancel
makes the average depend on the ring's order of additions, so numpy's mean does not pass) and
``scale_recipe`` (the linear scaling rule applied to a whole recipe). The references are written
here in numpy (the course library has no numpy ring or sharding function to call instead).
"""

from __future__ import annotations

import math

import numpy as np

from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- 1. shard_indices


def _shuffled(n, seed, epoch):
    return np.random.default_rng([seed, epoch]).permutation(n)


def _shard_indices(n, k, rank, epoch, seed):
    return np.array_split(_shuffled(n, seed, epoch), k)[rank]


def _equal_blocks_dropped(n, k, rank, epoch, seed):
    per = n // k
    return _shuffled(n, seed, epoch)[rank * per : (rank + 1) * per]


def _padded_blocks(n, k, rank, epoch, seed):
    per = -(-n // k)
    order = _shuffled(n, seed, epoch)
    padded = np.concatenate([order, order[: per * k - n]])
    return padded[rank * per : (rank + 1) * per]


def _own_seed(n, k, rank, epoch, seed):
    return np.array_split(np.random.default_rng([seed + rank, epoch]).permutation(n), k)[rank]


def _same_every_epoch(n, k, rank, epoch, seed):
    return np.array_split(_shuffled(n, seed, 0), k)[rank]


def _strided(n, k, rank, epoch, seed):
    return _shuffled(n, seed, epoch)[rank::k]


def _shard_case(rng):
    k = int(rng.integers(3, 9))
    n = int(k * rng.integers(5, 40) + rng.integers(1, k))  # never divisible by k
    return n, k, int(rng.integers(0, k)), int(rng.integers(1, 50)), int(rng.integers(0, 10**6))


SHARD_INDICES = Question(
    name="shard_indices",
    points=3,
    reference=_shard_indices,
    rtol=0.0,
    atol=0.0,
    cases=(
        Case(lambda: (10, 3, 0, 0, 7), "n = 10, k = 3, rank = 0, epoch = 0, seed = 7"),
        Case(lambda: (10, 3, 2, 0, 7), "n = 10, k = 3, rank = 2, epoch = 0, seed = 7"),
        Case(lambda: (23, 4, 1, 2, 5), "n = 23, k = 4, rank = 1, epoch = 2, seed = 5"),
        Case(_shard_case, "k does not divide n, random rank, epoch and seed", hidden=True),
        Case(lambda: (5, 8, 6, 1, 3), "more ranks than samples (n = 5, k = 8)", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Samples are dropped: n // k indices per rank loses the n % k left over. That is a "
            "real convention (torch's drop_last=True keeps every rank's count equal), but this "
            "task asks for every sample exactly once: give the first n % k ranks one index more "
            "(block sizes differ by at most one).",
            _equal_blocks_dropped,
        ),
        Mistake(
            "Samples are duplicated: padding every rank up to the size of the largest block "
            "repeats some samples. torch's DistributedSampler pads by default so that every rank "
            "takes the same number of steps (a rank with a step more would wait in a collective "
            "its peers never join), but this task asks for every index exactly once over all "
            "ranks.",
            _padded_blocks,
        ),
        Mistake(
            "Each rank shuffled with its own seed (seed + rank): the ranks' permutations differ, so "
            "their blocks overlap and miss samples. All ranks use default_rng([seed, epoch]).",
            _own_seed,
        ),
        Mistake(
            "The shuffle ignores the epoch: every epoch gets the same order (with torch's "
            "DistributedSampler, what happens when sampler.set_epoch(epoch) is never called). "
            "Seed the generator with [seed, epoch].",
            _same_every_epoch,
        ),
        Mistake(
            "Those are strided indices (order[rank::k]); this exercise asks for contiguous "
            "blocks of the shuffled order, the larger blocks first (as np.array_split cuts).",
            _strided,
        ),
    ),
    hint="Every rank must compute the same shuffled order (one generator seeded from the shared "
    "seed and the epoch, as the task says), then take its own contiguous block of it: k blocks "
    "whose sizes differ by at most one, the larger ones first.",
)

# ----------------------------------------------------------------------------- 2. ring all-reduce


def _bounds(n, k):
    """Start and end of chunk c for c = 0..k-1 (np.array_split's cut)."""
    sizes = [n // k + (1 if c < n % k else 0) for c in range(k)]
    ends = np.cumsum(sizes)
    return list(zip(ends - sizes, ends, strict=True))


def _ring(grads, phases=2, average=True):
    """Simulated ring all-reduce: worker r sends to r + 1; returns (buffers, bytes sent, buffers
    after the reduce-scatter)."""
    buf = np.array(grads, copy=True)
    k, n = buf.shape
    chunk = _bounds(n, k)
    sent = np.zeros(k, dtype=np.int64)
    for s in range(k - 1):  # reduce-scatter: afterwards worker r owns chunk (r + 1) % k
        outgoing = [(r, (r - s) % k) for r in range(k)]
        payload = [buf[r, slice(*chunk[c])].copy() for r, c in outgoing]
        for (r, c), data in zip(outgoing, payload, strict=True):
            buf[(r + 1) % k, slice(*chunk[c])] += data
            sent[r] += data.nbytes
    scattered = buf.copy()
    if phases == 2:
        for s in range(k - 1):  # all-gather: pass the finished chunks once around
            outgoing = [(r, (r + 1 - s) % k) for r in range(k)]
            payload = [buf[r, slice(*chunk[c])].copy() for r, c in outgoing]
            for (r, c), data in zip(outgoing, payload, strict=True):
                buf[(r + 1) % k, slice(*chunk[c])] = data
                sent[r] += data.nbytes
    return (buf / k if average else buf), sent, scattered


def _ring_all_reduce(grads):
    return _ring(grads)


def _formula_bytes(grads):
    k, n = np.shape(grads)
    buf, _, scattered = _ring(grads)
    return buf, np.full(k, 2 * (k - 1) / k * n * np.asarray(grads).itemsize), scattered


def _no_ring(grads):
    """Right average and bytes, but no ring: every row already the full sum after 'phase one'."""
    averaged, sent, _ = _ring(grads)
    return averaged, sent, np.tile(np.sum(grads, axis=0), (len(grads), 1))


def _tiled_mean(grads):
    """The reduce-scatter simulated, but no all-gather: numpy's mean in every row."""
    _, sent, scattered = _ring(grads)
    return np.tile(np.mean(grads, axis=0), (len(grads), 1)), sent, scattered


def _cancelling():
    """k = 3, N = 6, rows 1e16, 1, -1e16: the sum depends on the order of the additions, so only
    the ring's own order (each chunk starts at its own worker) gives the ring's result."""
    return (np.array([[1e16] * 6, [1.0] * 6, [-1e16] * 6]),)


def _divided_first(grads):
    """Each gradient divided by k before the ring (DDP's default hook), nothing divided after."""
    g = np.asarray(grads)
    return _ring(g / len(g), average=False)


def _entries(grads):
    averaged, sent, scattered = _ring(grads)
    return averaged, sent // np.asarray(grads).itemsize, scattered


def _gradients(k, n, dtype, seed):
    return (np.random.default_rng(seed).standard_normal((k, n)).astype(dtype),)


def _ring_case(rng):
    k = int(rng.integers(3, 8))
    n = int(k * rng.integers(3, 30) + rng.integers(1, k))
    return (rng.standard_normal((k, n)),)


RING_ALL_REDUCE = Question(
    name="ring_all_reduce",
    returns=("averaged", "sent", "scattered"),
    points=5,
    reference=_ring_all_reduce,
    rtol=1e-5,
    atol=1e-6,
    inputs_unchanged=True,
    cases=(
        Case(lambda: _gradients(3, 10, np.float64, 0), "k = 3 workers, N = 10, float64"),
        Case(lambda: _gradients(4, 8, np.float32, 1), "k = 4 workers, N = 8, float32"),
        Case(lambda: _gradients(1, 5, np.float64, 2), "one worker (nothing to send)"),
        Case(
            _cancelling,
            "k = 3, N = 6, rows 1e16, 1, -1e16: the order of the ring's additions shows",
        ),
        Case(_ring_case, "k does not divide N, float64", hidden=True),
        Case(lambda: _gradients(6, 4, np.float32, 3), "more workers than entries", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Every worker holds the SUM of the gradients: data-parallel SGD needs their average "
            "(divide by k), or the step is k times too large.",
            lambda g: _ring(g, average=False),
        ),
        Mistake(
            "The average and the bytes are right, but the third item holds the full sum in every "
            "row: right after the reduce-scatter each worker holds only partial sums, except for "
            "the one chunk it finished. Return a copy of the buffers as the ring leaves them "
            "after its first k - 1 steps.",
            _no_ring,
        ),
        Mistake(
            "Only the reduce-scatter was done: each worker has the total of one chunk only. The "
            "all-gather (k - 1 more steps) passes the finished chunks around the ring.",
            lambda g: _ring(g, phases=1),
        ),
        Mistake(
            "The buffers are right but the bytes are 2 (k - 1) / k * N * itemsize for every "
            "worker: count what each worker really sends; when k does not divide N the chunks "
            "differ in size and so do the workers' counts.",
            _formula_bytes,
        ),
        Mistake(
            "Every row is numpy's mean of the gradients, not what the ring computes: the "
            "all-gather copies the finished chunks of the reduce-scatter around the ring, so "
            "every worker ends with the ring's own sums (added in the ring's order, which "
            "matters when numbers cancel), divided by k. Simulate the all-gather.",
            _tiled_mean,
        ),
        Mistake(
            "Each gradient was divided by k before the ring (what DDP's default communication "
            "hook does): that changes the buffers after the reduce-scatter and the rounding when "
            "numbers cancel. This task fixes the order: run the ring on the gradients as given "
            "and divide by k at the end.",
            _divided_first,
        ),
        Mistake(
            "The bytes are counted in entries: multiply by the itemsize of the array's dtype "
            "(4 for float32, 8 for float64).",
            _entries,
        ),
    ),
    hint="Chunks as np.array_split cuts range(N). After the reduce-scatter worker r holds the "
    "finished chunk (r + 1) % k; keep a copy of all the buffers at that moment (the third item). "
    "In each all-gather step every worker forwards the finished chunk it completed or received "
    "last, and the receiver copies it (no adding). Then divide by k.",
)

# ----------------------------------------------------------------------------- 3. scale_recipe


def _scale_recipe(lr, warmup_steps, total_steps, k):
    return (lr * k, math.ceil(warmup_steps / k), math.ceil(total_steps / k))


SCALE_RECIPE = Question(
    name="scale_recipe",
    points=2,
    reference=_scale_recipe,
    rtol=1e-12,
    atol=0.0,
    cases=(
        Case(lambda: (0.05, 400, 2000, 8), "lr 0.05, warm-up 400 steps, 2000 steps, k = 8"),
        Case(lambda: (0.1, 50, 1000, 3), "lr 0.1, warm-up 50 steps, 1000 steps, k = 3"),
        Case(lambda: (0.02, 0, 90, 4), "no warm-up, k = 4", hidden=True),
        Case(lambda: (0.3, 7, 11, 16), "more workers than warm-up steps", hidden=True),
    ),
    mistakes=(
        Mistake(
            "The learning rate was not scaled: with k workers the global batch is k b, and the "
            "linear scaling rule multiplies the rate by k.",
            lambda lr, w, t, k: (lr, math.ceil(w / k), math.ceil(t / k)),
        ),
        Mistake(
            "That is square-root scaling (lr * sqrt(k)). In the lecture's §4, applied to the tuned "
            "one-worker rate, it fell far short at k = 8 while the linear rule came close; this "
            "question asks for the linear scaling rule: the rate times k.",
            lambda lr, w, t, k: (lr * math.sqrt(k), math.ceil(w / k), math.ceil(t / k)),
        ),
        Mistake(
            "The warm-up kept its number of STEPS: each step now uses k times more samples, so "
            "the same warm-up (in samples) takes k times fewer steps.",
            lambda lr, w, t, k: (lr * k, w, math.ceil(t / k)),
        ),
        Mistake(
            "The run kept its number of steps: that trains for k times more epochs. The same "
            "number of samples takes k times fewer steps.",
            lambda lr, w, t, k: (lr * k, math.ceil(w / k), t),
        ),
        Mistake(
            "Rounded down: the last partial step's samples would never be seen. Round up.",
            lambda lr, w, t, k: (lr * k, w // k, t // k),
        ),
    ),
    hint="Keep the number of samples the same: a step of k workers sees k times more samples, "
    "so the rate scales linearly with the global batch and both step counts shrink by the factor "
    "k, rounded so that no sample of the last partial step is lost.",
)

ASSIGNMENT = Assignment(
    id="10_data_parallel_sgd",
    title="Data-parallel SGD",
    questions=(SHARD_INDICES, RING_ALL_REDUCE, SCALE_RECIPE),
)
