"""The worker tasks of lecture 10 and their single-process references (torch, float64 where exact).

A task is ``task(rank, k, config) -> plain data`` run by :func:`course_utils.data_parallel.run_workers`
in each of ``k`` processes; ``config`` is a dict of plain numbers. Data and models are rebuilt from
seeds in every process, so every rank starts from the same parameters and sees the same shuffle.

* :func:`train_worker`: data-parallel SGD, each rank on its ``b`` samples of a global batch of
  ``k b``, gradients averaged with ``all_reduce``; :func:`sgd_reference` is one process with batch
  ``k b`` (or ``k`` accumulated micro-batches of ``b``): the parameters agree to round-off. It also
  returns each rank's own first-step gradient, before and after the average (the control that the
  ranks computed on different blocks).
* :func:`time_all_reduce`: seconds per ``all_reduce`` of float32 vectors of several sizes.
* :func:`throughput_worker`: seconds per training step as data-parallel SGD runs, and, in a
  second, instrumented loop, the step's compute, waiting, all-reduce and update measured apart.
* :func:`fail_on_rank`, :func:`sleep_for`: a worker that raises, one that outlives a timeout.
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch
import torch.distributed as dist

from .validation import integer, real_number

__all__ = [
    "check_train_config",
    "fail_on_rank",
    "global_batches",
    "make_mlp",
    "regression_data",
    "sgd_reference",
    "sleep_for",
    "throughput_worker",
    "time_all_reduce",
    "train_worker",
]


def regression_data(n: int, in_features: int, seed: int):
    """``n`` float64 inputs of ``in_features`` entries each and targets ``sin(x @ w) + noise``
    (seeded)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, in_features, generator=g, dtype=torch.float64)
    w = torch.randn(in_features, generator=g, dtype=torch.float64) / in_features**0.5
    y = torch.sin(X @ w) + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    return X, y.unsqueeze(1)


def make_mlp(sizes, seed: int, dtype=torch.float64) -> torch.nn.Sequential:
    """A tanh MLP with layer widths ``sizes``, initialized from ``seed`` (same on every rank)."""
    torch.manual_seed(seed)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def global_batches(n: int, global_batch: int, steps: int, seed: int):
    """The index arrays of ``steps`` global batches: each epoch one permutation shared by all
    ranks, ``np.random.default_rng([seed, epoch]).permutation(n)``, cut into ``n // global_batch``
    batches (the last partial batch of an epoch is dropped)."""
    per_epoch = n // global_batch
    if per_epoch == 0:
        raise ValueError(f"the global batch {global_batch} is larger than the data set ({n}).")
    batches = []
    for step in range(steps):
        epoch, i = divmod(step, per_epoch)
        order = np.random.default_rng([seed, epoch]).permutation(n)
        batches.append(order[i * global_batch : (i + 1) * global_batch])
    return batches


def check_train_config(config, k: int) -> None:
    """One clear sentence for a training config that cannot work with ``k`` ranks."""
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}.")
    keys = ("n", "in_features", "hidden", "seed", "b", "steps", "lr")
    for key in keys:
        if key not in config:
            raise ValueError(f"config has no {key!r}; it needs {', '.join(keys)}.")
    for key in ("n", "in_features", "hidden", "b"):
        integer(config[key], f"config[{key!r}]", 1)
    integer(config["steps"], "config['steps']", 0)
    integer(config["seed"], "config['seed']", 0)
    real_number(config["lr"], "config['lr']", positive=True)
    if k * config["b"] > config["n"]:
        raise ValueError(
            f"the global batch k * b = {k} * {config['b']} is larger than the data set "
            f"(n = {config['n']})."
        )


def _setup(config):
    X, y = regression_data(config["n"], config["in_features"], config["seed"])
    model = make_mlp([config["in_features"], config["hidden"], 1], config["seed"])
    return X, y, model


def _sgd_step(model, lr: float) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
            p.grad = None


def _flat(model) -> np.ndarray:
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy().copy()


