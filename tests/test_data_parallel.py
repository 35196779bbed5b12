"""The process helper of lecture 10: k gloo workers give the parameters of one process at batch
k b; a raising, dying or hanging worker gives a clear error; and no process is left behind."""

import numpy as np
import pytest

from course_utils import data_parallel_tasks as tasks
from course_utils.data_parallel import (
    WorkerError,
    child_processes,
    helper_pids,
    run_workers,
    stop_helpers,
)

CONFIG = {"n": 96, "in_features": 4, "hidden": 8, "seed": 3, "b": 6, "steps": 12, "lr": 0.2}


def _pids() -> set[int]:
    return {pid for pid, _ in child_processes()}


# Descendants this test process had before the module (e.g. a kernel another test left running).
BEFORE: set[int] = set()


@pytest.fixture(autouse=True, scope="module")
def no_process_left():
    """After the module, with the helpers stopped, no process of ours is left."""
    stop_helpers()
    BEFORE.update(_pids())
    yield
    stop_helpers()
    assert _pids() <= BEFORE


@pytest.fixture(autouse=True)
def no_worker_left():
    """Every test ends with no worker process: only the two helpers may still run."""
    yield
    assert _pids() <= helper_pids() | BEFORE


@pytest.mark.parametrize("k", [1, 2, 4])
def test_k_workers_equal_one_process_at_batch_k_b(k):
    ranks = [r["params"] for r in run_workers(tasks.train_worker, k, CONFIG)]
    reference = tasks.sgd_reference(CONFIG, k)
    assert len(ranks) == k
    for params in ranks:
        np.testing.assert_allclose(params, reference, rtol=0, atol=1e-13)
    # and the run really moved: a wrong average (or none) would not match
    assert np.abs(reference - tasks.sgd_reference({**CONFIG, "steps": 0}, k)).max() > 1e-2


def test_spawn_start_method_gives_the_same_parameters():
    ranks = run_workers(tasks.train_worker, 2, CONFIG, start_method="spawn")
    for params in (r["params"] for r in ranks):
        np.testing.assert_allclose(params, tasks.sgd_reference(CONFIG, 2), rtol=0, atol=1e-13)


def test_results_come_back_in_rank_order_from_distinct_processes():
    pids = run_workers(tasks.sleep_for, 3, {"seconds": 0.0})
    assert len(set(pids)) == 3


def test_gradient_accumulation_equals_the_large_batch():
    accumulated = tasks.sgd_reference(CONFIG, 4, accumulate=True)
    np.testing.assert_allclose(accumulated, tasks.sgd_reference(CONFIG, 4), rtol=0, atol=1e-13)
    assert np.abs(accumulated - tasks.sgd_reference(CONFIG, 1)).max() > 1e-3


def test_all_reduce_timing_reports_correct_sums():
    ranks = run_workers(tasks.time_all_reduce, 2, {"sizes": [10, 1000], "repeats": 3})
    assert all(r["correct"] for r in ranks)
    for r in ranks:
        assert r["checked"] == 2 * (3 + 1), "every call's sum is compared, the timed ones too"
        assert len(r["seconds"]) == len(r["median_seconds"]) == 2 and min(r["seconds"]) > 0
        assert all(f <= m for f, m in zip(r["seconds"], r["median_seconds"], strict=True))


def test_train_workers_first_gradients_differ_between_ranks_and_average_to_the_large_batch():
    ranks = run_workers(tasks.train_worker, 3, CONFIG)
    local = np.array([r["first_local"] for r in ranks])
    # each rank computed on its own block: a rank working on the whole batch would give equal rows
    assert min(np.abs(local[r] - local[q]).max() for r, q in ((0, 1), (0, 2), (1, 2))) > 1e-3
    for r in ranks:
        np.testing.assert_allclose(r["first_averaged"], local.mean(axis=0), rtol=0, atol=1e-14)


