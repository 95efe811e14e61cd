"""Encoder, decoder and training model: shapes, masking, shared weights, step-by-step decoding."""

import keras
import numpy as np
import pytest

from helpers.tiny_configs import DISTINCT_SIZES as SMALL
from keras_attention.config import ModelConfig, TrainingConfig
from keras_attention.models import build_encoder, build_seq2seq, compile_seq2seq, inference_models
from helpers.copy_task import copy_task


def random_ids(rng, batch, time, vocabulary, lengths=None):
    lengths = rng.integers(1, time + 1, size=batch) if lengths is None else np.asarray(lengths)
    ids = rng.integers(4, vocabulary, size=(batch, time)).astype("int32")
    ids[np.arange(time)[None, :] >= lengths[:, None]] = 0
    return ids


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"bidirectional": False},
        {"encoder_layers": 2, "decoder_layers": 2},
        {"encoder_layers": 1, "decoder_layers": 3, "bidirectional": False, "decoder_units": 6},
        {"encoder_layers": 3, "decoder_layers": 1},
        {"attention": "luong_general", "attention_units": None},
        {"attention": "luong_dot", "attention_units": None, "bidirectional": False, "encoder_units": 10},
    ],
)
def test_shapes_for_architectures(options):
    config = ModelConfig(**{**SMALL, **options})
    model = build_seq2seq(config, 20, 13)
    rng = np.random.default_rng(0)
    logits = model({"source": random_ids(rng, 3, 7, 20), "target_in": random_ids(rng, 3, 5, 13)})
    assert tuple(logits.shape) == (3, 5, 13)
    encoder, decoder = inference_models(model)
    outputs = encoder(random_ids(rng, 2, 9, 20))
    d_enc = config.encoder_units * (2 if config.bidirectional else 1)
    # With an additive score the memory carries the attention keys after the encoder outputs.
    assert tuple(outputs[0].shape) == (2, 9, d_enc + (config.attention_units or 0))
    assert len(outputs) == 2 + 2 * config.decoder_layers
    assert all(tuple(state.shape) == (2, config.decoder_units) for state in outputs[2:])


def test_bridge_only_when_sizes_differ():
    same = build_encoder(ModelConfig(**{**SMALL, "encoder_units": 5, "decoder_units": 10}), 20)
    differ = build_encoder(ModelConfig(**SMALL), 20)
    assert not [layer for layer in same.layers if layer.name.startswith("bridge")]
    assert {layer.name for layer in differ.layers if layer.name.startswith("bridge")} == {"bridge_0_h", "bridge_0_c"}


def test_padding_does_not_change_unmasked_logits():
    model = build_seq2seq(ModelConfig(**SMALL), 20, 13)
    rng = np.random.default_rng(1)
    source, target = random_ids(rng, 4, 6, 20), random_ids(rng, 4, 5, 13)
    padded_source = np.pad(source, ((0, 0), (0, 5)))
    padded_target = np.pad(target, ((0, 0), (0, 3)))
    logits = keras.ops.convert_to_numpy(model({"source": source, "target_in": target}))
    padded = keras.ops.convert_to_numpy(model({"source": padded_source, "target_in": padded_target}))[:, :5]
    valid = target != 0
    np.testing.assert_allclose(padded[valid], logits[valid], atol=1e-5)


def test_step_by_step_decoding_reproduces_teacher_forcing():
    config = ModelConfig(**{**SMALL, "decoder_layers": 2, "encoder_layers": 2})
    model = build_seq2seq(config, 20, 13)
    encoder, decoder = inference_models(model)
    rng = np.random.default_rng(2)
    source = random_ids(rng, 3, 8, 20)
    target = random_ids(rng, 3, 6, 13, lengths=[6, 6, 6])
    teacher_forced = keras.ops.convert_to_numpy(model({"source": source, "target_in": target}))
    encoder_outputs, source_mask, *states = encoder(source)
    for step in range(target.shape[1]):
        step_ids = keras.ops.convert_to_tensor(target[:, step : step + 1])
        logits, alignments, *states = decoder([step_ids, encoder_outputs, source_mask, *states])
        np.testing.assert_allclose(keras.ops.convert_to_numpy(logits)[:, 0], teacher_forced[:, step], atol=1e-5)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(alignments).sum(-1), 1.0, atol=1e-5)
        assert np.all(keras.ops.convert_to_numpy(alignments)[:, 0][source == 0] == 0.0)


def test_inference_models_share_the_training_weights():
    model = build_seq2seq(ModelConfig(**SMALL), 20, 13)
    encoder, decoder = inference_models(model)
    training_weights = {id(weight) for weight in model.weights}
    assert {id(weight) for weight in encoder.weights + decoder.weights} == training_weights


@pytest.mark.learning
def test_fit_learns_to_copy():
    """A learning test: copying random 3-token sequences reaches 95% token accuracy."""
    config = ModelConfig(**{**SMALL, "embedding_dim": 16, "encoder_units": 32, "decoder_units": 32, "attention_units": 32, "attentional_units": 32})
    model = compile_seq2seq(build_seq2seq(config, 10, 10), TrainingConfig(learning_rate=0.01))
    inputs, target_out = copy_task(2048)
    history = model.fit(inputs, target_out, epochs=6, batch_size=64, verbose=0)
    assert history.history["token_accuracy"][-1] >= 0.95


def test_compile_builds_the_optimizer():
    model = compile_seq2seq(build_seq2seq(ModelConfig(**SMALL), 10, 10), TrainingConfig())
    assert model.optimizer.built
    slots = {id(variable) for variable in model.optimizer.variables}
    assert len(slots) >= 2 * len(model.trainable_variables)  # Adam: a momentum and a velocity each


@pytest.mark.requires_tensorflow
def test_fit_creates_no_variable_while_it_traces_the_training_step():
    """A trace that creates variables makes `tf.function` trace the training step a second time."""
    import tensorflow as tf

    model = compile_seq2seq(build_seq2seq(ModelConfig(**SMALL), 10, 10), TrainingConfig())
    created_in_a_trace = []

    def creator(next_creator, **kwargs):
        if not tf.executing_eagerly():
            created_in_a_trace.append(kwargs.get("name"))
        return next_creator(**kwargs)

    inputs, target_out = copy_task(64)
    with tf.variable_creator_scope(creator):
        model.fit(inputs, target_out, epochs=1, batch_size=32, verbose=0)
    assert created_in_a_trace == []


def test_saved_model_reproduces_outputs(tmp_path):
    model = build_seq2seq(ModelConfig(**SMALL), 20, 13)
    rng = np.random.default_rng(4)
    inputs = {"source": random_ids(rng, 2, 5, 20), "target_in": random_ids(rng, 2, 4, 13)}
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(inputs)), keras.ops.convert_to_numpy(model(inputs)))
    memories = [keras.ops.convert_to_numpy(inference_models(m)[0](inputs["source"])[0]) for m in (model, loaded)]
    np.testing.assert_array_equal(*memories)
