"""Encoder and decoder for every attention variant: the decoder contract (states in and out),
step-by-step decoding against teacher forcing, padding, coverage loss, saving and training."""

import keras
import numpy as np
import pytest
from keras import ops

from helpers.tiny_configs import DISTINCT_SIZES as SMALL
from keras_attention.config import ModelConfig, TrainingConfig
from keras_attention.models import build_seq2seq, compile_seq2seq, inference_models
from keras_attention.models.decoder import decoder_state_shapes
from keras_attention.text.vocab import START_ID
from helpers.copy_task import copy_task

IN_STEP = {"attention_placement": "in_step"}
COVERAGE = {**IN_STEP, "coverage": True, "coverage_loss_weight": 0.5}
VARIANTS = {
    "bahdanau_normed": {"attention": "bahdanau_normed"},
    "luong_concat": {"attention": "luong_concat"},
    "luong_general_learned": {
        "attention": "luong_general", "attention_units": None, "attention_scale": "learned",
    },
    "scaled_dot": {"attention": "scaled_dot", "attention_units": None, "encoder_units": 5},
    "attention_dropout": {"attention_dropout": 0.3},
    "in_step": IN_STEP,
    "in_step_feeding": {**IN_STEP, "input_feeding": True},
    "in_step_luong_general_feeding": {
        **IN_STEP, "input_feeding": True, "attention": "luong_general", "attention_units": None,
    },
    "in_step_coverage": COVERAGE,
    "in_step_coverage_feeding_stacked": {
        **COVERAGE,
        "input_feeding": True,
        "decoder_layers": 2,
        "encoder_layers": 2,
        "attention": "luong_concat",
    },
}
IN_STEP_VARIANTS = [name for name, options in VARIANTS.items() if options.get("attention_placement")]


def config_for(variant, **options):
    return ModelConfig(**{**SMALL, **VARIANTS[variant], **options})


def random_ids(rng, batch, time, vocabulary, lengths=None):
    lengths = rng.integers(1, time + 1, size=batch) if lengths is None else np.asarray(lengths)
    ids = rng.integers(4, vocabulary, size=(batch, time)).astype("int32")
    ids[np.arange(time)[None, :] >= lengths[:, None]] = 0
    return ids


def to_numpy(outputs):
    return [ops.convert_to_numpy(output) for output in outputs]


@pytest.mark.parametrize("variant", VARIANTS)
def test_encoder_provides_every_decoder_state(variant):
    config = config_for(variant)
    model = build_seq2seq(config, 20, 13)
    encoder, decoder = inference_models(model)
    rng = np.random.default_rng(0)
    source = random_ids(rng, 3, 9, 20)
    encoder_outputs, source_mask, *states = to_numpy(encoder(source))
    expected = [(3, 9 if shape == (None,) else shape[0]) for _, shape in decoder_state_shapes(config)]
    assert [state.shape for state in states] == expected
    assert len(decoder.inputs) == 3 + len(states)
    logits, alignments, *final_states = to_numpy(
        decoder([random_ids(rng, 3, 4, 13), encoder_outputs, source_mask, *states])
    )
    assert logits.shape == (3, 4, 13) and alignments.shape == (3, 4, 9)
    assert [state.shape for state in final_states] == expected
    if "in_step" in variant and (config.input_feeding or config.coverage):
        assert all(np.all(state == 0.0) for state in states[2 * config.decoder_layers :])


@pytest.mark.parametrize("variant", VARIANTS)
def test_step_by_step_decoding_reproduces_teacher_forcing(variant):
    model = build_seq2seq(config_for(variant), 20, 13)
    encoder, decoder = inference_models(model)
    rng = np.random.default_rng(2)
    source = random_ids(rng, 3, 8, 20)
    target = random_ids(rng, 3, 6, 13, lengths=[6, 6, 6])
    teacher_forced = ops.convert_to_numpy(model({"source": source, "target_in": target}))
    _, teacher_alignments, *_ = to_numpy(decoder([ops.convert_to_tensor(target), *encoder(source)]))
    encoder_outputs, source_mask, *states = encoder(source)
    for step in range(target.shape[1]):
        step_ids = ops.convert_to_tensor(target[:, step : step + 1])
        logits, alignments, *states = decoder([step_ids, encoder_outputs, source_mask, *states])
        np.testing.assert_allclose(ops.convert_to_numpy(logits)[:, 0], teacher_forced[:, step], atol=1e-6)
        alignments = ops.convert_to_numpy(alignments)
        np.testing.assert_allclose(alignments[:, 0], teacher_alignments[:, step], atol=1e-6)
        np.testing.assert_allclose(alignments.sum(-1), 1.0, atol=1e-5)
        assert np.all(alignments[:, 0][source == 0] == 0.0)


@pytest.mark.parametrize("variant", IN_STEP_VARIANTS)
def test_padding_does_not_change_unmasked_logits(variant):
    model = build_seq2seq(config_for(variant), 20, 13)
    rng = np.random.default_rng(1)
    source, target = random_ids(rng, 4, 6, 20), random_ids(rng, 4, 5, 13)
    logits = ops.convert_to_numpy(model({"source": source, "target_in": target}))
    padded = ops.convert_to_numpy(
        model({"source": np.pad(source, ((0, 0), (0, 5))), "target_in": np.pad(target, ((0, 0), (0, 3)))})
    )[:, :5]
    valid = target != 0
    np.testing.assert_allclose(padded[valid], logits[valid], atol=1e-5)


