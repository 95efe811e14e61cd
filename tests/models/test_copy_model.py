"""The seq2seq model with copy attention (`model.copy`): a distribution over the shared vocabulary,
the source ids carried as a decoder state, and a save and load round trip (on every backend;
tests/decoding/test_copy_decoding.py decodes a copy model and has its learning test)."""

import keras
import numpy as np

from helpers.tiny_configs import TINY_MODEL
from keras_attention.config import ModelConfig
from keras_attention.models import build_seq2seq, inference_models
from keras_attention.models.decoder import COPY_SOURCE_IDS, decoder_state_shapes

VOCABULARY = 40


def inputs(rng, batch=3):
    source = rng.integers(4, VOCABULARY, size=(batch, 5)).astype("int32")
    source[-1, -2:] = 0
    target_in = rng.integers(4, VOCABULARY, size=(batch, 4)).astype("int32")
    return {"source": source, "target_in": target_in}


def test_the_outputs_are_log_probabilities_and_the_source_ids_a_decoder_state():
    config = ModelConfig(**TINY_MODEL, copy=True)
    model = build_seq2seq(config, VOCABULARY, VOCABULARY)
    batch = inputs(np.random.default_rng(0))
    log_probs = keras.ops.convert_to_numpy(model(batch))
    np.testing.assert_allclose(np.exp(log_probs).sum(-1), 1.0, rtol=1e-5)
    assert decoder_state_shapes(config)[-1] == (COPY_SOURCE_IDS, (None,))
    encoder, decoder = inference_models(model)
    *_, copy_ids = encoder(batch["source"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(copy_ids), batch["source"])


def test_the_model_round_trips_through_save_and_load(tmp_path):
    model = build_seq2seq(ModelConfig(**TINY_MODEL, copy=True), VOCABULARY, VOCABULARY)
    batch = inputs(np.random.default_rng(1))
    model.save(tmp_path / "copy.keras")
    loaded = keras.saving.load_model(tmp_path / "copy.keras")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(batch)), keras.ops.convert_to_numpy(model(batch)), rtol=1e-6, atol=1e-6
    )
