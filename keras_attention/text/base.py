"""The base class of the tokenizers: normalization, vocabulary lookup, framing and detokenization.

Every vocabulary starts with the four special tokens of `keras_attention.special_tokens` at ids 0-3.
"""

import tensorflow as tf

from keras_attention.errors import ConfigError
from keras_attention.text import vocab as vocab_lib
from keras_attention.text.normalize import normalize

STRINGS = tf.TensorSpec([None], tf.string)
IDS = tf.TensorSpec([None, None], tf.int32)


class Tokenizer(tf.Module):
    """Base class: normalization, vocabulary lookup, framing and detokenization.

    Subclasses define `_split` (normalized strings -> ragged tokens), `_join` (ragged tokens ->
    strings) and the class method `learn_vocabulary` (training texts -> vocabulary); they may
    define `_tokenize` (normalized strings -> ragged ids) when their tokenizer gives ids directly.

    Args:
        vocabulary: list of tokens starting with `vocab.SPECIAL_TOKENS`.
        normalization: Unicode form or `none` (see `normalize`).
        lowercase: case-fold the text.
        collapse_whitespace: strip and collapse whitespace.
        max_length: maximum number of tokens kept by `encode_*` (special tokens excluded).
        split_punctuation: put spaces around punctuation characters (see `normalize`).

    Attributes:
        model: what the tokenizer needs besides its vocabulary, saved with a run and exported as
            a SavedModel asset: the serialized SentencePiece model (bytes), or `None`.
    """

    model = None

    def __init__(
        self,
        vocabulary,
        normalization="NFKC",
        lowercase=False,
        collapse_whitespace=True,
        max_length=128,
        split_punctuation=False,
        name=None,
    ):
        super().__init__(name=name)
        vocabulary = list(vocabulary)
        if tuple(vocabulary[: len(vocab_lib.SPECIAL_TOKENS)]) != vocab_lib.SPECIAL_TOKENS:
            raise ConfigError(
                f"a vocabulary must start with {list(vocab_lib.SPECIAL_TOKENS)}, got {vocabulary[:4]}"
            )
        self.vocabulary = vocabulary
        self.normalization = normalization
        self.lowercase = lowercase
        self.collapse_whitespace = collapse_whitespace
        self.max_length = max_length
        self.split_punctuation = split_punctuation
        self._id_to_token = tf.constant(vocabulary)
        self._table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(vocabulary), tf.range(len(vocabulary), dtype=tf.int64)
            ),
            default_value=vocab_lib.UNK_ID,
        )

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def differences(self, other, ignore=()):
        """How `other` tokenizes differently from this tokenizer.

        Args:
            other: a `Tokenizer`.
            ignore: names of settings to leave out (such as `max_length`, which detokenizing
                does not read).

        Returns:
            list of strings, one per difference (kind, vocabulary size, the first differing
            token, a setting, the SentencePiece model); empty if they tokenize alike.
        """
        if type(self) is not type(other):
            return [f"tokenizer {type(other).__name__} instead of {type(self).__name__}"]
        found = []
        if self.vocabulary_size != other.vocabulary_size:
            found.append(f"{other.vocabulary_size:,} tokens instead of {self.vocabulary_size:,}")
        for index, (token, other_token) in enumerate(zip(self.vocabulary, other.vocabulary)):
            if token != other_token:
                found.append(f"token {index} is {other_token!r} instead of {token!r}")
                break
        for name in ("normalization", "lowercase", "collapse_whitespace", "max_length", "split_punctuation"):
            if name not in ignore and getattr(self, name) != getattr(other, name):
                found.append(f"{name} {getattr(other, name)!r} instead of {getattr(self, name)!r}")
        if self.model != other.model:
            found.append("another SentencePiece model")
        return found

    def _split(self, strings):
        raise NotImplementedError

    def _join(self, tokens):
        raise NotImplementedError

    def _tokenize(self, normalized):
        return tf.cast(tf.ragged.map_flat_values(self._table.lookup, self._split(normalized)), tf.int32)

    @classmethod
    def learn_vocabulary(cls, text_config, texts):
        """Learns a vocabulary from training `texts` (list of strings) as `text_config` says."""
        raise NotImplementedError

    @tf.function(input_signature=[STRINGS], autograph=False)
    def normalize(self, strings):
        """Normalizes strings `(batch,)` as configured."""
        return normalize(
            strings, self.normalization, self.lowercase, self.collapse_whitespace, self.split_punctuation
        )

    @tf.function(input_signature=[STRINGS], autograph=False)
    def split(self, strings):
        """Returns the tokens of each normalized string, a ragged `(batch, None)` string tensor."""
        return self._split(self.normalize(strings))

    @tf.function(input_signature=[STRINGS], autograph=False)
    def tokenize(self, strings):
        """Returns untruncated token ids, a ragged `(batch, None)` int32 tensor."""
        return self._tokenize(self.normalize(strings))

    @tf.function(input_signature=[STRINGS], autograph=False)
    def encode_source(self, strings):
        """Frames source text for the encoder.

        Returns:
            dict with `ids` `(batch, T)` int32 (text truncated to `max_length`, then `</s>`,
            padded with `<pad>`), `lengths` `(batch,)` untruncated token counts, and
            `unknown` `(batch,)` the number of tokens mapped to `<unk>`.
        """
        ids = self.tokenize(strings)
        end = tf.fill([ids.nrows(), 1], vocab_lib.END_ID)
        framed = tf.concat([ids[:, : self.max_length], end], axis=1)
        return {
            "ids": framed.to_tensor(vocab_lib.PAD_ID),
            "lengths": tf.cast(ids.row_lengths(), tf.int32),
            "unknown": tf.reduce_sum(tf.cast(tf.equal(ids, vocab_lib.UNK_ID), tf.int32), axis=1),
        }

    @tf.function(input_signature=[STRINGS], autograph=False)
    def encode_target(self, strings):
        """Frames target text for teacher forcing.

        Returns:
            dict with `inputs` (`<s>` + text) and `outputs` (text + `</s>`), both `(batch, T)`
            int32 padded with `<pad>` (text truncated to `max_length`), and `lengths` `(batch,)`
            untruncated token counts.
        """
        ids = self.tokenize(strings)
        ids_kept = ids[:, : self.max_length]
        start = tf.fill([ids.nrows(), 1], vocab_lib.START_ID)
        end = tf.fill([ids.nrows(), 1], vocab_lib.END_ID)
        return {
            "inputs": tf.concat([start, ids_kept], axis=1).to_tensor(vocab_lib.PAD_ID),
            "outputs": tf.concat([ids_kept, end], axis=1).to_tensor(vocab_lib.PAD_ID),
            "lengths": tf.cast(ids.row_lengths(), tf.int32),
        }

    @tf.function(input_signature=[IDS], autograph=False)
    def id_to_tokens(self, ids):
        """Returns the tokens of `(batch, T)` ids up to the first `</s>`, specials other than
        `<unk>` removed, as a ragged `(batch, None)` string tensor."""
        before_end = tf.equal(
            tf.cumsum(tf.cast(tf.equal(ids, vocab_lib.END_ID), tf.int32), axis=1, exclusive=True), 0
        )
        keep = before_end & ((ids >= len(vocab_lib.SPECIAL_TOKENS)) | tf.equal(ids, vocab_lib.UNK_ID))
        return tf.ragged.boolean_mask(tf.gather(self._id_to_token, ids), keep)

    @tf.function(input_signature=[IDS], autograph=False)
    def detokenize(self, ids):
        """Turns `(batch, T)` ids back into strings `(batch,)` (see `id_to_tokens`)."""
        return self._join(self.id_to_tokens(ids))
