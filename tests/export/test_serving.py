"""The exported SavedModel in a process that can import only TensorFlow and tensorflow-text: the
same translations as the library, for greedy and beam search, and no crash on bad input."""

import numpy as np
import pytest
import tensorflow as tf
from helpers.export_inputs import BAD_INPUTS, INPUTS, MAX_SOURCE_LENGTH, SENTENCES

pytestmark = pytest.mark.requires_tensorflow

ALL, EMPTY_BATCH = 0, 1  # the client's batches


def _row(answers, name, signature="serving_default"):
    """The client's outputs for input `name` (a sentence or a BAD_INPUTS key)."""
    index = SENTENCES.index(name) if name in SENTENCES else len(SENTENCES) + list(BAD_INPUTS).index(name)
    outputs = answers["tf2"][ALL][signature]
    return {key: value[index] for key, value in outputs.items()}


def test_the_client_cannot_import_keras_attention(client_result):
    assert client_result["blocked"].startswith("ModuleNotFoundError")
    assert client_result["modules"] == []


def test_fresh_process_gives_the_library_translations(exported, served):
    answers = served(exported.kind)
    with pytest.warns(UserWarning) as warned:
        expected = exported.translator.translate(INPUTS)
    assert any("1 of 13 inputs were longer" in str(warning.message) for warning in warned)
    for loader in ("tf2", "tf1"):
        outputs = answers[loader][ALL]["serving_default"]
        assert outputs["translations"] == expected.translations, loader
        assert outputs["n_best_translations"] == expected.n_best, loader
        np.testing.assert_allclose(outputs["scores"], expected.scores, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(outputs["n_best_scores"], expected.n_best_scores, rtol=1e-5, atol=1e-5)
    _assert_same_answers(answers["tf1"], answers["tf2"])


def _assert_same_answers(first, second):
    """Strings and integers equal, floats equal within float32 rounding."""
    for batch_first, batch_second in zip(first, second, strict=True):
        for signature, outputs in batch_first.items():
            for key, value in outputs.items():
                other = batch_second[signature][key]
                if key in ("scores", "n_best_scores", "alignments"):
                    np.testing.assert_allclose(np.array(value, float), np.array(other, float), atol=1e-5)
                else:
                    assert value == other, (signature, key)


def test_beam_export_returns_its_n_best_lists(export_of, served):
    outputs = served("beam")["tf2"][ALL]["serving_default"]
    assert all(len(row) == 2 for row in outputs["n_best_translations"])
    assert all(first >= second for first, second in outputs["n_best_scores"])


def test_alignments_signature_matches_the_translator(exported, served):
    """Tokens and alignment matrices against the library's ids and alignments, cut at padding."""
    answers = served(exported.kind)["tf2"][ALL]["alignments"]
    translator = exported.translator
    output = translator.translate_batch(tf.constant(INPUTS))
    probabilities = translator.generation_probabilities(tf.constant(INPUTS), output["ids"])
    probabilities = None if probabilities is None else probabilities.numpy()
    source_vocabulary = translator.source_tokenizer.vocabulary
    target_vocabulary = translator.target_tokenizer.vocabulary
    for index, text in enumerate(INPUTS):
        source_ids = [i for i in output["source_ids"][index].numpy() if i != 0]
        output_ids = [i for i in output["ids"][index].numpy() if i != 0] if text.strip() else []
        source_count, output_count = len(source_ids), len(output_ids)
        assert answers["source_token_counts"][index] == source_count
        assert answers["output_token_counts"][index] == output_count
        assert answers["source_tokens"][index][:source_count] == [source_vocabulary[i] for i in source_ids]
        assert answers["output_tokens"][index][:output_count] == [target_vocabulary[i] for i in output_ids]
        assert set(answers["source_tokens"][index][source_count:]) <= {""}
        matrix = np.array(answers["alignments"][index])
        expected = output["alignments"][index].numpy()[:output_count, :source_count]
        np.testing.assert_allclose(matrix[:output_count, :source_count], expected, atol=1e-6)
        assert not matrix[output_count:].any() and not matrix[:, source_count:].any()
        if output_count:
            np.testing.assert_allclose(matrix[:output_count, :source_count].sum(axis=1), 1.0, atol=1e-5)
        if probabilities is not None:
            exported_probabilities = np.array(answers["generation_probabilities"][index])
            np.testing.assert_allclose(exported_probabilities[:output_count], probabilities[index, :output_count], atol=1e-6)
            assert not exported_probabilities[output_count:].any()
            assert np.all((exported_probabilities[:output_count] > 0) & (exported_probabilities[:output_count] < 1))
    assert ("generation_probabilities" in answers) == (exported.kind == "copy")
    assert answers["translations"] == [text.decode() for text in output["translations"].numpy()]


@pytest.mark.parametrize("name", ["empty", "whitespace only"])
def test_empty_input_gives_an_empty_translation(exported, served, name):
    answers = served(exported.kind)
    row = _row(answers, name)
    assert (row["translations"], row["scores"], row["source_lengths"], row["truncated"]) == ("", 0.0, 0, False)
    alignments = _row(answers, name, "alignments")
    assert (alignments["source_token_counts"], alignments["output_token_counts"]) == (1, 0)
    assert alignments["source_tokens"][0] == "</s>"


def test_long_input_is_truncated_and_reported(exported, served):
    answers = served(exported.kind)
    row = _row(answers, "10,000 characters")
    assert row["truncated"] is True and row["source_lengths"] > MAX_SOURCE_LENGTH
    assert _row(answers, "10,000 characters", "alignments")["source_token_counts"] == MAX_SOURCE_LENGTH + 1
    assert [_row(answers, name)["truncated"] for name in SENTENCES] == [False] * len(SENTENCES)


def test_invalid_utf8_reads_as_replacement_characters(exported, served):
    answers = served(exported.kind)
    tokens = _row(answers, "invalid UTF-8", "alignments")["source_tokens"]
    replaced = BAD_INPUTS["invalid UTF-8"].decode("utf-8", errors="replace")  # bad bytes -> U+FFFD
    tokenizer = exported.translator.source_tokenizer
    ids = tokenizer.encode_source(tf.constant([replaced]))["ids"].numpy()[0]
    assert [token for token in tokens if token] == [tokenizer.vocabulary[i] for i in ids if i != 0]
    assert "<unk>" in tokens and _row(answers, "invalid UTF-8")["unknown_tokens"] >= 1  # U+FFFD: no token


def test_out_of_vocabulary_scripts_become_unknown_tokens(exported, served):
    """Counted in each distinct source tokenization (one, but for the ensemble)."""
    answers = served(exported.kind)
    row = _row(answers, "emoji and other scripts")
    assert row["unknown_tokens"] >= 3 and not row["truncated"]
    text = tf.constant([BAD_INPUTS["emoji and other scripts"]])
    counts = [int(tokenizer.encode_source(text)["unknown"][0]) for tokenizer in exported.translator.source_tokenizers]
    assert _row(answers, "emoji and other scripts", "alignments")["source_tokens"].count("<unk>") == counts[0]
    assert row["unknown_tokens"] == sum(counts) and len(counts) == (2 if exported.kind == "ensemble" else 1)
    assert all(_row(answers, name)["unknown_tokens"] == 0 for name in SENTENCES)


def test_empty_batch_gives_empty_outputs(exported, served):
    answers = served(exported.kind)
    for loader in ("tf2", "tf1"):
        result = answers[loader][EMPTY_BATCH]
        assert all(value == [] for value in result["serving_default"].values()), loader
        assert all(value == [] for value in result["alignments"].values()), loader
