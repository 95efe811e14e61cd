"""Ensembles decode as one model, on every Keras backend (`keras.ops` only; `tests/backends.sh`).

- One ensemble step against NumPy: the log of the mean probability or the mean of the
  log-probabilities, and the mean alignment.
- Greedy decoding of three different models against a step-by-step NumPy loop over the members,
  and beam search's log-probabilities against the members teacher forced in NumPy.
- Every argument error. The `Translator`, CLI and export over ensembles:
  `test_ensemble_translator.py` and `tests/export/`.
"""

import keras
import numpy as np
import pytest

from helpers.ensemble_reference import member_step, numpy_average, numpy_greedy, teacher_forcing_inputs
from helpers.tiny_seq2seq import tiny_models
from keras_attention.decoding import beam_search_decode, greedy_decode
from keras_attention.decoding.ensemble import Ensemble
from keras_attention.options.decoding import ENSEMBLE_AVERAGES
from keras_attention.special_tokens import END_ID, PAD_ID, START_ID

TARGET_SIZE = 7  # <pad> <s> </s> <unk> and three tokens


@pytest.mark.parametrize("average", ENSEMBLE_AVERAGES)
def test_an_ensemble_step_averages_the_members_distributions_and_alignments(average):
    members = [tiny_models(1, TARGET_SIZE), tiny_models(2, TARGET_SIZE)]
    source = np.array([[5, 6, 7, END_ID], [8, END_ID, 0, 0], [9, 10, END_ID, 0]], "int32")
    prefixes = np.array([[START_ID, 4, 5], [START_ID, 6, 4], [START_ID, 5, 5]], "int32")
    ensemble = Ensemble(members, average=average)
    memories, mask, *states = ensemble.encoder((source,))
    log_probs, alignments, *new_states = ensemble.decoder([keras.ops.convert_to_tensor(prefixes), memories, mask, *states])
    references = [member_step(encoder, decoder, source, prefixes) for encoder, decoder in members]
    expected = numpy_average(np.stack([probabilities for probabilities, _ in references]), average)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(log_probs), expected, atol=1e-5)
    mean_alignments = np.mean([member_alignments for _, member_alignments in references], axis=0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alignments), mean_alignments, atol=1e-6)
    assert len(new_states) == sum(ensemble.state_counts) == len(states)
    if average == "probability":  # a distribution: it sums to 1
        np.testing.assert_allclose(np.exp(keras.ops.convert_to_numpy(log_probs)).sum(axis=-1), 1.0, atol=1e-5)


def test_greedy_decoding_of_an_ensemble_follows_the_averaged_distribution():
    """Three members; both averages' step is checked above (and either average's whole decoding
    in `test_ensemble_translator.py`), so the loop runs with the default one."""
    average = "probability"
    members = [tiny_models(1, TARGET_SIZE), tiny_models(2, TARGET_SIZE), tiny_models(3, TARGET_SIZE)]
    source = np.array([[5, 6, 7, END_ID], [8, END_ID, 0, 0], [9, 10, END_ID, 0], [11, 4, 4, END_ID]], "int32")
    ensemble = Ensemble(members, average=average)
    output = greedy_decode(ensemble.encoder, ensemble.decoder, (source,), 6)
    expected_ids, expected_scores = numpy_greedy(members, [source] * 3, 6, average)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(output["ids"]), expected_ids)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(output["scores"]), expected_scores, atol=1e-4)
    members_alone = [numpy_greedy([member], [source], 6)[0] for member in members]
    assert any(not np.array_equal(alone, expected_ids) for alone in members_alone), "the members must disagree"


def test_beam_search_of_an_ensemble_scores_the_averaged_log_probabilities():
    members = [tiny_models(1, TARGET_SIZE), tiny_models(2, TARGET_SIZE)]
    source = np.array([[5, 6, 7, END_ID], [8, END_ID, 0, 0], [9, 10, END_ID, 0]], "int32")
    ensemble = Ensemble(members)
    output = beam_search_decode(ensemble.encoder, ensemble.decoder, (source,), 6, beam_size=3, n_best=3)
    ids = keras.ops.convert_to_numpy(output["ids"])  # (3 sentences, 3 hypotheses, 6)
    flat_ids = ids.reshape(-1, 6)
    repeated = np.repeat(source, 3, axis=0)
    probabilities = np.stack([member_step(*member, repeated, teacher_forcing_inputs(flat_ids))[0] for member in members])
    log_probs = numpy_average(probabilities, "probability")
    chosen = np.take_along_axis(log_probs, flat_ids[:, :, None], axis=-1)[:, :, 0]
    expected = np.where(flat_ids != PAD_ID, chosen, 0.0).sum(axis=1).reshape(3, 3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(output["log_probs"]), expected, atol=1e-4)


def test_bad_ensembles_are_refused():
    members = [tiny_models(1, TARGET_SIZE), tiny_models(2, TARGET_SIZE)]
    with pytest.raises(ValueError, match=r"at least one \(encoder, decoder\) pair, got none"):
        Ensemble([])
    with pytest.raises(ValueError, match=r"one input index per member \(2\), got 1: \[0\]"):
        Ensemble(members, inputs=[0])
    with pytest.raises(ValueError, match=r"the first member reads input 0 .* got \[1, 0\]"):
        Ensemble(members, inputs=[1, 0])
    with pytest.raises(ValueError, match=r"every input up to the largest is read, got \[0, 2\]"):
        Ensemble(members, inputs=[0, 2])
    with pytest.raises(ValueError, match=r"input indices are integers >= 0, got \[0, -1\]"):
        Ensemble(members, inputs=[0, -1])
    with pytest.raises(ValueError, match=r"`ensemble_average` must be one of \['probability', 'log_probability'\]. Received: ensemble_average='median'"):
        Ensemble(members, average="median")
    ensemble = Ensemble(members, inputs=[0, 1])
    with pytest.raises(ValueError, match="members read 2 source tokenizations, got 1 tensors of source ids"):
        ensemble.encoder((np.ones((1, 3), "int32"),))
