"""Exercise 10, question 2 (variant): all-reduce by recursive halving and doubling (Rabenseifner's
algorithm; Thakur, Rabenseifner & Gropp 2005) on k simulated workers, k a power of two, with the
bytes each worker sends. The lecture writes the ring's reduce-scatter, not this schedule."""

from __future__ import annotations

import numpy as np

from .base import Case, Mistake, Question


def _distances(k):
    if not (isinstance(k, int | np.integer) and k >= 1 and k & (k - 1) == 0):
        raise ValueError(f"the number of workers must be a power of two, got k={k}.")
    return [k >> (s + 1) for s in range(int(k).bit_length() - 1)]  # k/2, k/4, ..., 1


def _simulate(grads, *, halving_far_first=True, doubling_near_first=True, clear_keeps_lower=True):
    """(summed buffers, bytes each worker sent). The segments a worker holds are kept as a list,
    so a doubling in another order still copies only finished segments (a learner's slip then
    changes the counts, not the sums)."""
    buf = np.array(grads, copy=True)
    k, n = buf.shape
    distances = _distances(k)
    held = [[(0, n)] for _ in range(k)]
    sent = np.zeros(k, dtype=np.int64)
    for d in distances if halving_far_first else distances[::-1]:  # reduce-scatter by halving
        outgoing = []
        for r in range(k):
            ((lo, hi),) = held[r]
            mid = lo + (hi - lo + 1) // 2  # np.array_split's cut: the lower half larger
            lower = (r & d == 0) == clear_keeps_lower
            keep, give = ((lo, mid), (mid, hi)) if lower else ((mid, hi), (lo, mid))
            outgoing.append((r, r ^ d, give, buf[r, give[0] : give[1]].copy()))
            held[r] = [keep]
        for r, partner, (a, b), data in outgoing:
            buf[partner, a:b] += data
            sent[r] += data.nbytes
    for d in distances[::-1] if doubling_near_first else distances:  # all-gather by doubling
        outgoing = [(r, r ^ d, [(a, b, buf[r, a:b].copy()) for a, b in held[r]]) for r in range(k)]
        for r, partner, pieces in outgoing:
            for a, b, data in pieces:
                buf[partner, a:b] = data
                sent[r] += data.nbytes
        held = [sorted(set(held[r]) | set(held[r ^ d])) for r in range(k)]
    return buf, sent


def halving_doubling_all_reduce(grads):
    summed, sent = _simulate(grads)
    return summed / len(summed), sent


def _whole_vectors(grads):
    averaged, _ = halving_doubling_all_reduce(grads)
    g = np.asarray(grads)
    return averaged, np.full(len(g), len(_distances(len(g))) * g[0].nbytes, dtype=np.int64)


def _entries(grads):
    averaged, sent = halving_doubling_all_reduce(grads)
    return averaged, sent // np.asarray(grads).itemsize


def _orders(halving_far_first, doubling_near_first):
    def answer(grads):
        summed, sent = _simulate(
            grads, halving_far_first=halving_far_first, doubling_near_first=doubling_near_first
        )
        return summed / len(summed), sent

    return answer


def _halves_swapped(grads):
    summed, sent = _simulate(grads, clear_keeps_lower=False)
    return summed / len(summed), sent


def _as_float64(grads):
    """The gradients converted to float64 first: 8 bytes counted per float32 entry (rh10 E4)."""
    return halving_doubling_all_reduce(np.asarray(grads, dtype=np.float64))


def _numpy_mean(grads):
    _, sent = halving_doubling_all_reduce(grads)
    return np.tile(np.mean(grads, axis=0), (len(grads), 1)), sent


def _gradients(k, n, dtype, seed):
    return (np.random.default_rng(seed).standard_normal((k, n)).astype(dtype),)


def _cancelling():
    """k = 4, rows 1e16, 1, -1e16, 1: the sum depends on which rows are added first."""
    return (np.array([[1e16] * 6, [1.0] * 6, [-1e16] * 6, [1.0] * 6]),)


def _hd_case(rng):
    k = int(2 ** rng.integers(2, 5))
    n = int(k * rng.integers(1, 6) + rng.integers(1, k))  # never a multiple of k
    return (rng.standard_normal((k, n)),)


