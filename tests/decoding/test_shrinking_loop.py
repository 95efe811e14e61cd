"""`shrinking_while_loop` (finished rows leave the loop) and `top_k_rows` (two-pass top-k)."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from keras_attention.decoding.loop import shrinking_while_loop
from keras_attention.decoding.top_k import top_k_rows


def countdown(lengths, max_length, stages):
    """Rows that stay live for `lengths[i]` steps; returns (step each row ended, rows computed)."""
    count = ops.shape(lengths)[0]
    rows = {"origin": ops.arange(count, dtype="int32"), "remaining": lengths, "steps": ops.zeros_like(lengths)}
    outputs = {"ends": ops.zeros_like(lengths), "work": ops.convert_to_tensor(0, "int32")}

    def step_rows(step, rows, outputs):
        live = rows["remaining"] > 0
        rows = {
            **rows,
            "remaining": rows["remaining"] - ops.cast(live, "int32"),
            "steps": rows["steps"] + ops.cast(live, "int32"),
        }
        return step + 1, rows, {**outputs, "work": outputs["work"] + ops.shape(rows["origin"])[0]}

    def flush(rows, outputs):
        return {**outputs, "ends": ops.scatter_update(outputs["ends"], rows["origin"][:, None], rows["steps"])}

    outputs = shrinking_while_loop(
        step_rows, rows, outputs, lambda rows: rows["remaining"] > 0, flush, max_length, stages=stages
    )
    return outputs["ends"], outputs["work"]


def expected_work(lengths, max_length, stages):
    """Rows computed by the stage schedule, simulated in Python."""
    sizes = [math.ceil(len(lengths) / 2**stage) for stage in range(stages)] + [0]
    step = work = 0
    for size, next_size in zip(sizes, sizes[1:]):
        while step < max_length and sum(length > step for length in lengths) > next_size:
            work, step = work + size, step + 1
    return work


@pytest.mark.parametrize("stages", [1, 2, 4, 9])
def test_rows_end_as_in_a_full_loop_and_finished_rows_leave(stages):
    lengths = [3, 40, 1, 7, 0, 12, 2, 2, 30, 5, 9, 1, 18, 4, 6, 25, 2]
    ends, work = countdown(np.array(lengths, "int32"), 50, stages)
    np.testing.assert_array_equal(ends, lengths)
    assert int(work) == expected_work(lengths, 50, stages)
    full_loop = len(lengths) * max(lengths)
    if stages == 1:
        assert int(work) == full_loop
    else:
        assert int(work) < full_loop
    if stages == 4:
        assert int(work) == 224  # against 680 for a loop that keeps every row


def test_max_length_stops_every_row():
    ends, _ = countdown(np.array([3, 40, 12], "int32"), 10, 4)
    np.testing.assert_array_equal(ends, [3, 10, 10])


@pytest.mark.requires_tensorflow
def test_traces_with_an_unknown_batch_size():
    import tensorflow as tf

    traced = tf.function(
        lambda lengths: countdown(lengths, 50, 4), input_signature=[tf.TensorSpec([None], tf.int32)]
    )
    for lengths in ([5, 1, 9, 2, 2, 7, 3], [4], []):
        ends, work = traced(tf.constant(lengths, tf.int32))
        np.testing.assert_array_equal(ends, lengths)
        assert int(work) == expected_work(lengths, 50, 4)


@pytest.mark.requires_tensorflow
@pytest.mark.parametrize("batch, traces", [(None, 1), (7, 4)])
def test_the_step_is_traced_once_when_the_batch_size_is_unknown(batch, traces):
    """Traced for any batch size, the four stages are one loop that traces the step once; with
    the batch size fixed, each stage is a loop of its own and traces it again."""
    import tensorflow as tf

    calls = []

    def step_rows(step, rows, outputs):
        calls.append(step)
        return step + 1, {**rows, "remaining": ops.maximum(rows["remaining"] - 1, 0)}, outputs

    def run(lengths):
        rows = {"origin": ops.arange(ops.shape(lengths)[0], dtype="int32"), "remaining": lengths}
        outputs = {"ends": ops.zeros_like(lengths)}
        return shrinking_while_loop(step_rows, rows, outputs, lambda rows: rows["remaining"] > 0, lambda rows, outputs: outputs, 50)

    tf.function(run, input_signature=[tf.TensorSpec([batch], tf.int32)]).get_concrete_function()
    assert len(calls) == traces


@pytest.mark.parametrize("width, k", [(5, 1), (5, 2), (19, 10), (80, 10), (97, 10), (600, 2), (6000, 10), (6001, 1)])
@pytest.mark.parametrize("ties", [False, True])
def test_top_k_rows_equals_top_k(width, k, ties):
    """The `k` largest values, largest first, at their indices, padded or not; the indices equal
    `ops.top_k`'s (under TensorFlow, whose `top_k` gives ties to the lowest index, that is the
    stable order)."""
    values = np.random.default_rng(width + k).normal(size=(6, width)).astype("float32")
    if ties:
        values = np.round(values * 2) / 2
    values[0, : min(width, 7)] = -np.inf
    values[1] = -np.inf
    top_values, indices = (ops.convert_to_numpy(x) for x in top_k_rows(ops.convert_to_tensor(values), k))
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(top_values, np.take_along_axis(values, order, axis=1))
    np.testing.assert_array_equal(np.take_along_axis(values, indices, axis=1), top_values)
    assert all(len(set(row)) == k for row in indices.tolist())
    if keras.backend.backend() == "tensorflow":
        np.testing.assert_array_equal(indices, order)


@pytest.mark.requires_tensorflow
def test_top_k_rows_traces_with_an_unknown_number_of_rows():
    import tensorflow as tf

    values = np.random.default_rng(0).normal(size=(9, 6001)).astype("float32")
    traced = tf.function(lambda x: top_k_rows(x, 10), input_signature=[tf.TensorSpec([None, 6001], tf.float32)])
    np.testing.assert_array_equal(traced(values)[1], np.argsort(-values, axis=1, kind="stable")[:, :10])
