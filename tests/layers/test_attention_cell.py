"""AttentionRNNCell, AttentionRNN, InitialAttentionState and CoverageLoss: numbers against a
per-step NumPy loop, masking, state layout, serialization and argument errors."""

import json
import zipfile

import keras
import numpy as np
import pytest
from keras import ops

from helpers import numpy_reference
from keras_attention.layers import (
    AttentionLayer,
    AttentionRNN,
    AttentionRNNCell,
    CoverageLoss,
    InitialAttentionState,
)

# (score, units, layers, input_feeding, coverage), by test id.
CELLS = {
    "bahdanau": ("bahdanau", 5, 1, False, False),
    "bahdanau_feeding": ("bahdanau", 5, 1, True, False),
    "luong_general_feeding": ("luong_general", None, 1, True, False),
    "scaled_dot_stacked": ("scaled_dot", None, 2, False, False),
    "bahdanau_coverage": ("bahdanau", 4, 1, False, True),
    "normed_coverage_feeding_stacked": ("bahdanau_normed", 4, 2, True, True),
    "luong_concat_coverage_feeding": ("luong_concat", 3, 1, True, True),
}
UNITS, MEMORY_DIM, INPUT_DIM, ATTENTIONAL = 6, 6, 3, 7


def to_numpy(outputs):
    return [ops.convert_to_numpy(output) for output in outputs]


def lengths_mask(lengths, time):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


def make_cell(variant, **kwargs):
    score, units, layers, input_feeding, coverage = CELLS[variant]
    cells = [keras.layers.LSTMCell(UNITS) for _ in range(layers)]
    return AttentionRNNCell(
        cells if layers > 1 else cells[0],
        AttentionLayer(score, units=units, use_coverage=coverage),
        attentional_units=ATTENTIONAL,
        input_feeding=input_feeding,
        **kwargs,
    )


def random_problem(rng, variant, batch=4, steps=5, memory_length=6):
    """Inputs, memory, masks and random (non-zero) start states for `variant`."""
    _, _, layers, input_feeding, coverage = CELLS[variant]
    inputs = rng.normal(size=(batch, steps, INPUT_DIM)).astype("float32")
    memory = rng.normal(size=(batch, memory_length, MEMORY_DIM)).astype("float32")
    memory_mask = lengths_mask(rng.integers(1, memory_length + 1, size=batch), memory_length)
    step_mask = lengths_mask(rng.integers(1, steps + 1, size=batch), steps)
    states = [rng.normal(size=(batch, UNITS)) for _ in range(2 * layers)]
    if input_feeding:
        states.append(rng.normal(size=(batch, ATTENTIONAL)))
    if coverage:
        states.append(rng.uniform(0, 1, size=(batch, memory_length)))
    return inputs, memory, memory_mask, step_mask, [s.astype("float32") for s in states]


def randomize_weights(layer, rng, scale=0.5):
    for weight in layer.weights:
        weight.assign((scale * rng.normal(size=weight.shape)).astype("float32"))


def numpy_weights(layer):
    return {w.name: np.asarray(ops.convert_to_numpy(w), "float64") for w in layer.weights}


def reference(cell, variant, inputs, memory, memory_mask, step_mask, states):
    score, _, _, input_feeding, coverage = CELLS[variant]
    lstm_cells = cell.cell.cells if hasattr(cell.cell, "cells") else [cell.cell]
    return numpy_reference.attention_lstm(
        score,
        {
            **numpy_weights(cell.attention),
            **({"scale": 1.0 / np.sqrt(MEMORY_DIM)} if cell.attention.scale == "inverse_sqrt" else {}),
        },
        [numpy_weights(lstm) for lstm in lstm_cells],
        numpy_weights(cell.attentional)["kernel"],
        inputs,
        memory,
        memory_mask,
        step_mask,
        states,
        input_feeding,
        coverage,
    )


@pytest.mark.parametrize("variant", CELLS)
def test_matches_numpy_reference(variant):
    rng = np.random.default_rng(len(variant))
    inputs, memory, memory_mask, step_mask, states = random_problem(rng, variant)
    cell = make_cell(variant)
    layer = AttentionRNN(cell, return_state=True)
    layer.build(inputs.shape, memory.shape)
    randomize_weights(cell, rng)
    outputs, alignments, *final_states = to_numpy(
        layer(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask)
    )

    expected_outputs, expected_alignments, expected_states = reference(
        cell, variant, inputs, memory, memory_mask, step_mask, states
    )
    assert outputs.shape == (4, 5, ATTENTIONAL) and alignments.shape == (4, 5, 6)
    np.testing.assert_allclose(outputs, expected_outputs, atol=1e-5)
    np.testing.assert_allclose(alignments, expected_alignments, atol=1e-5)
    assert len(final_states) == len(expected_states)
    for actual, wanted in zip(final_states, expected_states):
        np.testing.assert_allclose(actual, wanted, atol=1e-5)