HALVING_DOUBLING_ALL_REDUCE = Question(
    name="halving_doubling_all_reduce",
    exact_types=True,
    skill="variant",
    returns=("averaged", "sent"),
    points=5,
    reference=halving_doubling_all_reduce,
    rtol=1e-5,
    atol=1e-6,
    inputs_unchanged=True,
    cases=(
        # first: uneven halves at k = 8 tell the three orders of the phases apart (at k = 4 two
        # of them send the same bytes), so the first failing test names the right one
        Case(lambda: _gradients(8, 13, np.float64, 5), "k = 8 workers, N = 13, float64"),
        Case(lambda: _gradients(4, 9, np.float64, 0), "k = 4 workers, N = 9, float64"),
        Case(lambda: _gradients(8, 16, np.float32, 1), "k = 8 workers, N = 16, float32"),
        Case(lambda: _gradients(2, 5, np.float64, 2), "k = 2 workers, N = 5"),
        Case(lambda: _gradients(1, 4, np.float64, 3), "one worker (nothing to send)"),
        Case(_cancelling, "k = 4, N = 6, rows 1e16, 1, -1e16, 1: the order of additions shows"),
        Case(_hd_case, "k = 4, 8 or 16, N not a multiple of k, float64", hidden=True),
        Case(lambda: _gradients(8, 3, np.float32, 4), "more workers than entries", hidden=True),
    ),
    mistakes=(
        Mistake(
            "Every worker holds the SUM of the gradients: data-parallel SGD steps with their "
            "average (divide by k).",
            lambda g: _simulate(g),
        ),
        Mistake(
            "The bytes are those of exchanging whole vectors (log2 k steps of N entries each, "
            "recursive doubling): in the halving phase a worker sends only the half of its "
            "current segment that it gives away, and in the doubling phase only the segment it "
            "holds.",
            _whole_vectors,
        ),
        Mistake(
            "The bytes are counted in entries: multiply by the itemsize of the array's dtype "
            "(4 for float32, 8 for float64).",
            _entries,
        ),
        Mistake(
            "The bytes are counted at 8 per entry for a float32 input, as if the gradients had "
            "been converted to float64: count the nbytes of the pieces in the input's own dtype "
            "(4 per float32 entry), and do not convert the input.",
            _as_float64,
        ),
        Mistake(
            "The distances are in the other order in the doubling, or in both phases: the "
            "doubling runs farthest partner first, like the halving (and perhaps the halving "
            "nearest first; at k = 4 the two slips send the same bytes). Every worker still ends "
            "with the sum, but the bytes per worker differ when halves are uneven; this "
            "question's halving takes the farthest partner first (distance k/2, then k/4, ..., "
            "1), and the doubling undoes it in reverse, nearest partner first (distance 1, 2, "
            "..., k/2).",
            _orders(halving_far_first=True, doubling_near_first=False),
        ),
        Mistake(
            "The distances are in the wrong order in one of the two phases: the halving runs "
            "nearest partner first, like the doubling. This question's halving takes the "
            "farthest partner first (distance k/2, then k/4, ..., 1), and the doubling undoes "
            "it in reverse, nearest first.",
            _orders(halving_far_first=False, doubling_near_first=True),
        ),
        Mistake(
            "Both phases run in the other order (the halving nearest partner first, the "
            "doubling farthest first): that is also a correct all-reduce, but it leaves each "
            "worker a different segment, so other rounding, and other bytes per worker when "
            "halves are uneven. This question fixes the halving farthest partner first "
            "(distance k/2, then k/4, ..., 1) and the doubling nearest first.",
            _orders(halving_far_first=False, doubling_near_first=False),
        ),
        Mistake(
            "The kept halves are swapped, or the cut puts the extra entry of an odd segment in "
            "the upper half: cut as np.array_split does (the lower half gets the extra entry), "
            "and the worker whose bit of value d is 0 (r & d == 0, the lower rank of the pair) "
            "keeps that LOWER half.",
            _halves_swapped,
        ),
        Mistake(
            "Every row is numpy's mean of the gradients, not what the simulated exchange "
            "computes: simulate the additions (pairs of rows are added in the halving order, "
            "which matters when numbers cancel), then copy the finished segments in the doubling "
            "phase and divide by k.",
            _numpy_mean,
        ),
    ),
    hint="Each worker keeps a segment of the vector, the whole vector at first. Halving, "
    "farthest partner first: the two partners hold the same segment; cut it as np.array_split "
    "does, each sends the half it gives away and adds the half it receives. Doubling, nearest "
    "partner first: each sends its whole finished segment, the partner copies it, and both then "
    "hold the union of the two segments.",
)
