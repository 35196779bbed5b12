"""Spec for exercise set 10: data-parallel SGD.

Redesigned for issue 21 (no graded answer is the lecture's code). The lecture writes the ring
(reduce-scatter and all-gather) and gather-to-one in numpy, counts the ring's bytes, states the cost
model in words, and describes torch's DistributedSampler in prose; the questions ask for what that
teaching makes possible but does not show:

1. ``distributed_shard`` (new problem, 3): one rank's shard of an epoch as torch's
   DistributedSampler deals it, padding or dropping the tail (``_distributed_shard``; checked
   against torch in ``tests/test_checks_10_data_parallel.py``);
2. ``halving_doubling_all_reduce`` (variant, 5): all-reduce by recursive halving and doubling
   (Rabenseifner's algorithm) on simulated workers, with the bytes each sends
   (``_halving_doubling``);
3. ``crossover_bytes`` (derivation, 3): the vector size above which the ring beats recursive
   doubling under the alpha-beta cost model, derived, then checked in the notebook by evaluating
   the same model on the counted steps and bytes of simulated schedules (no timing;
   ``_crossover``);
4. ``scale_recipe`` (warm-up, 2): the linear scaling rule applied to a whole recipe.

The references are numpy and the standard library (the course library has no numpy collective or
sampler to call instead).
"""

from __future__ import annotations

import math

from ._crossover import CROSSOVER_BYTES
from ._distributed_shard import DISTRIBUTED_SHARD
from ._halving_doubling import HALVING_DOUBLING_ALL_REDUCE
from .base import Assignment, Case, Mistake, Question

# ----------------------------------------------------------------------------- 4. scale_recipe


def _scale_recipe(lr, warmup_steps, total_steps, k):
    return (lr * k, math.ceil(warmup_steps / k), math.ceil(total_steps / k))


SCALE_RECIPE = Question(
    name="scale_recipe",
    exact_types=True,
    skill="warm-up",
    points=2,
    reference=_scale_recipe,
    rtol=1e-12,
    atol=0.0,
    cases=(
        Case(lambda: (0.05, 400, 2000, 8), "lr 0.05, warm-up 400 steps, 2000 steps, k = 8"),
        Case(lambda: (0.1, 50, 1000, 3), "lr 0.1, warm-up 50 steps, 1000 steps, k = 3"),
        Case(lambda: (0.02, 0, 90, 4), "no warm-up, k = 4", hidden=True),
        Case(lambda: (0.3, 7, 11, 16), "more workers than warm-up steps", hidden=True),
        # ri10 E2: 9 / 4 = 2.25, so rounding to the nearest (2) and rounding up (3) differ here
        Case(lambda: (0.1, 9, 100, 4), "warm-up 9 steps, k = 4", hidden=True),
        # rk10 E3: keeping the warm-up's fraction of the run, ceil(w ceil(t / k) / t), gives 2
        # here and the question's ceil(w / k) gives 1; the two agree on every case above
        Case(lambda: (0.1, 3, 5, 4), "warm-up 3 of 5 steps, k = 4", hidden=True),
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
    questions=(DISTRIBUTED_SHARD, HALVING_DOUBLING_ALL_REDUCE, CROSSOVER_BYTES, SCALE_RECIPE),
)
