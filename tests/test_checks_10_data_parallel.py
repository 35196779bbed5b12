"""Exercise 10 as redesigned for issue 21: ``distributed_shard`` against torch's own
``DistributedSampler`` (shuffle, seed, ``set_epoch``, padding and ``drop_last``),
``halving_doubling_all_reduce`` against the mean and the byte count derived in the solution,
``crossover_bytes`` against the cost model evaluated on counted schedules, correct alternative
forms that must pass, and one sentence for bad input to each reference."""

import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from test_checks import _judged
from torch.utils.data import DistributedSampler

from course_utils import specs
from course_utils.checks import CheckFailed, checker
from course_utils.judging import judge, observe
from course_utils.specs._crossover import (
    _reduce_scatter_only_ring,
    _reduce_then_broadcast,
    crossover_bytes,
)
from course_utils.specs._distributed_shard import distributed_shard
from course_utils.specs._halving_doubling import halving_doubling_all_reduce
from course_utils.specs.data_parallel_sgd import _scale_recipe

ROOT = Path(__file__).resolve().parent.parent
torch.set_num_threads(1)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("n", "k"), [(0, 3), (3, 8), (5, 8), (10, 4), (12, 4), (23, 5), (7, 1)])
def test_the_shard_is_what_torchs_distributed_sampler_deals(n, k, drop_last):
    seed, epoch = 11, 3
    g = torch.Generator()
    g.manual_seed(seed + epoch)  # what DistributedSampler draws its order with
    order = torch.randperm(n, generator=g).numpy()
    for rank in range(k):
        sampler = DistributedSampler(
            range(n), num_replicas=k, rank=rank, shuffle=True, seed=seed, drop_last=drop_last
        )
        sampler.set_epoch(epoch)
        assert distributed_shard(order, k, rank, drop_last).tolist() == list(sampler)


def test_a_shard_written_with_np_resize_passes(capsys):
    """A correct form other than the solution's: np.resize repeats the order from its start."""

    def other(order, k, rank, drop_last):
        per = len(order) // k if drop_last else math.ceil(len(order) / k)
        if per * k <= len(order):
            return np.asarray(order)[: per * k][rank::k]
        return np.resize(np.asarray(order), per * k)[rank::k]

    checker("10_data_parallel_sgd")("distributed_shard", other)
    assert "✓ distributed_shard" in capsys.readouterr().out


