"""Beam search: greedy equivalence, exactness against exhaustive enumeration, penalties, n-best,
batch invariance, length limits, early stopping and tracing."""

import math

import numpy as np
import pytest
import tensorflow as tf

from keras_attention.decoding import beam_search_decode, greedy_decode
from keras_attention.text.vocab import END_ID
from helpers.tiny_seq2seq import all_sequences, gnmt_scores, sequence_lengths, source_batch, teacher_forced, tiny_models

PENALTIES = [(0.0, 0.0), (0.6, 0.0), (0.0, 0.4), (1.0, 0.2)]


@pytest.fixture(scope="module")
def models():
    return tiny_models(seed=3)


@pytest.fixture(scope="module")
def small_vocabulary_models():
    return tiny_models(seed=12, target_vocabulary=6, scale=4.0)


def numpy_output(output):
    return {key: np.asarray(value) for key, value in output.items()}


@pytest.mark.parametrize("max_length_ratio", [None, 1.5])
def test_beam_size_one_is_greedy(models, max_length_ratio):
    encoder, decoder = models
    source = source_batch([3, 8, 5, 1, 8, 2, 6], seed=1)
    greedy = numpy_output(greedy_decode(encoder, decoder, source, 9, max_length_ratio=max_length_ratio))
    beam = numpy_output(
        beam_search_decode(encoder, decoder, source, 9, beam_size=1, max_length_ratio=max_length_ratio)
    )
    np.testing.assert_array_equal(beam["ids"][:, 0], greedy["ids"])
    np.testing.assert_allclose(beam["scores"][:, 0], greedy["scores"], atol=1e-5)
    np.testing.assert_allclose(beam["log_probs"][:, 0], greedy["scores"], atol=1e-5)
    np.testing.assert_allclose(beam["alignments"][:, 0], greedy["alignments"], atol=1e-5)
    ended = np.any(greedy["ids"] == END_ID, axis=1)
    assert ended.any() and not ended.all(), "the batch should mix ended and length-limited outputs"


@pytest.mark.parametrize("alpha, beta", PENALTIES)
def test_wide_beam_finds_the_best_of_all_sequences(small_vocabulary_models, alpha, beta):
    encoder, decoder = small_vocabulary_models
    vocabulary_size, max_length, n_best = 6, 4, 5
    source = source_batch([5, 3], seed=4)
    wide = numpy_output(
        beam_search_decode(
            encoder,
            decoder,
            source,
            max_length,
            beam_size=vocabulary_size ** (max_length - 1),
            length_penalty=alpha,
            coverage_penalty=beta,
            n_best=n_best,
        )
    )
    candidates = all_sequences(vocabulary_size, max_length)
    for row in range(len(source)):
        log_probs, alignments = teacher_forced(encoder, decoder, source[row], candidates)
        scores = gnmt_scores(log_probs, candidates, alignments, source[row], alpha, beta)
        best = np.argsort(-scores, kind="stable")[:n_best]
        assert scores[best[0]] - scores[best[1]] > 1e-4, "the test needs a unique best sequence"
        np.testing.assert_array_equal(wide["ids"][row], candidates[best])
        np.testing.assert_allclose(wide["scores"][row], scores[best], atol=1e-5)
        np.testing.assert_allclose(wide["log_probs"][row], log_probs[best], atol=1e-5)
        np.testing.assert_allclose(wide["alignments"][row], alignments[best], atol=1e-5)
        for beam_size in (1, 2, 3):
            narrow = numpy_output(
                beam_search_decode(
                    encoder,
                    decoder,
                    source[row : row + 1],
                    max_length,
                    beam_size=beam_size,
                    length_penalty=alpha,
                    coverage_penalty=beta,
                )
            )
            assert narrow["scores"][0, 0] <= scores[best[0]] + 1e-6


