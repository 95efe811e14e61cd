"""Every decoding strategy decodes a model with copy attention (its source ids travel as a decoder
state): beam search of width 1 is greedy decoding, and its scores are the model's log-probabilities.
A learning test: copy attention copies tokens never seen in training, which no-copy cannot."""

import keras
import numpy as np
import pytest

from helpers.tiny_configs import LEARNING_MODEL, TINY_MODEL
from helpers.tiny_seq2seq import teacher_forced
from keras_attention.config import ModelConfig, TrainingConfig
from keras_attention.decoding import beam_search_decode, greedy_decode, sample_decode
from keras_attention.decoding.step import decoder_inputs, teacher_forced as teacher_forced_run
from keras_attention.models import build_seq2seq, compile_seq2seq, generation_probability_model, inference_models
from keras_attention.special_tokens import END_ID, START_ID

VOCABULARY = 40


def test_every_strategy_decodes_a_copy_model():
    model = build_seq2seq(ModelConfig(**TINY_MODEL, copy=True), VOCABULARY, VOCABULARY)
    source = np.random.default_rng(1).integers(4, VOCABULARY, size=(3, 5)).astype("int32")
    source[-1, -2:] = 0
    batch = {"source": source}
    encoder, decoder = inference_models(model)
    greedy = greedy_decode(encoder, decoder, batch["source"], 6)
    beam = beam_search_decode(encoder, decoder, batch["source"], 6, beam_size=3, n_best=2)
    sampled = sample_decode(encoder, decoder, batch["source"], 6, seed=1)
    assert keras.ops.convert_to_numpy(greedy["ids"]).shape == (3, 6)
    assert keras.ops.convert_to_numpy(beam["ids"]).shape == (3, 2, 6)
    assert keras.ops.convert_to_numpy(sampled["ids"]).shape == (3, 6)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(beam_search_decode(encoder, decoder, batch["source"], 6, beam_size=1)["ids"])[:, 0],
        keras.ops.convert_to_numpy(greedy["ids"]),
    )
    # The scores are the mixture's log-probabilities of the outputs, teacher forced in one call.
    for row in range(len(source)):
        expected, _ = teacher_forced(encoder, decoder, source[row], keras.ops.convert_to_numpy(beam["ids"])[row])
        np.testing.assert_allclose(keras.ops.convert_to_numpy(beam["log_probs"])[row], expected, atol=1e-4)


@pytest.mark.parametrize(
    "placement",
    [{}, {"attention_placement": "in_step", "input_feeding": True, "coverage": True, "coverage_loss_weight": 0.5}],
    ids=["after_lstm", "in_step_coverage_feeding"],
)
def test_the_probability_of_generating_of_decoded_outputs_is_that_of_each_decoding_step(placement):
    model = build_seq2seq(ModelConfig(**TINY_MODEL, **placement, copy=True), VOCABULARY, VOCABULARY)
    source = np.random.default_rng(5).integers(4, VOCABULARY, size=(3, 5)).astype("int32")
    source[-1, -2:] = 0
    encoder, decoder = inference_models(model)
    ids = keras.ops.convert_to_numpy(greedy_decode(encoder, decoder, source, 6)["ids"])
    probe = generation_probability_model(decoder)
    memory, source_mask, *states = encoder(source)
    whole = keras.ops.convert_to_numpy(teacher_forced_run(probe, ids, memory, source_mask, states))
    tokens = np.full((3, 1), START_ID, "int32")
    for step in range(ids.shape[1]):
        inputs = [decoder_inputs(tokens), memory, source_mask, *states]
        p_gen = keras.ops.convert_to_numpy(probe(inputs))[:, 0]
        _, _, *states = decoder(inputs)
        running = ids[:, step] != 0
        np.testing.assert_allclose(whole[running, step], p_gen[running], rtol=1e-5, atol=1e-6)
        tokens = ids[:, step : step + 1]


def rare_token_task(count, names, seed):
    """Sources of 3 common tokens (ids 4-9) and one name token from `names` at a random place; the
    target is the source itself."""
    rng = np.random.default_rng(seed)
    source = rng.integers(4, 10, size=(count, 4)).astype("int32")
    source[np.arange(count), rng.integers(0, 4, size=count)] = rng.choice(names, size=count)
    target_in = np.concatenate([np.full((count, 1), START_ID, "int32"), source], axis=1)
    target_out = np.concatenate([source, np.full((count, 1), END_ID, "int32")], axis=1)
    return {"source": source, "target_in": target_in}, target_out


@pytest.mark.learning
def test_copy_attention_copies_tokens_never_seen_in_training_and_no_copy_cannot():
    seen, unseen = np.arange(10, 30), np.arange(30, VOCABULARY)
    train_inputs, train_targets = rare_token_task(2048, seen, seed=3)
    test_inputs, _ = rare_token_task(200, unseen, seed=4)
    exact = {}
    for copy in (False, True):
        keras.utils.set_random_seed(0)
        model = build_seq2seq(ModelConfig(**LEARNING_MODEL, copy=copy), VOCABULARY, VOCABULARY)
        compile_seq2seq(model, TrainingConfig(learning_rate=0.01))
        model.fit(train_inputs, train_targets, epochs=8, batch_size=64, verbose=0)
        ids = keras.ops.convert_to_numpy(greedy_decode(*inference_models(model), test_inputs["source"], 5)["ids"])
        exact[copy] = float(np.mean(np.all(ids[:, :4] == test_inputs["source"], axis=1)))
    # Measured: 79% of the test sources copied exactly with copy attention, 0% without.
    assert exact[True] >= 0.7 and exact[False] <= 0.05, exact