@pytest.mark.parametrize(("k", "n"), [(2, 6), (4, 12), (8, 64), (16, 48)])
def test_halving_doubling_sends_the_rings_bytes_in_fewer_steps_and_averages(k, n):
    grads = np.random.default_rng(k + n).standard_normal((k, n))
    averaged, sent = halving_doubling_all_reduce(grads)
    assert np.allclose(averaged, np.tile(grads.mean(axis=0), (k, 1)), rtol=1e-12, atol=1e-14)
    assert np.all(sent == 2 * (k - 1) * (n // k) * 8)  # the ring's 2 (k - 1) N / k entries


def test_uneven_halves_give_uneven_counts_whose_mean_is_still_the_rings():
    grads = np.random.default_rng(0).standard_normal((4, 9))
    _, sent = halving_doubling_all_reduce(grads)
    assert sent.tolist() == [112, 112, 104, 104]  # 14, 14, 13, 13 entries (the solution's text)
    assert sent.mean() == 2 * 3 / 4 * 9 * 8


def _model_time(steps, sent_bytes, alpha, beta):
    return steps * alpha + sent_bytes * beta


@pytest.mark.parametrize("k", [4, 8, 64, 1024])
def test_at_the_crossover_the_two_counted_times_are_equal_and_swap_order(k):
    alpha, beta = 1e-5, 1e-9
    n = crossover_bytes(k, alpha, beta)
    log2k = k.bit_length() - 1
    for factor, ring_faster in ((0.99, False), (1.0, None), (1.01, True)):
        size = factor * n
        ring = _model_time(2 * (k - 1), 2 * (k - 1) * size / k, alpha, beta)
        doubling = _model_time(log2k, log2k * size, alpha, beta)
        if ring_faster is None:
            assert math.isclose(ring, doubling, rel_tol=1e-12)
        else:
            assert (ring < doubling) == ring_faster


def test_with_two_workers_or_one_the_ring_is_never_faster():
    assert crossover_bytes(2, 1e-5, 1e-9) == math.inf
    assert crossover_bytes(1, 1e-5, 1e-9) == math.inf


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: distributed_shard(np.arange(5), 2, 2, False), "0 <= rank < k"),
        (lambda: distributed_shard(np.arange(5), 0, 0, False), "k >= 1"),
        (lambda: halving_doubling_all_reduce(np.zeros((3, 4))), "power of two, got k=3"),
        (lambda: crossover_bytes(6, 1e-5, 1e-9), "power of two, got k=6"),
        (lambda: crossover_bytes(4, 0.0, 1e-9), "must be positive"),
    ],
)
def test_bad_input_to_the_references_gets_one_sentence(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    text = str(error.value)
    assert text.endswith(".") and text.count(". ") == 0


def test_a_crossover_solved_as_one_fraction_passes(capsys):
    """The same n written as one simplified fraction, inf where its denominator is not positive."""

    def other(k, alpha, beta):
        log2k = math.log2(k)
        denominator = beta * (k * log2k - 2 * (k - 1))
        return alpha * k * (2 * (k - 1) - log2k) / denominator if denominator > 0 else math.inf

    checker("10_data_parallel_sgd")("crossover_bytes", other)
    assert "✓ crossover_bytes" in capsys.readouterr().out


def test_the_exercise_text_leaves_the_two_times_to_the_learner():
    """Question 3 states the cost model and both schedules, never either algorithm's time."""
    notebook = nbformat.read(ROOT / "exercises" / "10_data_parallel_sgd.ipynb", as_version=4)
    text = next(c.source for c in notebook.cells if c.source.startswith("## 3. Ring or"))
    assert "crossover_bytes(k, alpha, beta)" in text and "\\alpha + m\\beta" in text
    for spelled_out in (
        "2(k-1)\\alpha",
        "2(k - 1)\\alpha",
        "\\log_2 k\\,(",
        "\\log_2 k (",
        "n\\beta",
    ):
        assert spelled_out not in text, spelled_out


def _halving_doubling_slip(
    grads, *, cut_upper=False, doubling_far_first=False, halving_near_first=False
):
    """A learner's halving-doubling with one slip: the cut at (lo + hi) // 2 (the extra entry in
    the upper half), the doubling at distances k/2 first, like the halving, or the halving at
    distances 1 first, like the doubling (both order slips: the two phases in the other order);
    the segments each worker holds are tracked as a set, so an order slip changes only the order
    and the counts."""
    buf = np.array(grads, copy=True)
    k, n = buf.shape
    distances = [k >> (s + 1) for s in range(k.bit_length() - 1)]
    held, sent = [[(0, n)] for _ in range(k)], np.zeros(k, dtype=np.int64)
    for d in distances[::-1] if halving_near_first else distances:
        outgoing = []
        for r in range(k):
            lo, hi = held[r][0]
            mid = (lo + hi) // 2 if cut_upper else lo + (hi - lo + 1) // 2
            keep, give = ((lo, mid), (mid, hi)) if r & d == 0 else ((mid, hi), (lo, mid))
            outgoing.append((r ^ d, give, buf[r, give[0] : give[1]].copy()))
            held[r], sent[r] = [keep], sent[r] + outgoing[-1][2].nbytes
        for to, (lo, hi), data in outgoing:
            buf[to, lo:hi] += data
    for d in distances if doubling_far_first else distances[::-1]:
        outgoing = [
            (r ^ d, list(held[r]), [buf[r, a:b].copy() for a, b in held[r]]) for r in range(k)
        ]
        for r, (to, pieces, data) in enumerate(outgoing):
            for (a, b), piece in zip(pieces, data, strict=True):
                buf[to, a:b] = piece
                sent[r] += piece.nbytes
        held = [sorted(set(held[r]) | set(held[r ^ d])) for r in range(k)]
    return buf / k, sent


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        ({"doubling_far_first": True}, "the doubling runs farthest partner first"),
        ({"halving_near_first": True}, "the halving runs nearest partner first"),
        (
            {"halving_near_first": True, "doubling_far_first": True},
            "Both phases run in the other order",
        ),
        ({"cut_upper": True}, "the cut puts the extra entry of an odd segment in the upper half"),
    ],
)
def test_halving_doubling_slips_the_referee_tried_get_a_hint_that_names_them(slip, hint):
    """rf10 E3: the doubling in the halving's order was told its halving was wrong, and the cut
    at (lo + hi) // 2 was told it swapped the halves it keeps; both hints now name the slip."""

    def answer(grads):
        return _halving_doubling_slip(grads, **slip)

    grads = np.random.default_rng(0).standard_normal((8, 13))
    assert not np.array_equal(answer(grads)[1], halving_doubling_all_reduce(grads)[1])
    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("halving_doubling_all_reduce", answer)
    assert hint in str(failed.value), str(failed.value)


