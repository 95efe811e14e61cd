"""Greedy decoding against a plain per-sentence Python loop over the same one-step decoder."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_attention.decoding import greedy_decode
from keras_attention.models import build_seq2seq, inference_models
from keras_attention.text.vocab import END_ID, START_ID
from helpers.tiny_seq2seq import CONFIG, source_batch

VOCABULARY = 9


@pytest.fixture(scope="module")
def models():
    keras.utils.set_random_seed(7)
    return inference_models(build_seq2seq(CONFIG, 20, VOCABULARY))


def reference_decode(encoder, decoder, source, max_length):
    """One unpadded sentence, one Python step at a time."""
    source = source[source != 0][None, :]
    encoder_outputs, source_mask, *states = encoder(source)
    token, ids, score, alignments = START_ID, [], 0.0, []
    for _ in range(max_length):
        logits, step_alignments, *states = decoder(
            [keras.ops.convert_to_tensor([[token]], "int32"), encoder_outputs, source_mask, *states]
        )
        log_probs = np.asarray(keras.ops.log_softmax(logits[0, 0]), "float64")
        token = int(np.argmax(log_probs))
        ids.append(token)
        score += log_probs[token]
        alignments.append(np.asarray(step_alignments)[0, 0])
        if token == END_ID:
            break
    return ids, score, np.array(alignments)


def test_matches_per_sentence_python_loop(models):
    encoder, decoder = models
    lengths = [3, 8, 5, 1, 8, 2]
    source = source_batch(lengths)
    output = greedy_decode(encoder, decoder, source, max_length=6)
    ids, scores, alignments = (np.asarray(output[key]) for key in ("ids", "scores", "alignments"))
    assert ids.shape == (6, 6) and alignments.shape == (6, 6, 8)
    ended_early = 0
    for row, length in enumerate(lengths):
        expected_ids, expected_score, expected_alignments = reference_decode(encoder, decoder, source[row], 6)
        n = len(expected_ids)
        ended_early += n < 6
        np.testing.assert_array_equal(ids[row, :n], expected_ids)
        assert np.all(ids[row, n:] == 0), "a finished sentence must not grow"
        np.testing.assert_allclose(scores[row], expected_score, atol=1e-5)
        np.testing.assert_allclose(alignments[row, :n, :length], expected_alignments, atol=1e-6)
        assert np.all(alignments[row, :, length:] == 0) and np.all(alignments[row, n:] == 0)
    assert 0 < ended_early < len(lengths), "the batch should mix finished and unfinished sentences"


def test_batch_invariance(models):
    encoder, decoder = models
    lengths = [7, 2, 4, 7, 3]
    source = source_batch(lengths, time=10, seed=3)
    together = np.asarray(greedy_decode(encoder, decoder, source, 8)["ids"])
    for row in range(len(lengths)):
        alone = np.asarray(greedy_decode(encoder, decoder, source[row : row + 1, : lengths[row]], 8)["ids"])
        np.testing.assert_array_equal(together[row], alone[0])


def test_stops_when_every_sentence_has_ended(models):
    encoder, decoder = models
    decoder.get_layer("logits").bias.assign(np.where(np.arange(VOCABULARY) == END_ID, 50.0, 0.0).astype("float32"))
    try:
        output = greedy_decode(encoder, decoder, source_batch([4, 6]), max_length=50)
        np.testing.assert_array_equal(np.asarray(output["ids"])[:, :2], [[END_ID, 0], [END_ID, 0]])
    finally:
        decoder.get_layer("logits").bias.assign(np.zeros(VOCABULARY, "float32"))


def test_traces_inside_tf_function(models):
    encoder, decoder = models
    source = source_batch([5, 3, 2], seed=5)
    compiled = tf.function(
        lambda ids: greedy_decode(encoder, decoder, ids, 6),
        input_signature=[tf.TensorSpec([None, None], tf.int32)],
    )
    np.testing.assert_array_equal(compiled(source)["ids"], greedy_decode(encoder, decoder, source, 6)["ids"])
    assert compiled(source_batch([9, 1, 4, 4], seed=6))["ids"].shape == (4, 6)