def train_worker(rank: int, k: int, config: dict) -> dict:
    """Data-parallel SGD on rank ``rank`` of ``k``; returns the final parameters (``"params"``,
    flat float64) and, from the first step, the rank's own gradient on its block
    (``"first_local"``) and the averaged gradient it stepped with (``"first_averaged"``).

    config: ``n`` (samples), ``in_features`` (entries of one input), ``hidden`` (width of the
    hidden layer), ``seed`` (data and model), ``b`` (samples per rank per step), ``steps``,
    ``lr``. Each step the ranks share one global batch of ``k b`` indices; rank r takes the r-th
    block of ``b``, computes the mean loss over its block, and the ranks average their gradients.
    """
    check_train_config(config, k)
    X, y, model = _setup(config)
    b = config["b"]
    first = {}
    for batch in global_batches(config["n"], k * b, config["steps"], config["seed"]):
        mine = batch[rank * b : (rank + 1) * b]
        loss = torch.nn.functional.mse_loss(model(X[mine]), y[mine])
        loss.backward()
        if not first:  # the control: what this rank computed, before and after the average
            first["first_local"] = _flat_grad(model)
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= k
        if "first_averaged" not in first:
            first["first_averaged"] = _flat_grad(model)
        _sgd_step(model, config["lr"])
    return {"params": _flat(model), **first}


def _flat_grad(model) -> np.ndarray:
    grads = (p.grad for p in model.parameters())
    return torch.nn.utils.parameters_to_vector(grads).detach().numpy().copy()


def sgd_reference(config: dict, k: int, accumulate: bool = False) -> np.ndarray:
    """One process, the same global batches of ``k b``: one batch of ``k b`` per step, or (with
    ``accumulate``) ``k`` micro-batches of ``b`` whose gradients are summed and divided by ``k``."""
    check_train_config(config, k)
    X, y, model = _setup(config)
    b = config["b"]
    for batch in global_batches(config["n"], k * b, config["steps"], config["seed"]):
        parts = [batch[r * b : (r + 1) * b] for r in range(k)] if accumulate else [batch]
        for part in parts:
            loss = torch.nn.functional.mse_loss(model(X[part]), y[part])
            (loss / len(parts)).backward()  # .backward() adds into .grad: accumulation
        _sgd_step(model, config["lr"])
    return _flat(model)


def time_all_reduce(rank: int, k: int, config: dict) -> dict:
    """Seconds per ``all_reduce`` (sum) of a float32 vector of each size in ``config["sizes"]``,
    over ``config["repeats"]`` calls after one untimed call, each call right after a ``barrier``:
    ``"seconds"``, the fastest call (the one least disturbed by other processes on a shared
    machine), and ``"median_seconds"``, the median call. Every call's sum is checked, the timed ones
    included: the vector is refilled with ``rank + 1`` before each call and compared with
    ``k (k + 1) / 2`` after it, both outside the timer; ``"correct"`` says whether every sum was
    right and ``"checked"`` counts the calls compared."""
    fastest, median, correct, checked = [], [], True, 0
    for size in config["sizes"]:
        x = torch.empty(size)
        times = []
        for call in range(config["repeats"] + 1):  # call 0 is the untimed one
            x.fill_(float(rank + 1))
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(x)
            if call:
                times.append(time.perf_counter() - start)
            correct &= bool(torch.all(x == k * (k + 1) / 2))
            checked += 1
        fastest.append(min(times))
        median.append(float(np.median(times)))
    return {
        "sizes": list(config["sizes"]),
        "seconds": fastest,
        "median_seconds": median,
        "correct": correct,
        "checked": checked,
    }


def _train_step(model, X, y, params, k: int, timed: bool):
    """One data-parallel SGD step; with ``timed``, a ``barrier`` before the ``all_reduce`` and the
    seconds of (forward and backward, barrier, all_reduce, update), else None."""
    t0 = time.perf_counter()
    torch.nn.functional.mse_loss(model(X), y).backward()
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    t1 = t2 = t3 = time.perf_counter()
    if k > 1:  # one worker has nothing to average
        if timed:
            dist.barrier()  # waiting for the peers, timed apart from the all_reduce
            t2 = time.perf_counter()
        dist.all_reduce(flat)
        flat /= k
        t3 = time.perf_counter()
    torch.nn.utils.vector_to_parameters(flat, [p.grad for p in params])
    _sgd_step(model, 0.01)
    return (t1 - t0, t2 - t1, t3 - t2, time.perf_counter() - t3) if timed else None