@pytest.mark.parametrize("variant", ["bahdanau_feeding", "normed_coverage_feeding_stacked"])
def test_without_masks_and_states_matches_numpy_reference(variant):
    rng = np.random.default_rng(7)
    inputs, memory, _, _, states = random_problem(rng, variant)
    cell = make_cell(variant)
    outputs = to_numpy(AttentionRNN(cell, return_state=True)(inputs, memory))

    zeros = [np.zeros_like(state) for state in states]
    everything = np.ones(memory.shape[:2], bool), np.ones(inputs.shape[:2], bool)
    expected_outputs, expected_alignments, expected_states = reference(
        cell, variant, inputs, memory, *everything, zeros
    )
    for actual, wanted in zip(outputs, [expected_outputs, expected_alignments, *expected_states]):
        np.testing.assert_allclose(actual, wanted, atol=1e-5)


def test_steps_one_at_a_time_reproduce_the_whole_sequence():
    rng = np.random.default_rng(8)
    variant = "normed_coverage_feeding_stacked"
    inputs, memory, memory_mask, _, states = random_problem(rng, variant)
    layer = AttentionRNN(make_cell(variant), return_state=True)
    outputs, alignments, *_ = to_numpy(
        layer(inputs, memory, memory_mask=memory_mask, initial_state=states)
    )
    for step in range(inputs.shape[1]):
        step_outputs, step_alignments, *states = layer(
            inputs[:, step : step + 1], memory, memory_mask=memory_mask, initial_state=states
        )
        np.testing.assert_allclose(ops.convert_to_numpy(step_outputs)[:, 0], outputs[:, step], atol=1e-6)
        np.testing.assert_allclose(
            ops.convert_to_numpy(step_alignments)[:, 0], alignments[:, step], atol=1e-6
        )


def test_masked_steps_keep_the_states_and_output_zeros():
    rng = np.random.default_rng(9)
    variant = "luong_concat_coverage_feeding"
    inputs, memory, memory_mask, _, states = random_problem(rng, variant)
    step_mask = lengths_mask([5, 3, 1, 4], 5)
    layer = AttentionRNN(make_cell(variant), return_state=True)
    outputs, alignments, *final_states = to_numpy(
        layer(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask)
    )
    # Garbage in the masked steps changes nothing.
    noisy = np.where(step_mask[:, :, None], inputs, 100.0).astype("float32")
    noisy_outputs = to_numpy(
        layer(noisy, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask)
    )

    assert np.all(outputs[~step_mask] == 0.0) and np.all(alignments[~step_mask] == 0.0)
    np.testing.assert_allclose(alignments[step_mask].sum(-1), 1.0, atol=1e-6)
    assert np.all(alignments[:, :, 3:][~memory_mask[:, None, 3:].repeat(5, 1)] == 0.0)
    for actual, wanted in zip(noisy_outputs, [outputs, alignments, *final_states]):
        np.testing.assert_array_equal(actual, wanted)
    # The coverage grew by exactly the alignments of the valid steps.
    np.testing.assert_allclose(final_states[-1], states[-1] + alignments.sum(1), atol=1e-5)