@pytest.mark.parametrize(("k", "n"), [(4, 9), (8, 3), (16, 37)])
def test_the_slipped_schedule_without_a_slip_is_the_reference(k, n):
    """So the two hints above answer the slip, not a fault of the test's own schedule."""
    grads = np.random.default_rng(n).standard_normal((k, n))
    averaged, sent = _halving_doubling_slip(grads)
    expected_averaged, expected_sent = halving_doubling_all_reduce(grads)
    assert np.allclose(averaged, expected_averaged, rtol=1e-12, atol=1e-14)
    assert sent.tolist() == expected_sent.tolist()


def test_both_phases_reversed_gets_a_hint_that_names_both_phases_on_every_failing_case():
    """rt10 E1: at k = 4 (N = 9) reversing both phases sends the same bytes as reversing the
    doubling alone, so the grader showed the doubling's hint there; every case that fails the
    both-reversed answer now shows a hint that names both phases (hidden cases included)."""
    question = next(
        q
        for q in specs.load("10_data_parallel_sgd").questions
        if q.name == "halving_doubling_all_reduce"
    )

    def answer(grads):
        return _halving_doubling_slip(grads, halving_near_first=True, doubling_far_first=True)

    hints = []
    for case in question.cases:
        args = case.make_inputs()
        verdict = judge(question, case, observe(question, case, answer, args), args)
        if not verdict.passed:
            hints.append(verdict.hint)
    assert len(hints) >= 2, hints
    assert all("both phases" in hint.lower() for hint in hints), hints


