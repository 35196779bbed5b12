"""Exercise 10, question 3 (derivation): under the alpha-beta cost model, the vector size in bytes
above which the ring all-reduce beats recursive doubling of whole vectors. (MPICH, in Thakur,
Rabenseifner & Gropp 2005, chooses by message size between recursive doubling and Rabenseifner's
reduce-scatter + all-gather, question 2's algorithm, not the ring.) The learner derives both
algorithms' messages and bytes; the solution notebook then evaluates the two times on counters of
simulated schedules (the ring's chunks; recursive doubling's buffers exchanged with partner r ^ d),
below and above the derived size."""

from __future__ import annotations

import math

from .base import Case, Mistake, Question


def _log2(k):
    if not (isinstance(k, int) and k >= 1 and k & (k - 1) == 0):
        raise ValueError(f"the number of workers must be a power of two, got k={k}.")
    return k.bit_length() - 1


def _equal_time(k, alpha, beta, ring_messages, ring_bytes, rd_messages, rd_bytes):
    """n at which ring_messages alpha + ring_bytes n beta = rd_messages alpha + rd_bytes n beta."""
    slower_start, saving = ring_messages - rd_messages, rd_bytes - ring_bytes
    if saving <= 0:
        return math.inf
    return alpha * slower_start / (beta * saving)


def crossover_bytes(k, alpha, beta):
    if not (alpha > 0 and beta > 0):
        raise ValueError(f"alpha and beta must be positive, got alpha={alpha}, beta={beta}.")
    L = _log2(k)
    return _equal_time(k, alpha, beta, 2 * (k - 1), 2 * (k - 1) / k, L, L)


def _one_phase_ring(k, alpha, beta):
    L = _log2(k)
    return _equal_time(k, alpha, beta, k - 1, 2 * (k - 1) / k, L, L)


def _reduce_scatter_only_ring(k, alpha, beta):
    """The ring's all-gather forgotten, messages and bytes (rk10 E1): the same value as
    :func:`_reduce_then_broadcast` for every k >= 4, and so told by the same hint."""
    L = _log2(k)
    return _equal_time(k, alpha, beta, k - 1, (k - 1) / k, L, L)


def _reduce_then_broadcast(k, alpha, beta):
    L = _log2(k)
    # its 0.0 at k = 2 is told by the "returned 0" hint, which names both readings (rh10, rm10 E2)
    if k <= 2:
        return math.nan
    return _equal_time(k, alpha, beta, 2 * (k - 1), 2 * (k - 1) / k, 2 * L, 2 * L)


def _zero_for_never(k, alpha, beta):
    n = crossover_bytes(k, alpha, beta)
    return 0.0 if math.isinf(n) else n


def _ring_sends_2n(k, alpha, beta):
    L = _log2(k)
    return _equal_time(k, alpha, beta, 2 * (k - 1), 2, L, L)


def _float64_entries(k, alpha, beta):
    return crossover_bytes(k, alpha, beta) / 8


def _float32_entries(k, alpha, beta):
    return crossover_bytes(k, alpha, beta) / 4


def _swapped(k, alpha, beta):
    return crossover_bytes(k, beta, alpha)


def _crossover_case(rng):
    return (
        int(2 ** rng.integers(2, 11)),
        float(10 ** rng.uniform(-6, -4)),
        float(10 ** rng.uniform(-11, -9)),
    )


CROSSOVER_BYTES = Question(
    name="crossover_bytes",
    skill="derivation",
    points=3,
    reference=crossover_bytes,
    rtol=1e-9,
    atol=0.0,
    cases=(
        # k = 8 first (ri10 E1): at k = 4 the one-phase ring's answer is the right one / 4,
        # which is also what float32 entries give; at k = 8 the two differ (32,000 and 22,000)
        Case(lambda: (8, 1e-5, 1e-9), "k = 8, alpha = 10 us, beta = 1 ns per byte"),
        Case(lambda: (64, 2e-6, 1e-10), "k = 64, alpha = 2 us, beta = 0.1 ns per byte"),
        Case(lambda: (2, 1e-5, 1e-9), "k = 2: the ring is never faster"),
        Case(lambda: (1, 1e-5, 1e-9), "k = 1: nothing is sent", hidden=True),
        Case(lambda: (4, 1e-5, 1e-9), "k = 4, alpha = 10 us, beta = 1 ns per byte", hidden=True),
        Case(
            _crossover_case, "k a power of two from 4 to 1024, random alpha and beta", hidden=True
        ),
    ),
    mistakes=(
        Mistake(
            "The ring was given k - 1 messages, those of the reduce-scatter only: its all-gather "
            "sends k - 1 more, one after another.",
            _one_phase_ring,
        ),
        Mistake(
            "Returned 0 where the ring is never faster (k = 1 or 2). Two readings give this "
            "0: either no size makes the ring faster and 0 was returned for never (a crossover "
            "at 0 bytes would mean the ring is faster for every size: when the ring does not "
            "send fewer bytes, return math.inf), or recursive doubling was counted as a reduce "
            "followed by a broadcast (2 log2 k messages of n bytes, which at k = 2 makes the "
            "ring faster at every size; in recursive doubling both partners exchange their "
            "whole vectors and both add, so after log2 k steps every worker holds the sum). "
            "Check which one is yours.",
            _zero_for_never,
        ),
        # rk10 E1: for every k >= 4 this value is also the ring counted as its reduce-scatter
        # alone (k - 1 messages, (k - 1) n / k bytes); no case can tell the two slips apart,
        # so the hint names both
        Mistake(
            "Either the ring was counted as its reduce-scatter alone (k - 1 messages of n / k "
            "bytes: its all-gather sends as many messages and bytes again), or recursive doubling "
            "as a reduce followed by a broadcast (2 log2 k messages of n bytes: in recursive "
            "doubling both partners exchange their whole vectors and both add, so after log2 k "
            "steps every worker already holds the sum). Both slips give this value: check both "
            "counts.",
            _reduce_then_broadcast,
        ),
        Mistake(
            "The ring's bytes were taken as 2n, its limit for large k: a ring worker sends "
            "2 (k - 1) chunks of n / k bytes, 2 (k - 1) n / k in all.",
            _ring_sends_2n,
        ),
        Mistake(
            "This is the size in float64 entries, 8 times too small: the question asks for n in "
            "bytes (beta is seconds per byte), whatever the vector's dtype.",
            _float64_entries,
        ),
        Mistake(
            "This is the size in float32 entries (4 bytes each), 4 times too small: the question "
            "asks for n in bytes (beta is seconds per byte), whatever the vector's dtype.",
            _float32_entries,
        ),
        Mistake(
            "alpha and beta are swapped: alpha is the time per message (latency), beta the time "
            "per byte.",
            _swapped,
        ),
    ),
    hint="Write each algorithm's time as (messages one worker sends in sequence) * alpha + (bytes "
    "it sends) * beta, the ring from the lecture's counts and recursive doubling from its "
    "schedule, set the two equal and solve for n (in bytes); when the ring's bytes are not fewer "
    "it is never faster (return math.inf).",
)