@pytest.mark.parametrize("variant", ["in_step_feeding", "in_step_coverage_feeding_stacked"])
def test_inference_models_share_the_training_weights(variant):
    model = build_seq2seq(config_for(variant), 20, 13)
    encoder, decoder = inference_models(model)
    training_weights = {id(weight) for weight in model.weights}
    assert {id(weight) for weight in encoder.weights + decoder.weights} == training_weights


def numpy_coverage_loss(alignments, target):
    """Mean over the valid target steps of sum_j min(a_ij, sum_{i' < i} a_i'j)."""
    losses = []
    for b in range(alignments.shape[0]):
        coverage = np.zeros(alignments.shape[2])
        for i in range(alignments.shape[1]):
            if target[b, i] != 0:
                losses.append(np.minimum(alignments[b, i], coverage).sum())
            coverage = coverage + alignments[b, i]
    return np.mean(losses)


def test_training_model_carries_the_coverage_loss():
    model = build_seq2seq(config_for("in_step_coverage"), 20, 13)
    encoder, decoder = inference_models(model)
    rng = np.random.default_rng(3)
    source, target = random_ids(rng, 4, 7, 20), random_ids(rng, 4, 6, 13)
    model({"source": source, "target_in": target})
    assert len(model.losses) == 1
    loss = float(ops.convert_to_numpy(model.losses[0]))
    _, alignments, *_ = to_numpy(decoder([ops.convert_to_tensor(target), *encoder(source)]))
    np.testing.assert_allclose(loss, 0.5 * numpy_coverage_loss(alignments, target), rtol=1e-5)
    assert loss > 0.0
    without = build_seq2seq(config_for("in_step_coverage", coverage_loss_weight=0.0), 20, 13)
    without({"source": source, "target_in": target})
    assert without.losses == []


def test_compiled_loss_includes_the_coverage_term():
    model = compile_seq2seq(build_seq2seq(config_for("in_step_coverage"), 20, 13), TrainingConfig())
    rng = np.random.default_rng(4)
    inputs = {"source": random_ids(rng, 8, 7, 20), "target_in": random_ids(rng, 8, 6, 13, lengths=[6] * 8)}
    target_out = random_ids(rng, 8, 6, 13, lengths=[6] * 8)
    total = model.evaluate(inputs, target_out, verbose=0, return_dict=True)["loss"]
    logits = model(inputs)
    cross_entropy = float(
        ops.convert_to_numpy(
            keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)(target_out, logits)
        )
    )
    coverage = float(ops.convert_to_numpy(model.losses[0]))
    np.testing.assert_allclose(total, cross_entropy + coverage, rtol=1e-5)


@pytest.mark.parametrize("variant", ["in_step_feeding", "in_step_coverage_feeding_stacked", "scaled_dot"])
def test_saved_model_reproduces_outputs(variant, tmp_path):
    model = build_seq2seq(config_for(variant), 20, 13)
    rng = np.random.default_rng(5)
    inputs = {"source": random_ids(rng, 2, 5, 20), "target_in": random_ids(rng, 2, 4, 13)}
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(inputs)), ops.convert_to_numpy(model(inputs)))
    encoder, decoder = inference_models(loaded)
    assert len(decoder.inputs) == len(encoder.outputs) + 1


def test_greedy_decoding_carries_the_attention_states():
    """Greedy decoding treats the states as an opaque list: its scores and alignments equal those
    of the teacher-forced decoder run on the ids it chose."""
    from keras_attention.decoding import greedy_decode

    model = build_seq2seq(config_for("in_step_coverage_feeding_stacked"), 20, 13)
    encoder, decoder = inference_models(model)
    source = random_ids(np.random.default_rng(6), 3, 7, 20)
    result = greedy_decode(encoder, decoder, ops.convert_to_tensor(source), max_length=5)
    ids, scores, alignments = (ops.convert_to_numpy(result[key]) for key in ("ids", "scores", "alignments"))

    target_in = np.concatenate([np.full((3, 1), START_ID, "int32"), ids[:, :-1]], axis=1)
    logits, teacher_alignments, *_ = to_numpy(decoder([ops.convert_to_tensor(target_in), *encoder(source)]))
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    chosen = np.take_along_axis(log_probs, ids[:, :, None], axis=-1)[:, :, 0]
    live = ids != 0
    np.testing.assert_allclose(scores, np.where(live, chosen, 0.0).sum(-1), atol=1e-5)
    np.testing.assert_allclose(alignments[live], teacher_alignments[live], atol=1e-5)


@pytest.mark.learning
@pytest.mark.parametrize("variant", ["in_step_feeding", "in_step_coverage"])
def test_fit_learns_to_copy(variant):
    """A learning test: copying random 3-token sequences reaches 90% token accuracy."""
    wide = dict(
        embedding_dim=16, encoder_units=32, decoder_units=32, attention_units=32, attentional_units=32
    )
    model = compile_seq2seq(
        build_seq2seq(config_for(variant, **wide), 10, 10), TrainingConfig(learning_rate=0.01)
    )
    inputs, target_out = copy_task(1024)
    history = model.fit(inputs, target_out, epochs=5, batch_size=64, verbose=0)
    assert history.history["token_accuracy"][-1] >= 0.9
