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


# Normalization options, subword tokenization and round trips on generated Unicode text.

NORMALIZATION_OPTIONS = st.fixed_dictionaries(
    {
        "normalization": st.sampled_from(["NFKC", "NFKD", "NFC", "NFD", "none"]),
        "lowercase": st.booleans(),
        "split_punctuation": st.booleans(),
    }
)


def round_trip(config, texts):
    """detokenize(tokenize(texts)) and normalize(texts) for a tokenizer learned on `texts`."""
    tokenizer = tokenizer_from_config(config, learn_vocabulary(config, texts))
    strings = tf.constant(texts, tf.string)
    ids = tokenizer.tokenize(strings)
    assert not np.any(ids.flat_values.numpy() < len(vocab.SPECIAL_TOKENS)), "no <unk> or special ids"
    return as_text(tokenizer.detokenize(ids.to_tensor())), as_text(tokenizer.normalize(strings))


@hypothesis.settings(max_examples=15, deadline=None)
@hypothesis.given(st.lists(st.text(max_size=30), min_size=1, max_size=5), NORMALIZATION_OPTIONS)
def test_char_round_trip_on_generated_unicode(texts, options):
    decoded, normalized = round_trip(TextConfig(tokenizer="char", **options), texts)
    assert decoded == normalized


# Left out, as documented: "#" (a word that starts with "##" reads as a continuation) and the two
# control characters a WordPiece vocabulary cannot hold.
WORDPIECE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="#\x00\x11"), max_size=30)


@hypothesis.settings(max_examples=15, deadline=None)
@hypothesis.given(st.lists(WORDPIECE_TEXT, min_size=1, max_size=5), NORMALIZATION_OPTIONS)
def test_wordpiece_round_trip_on_generated_unicode(texts, options):
    config = TextConfig(tokenizer="wordpiece", vocabulary_size=50, **options)
    # The learner ignores words over 50 characters (its max_token_length); keep to shorter words.
    normalizer = make_tokenizer(**options)
    words = " ".join(as_text(normalizer.normalize(tf.constant(texts)))).split(" ")
    hypothesis.assume(all(len(word) <= 50 for word in words))
    decoded, normalized = round_trip(config, texts)
    assert decoded == normalized


CORPUS = [
    "In the beginning, God created the heavens and the earth.",
    "The earth was formless and empty.",
    "God said, “Let there be light,” and there was light.",
    "God saw the light, and saw that it was good.",
] * 5


def test_wordpiece_learns_subwords_after_the_special_tokens(tmp_path):
    config = TextConfig(tokenizer="wordpiece", vocabulary_size=120)
    tokens = learn_vocabulary(config, CORPUS)
    assert tokens[:4] == list(vocab.SPECIAL_TOKENS) and len(set(tokens)) == len(tokens) <= 120
    characters = set("".join(CORPUS).replace(" ", ""))
    assert characters | {"##" + character for character in characters} | {"God", "the"} <= set(tokens)
    vocab.write_vocabulary(tokens, tmp_path / "v.txt")
    tokenizer = tokenizer_from_config(config, vocab.read_vocabulary(tmp_path / "v.txt"))
    pieces = [token.decode() for token in tokenizer.split(tf.constant(["God saw the lights,"])).to_list()[0]]
    assert pieces[:3] == ["God", "saw", "the"] and len(pieces) > 4
    assert pieces[3] in tokens and all(piece.startswith("##") for piece in pieces[4:])
    assert "".join(piece.removeprefix("##") for piece in pieces[3:]) == "lights,"
    ids = tokenizer.encode_source(tf.constant(["God saw the lights,"]))["ids"]
    assert as_text(tokenizer.detokenize(ids)) == ["God saw the lights,"]


def test_wordpiece_unknown_words_and_words_that_read_like_special_tokens():
    config = TextConfig(tokenizer="wordpiece", vocabulary_size=120)
    tokenizer = tokenizer_from_config(config, learn_vocabulary(config, CORPUS + ["<s>x </s>x <pad>x \x11God"]))
    encoded = tokenizer.encode_source(tf.constant(["God </s> made <pad> zebras <s> go\x00d \x11God"]))
    ids = encoded["ids"].numpy()[0]
    assert list(ids).count(vocab.END_ID) == 1 and vocab.START_ID not in ids and vocab.PAD_ID not in ids
    assert int(encoded["unknown"][0]) == 3  # "zebras" (no "z" in the training text), "go\x00d", "\x11God"
    assert as_text(tokenizer.detokenize(encoded["ids"])) == ["God </s> made <pad> <unk> <s> <unk> <unk>"]


def test_wordpiece_needs_collapsed_whitespace():
    with pytest.raises(ValueError, match="source.collapse_whitespace: must be true for tokenizer 'wordpiece'"):
        TextConfig(tokenizer="wordpiece", collapse_whitespace=False).validate("source")


def test_punctuation_split_and_case_folding():
    tokenizer = make_tokenizer(lowercase=True, split_punctuation=True, normalization="NFKC")
    assert as_text(tokenizer.normalize(tf.constant(["¿Qué? «Sí», dijo.", "ＡＢ!c"]))) == ["¿ qué ? « sí » , dijo .", "ab ! c"]


def test_nfkd_decomposes():
    tokenizer = make_tokenizer(normalization="NFKD")
    assert as_text(tokenizer.normalize(tf.constant(["é"]))) == ["e\u0301"]


def test_char_vocabulary_size_keeps_the_most_frequent():
    tokens = learn_vocabulary(TextConfig(vocabulary_size=6), ["aaab", "ab", "c"])
    assert tokens == ["<pad>", "<unk>", "<s>", "</s>", "a", "b"]


def test_wordpiece_tokenizer_survives_a_saved_model(tmp_path):
    config = TextConfig(tokenizer="wordpiece", vocabulary_size=120, lowercase=True)
    tokenizer = tokenizer_from_config(config, learn_vocabulary(config, CORPUS))
    tf.saved_model.save(tokenizer, str(tmp_path / "tokenizer"))
    restored = tf.saved_model.load(str(tmp_path / "tokenizer"))
    strings = tf.constant(["God SAW the earth.", "and light"])
    np.testing.assert_array_equal(restored.encode_source(strings)["ids"], tokenizer.encode_source(strings)["ids"])
    assert as_text(restored.detokenize(restored.encode_source(strings)["ids"])) == ["god saw the earth.", "and light"]


def test_wordpiece_vocabulary_size_is_a_limit_that_keeps_every_character():
    texts = [" ".join(f"w{index}x{index * 7}" for index in range(start, start + 20)) for start in range(0, 400, 20)]
    config = TextConfig(tokenizer="wordpiece", vocabulary_size=40)
    tokens = learn_vocabulary(config, texts)
    characters = set("".join(texts).replace(" ", ""))
    assert len(tokens) == 40 and characters | {"##" + character for character in characters} <= set(tokens)
    tokenizer = tokenizer_from_config(config, tokens)
    assert as_text(tokenizer.detokenize(tokenizer.tokenize(tf.constant(texts[:2])).to_tensor())) == texts[:2]