@pytest.mark.parametrize("variant", ["bahdanau_feeding", "normed_coverage_feeding_stacked"])
def test_components_are_the_contexts_and_cell_outputs_of_the_attentional_vectors(variant):
    rng = np.random.default_rng(11)
    inputs, memory, memory_mask, step_mask, states = random_problem(rng, variant)
    cell = make_cell(variant)
    plain = AttentionRNN(cell, return_state=True)
    outputs, alignments, *final_states = to_numpy(
        plain(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask)
    )
    with_components = AttentionRNN(cell, return_state=True, return_components=True)
    result = to_numpy(with_components(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask))
    same_outputs, same_alignments, contexts, cell_outputs, *same_states = result

    np.testing.assert_array_equal(same_outputs, outputs)
    np.testing.assert_array_equal(same_alignments, alignments)
    for actual, wanted in zip(same_states, final_states):
        np.testing.assert_array_equal(actual, wanted)
    assert contexts.shape == (4, 5, MEMORY_DIM) and cell_outputs.shape == (4, 5, UNITS)
    np.testing.assert_allclose(contexts, np.einsum("bts,bsd->btd", alignments, memory), atol=1e-5)
    kernel = numpy_weights(cell.attentional)["kernel"]
    rebuilt = np.tanh(np.concatenate([contexts, cell_outputs], -1) @ kernel)
    np.testing.assert_allclose(np.where(step_mask[:, :, None], rebuilt, 0.0), outputs, atol=1e-5)
    assert np.all(contexts[~step_mask] == 0.0) and np.all(cell_outputs[~step_mask] == 0.0)
    assert with_components.compute_output_shape(inputs.shape, memory.shape)[2:4] == [(4, 5, MEMORY_DIM), (4, 5, UNITS)]
    assert AttentionRNN.from_config(with_components.get_config()).return_components is True


def test_state_layout():
    cell = make_cell("normed_coverage_feeding_stacked")
    assert cell.state_size == [UNITS, UNITS, UNITS, UNITS, ATTENTIONAL, None]
    assert cell.output_size == ATTENTIONAL
    assert make_cell("bahdanau").state_size == [UNITS, UNITS]
    memory = np.zeros((3, 8, MEMORY_DIM), "float32")
    shapes = [tuple(state.shape) for state in cell.get_initial_state(memory)]
    assert shapes == [(3, UNITS)] * 4 + [(3, ATTENTIONAL), (3, 8)]


def test_gru_cell_queries_with_its_only_state():
    cell = AttentionRNNCell(
        keras.layers.GRUCell(5), AttentionLayer("luong_general"), attentional_units=4
    )
    outputs, alignments, h = AttentionRNN(cell, return_state=True)(
        np.ones((2, 3, 2), "float32"), np.ones((2, 7, 6), "float32")
    )
    assert cell.state_size == [5]
    assert tuple(outputs.shape) == (2, 3, 4) and tuple(h.shape) == (2, 5)
    assert tuple(cell.attention.kernel.shape) == (5, 6)


def test_symbolic_shapes_and_masks_in_a_functional_model():
    inputs = keras.Input((None, INPUT_DIM))
    memory = keras.Input((None, MEMORY_DIM))
    step_mask = keras.Input((None,), dtype="bool")
    outputs, alignments, *states = AttentionRNN(
        make_cell("normed_coverage_feeding_stacked"), return_state=True
    )(inputs, memory, mask=step_mask)
    assert tuple(outputs.shape) == (None, None, ATTENTIONAL)
    assert tuple(alignments.shape) == (None, None, None)
    assert [tuple(s.shape) for s in states] == [(None, UNITS)] * 4 + [(None, ATTENTIONAL), (None, None)]
    pooled = keras.layers.GlobalAveragePooling1D()(outputs)
    model = keras.Model([inputs, memory, step_mask], [outputs, pooled])

    rng = np.random.default_rng(10)
    data, memory_data = rng.normal(size=(3, 5, INPUT_DIM)), rng.normal(size=(3, 4, MEMORY_DIM))
    mask = lengths_mask([5, 2, 3], 5)
    outputs, pooled = to_numpy(model([data, memory_data, mask]))
    expected = [outputs[b][mask[b]].mean(axis=0) for b in range(3)]
    np.testing.assert_allclose(pooled, np.stack(expected), atol=1e-6)


def test_fit_trains_every_weight():
    variant = "normed_coverage_feeding_stacked"
    inputs = keras.Input((None, INPUT_DIM))
    memory = keras.Input((None, MEMORY_DIM))
    outputs, _ = AttentionRNN(make_cell(variant))(inputs, memory)
    model = keras.Model([inputs, memory], keras.layers.Dense(1)(outputs))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
    rng = np.random.default_rng(11)
    data = [rng.normal(size=(8, 4, INPUT_DIM)), rng.normal(size=(8, 5, MEMORY_DIM))]
    model.fit(data, rng.normal(size=(8, 4, 1)), epochs=1, batch_size=8, verbose=0)
    for weight, old in zip(model.trainable_weights, before):
        assert np.any(ops.convert_to_numpy(weight) != old), weight.path


