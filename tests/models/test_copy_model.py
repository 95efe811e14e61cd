"""The seq2seq model with copy attention (`model.copy`), in both attention placements and with
coverage: a distribution over the shared vocabulary, the source ids carried as a decoder state, the
probability of generating, and a save and load round trip (on every backend;
tests/decoding/test_copy_decoding.py decodes a copy model and has its learning test)."""

import keras
import numpy as np
import pytest

from helpers.tiny_configs import TINY_MODEL
from keras_attention.config import ModelConfig
from keras_attention.models import build_seq2seq, copy_target_ids, generation_probability_model, inference_models
from keras_attention.models.decoder import COPY_SOURCE_IDS, decoder_state_shapes

VOCABULARY = 40
PLACEMENTS = {
    "after_lstm": {},
    "in_step": {"attention_placement": "in_step"},
    "in_step_coverage_feeding": {
        "attention_placement": "in_step",
        "input_feeding": True,
        "coverage": True,
        "coverage_loss_weight": 1.0,
    },
}


def inputs(rng, batch=3):
    source = rng.integers(4, VOCABULARY, size=(batch, 5)).astype("int32")
    source[-1, -2:] = 0
    target_in = rng.integers(4, VOCABULARY, size=(batch, 4)).astype("int32")
    return {"source": source, "target_in": target_in}


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_the_outputs_are_log_probabilities_and_the_source_ids_a_decoder_state(placement):
    config = ModelConfig(**TINY_MODEL, **PLACEMENTS[placement], copy=True)
    model = build_seq2seq(config, VOCABULARY, VOCABULARY)
    batch = inputs(np.random.default_rng(0))
    log_probs = keras.ops.convert_to_numpy(model(batch))
    np.testing.assert_allclose(np.exp(log_probs).sum(-1), 1.0, rtol=1e-5)
    assert decoder_state_shapes(config)[-1] == (COPY_SOURCE_IDS, (None,))
    encoder, decoder = inference_models(model)
    *_, copy_ids = encoder(batch["source"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(copy_ids), batch["source"])


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_the_model_round_trips_through_save_and_load(tmp_path, placement):
    model = build_seq2seq(ModelConfig(**TINY_MODEL, **PLACEMENTS[placement], copy=True), VOCABULARY, VOCABULARY)
    batch = inputs(np.random.default_rng(1))
    model.save(tmp_path / "copy.keras")
    loaded = keras.saving.load_model(tmp_path / "copy.keras")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(batch)), keras.ops.convert_to_numpy(model(batch)), rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_the_inference_decoder_and_the_training_decoder_generate_with_the_same_probability(placement):
    model = build_seq2seq(ModelConfig(**TINY_MODEL, **PLACEMENTS[placement], copy=True), VOCABULARY, VOCABULARY)
    batch = inputs(np.random.default_rng(2))
    encoder, decoder = inference_models(model)
    memory, source_mask, *states = encoder(batch["source"])
    p_gen = keras.ops.convert_to_numpy(
        generation_probability_model(decoder)([keras.ops.convert_to_tensor(batch["target_in"]), memory, source_mask, *states])
    )
    training_encoder, training_decoder = model.get_layer("encoder"), model.get_layer("decoder")
    outputs, source_mask, *states = training_encoder(batch["source"])
    expected = keras.ops.convert_to_numpy(
        generation_probability_model(training_decoder)([keras.ops.convert_to_tensor(batch["target_in"]), outputs, source_mask, *states])
    )
    assert p_gen.shape == (3, 4) and np.all((p_gen > 0) & (p_gen < 1))
    np.testing.assert_allclose(p_gen, expected, rtol=1e-5, atol=1e-6)


def test_a_decoder_without_copy_has_no_probability_of_generating():
    model = build_seq2seq(ModelConfig(**TINY_MODEL), VOCABULARY, VOCABULARY)
    assert generation_probability_model(inference_models(model)[1]) is None


def test_separate_vocabularies_copy_by_token_string():
    source_vocabulary = ["<pad>", "<unk>", "<s>", "</s>", "zlib", "the", "##s", "ünï"]
    target_vocabulary = ["<pad>", "<unk>", "<s>", "</s>", "the", "library", "zlib", "##s"]
    copy_ids = copy_target_ids(source_vocabulary, target_vocabulary)
    assert copy_ids == [0, 1, 2, 3, 6, 4, 7, 1]
    model = build_seq2seq(ModelConfig(**TINY_MODEL, copy=True), 8, 8, copy_ids=copy_ids)
    source = np.array([[4, 5, 6, 7, 3], [7, 3, 0, 0, 0]], "int32")
    *_, mapped = inference_models(model)[0](source)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(mapped), [[6, 4, 7, 1, 3], [1, 3, 0, 0, 0]])


@pytest.mark.parametrize(
    "copy, sizes, copy_ids, message",
    [
        (True, (9, 8), None, "needs `copy_ids`.*Received: copy_ids=None with a source vocabulary of 9 and a target vocabulary of 8"),
        (False, (8, 8), list(range(8)), "`copy_ids` is for copy attention only.*Received: copy=False"),
        (True, (8, 8), list(range(7)), r"one target id in \[0, 8\) per source token \(8\). Received: 7 ids from 0 to 6"),
        (True, (3, 8), [0, 1, 8], r"Received: 3 ids from 0 to 8"),
    ],
)
def test_copy_ids_that_cannot_work_are_refused(copy, sizes, copy_ids, message):
    with pytest.raises(ValueError, match=message):
        build_seq2seq(ModelConfig(**TINY_MODEL, copy=copy), *sizes, copy_ids=copy_ids)