@pytest.mark.parametrize("alpha, beta", PENALTIES)
def test_scores_equal_teacher_forced_log_probs_plus_penalties(models, alpha, beta):
    encoder, decoder = models
    source = source_batch([4, 9, 6, 2], time=11, seed=2)
    output = numpy_output(
        beam_search_decode(
            encoder, decoder, source, 10, beam_size=4, length_penalty=alpha, coverage_penalty=beta, n_best=3
        )
    )
    for row in range(len(source)):
        log_probs, alignments = teacher_forced(encoder, decoder, source[row], output["ids"][row])
        expected = gnmt_scores(log_probs, output["ids"][row], alignments, source[row], alpha, beta)
        np.testing.assert_allclose(output["log_probs"][row], log_probs, atol=1e-5)
        np.testing.assert_allclose(output["scores"][row], expected, atol=1e-5)
        np.testing.assert_allclose(output["alignments"][row], alignments, atol=1e-5)
        assert np.all(np.diff(output["scores"][row]) <= 0), "n-best lists are sorted best first"
        assert len({tuple(ids) for ids in output["ids"][row]}) == 3, "n-best hypotheses are distinct"


def test_batch_invariance(models):
    encoder, decoder = models
    lengths = [7, 2, 4, 9, 3]
    source = source_batch(lengths, time=12, seed=3)
    options = dict(beam_size=3, length_penalty=0.6, coverage_penalty=0.2, n_best=2, max_length_ratio=1.2)
    together = numpy_output(beam_search_decode(encoder, decoder, source, 8, **options))
    for row, length in enumerate(lengths):
        alone = numpy_output(beam_search_decode(encoder, decoder, source[row : row + 1, :length], 8, **options))
        np.testing.assert_array_equal(together["ids"][row], alone["ids"][0])
        np.testing.assert_allclose(together["scores"][row], alone["scores"][0], atol=1e-5)
        np.testing.assert_allclose(together["alignments"][row, :, :, :length], alone["alignments"][0], atol=1e-5)
        assert np.all(together["alignments"][row, :, :, length:] == 0)


def test_relative_length_limit(models):
    encoder, decoder = models
    lengths = [2, 5, 9]
    source = source_batch(lengths, seed=6)
    limited = numpy_output(beam_search_decode(encoder, decoder, source, 10, beam_size=3, max_length_ratio=0.5))
    for row, length in enumerate(lengths):
        limit = math.ceil(0.5 * length)
        assert sequence_lengths(limited["ids"][row, 0]) <= limit
        alone = numpy_output(beam_search_decode(encoder, decoder, source[row : row + 1, :length], limit, beam_size=3))
        np.testing.assert_array_equal(limited["ids"][row, 0, :limit], alone["ids"][0, 0])


class CountingDecoder:
    """Calls the decoder and counts the calls (eager loops run their body once per step)."""

    def __init__(self, decoder):
        self.decoder, self.calls = decoder, 0

    def __call__(self, inputs):
        self.calls += 1
        return self.decoder(inputs)


def test_stops_once_the_best_finished_hypothesis_cannot_be_beaten(models):
    encoder, decoder = models
    bias = decoder.get_layer("logits").bias
    bias.assign(np.where(np.arange(bias.shape[0]) == END_ID, 8.0, 0.0).astype("float32"))
    try:
        counting = CountingDecoder(decoder)
        output = numpy_output(beam_search_decode(encoder, counting, source_batch([4, 6]), 50, beam_size=4))
        np.testing.assert_array_equal(output["ids"][:, 0, :2], [[END_ID, 0], [END_ID, 0]])
        assert counting.calls == 2, "one search step, then one call for the alignments"
    finally:
        bias.assign(np.zeros(bias.shape, "float32"))


def test_traces_inside_tf_function(models):
    encoder, decoder = models
    options = dict(beam_size=3, length_penalty=0.6, coverage_penalty=0.2, n_best=2, max_length_ratio=2.0)
    compiled = tf.function(
        lambda ids: beam_search_decode(encoder, decoder, ids, 7, **options),
        input_signature=[tf.TensorSpec([None, None], tf.int32)],
    )
    source = source_batch([5, 3, 2], seed=5)
    traced, eager = compiled(source), beam_search_decode(encoder, decoder, source, 7, **options)
    np.testing.assert_array_equal(traced["ids"], eager["ids"])
    np.testing.assert_allclose(traced["scores"], eager["scores"], atol=1e-6)
    assert compiled(source_batch([9, 1, 4, 4], seed=6))["alignments"].shape == (4, 2, 7, 9)