@pytest.mark.parametrize("variant", ["bahdanau_feeding", "normed_coverage_feeding_stacked"])
def test_config_round_trip_reproduces_outputs(variant):
    rng = np.random.default_rng(12)
    inputs, memory, memory_mask, step_mask, states = random_problem(rng, variant)
    layer = AttentionRNN(make_cell(variant, name="cell"), return_state=True, name="rnn")
    outputs = to_numpy(layer(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask))

    config = layer.get_config()
    assert config["cell"]["registered_name"] == "keras_attention>AttentionRNNCell"
    clone = AttentionRNN.from_config(config)
    assert clone.get_config() == config
    clone.build(inputs.shape, memory.shape)
    clone.set_weights(layer.get_weights())
    cloned = to_numpy(clone(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask))
    for actual, wanted in zip(cloned, outputs):
        np.testing.assert_array_equal(actual, wanted)


def test_saved_functional_model_reproduces_outputs(tmp_path):
    variant = "normed_coverage_feeding_stacked"
    inputs = keras.Input((None, INPUT_DIM), name="inputs")
    memory = keras.Input((None, MEMORY_DIM), name="memory")
    memory_mask = keras.Input((None,), dtype="bool", name="memory_mask")
    step_mask = keras.Input((None,), dtype="bool", name="step_mask")
    start = InitialAttentionState(ATTENTIONAL, coverage=True, name="start")(memory)
    lstm_states = [keras.Input((UNITS,), name=f"state_{index}") for index in range(4)]
    outputs, alignments, *states = AttentionRNN(make_cell(variant), return_state=True, name="rnn")(
        inputs, memory, memory_mask=memory_mask, initial_state=[*lstm_states, *start], mask=step_mask
    )
    alignments = CoverageLoss(0.5, name="coverage_loss")(alignments, start[-1], mask=step_mask)
    model = keras.Model(
        [inputs, memory, memory_mask, step_mask, *lstm_states], [outputs, alignments, *states]
    )

    rng = np.random.default_rng(13)
    data, memory_data, memory_mask_data, step_mask_data, states_data = random_problem(rng, variant)
    feed = [data, memory_data, memory_mask_data, step_mask_data, *states_data[:4]]
    expected = to_numpy(model(feed))
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        saved = json.loads(archive.read("config.json"))
    registered = {layer["config"]["name"]: layer["registered_name"] for layer in saved["config"]["layers"]}
    assert registered["rnn"] == "keras_attention>AttentionRNN"
    assert registered["start"] == "keras_attention>InitialAttentionState"
    assert registered["coverage_loss"] == "keras_attention>CoverageLoss"

    restored = keras.saving.load_model(path)
    for actual, wanted in zip(to_numpy(restored(feed)), expected):
        np.testing.assert_array_equal(actual, wanted)
    assert len(restored.losses) == 1


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda: AttentionRNNCell("lstm", AttentionLayer("luong_dot"), 4), "Received: cell='lstm'"),
        (
            lambda: AttentionRNNCell(keras.layers.LSTMCell(4, dropout=0.2), AttentionLayer("luong_dot"), 4),
            "allowed: dropout=0 and recurrent_dropout=0. Received: dropout=0.2, recurrent_dropout=0.0",
        ),
        (
            lambda: AttentionRNNCell(
                [keras.layers.LSTMCell(4), keras.layers.LSTMCell(4, recurrent_dropout=0.1)],
                AttentionLayer("luong_dot"),
                4,
            ),
            "Received: dropout=0.0, recurrent_dropout=0.1",
        ),
        (
            lambda: AttentionRNNCell(keras.layers.LSTMCell(4), "bahdanau", 4),
            "must be an AttentionLayer. Received: attention='bahdanau'",
        ),
        (
            lambda: AttentionRNNCell(keras.layers.LSTMCell(4), AttentionLayer("luong_dot", dropout=0.1), 4),
            "allowed: dropout=0. Received: attention.dropout=0.1",
        ),
        (
            lambda: AttentionRNNCell(keras.layers.LSTMCell(4), AttentionLayer("luong_dot"), 0),
            "Received: attentional_units=0",
        ),
        (
            lambda: AttentionRNNCell(
                keras.layers.LSTMCell(4), AttentionLayer("luong_dot"), 4, input_feeding="yes"
            ),
            "Received: input_feeding='yes'",
        ),
        (
            lambda: AttentionRNN(keras.layers.LSTMCell(4)),
            "must be an AttentionRNNCell. Received: cell=<LSTMCell",
        ),
        (
            lambda: AttentionRNN(make_cell("bahdanau"), return_components=1),
            "`return_components` must be True or False. Received: return_components=1",
        ),
        (lambda: InitialAttentionState(), "Received: attentional_units=None, coverage=False"),
        (lambda: InitialAttentionState(-2), "Received: attentional_units=-2"),
        (lambda: InitialAttentionState(coverage=1), "Received: coverage=1"),
        (lambda: CoverageLoss(-1.0), "Received: weight=-1.0"),
        (lambda: CoverageLoss("1"), "Received: weight='1'"),
    ],
)
def test_invalid_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_initial_state_must_match_the_cell():
    layer = AttentionRNN(make_cell("bahdanau_feeding"))
    with pytest.raises(ValueError, match="must hold 3 tensors.*Received: 2 tensors"):
        layer(
            np.ones((2, 3, INPUT_DIM)),
            np.ones((2, 4, MEMORY_DIM)),
            initial_state=[np.ones((2, UNITS))] * 2,
        )