@pytest.mark.parametrize(("k", "n"), [(4, 9), (8, 13), (16, 37)])
def test_both_phases_in_the_other_order_is_a_correct_all_reduce_with_other_counts(k, n):
    """rg10 E1: the hint for that schedule calls it a correct all-reduce (every row the mean),
    whose bytes per worker differ from the asked schedule's when halves are uneven (at k = 8,
    N = 13: 24 24 23 23 22 22 22 22 entries asked, 24 22 23 22 24 22 23 22 reversed)."""
    grads = np.random.default_rng(n).standard_normal((k, n))
    averaged, sent = _halving_doubling_slip(grads, halving_near_first=True, doubling_far_first=True)
    assert np.allclose(averaged, np.tile(grads.mean(axis=0), (k, 1)), rtol=1e-12, atol=1e-14)
    assert sent.sum() == halving_doubling_all_reduce(grads)[1].sum()
    if (k, n) == (8, 13):
        assert (halving_doubling_all_reduce(grads)[1] // 8).tolist() == [24, 24, 23, 23] + [22] * 4
        assert (sent // 8).tolist() == [24, 22, 23, 22] * 2


def test_a_crossover_in_float64_entries_is_told_the_question_asks_for_bytes():
    """rg10 E2: the hint said 'solve for N' (entries in the lecture); an answer in float64 entries
    is 8 times too small and now gets a message that names bytes."""

    def in_entries(k, alpha, beta):
        if k <= 2:
            return math.inf
        log2k = k.bit_length() - 1
        return alpha * (2 * (k - 1) - log2k) / (beta * (log2k - 2 * (k - 1) / k)) / 8

    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("crossover_bytes", in_entries)
    assert "size in float64 entries, 8 times too small" in str(failed.value), str(failed.value)


def test_a_crossover_that_returns_0_for_never_is_told_to_return_inf():
    """rh10 E1: 0.0 where the ring is never faster was sent to fix recursive doubling's byte count
    (the reduce-then-broadcast mistake also gave 0.0 at k = 2); it now gets its own hint."""

    def zero_for_never(k, alpha, beta):
        log2k = k.bit_length() - 1
        ring_bytes = 2 * (k - 1) / k
        if ring_bytes >= log2k:
            return 0.0
        return alpha * (2 * (k - 1) - log2k) / (beta * (log2k - ring_bytes))

    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("crossover_bytes", zero_for_never)
    assert "Returned 0 where the ring is never faster" in str(failed.value), str(failed.value)


def test_at_k_2_a_reduce_then_broadcast_count_is_told_both_readings_of_its_0():
    """rm10 E2: recursive doubling counted as a reduce and a broadcast returns 0 at k = 2 (the
    ring's 2 messages of n / 2 beat 2 messages of n at every size), the value of the "0 for
    never" slip; the hint shown on the k = 2 case names both readings."""

    def reduce_then_broadcast(k, alpha, beta):
        log2k = k.bit_length() - 1
        ring_bytes = 2 * (k - 1) / k
        if ring_bytes >= 2 * log2k:
            return math.inf
        return alpha * (2 * (k - 1) - 2 * log2k) / (beta * (2 * log2k - ring_bytes))

    question = next(
        q for q in specs.load("10_data_parallel_sgd").questions if q.name == "crossover_bytes"
    )
    (case,) = [c for c in question.cases if c.description.startswith("k = 2:")]
    args = case.make_inputs()
    assert reduce_then_broadcast(*args) == 0.0
    verdict = judge(question, case, observe(question, case, reduce_then_broadcast, args), args)
    assert not verdict.passed
    assert "Returned 0 where the ring is never faster" in verdict.hint, verdict.hint
    assert "reduce followed by a broadcast" in verdict.hint, verdict.hint
    assert "return math.inf" in verdict.hint, verdict.hint
    correct = judge(question, case, observe(question, case, crossover_bytes, args), args)
    assert correct.passed


def test_halving_doubling_on_float64_copies_is_told_to_count_the_inputs_dtype():
    """rh10 E4: converting the gradients to float64 first counted 8 bytes per float32 entry and
    got only the generic hint."""

    def as_float64(grads):
        return halving_doubling_all_reduce(np.asarray(grads, dtype=np.float64))

    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("halving_doubling_all_reduce", as_float64)
    assert "8 per entry for a float32 input" in str(failed.value), str(failed.value)


def _shard_cell(answer):
    """Run the solution's cell after question 1's check (it asserts the dtype) on ``answer``."""
    notebook = nbformat.read(ROOT / "solutions" / "10_data_parallel_sgd.ipynb", as_version=4)
    cell = next(c.source for c in notebook.cells if "padded = [distributed_shard" in c.source)
    exec(cell, {"np": np, "distributed_shard": answer, "print": lambda *a, **k: None})  # noqa: S102


def _float_when_empty(order, k, rank, drop_last):
    shard = distributed_shard(order, k, rank, drop_last)
    return shard if len(shard) else np.array([])


def _empty_list_when_empty(order, k, rank, drop_last):
    shard = distributed_shard(order, k, rank, drop_last)
    return shard if len(shard) else []


@pytest.mark.parametrize(
    "wrong",
    [
        lambda order, k, rank, drop_last: distributed_shard(order, k, rank, drop_last).astype(
            float
        ),
        _float_when_empty,
        _empty_list_when_empty,
        lambda order, k, rank, drop_last: distributed_shard(order, k, rank, drop_last).tolist(),
    ],
    ids=["float", "float-when-empty", "empty-list-when-empty", "list"],
)
def test_a_shard_that_cannot_index_is_refused_by_grading_and_by_the_cell_after_the_check(wrong):
    """rh10 E3, rs10 point 4: these have the right values; the question asks for exact types, so
    grading scores them 0 (a float array fails; an empty list, where the reference returns an
    empty integer array, shows no integer type, as Q1's text says), and
    the notebook's next cell asserts an integer ndarray, empty shards included, and passes on the
    reference."""
    _shard_cell(distributed_shard)
    with pytest.raises(AssertionError, match="return an integer numpy array"):
        _shard_cell(wrong)
    graded = _judged("10_data_parallel_sgd", "distributed_shard", wrong)
    assert graded.score == 0 and "expected an array of integers" in graded.output
    if wrong is _empty_list_when_empty:  # the reference on non-empty shards: the message names []
        assert "got an empty list" in graded.output, graded.output


def test_a_crossover_in_float32_entries_is_told_the_question_asks_for_bytes():
    """ri10 E1: float32 entries (bytes / 4) were told they had given the ring k - 1 messages,
    because at k = 4 the two answers coincide; the first visible case is now k = 8."""

    def in_float32_entries(k, alpha, beta):
        return crossover_bytes(k, alpha, beta) / 4

    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("crossover_bytes", in_float32_entries)
    assert "size in float32 entries (4 bytes each)" in str(failed.value), str(failed.value)
    assert "k - 1 messages" not in str(failed.value), str(failed.value)


def _graded(name, answer):
    """Every case, visible and hidden (seed 0 for generated ones): True where it passes."""
    question = next(q for q in specs.load("10_data_parallel_sgd").questions if q.name == name)
    return [bool(judge(question, case, observe(question, case, answer))) for case in question.cases]


def test_a_warm_up_rounded_to_the_nearest_step_fails_grading():
    """ri10 E2: max(1, round(w / k)) with the total rounded up passed every case; the hidden
    case 9 / 4 = 2.25 (nearest 2, up 3) now fails it, and the reference still passes."""

    def nearest(lr, w, t, k):
        return lr * k, max(1, round(w / k)) if w else 0, math.ceil(t / k)

    assert all(_graded("scale_recipe", _scale_recipe))
    assert not all(_graded("scale_recipe", nearest))


def _recipe_cell(answer):
    """Run the solution's cell after question 4's check (it asserts integer step counts)."""
    notebook = nbformat.read(ROOT / "solutions" / "10_data_parallel_sgd.ipynb", as_version=4)
    cell = next(c.source for c in notebook.cells if "scaled = {" in c.source)
    exec(cell, {"np": np, "scale_recipe": answer, "print": lambda *a, **k: None})  # noqa: S102


def test_float_step_counts_fail_the_check_and_the_cell_after_it():
    """ri10 E2: (0.4, 50.0, 250.0) has the right values; the question asks for exact types, so
    the check refuses it by name, grading scores it 0, and the cell after the check asserts
    integers (it passes on the reference)."""

    def floats(lr, w, t, k):
        return lr * k, float(math.ceil(w / k)), float(math.ceil(t / k))

    _recipe_cell(_scale_recipe)
    with pytest.raises(AssertionError, match="return the step counts as integers"):
        _recipe_cell(floats)
    with pytest.raises(CheckFailed, match=r"in result\[1\]: expected an integer, got a float"):
        checker("10_data_parallel_sgd")("scale_recipe", floats)
    assert _judged("10_data_parallel_sgd", "scale_recipe", floats).score == 0
    assert _judged("10_data_parallel_sgd", "scale_recipe", _scale_recipe).score == 2


def _halving_cell(answer):
    """Run the solution's cell after question 2's check (it asserts an integer byte count)."""
    notebook = nbformat.read(ROOT / "solutions" / "10_data_parallel_sgd.ipynb", as_version=4)
    cell = next(c.source for c in notebook.cells if "averaged, sent = halving" in c.source)
    namespace = {"np": np, "halving_doubling_all_reduce": answer, "print": lambda *a, **k: None}
    namespace["rng"] = np.random.default_rng(0)
    exec(cell, namespace)  # noqa: S102


def test_a_float_byte_count_fails_the_check_and_the_cell_after_it():
    """ri10 E3: ``sent`` as a float array has the right values; the check names the item and
    the type, grading scores it 0, and the cell after the check asserts an integer ndarray."""

    def float_sent(grads):
        averaged, sent = halving_doubling_all_reduce(grads)
        return averaged, sent.astype(float)

    _halving_cell(halving_doubling_all_reduce)
    with pytest.raises(AssertionError, match="count in integers"):
        _halving_cell(float_sent)
    with pytest.raises(CheckFailed, match="in `sent`: expected an array of integers, got an arr"):
        checker("10_data_parallel_sgd")("halving_doubling_all_reduce", float_sent)
    name = "halving_doubling_all_reduce"
    assert _judged("10_data_parallel_sgd", name, float_sent).score == 0
    assert _judged("10_data_parallel_sgd", name, halving_doubling_all_reduce).score == 5


def test_a_ring_counted_as_its_reduce_scatter_alone_is_told_so():
    """rk10 E1: the ring counted as the lecture's reduce-scatter alone (k - 1 messages of n / k
    bytes) gives, for every k >= 4, the value of recursive doubling counted as a reduce and a
    broadcast, so it was sent to fix recursive doubling's count; the hint now names both slips."""

    def reduce_scatter_only(k, alpha, beta):
        log2k = k.bit_length() - 1
        ring_bytes = (k - 1) / k
        if ring_bytes >= log2k:
            return math.inf
        return alpha * (k - 1 - log2k) / (beta * (log2k - ring_bytes))

    for k in (4, 8, 64, 1024):
        args = (k, 1e-5, 1e-9)
        assert math.isclose(
            reduce_scatter_only(*args), _reduce_then_broadcast(*args), rel_tol=1e-12
        )
        assert math.isclose(
            reduce_scatter_only(*args), _reduce_scatter_only_ring(*args), rel_tol=1e-12
        )
    with pytest.raises(CheckFailed) as failed:
        checker("10_data_parallel_sgd")("crossover_bytes", reduce_scatter_only)
    message = str(failed.value)
    assert "test 1 of" in message, message
    assert "the ring was counted as its reduce-scatter alone" in message, message
    assert "reduce followed by a broadcast" in message, message


def test_a_warm_up_that_keeps_its_fraction_of_the_run_fails_grading():
    """rk10 E3: ceil(w ceil(t / k) / t) keeps the warm-up's share of the run, not its samples;
    it agreed with ceil(w / k) on every case, and the hidden case w = 3, t = 5, k = 4 (2 steps
    against 1) now fails it alone; the reference passes every case."""

    def same_fraction(lr, w, t, k):
        steps = math.ceil(t / k)
        return lr * k, math.ceil(w * steps / t) if t else 0, steps

    checker("10_data_parallel_sgd")("scale_recipe", same_fraction)  # the visible cases pass
    graded = _graded("scale_recipe", same_fraction)
    assert graded == [True] * (len(graded) - 1) + [False], graded
    assert same_fraction(0.1, 3, 5, 4)[1] == 2 and _scale_recipe(0.1, 3, 5, 4)[1] == 1
    assert _judged("10_data_parallel_sgd", "scale_recipe", same_fraction).score < 2
    assert _judged("10_data_parallel_sgd", "scale_recipe", _scale_recipe).score == 2


def test_a_shard_padded_per_rank_fails_check_grading_and_the_cell_after_it():
    """rl10 E1: dealing the unpadded order, then padding each short shard with the order's first
    entries, agrees with torch at a rank whose padding is order[0]; the visible case at n = 10,
    k = 4, rank 3 (padding order[1]) catches it with its own hint, grading scores it 0, and the
    cell after the check says why in a sentence."""
    from course_utils.specs._distributed_shard import _padded_per_rank

    order = np.arange(10)
    assert _padded_per_rank(order, 4, 3, False).tolist() == [3, 7, 0]
    assert distributed_shard(order, 4, 3, False).tolist() == [3, 7, 1]
    with pytest.raises(CheckFailed, match="rank 3, padded(.|\n)*pad the whole order first"):
        checker("10_data_parallel_sgd")("distributed_shard", _padded_per_rank)
    graded = _judged("10_data_parallel_sgd", "distributed_shard", _padded_per_rank)
    assert graded.score == 0
    with pytest.raises(AssertionError, match="pad the whole order to 12 entries first"):
        _shard_cell(_padded_per_rank)


def test_the_intro_names_the_questions_whose_hidden_inputs_are_new_each_grading():
    """rr10: the intro promised new random hidden inputs for every question; only a question with
    a generated hidden case has them. The intro names questions 1 to 3 as having one and question
    4 as fixed: the spec must agree, question by question, and the exercise must say so."""
    questions = specs.load("10_data_parallel_sgd").questions
    drawn = [any(c.hidden and c.generated for c in q.cases) for q in questions]
    assert drawn == [True, True, True, False]
    notebook = nbformat.read(ROOT / "exercises" / "10_data_parallel_sgd.ipynb", as_version=4)
    intro = " ".join(notebook.cells[0].source.split())
    assert (
        "for questions 1 to 3, one of them draws new random inputs each time; question 4's hidden "
        "inputs are fixed" in intro
    )


def test_a_list_byte_count_is_refused_by_name_in_the_cell_after_the_check():
    """rw10 E1: ``sent.tolist()`` has integer values, so the check (exact types: integers)
    passes it; the cell after the check then stopped on an AttributeError (a list has no
    ``tolist``) before its type assert. That assert now comes first, names the list and says what
    to return; the reference still passes."""

    def list_sent(grads):
        averaged, sent = halving_doubling_all_reduce(grads)
        return averaged, sent.tolist()

    _halving_cell(halving_doubling_all_reduce)
    with pytest.raises(AssertionError, match=r"integer numpy array .*got a list"):
        _halving_cell(list_sent)
