"""Vocabulary files and the in-graph character tokenizer."""

import string

import hypothesis
import hypothesis.strategies as st
import numpy as np
import pytest
import tensorflow as tf

from keras_attention.config import TextConfig
from keras_attention.errors import DataError
from keras_attention.text import vocab
from keras_attention.text.tokenizer import CharTokenizer, learn_vocabulary, tokenizer_from_config

ALPHABET = string.ascii_lowercase + string.digits + " -,."


def make_tokenizer(**kwargs):
    return CharTokenizer(vocab.build_vocabulary([list(ALPHABET)]), **kwargs)


def as_text(tensor):
    return [value.decode("utf-8") for value in tensor.numpy()]


def test_special_tokens_are_fixed():
    assert vocab.SPECIAL_TOKENS == ("<pad>", "<unk>", "<s>", "</s>")
    assert (vocab.PAD_ID, vocab.UNK_ID, vocab.START_ID, vocab.END_ID) == (0, 1, 2, 3)


def test_build_vocabulary_orders_by_count_and_applies_min_count():
    tokens = vocab.build_vocabulary([["b", "a", "b"], ["c", "b", "a"], ["d"]], min_count=2)
    assert tokens == ["<pad>", "<unk>", "<s>", "</s>", "b", "a"]


def test_vocabulary_file_round_trip_with_whitespace_tokens(tmp_path):
    tokens = list(vocab.SPECIAL_TOKENS) + [" ", "\t", "\\", "\\s", "é", "日"]
    vocab.write_vocabulary(tokens, tmp_path / "v.txt")
    assert vocab.read_vocabulary(tmp_path / "v.txt") == tokens


def test_vocabulary_file_without_special_tokens(tmp_path):
    (tmp_path / "v.txt").write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"v.txt: a vocabulary must start with \['<pad>'"):
        vocab.read_vocabulary(tmp_path / "v.txt")


def test_vocabulary_file_with_repeated_token(tmp_path):
    (tmp_path / "v.txt").write_text("<pad>\n<unk>\n<s>\n</s>\na\nb\na\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"v.txt, line 7: token 'a' repeats line 5"):
        vocab.read_vocabulary(tmp_path / "v.txt")


def test_tokenizer_rejects_vocabulary_without_specials():
    with pytest.raises(ValueError, match=r"must start with .* got \['a', 'b'\]"):
        CharTokenizer(["a", "b"])


def test_normalization_steps():
    tokenizer = make_tokenizer(lowercase=True)
    text = as_text(tokenizer.normalize(tf.constant(["  ＡBC\t\n d ", "ﬁ", "Straße"])))
    assert text == ["abc d", "fi", "strasse"]


def test_invalid_utf8_becomes_replacement_character():
    tokenizer = make_tokenizer()
    assert as_text(tokenizer.normalize(tf.constant([b"a\xffb"]))) == ["a\ufffdb"]


def test_encode_source_frames_truncates_and_counts():
    tokenizer = make_tokenizer(max_length=4)
    encoded = tokenizer.encode_source(tf.constant(["ab", "", "abcdef", "a!?"]))
    a, b, c = (tokenizer.vocabulary.index(ch) for ch in "abc")
    d = tokenizer.vocabulary.index("d")
    np.testing.assert_array_equal(
        encoded["ids"].numpy(),
        [[a, b, 3, 0, 0], [3, 0, 0, 0, 0], [a, b, c, d, 3], [a, 1, 1, 3, 0]],
    )
    np.testing.assert_array_equal(encoded["lengths"].numpy(), [2, 0, 6, 3])
    np.testing.assert_array_equal(encoded["unknown"].numpy(), [0, 0, 0, 2])


def test_encode_target_shifts_by_one():
    tokenizer = make_tokenizer(max_length=3)
    encoded = tokenizer.encode_target(tf.constant(["ab", "abcd"]))
    a, b, c = (tokenizer.vocabulary.index(ch) for ch in "abc")
    np.testing.assert_array_equal(encoded["inputs"].numpy(), [[2, a, b, 0], [2, a, b, c]])
    np.testing.assert_array_equal(encoded["outputs"].numpy(), [[a, b, 3, 0], [a, b, c, 3]])
    np.testing.assert_array_equal(encoded["lengths"].numpy(), [2, 4])


def test_detokenize_stops_at_end_and_drops_specials():
    tokenizer = make_tokenizer()
    a, b = tokenizer.vocabulary.index("a"), tokenizer.vocabulary.index("b")
    ids = tf.constant([[a, 2, b, 3, a, a], [a, 1, b, 0, 0, 0], [3, a, 0, 0, 0, 0]], tf.int32)
    assert as_text(tokenizer.detokenize(ids)) == ["ab", "a<unk>b", ""]


@hypothesis.settings(max_examples=25, deadline=None)
@hypothesis.given(st.lists(st.text(alphabet=ALPHABET + " \t\n", max_size=40), min_size=1, max_size=8))
def test_detokenize_inverts_encode_up_to_normalization(texts):
    tokenizer = make_tokenizer(max_length=64)
    strings = tf.constant(texts, tf.string)
    decoded = tokenizer.detokenize(tokenizer.encode_source(strings)["ids"])
    assert as_text(decoded) == as_text(tokenizer.normalize(strings))


def test_learn_vocabulary_uses_the_side_normalization():
    config = TextConfig(lowercase=True)
    tokens = learn_vocabulary(config, ["AbA", "b  c"])
    assert tokens == ["<pad>", "<unk>", "<s>", "</s>", "a", "b", " ", "c"]
    tokenizer = tokenizer_from_config(config, tokens)
    assert tokenizer.max_length == config.max_length and tokenizer.lowercase


def test_tokenizer_runs_inside_tf_data():
    tokenizer = make_tokenizer()
    dataset = tf.data.Dataset.from_tensor_slices(["ab", "c"]).batch(2).map(lambda s: tokenizer.encode_source(s)["ids"])
    assert next(iter(dataset)).shape == (2, 3)