def test_throughput_worker_times_a_plain_and_an_instrumented_loop():
    config = {"sizes": [3, 5, 2], "b": 4, "steps": 4, "blocks": 2, "seed": 0}
    ranks = run_workers(tasks.throughput_worker, 2, config)
    assert all(r["params"] == 3 * 5 + 5 + 5 * 2 + 2 for r in ranks)
    for r in ranks:
        phases = [r[key] for key in ("compute_s", "wait_s", "comm_s", "update_s")]
        assert min(phases) > 0, "the barrier, the all_reduce and the update are timed apart"
        assert 0 < r["comm_min_s"] <= r["comm_s"]
        # a median phase of one step cannot exceed the loop's time of all its steps
        assert max(phases) < r["instrumented_step_s"] * config["steps"]
        for loop in ("plain", "instrumented"):  # a median step is below the sum of the steps
            assert 0 < r[f"{loop}_median_s"] < r[f"{loop}_step_s"] * config["steps"]
    alone = run_workers(tasks.throughput_worker, 1, config)[0]
    assert alone["comm_s"] == alone["wait_s"] == alone["comm_min_s"] == 0.0, "nothing to average"
    assert alone["compute_s"] > 0 and alone["update_s"] > 0


def test_throughput_worker_wants_whole_blocks():
    config = {"sizes": [3, 5, 2], "b": 4, "steps": 5, "blocks": 2, "seed": 0}
    with pytest.raises(WorkerError, match=r"steps \(5\) must be a multiple of blocks \(2\)\."):
        run_workers(tasks.throughput_worker, 1, config)


def test_a_raising_worker_is_raised_again_with_its_message_and_no_worker_is_left():
    with pytest.raises(
        WorkerError, match=r"worker 1 of 3 raised ValueError: rank 1 found a NaN"
    ) as info:
        run_workers(tasks.fail_on_rank, 3, {"rank": 1})
    assert isinstance(info.value.__cause__, ValueError)
    assert any("traceback in worker 1" in note for note in info.value.__notes__)
    stop_helpers()
    assert _pids() <= BEFORE


def test_a_worker_that_dies_without_a_report_is_named():
    with pytest.raises(WorkerError, match=r"worker 0 of 2 exited with code 3 before reporting"):
        run_workers(tasks.fail_on_rank, 2, {"rank": 0, "exit": True})


def test_a_bad_config_fails_in_the_worker_with_its_sentence():
    with pytest.raises(WorkerError, match=r"raised ValueError: the global batch k \* b = 2 \* 60"):
        run_workers(tasks.train_worker, 2, {**CONFIG, "b": 60})


def test_timeout_stops_every_worker():
    with pytest.raises(TimeoutError, match=r"2 of 2 workers did not finish within 3 s"):
        run_workers(tasks.sleep_for, 2, {"seconds": 60.0}, timeout=3.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            (tasks.sleep_for, 0),
            {},
            ValueError,
            r"k \(the number of workers\) must be in \[1, 65\), got 0",
        ),
        ((tasks.sleep_for, 2.0), {}, TypeError, r"k \(the number of workers\) must be an int"),
        ((tasks.sleep_for, True), {}, TypeError, r"must be an int, got bool"),
        ((lambda r, k, c: 0, 1), {}, TypeError, r"top level of an importable module"),
        (("train_worker", 1), {}, TypeError, r"task must be a function, got str"),
        ((tasks.sleep_for, 1, [1]), {}, TypeError, r"config must be a dict of plain data"),
        ((tasks.sleep_for, 1), {"timeout": 0}, ValueError, r"timeout must be positive"),
        ((tasks.sleep_for, 1), {"start_method": "fork"}, ValueError, r"start_method must be one"),
    ],
)
def test_bad_input_gets_one_sentence(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        run_workers(*args, **kwargs)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"b": 0}, ValueError, r"config\['b'\] must be >= 1, got 0"),
        ({"b": 2.5}, TypeError, r"config\['b'\] must be an int"),
        ({"lr": -1.0}, ValueError, r"config\['lr'\] must be positive"),
        ({"b": 30}, ValueError, r"global batch k \* b = 4 \* 30 is larger than the data set"),
    ],
)
def test_bad_training_config_gets_one_sentence(change, error, message):
    with pytest.raises(error, match=message):
        tasks.sgd_reference({**CONFIG, **change}, 4)


def test_missing_config_key_is_named():
    config = dict(CONFIG)
    del config["lr"]
    with pytest.raises(ValueError, match="config has no 'lr'"):
        tasks.sgd_reference(config, 1)