def throughput_worker(rank: int, k: int, config: dict) -> dict:
    """SGD steps of a float32 MLP ``config["sizes"]`` at batch ``config["b"]`` per rank on random
    data, after one untimed warm-up step, in two loops of ``config["steps"]`` steps each, run in
    ``config.get("blocks", 4)`` alternating blocks (so that a change in the machine's load hits
    both alike), every block started together after a ``barrier``:

    * the *plain* loop, as data-parallel SGD runs: forward and backward, ``all_reduce`` of all
      gradients in one flat buffer, divide by k, update; no timer inside a step:
      ``plain_step_s``, its seconds per step (the loop's time over its steps), and
      ``plain_median_s``, the median step (from a clock read between steps);
    * the *instrumented* loop, the same steps with a ``barrier`` before the ``all_reduce`` and a
      timer around each phase: per-step medians (seconds) ``compute_s`` (forward and backward),
      ``wait_s`` (the barrier: waiting for the peers), ``comm_s`` (the all_reduce and the
      division, started right after the barrier: every rank has entered it, which does not ensure
      that the ranks leave it together; ``comm_min_s`` its fastest step), ``update_s``; and
      ``instrumented_step_s`` and ``instrumented_median_s``, its seconds per step and median step.

    For k = 1 there is no barrier and no all_reduce (0.0). ``params``: the number of parameters."""
    sizes, b, blocks = config["sizes"], config["b"], config.get("blocks", 4)
    integer(blocks, "config['blocks']", 1)
    if config["steps"] % blocks:
        raise ValueError(f"steps ({config['steps']}) must be a multiple of blocks ({blocks}).")
    model = make_mlp(sizes, config["seed"], dtype=torch.float32)
    g = torch.Generator().manual_seed(config["seed"] + rank)
    X = torch.randn(b, sizes[0], generator=g)
    y = torch.randn(b, sizes[-1], generator=g)
    params = list(model.parameters())
    _train_step(model, X, y, params, k, timed=False)  # first-call allocations, untimed
    times = []  # per instrumented step: its phases
    steps = {False: [], True: []}  # seconds of each step, by `timed` (a clock read between steps)
    for block in range(2 * blocks):
        timed = block % 2 == 1
        dist.barrier()  # every block starts together
        last = time.perf_counter()
        for _ in range(config["steps"] // blocks):
            step_times = _train_step(model, X, y, params, k, timed)
            now = time.perf_counter()
            if timed:
                times.append(step_times)
            steps[timed].append(now - last)
            last = now
    compute, wait, comm, update = (np.array(column) for column in zip(*times, strict=True))
    return {
        "compute_s": float(np.median(compute)),
        "wait_s": float(np.median(wait)),
        "comm_s": float(np.median(comm)),
        "comm_min_s": float(comm.min()),
        "update_s": float(np.median(update)),
        "plain_step_s": float(np.mean(steps[False])),
        "plain_median_s": float(np.median(steps[False])),
        "instrumented_step_s": float(np.mean(steps[True])),
        "instrumented_median_s": float(np.median(steps[True])),
        "params": sum(p.numel() for p in params),
    }


def fail_on_rank(rank: int, k: int, config: dict):
    """Rank ``config["rank"]`` raises ValueError (or, with ``config["exit"]``, ends its process
    without a word); the others wait in an ``all_reduce`` that cannot complete."""
    dist.barrier()  # the group is up: the failure happens "during training"
    if rank == config["rank"] and config.get("exit"):
        os._exit(3)
    if rank == config["rank"]:
        raise ValueError(f"rank {rank} found a NaN in its gradient (raised on purpose).")
    x = torch.ones(1)
    dist.all_reduce(x)
    return float(x)


def sleep_for(rank: int, k: int, config: dict) -> int:
    """Sleep ``config["seconds"]``, then return the process id (to outlive a timeout)."""
    time.sleep(config["seconds"])
    return os.getpid()