@pytest.mark.parametrize(
    "kwargs,shapes",
    [
        ({"attentional_units": 5}, [(2, 5)]),
        ({"coverage": True}, [(2, 7)]),
        ({"attentional_units": 3, "coverage": True}, [(2, 3), (2, 7)]),
    ],
)
def test_initial_attention_state_is_zeros(kwargs, shapes):
    layer = InitialAttentionState(**kwargs)
    states = to_numpy(layer(np.ones((2, 7, 4), "float32")))
    assert [state.shape for state in states] == shapes
    assert all(np.all(state == 0.0) for state in states)
    symbolic = [(None, None if size == 7 else size) for _, size in shapes]
    assert layer.compute_output_shape((None, None, 4)) == symbolic
    assert InitialAttentionState.from_config(layer.get_config()).get_config() == layer.get_config()


def numpy_coverage_loss(alignments, initial, mask):
    total, count = 0.0, 0
    for b in range(alignments.shape[0]):
        coverage = initial[b].astype("float64")
        for i in range(alignments.shape[1]):
            if mask[b, i]:
                total += np.minimum(alignments[b, i], coverage).sum()
                count += 1
            coverage = coverage + alignments[b, i]
    return total / count


def test_coverage_loss_matches_numpy_and_passes_alignments_on():
    rng = np.random.default_rng(14)
    alignments = rng.dirichlet(np.ones(6), size=(3, 5)).astype("float32")
    initial = rng.uniform(0, 1, size=(3, 6)).astype("float32")
    mask = lengths_mask([5, 2, 4], 5)
    alignments[~mask] = 0.0
    layer = CoverageLoss(weight=0.7)
    output = layer(alignments, initial, mask=mask)

    np.testing.assert_array_equal(ops.convert_to_numpy(output), alignments)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(layer.losses[0])),
        0.7 * numpy_coverage_loss(alignments, initial, mask),
        rtol=1e-5,
    )
    unmasked = CoverageLoss(weight=1.0)
    unmasked(alignments, initial)
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(unmasked.losses[0])),
        numpy_coverage_loss(alignments, initial, np.ones_like(mask)),
        rtol=1e-5,
    )
    assert CoverageLoss.from_config(layer.get_config()).weight == 0.7


@pytest.mark.requires_tensorflow
def test_traces_with_unknown_lengths_in_a_tensorflow_graph():
    import tensorflow as tf

    layer = AttentionRNN(make_cell("normed_coverage_feeding_stacked"), return_state=True)
    rng = np.random.default_rng(15)
    inputs, memory, memory_mask, step_mask, states = random_problem(rng, "normed_coverage_feeding_stacked")
    eager = to_numpy(layer(inputs, memory, memory_mask=memory_mask, initial_state=states, mask=step_mask))
    traced = tf.function(
        lambda *args: layer(args[0], args[1], memory_mask=args[2], mask=args[3], initial_state=list(args[4:])),
        input_signature=[
            tf.TensorSpec((None, None, INPUT_DIM)),
            tf.TensorSpec((None, None, MEMORY_DIM)),
            tf.TensorSpec((None, None), tf.bool),
            tf.TensorSpec((None, None), tf.bool),
            *[tf.TensorSpec((None, UNITS))] * 4,
            tf.TensorSpec((None, ATTENTIONAL)),
            tf.TensorSpec((None, None)),
        ],
    )
    for actual, wanted in zip(to_numpy(traced(inputs, memory, memory_mask, step_mask, *states)), eager):
        np.testing.assert_allclose(actual, wanted, atol=1e-6)
