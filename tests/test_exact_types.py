"""Questions that ask for exact types (``Question.exact_types``): an index array must hold
integers, a step count must be an int, one number must not come as a list of one. The values
alone cannot tell these apart (plain data is floats), so the answer's number types are recorded
where it runs (``answers.number_types``), travel with the observation as JSON, and are judged
against the reference's. Without the flag a question still compares values only."""

from __future__ import annotations

import numpy as np
import pytest
from test_checks import _judged

from course_utils import specs
from course_utils.answers import Observation, number_types, observe_result
from course_utils.checks import CheckFailed, checker
from course_utils.comparison import type_difference
from course_utils.specs._distributed_shard import distributed_shard
from course_utils.specs._smoothed_cross_entropy import smoothed_cross_entropy


@pytest.mark.parametrize(
    ("value", "types"),
    [
        (3, "int"),
        (np.int32(3), "int"),
        (3.0, "float"),
        (np.float64(3.0), "float"),
        (True, "bool"),
        (np.arange(3), "int[]"),
        (np.arange(3, dtype=np.uint8), "int[]"),
        (np.arange(3.0), "float[]"),
        (np.zeros(2, dtype=bool), "bool[]"),
        ([1, 2], "int[]"),
        ([1, 2.0], ["int", "float"]),
        ((0.4, 50, 250), ["float", "int", "int"]),
        ((np.arange(2), 3.0), ["int[]", "float"]),
        ([], []),
        (None, None),
    ],
)
def test_number_types_names_each_number_of_an_answer(value, types):
    assert number_types(value) == types


def test_types_travel_as_json_and_malformed_ones_are_tampering():
    observed = observe_result((np.arange(3.0), np.arange(3)), (), False)
    back = Observation.from_json(observed.to_json())
    assert back.types == ["float[]", "int[]"] and back == observed
    forged = dict(observed.to_json(), types=["int[]", "complex"])
    assert Observation.from_json(forged).outcome == "tampered"


@pytest.mark.parametrize(
    ("expected", "got", "why"),
    [
        ("int[]", "float[]", "expected an array of integers, got an array (or list) of floats:"),
        ("int[]", [], "expected an array of integers, got an empty list:"),
        ("int", "float", "expected an integer, got a float:"),
        ("float", "float[]", "expected a single number, got an array (or list) of floats:"),
        (["float", "int[]"], ["float", "bool[]"], "in result[1]: expected an array of integers"),
        (["float", "int", "int"], "float[]", "in result[1]: expected an integer, got a float:"),
        ("int[]", ["int", "float"], "in result[1]: expected an integer, got a float:"),
    ],
)
def test_type_difference_says_what_was_expected(expected, got, why):
    assert type_difference(expected, got).sentence().startswith(why)


@pytest.mark.parametrize(
    ("expected", "advice", "not_advised"),
    [
        ("float", "`float(...)` or `.item()`", "int(...)"),
        ("int", "`int(...)`", "float(...)"),
        ("int[]", "`.astype(int)`", "float(...)"),
    ],
)
def test_the_advice_fits_the_type_asked_for(expected, advice, not_advised):
    """rl0004 00-2: one piece of advice for every type told a learner whose one number came as a
    list to use `int(...)`, which turns the right norm sqrt(2) into 1."""
    why = type_difference(expected, ["float"] if expected == "float" else "float[]").sentence()
    if expected == "int":
        why = type_difference("int", "float").sentence()
    assert advice in why and not_advised not in why


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        ("float", "int"),
        ("float", "float"),
        ("float[]", "int[]"),
        ("int[]", "int[]"),
        (None, "int"),
        (["float", "int"], "int[]"),
        ("float[]", ["int", "float"]),
    ],
)
def test_ints_may_stand_for_floats(expected, got):
    assert type_difference(expected, got) is None


def test_a_float_shard_fails_distributed_shard_and_an_int_list_passes():
    def float_shard(order, k, rank, drop_last):
        return distributed_shard(order, k, rank, drop_last).astype(float)

    def list_shard(order, k, rank, drop_last):
        return [int(i) for i in distributed_shard(order, k, rank, drop_last)]

    with pytest.raises(CheckFailed, match="expected an array of integers"):
        checker("10_data_parallel_sgd")("distributed_shard", float_shard)
    assert _judged("10_data_parallel_sgd", "distributed_shard", float_shard).score == 0
    assert _judged("10_data_parallel_sgd", "distributed_shard", distributed_shard).score == 3
    # A list of ints holds integers (the cell after the check asks for an ndarray); an empty
    # shard as a list is refused: np.asarray([]) is a float array and cannot index.
    failed = _judged("10_data_parallel_sgd", "distributed_shard", list_shard)
    assert failed.score == 0 and "got an empty list" in failed.output


def test_a_norm_in_a_list_of_one_fails_the_practice_question():
    def in_a_list(g):
        return [float(np.sqrt(np.sum(g**2)))]

    with pytest.raises(CheckFailed, match="expected a single number, got an array"):
        checker("00_start_here")("l2_norm", in_a_list)
    checker("00_start_here")("l2_norm", lambda g: np.sqrt(np.sum(g**2)))  # a numpy float is one


def test_a_loss_in_an_array_of_shape_one_fails_smoothed_cross_entropy():
    def wrapped(logits, labels, smoothing):
        loss, dlogits = smoothed_cross_entropy(logits, labels, smoothing)
        return np.array([loss]), dlogits

    with pytest.raises(CheckFailed, match="in `loss`: expected a single number"):
        checker("03_backpropagation")("smoothed_cross_entropy", wrapped)
    assert _judged("03_backpropagation", "smoothed_cross_entropy", wrapped).score == 0


def test_without_the_flag_values_alone_are_compared():
    """Most questions compare values only: a float array where the reference returns ints, or
    a list of one number, passes them (the flag is opt-in, per question)."""
    flagged = [
        (a, q.name) for a in specs.ASSIGNMENT_IDS for q in specs.load(a).questions if q.exact_types
    ]
    assert sorted(flagged) == [
        ("00_start_here", "l2_norm"),
        ("02_batch_stochastic_minibatch", "importance_sampled_noise"),
        ("02_batch_stochastic_minibatch", "minibatch_indices"),
        ("03_backpropagation", "leaky_relu_init_std"),
        ("03_backpropagation", "smoothed_cross_entropy"),
        ("04_momentum_adaptive", "nesterov_rate"),
        ("05_learning_rate_schedules", "range_test_verdict"),
        ("05_learning_rate_schedules", "steps_to_floor"),
        ("05_learning_rate_schedules", "which_loop"),
        ("07_vanishing_exploding", "guaranteed_lag"),
        ("10_data_parallel_sgd", "distributed_shard"),
        ("10_data_parallel_sgd", "halving_doubling_all_reduce"),
        ("10_data_parallel_sgd", "scale_recipe"),
    ]
    question = specs.load("10_data_parallel_sgd").question("crossover_bytes")
    assert not question.exact_types
