"""`model.tie_embeddings`: the target embedding is also the output projection, in both attention
placements and with copy attention, and stays one weight through save and load (on every backend)."""

import keras
import numpy as np
import pytest

from helpers.tiny_configs import TINY_MODEL
from keras_attention.config import ModelConfig
from keras_attention.models import build_seq2seq

VOCABULARY = 30
TIED = {**TINY_MODEL, "attentional_units": TINY_MODEL["embedding_dim"], "tie_embeddings": True}
VARIANTS = {
    "after_lstm": {},
    "in_step": {"attention_placement": "in_step", "input_feeding": True},
    "copy": {"copy": True},
}


def batch(seed=0):
    rng = np.random.default_rng(seed)
    source = rng.integers(4, VOCABULARY, size=(2, 5)).astype("int32")
    source[-1, -2:] = 0
    return {"source": source, "target_in": rng.integers(4, VOCABULARY, size=(2, 4)).astype("int32")}


def embedding_weights(model):
    return [weight for weight in model.weights if "embedding" in weight.path and "target" in weight.path]


@pytest.mark.parametrize("variant", ["after_lstm", "in_step"])
def test_the_logits_are_the_attentional_vectors_times_the_transposed_target_embedding(variant):
    model = build_seq2seq(ModelConfig(**TIED, **VARIANTS[variant]), VOCABULARY, VOCABULARY)
    decoder = model.get_layer("decoder")
    attentional = keras.Model(decoder.inputs, decoder.get_layer("attentional_dropout").output)
    encoder_outputs, source_mask, *states = model.get_layer("encoder")(batch()["source"])
    decoder_inputs = [keras.ops.convert_to_tensor(batch()["target_in"]), encoder_outputs, source_mask, *states]
    logits = keras.ops.convert_to_numpy(decoder(decoder_inputs)[0])
    vectors = keras.ops.convert_to_numpy(attentional(decoder_inputs))
    (embeddings,) = embedding_weights(model)
    np.testing.assert_allclose(logits, vectors @ keras.ops.convert_to_numpy(embeddings).T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(batch())), logits, rtol=1e-5, atol=1e-5)


def test_tying_drops_the_output_layer_and_its_bias():
    untied = build_seq2seq(ModelConfig(**{**TIED, "tie_embeddings": False}), VOCABULARY, VOCABULARY)
    tied = build_seq2seq(ModelConfig(**TIED), VOCABULARY, VOCABULARY)
    assert untied.count_params() - tied.count_params() == TIED["attentional_units"] * VOCABULARY + VOCABULARY
    assert "logits" not in [layer.name for layer in tied.get_layer("decoder").layers]


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_tied_model_round_trips_through_save_and_load_as_one_weight(tmp_path, variant):
    model = build_seq2seq(ModelConfig(**TIED, **VARIANTS[variant]), VOCABULARY, VOCABULARY)
    model.save(tmp_path / "tied.keras")
    loaded = keras.saving.load_model(tmp_path / "tied.keras")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(batch(1))), keras.ops.convert_to_numpy(model(batch(1))), rtol=1e-6, atol=1e-6
    )
    assert len(embedding_weights(loaded)) == 1 and loaded.count_params() == model.count_params()

