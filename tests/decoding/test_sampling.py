"""Sampling: reproducible with a seed, the model's distribution, temperature and top-k, tracing."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_attention.decoding import greedy_decode, sample_decode
from keras_attention.text.vocab import PAD_ID
from helpers.tiny_seq2seq import source_batch, teacher_forced, tiny_models


@pytest.fixture(scope="module")
def models():
    return tiny_models(seed=3)


def sample_ids(models, source, **options):
    return np.asarray(sample_decode(*models, source, 8, **options)["ids"])


def test_same_seed_same_samples(models):
    source = source_batch([3, 8, 5, 1, 8, 2], seed=1)
    first = sample_decode(*models, source, 8, seed=42)
    again = sample_decode(*models, source, 8, seed=42)
    np.testing.assert_array_equal(first["ids"], again["ids"])
    np.testing.assert_array_equal(first["scores"], again["scores"])
    assert not np.array_equal(first["ids"], sample_ids(models, source, seed=43))


def test_seed_generator_draws_anew_at_each_call_and_replays_from_its_seed(models):
    source = source_batch([4, 6, 2, 7], seed=2)
    generator = keras.random.SeedGenerator(5)
    first, second = (sample_ids(models, source, seed=generator) for _ in range(2))
    assert not np.array_equal(first, second)
    replay = keras.random.SeedGenerator(5)
    np.testing.assert_array_equal(sample_ids(models, source, seed=replay), first)


@pytest.mark.parametrize("options", [{"temperature": 1e-6}, {"top_k": 1, "temperature": 3.0}])
def test_cold_or_top_one_sampling_is_greedy(models, options):
    source = source_batch([3, 8, 5, 1, 8, 2, 6], seed=3)
    greedy = greedy_decode(*models, source, 8)
    sampled = sample_decode(*models, source, 8, seed=0, **options)
    np.testing.assert_array_equal(sampled["ids"], greedy["ids"])
    np.testing.assert_allclose(sampled["scores"], greedy["scores"], atol=1e-5)


@pytest.mark.parametrize("temperature, top_k", [(1.0, None), (0.7, 3), (2.0, None)])
def test_first_tokens_follow_the_tempered_distribution(models, temperature, top_k):
    encoder, decoder = models
    draws = 4000
    source = np.repeat(source_batch([5], seed=4), draws, axis=0)
    first = np.asarray(sample_decode(encoder, decoder, source, 1, temperature, top_k, seed=9)["ids"])[:, 0]
    log_probs, _ = teacher_forced(encoder, decoder, source[0], np.arange(9)[:, None])
    logits = np.where(np.arange(9) == PAD_ID, -np.inf, log_probs / temperature)
    if top_k is not None:
        logits[np.argsort(-logits)[top_k:]] = -np.inf
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    observed = np.bincount(first, minlength=9) / draws
    np.testing.assert_allclose(observed, expected, atol=0.03)
    assert observed[PAD_ID] == 0


def test_scores_are_model_log_probs_of_the_samples(models):
    encoder, decoder = models
    source = source_batch([3, 7, 5], seed=5)
    output = sample_decode(encoder, decoder, source, 8, temperature=1.5, seed=3)
    for row in range(len(source)):
        log_probs, alignments = teacher_forced(encoder, decoder, source[row], np.asarray(output["ids"])[row : row + 1])
        np.testing.assert_allclose(np.asarray(output["scores"])[row], log_probs[0], atol=1e-5)
        np.testing.assert_allclose(np.asarray(output["alignments"])[row], alignments[0], atol=1e-5)


def test_traces_inside_tf_function(models):
    source = source_batch([5, 3, 2], seed=6)
    compiled = tf.function(
        lambda ids: sample_decode(*models, ids, 6, temperature=0.8, top_k=4, seed=7, max_length_ratio=2.0),
        input_signature=[tf.TensorSpec([None, None], tf.int32)],
    )
    eager = sample_decode(*models, source, 6, temperature=0.8, top_k=4, seed=7, max_length_ratio=2.0)
    np.testing.assert_array_equal(compiled(source)["ids"], eager["ids"])
    np.testing.assert_array_equal(compiled(source)["ids"], eager["ids"])
    assert compiled(source_batch([9, 1, 4, 4], seed=7))["ids"].shape == (4, 6)
