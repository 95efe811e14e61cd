"""`wordpiece`: words split at spaces, then into WordPiece subwords (`tf_text.FastWordpieceTokenizer`).

The vocabulary of about `TextConfig.vocabulary_size` subwords is learned from the training text
with tensorflow-text's WordPiece learner (`tensorflow_text.tools.wordpiece_vocab`), in a child
process per side (`keras_attention.text.wordpiece_learning`).
"""

import collections

import tensorflow as tf
import tensorflow_text as tf_text

from keras_attention.errors import ConfigError
from keras_attention.text import vocab as vocab_lib
from keras_attention.text.base import Tokenizer
from keras_attention.text.char_tokenizer import text_normalizer
from keras_attention.text.wordpiece_learning import learn_in_parallel

UNUSABLE_CHARACTERS = ("\x00", "\x11")  # control characters a WordPiece vocabulary cannot hold


class WordPieceTokenizer(Tokenizer):
    """WordPiece subword tokenizer (`tf_text.FastWordpieceTokenizer`).

    The normalized text is split into words at spaces (the tokenizer needs `collapse_whitespace`),
    and each word into the longest vocabulary pieces from the left; a piece that continues a word
    is written with the prefix `##` (`"beginning,"` -> `["begin", "##ning", "##,"]`). A word that
    cannot be built from the vocabulary, or is longer than `MAX_BYTES_PER_WORD` UTF-8 bytes,
    becomes one `<unk>` (so does a word with a NUL or U+0011 control character, which a vocabulary
    cannot hold).
    Detokenization joins the pieces of a word and puts one space between
    words, so it gives back the normalized text whenever no piece is `<unk>`; the one exception
    is a word that itself starts with `##`, which reads as a continuation.

    Args:
        vocabulary: list of tokens starting with `vocab.SPECIAL_TOKENS` (see `learn_vocabulary`).
        **kwargs: normalization and length options of `Tokenizer`.

    Example:

    ```python
    config = TextConfig(tokenizer="wordpiece", vocabulary_size=2000)
    tokenizer = tokenizer_from_config(config, learn_vocabulary(config, training_sentences))
    ids = tokenizer.encode_source(tf.constant(["In the beginning"]))["ids"]
    tokenizer.detokenize(ids)  # [b"In the beginning"]
    ```
    """

    SUFFIX_INDICATOR = "##"
    MAX_BYTES_PER_WORD = 200

    def __init__(self, vocabulary, **kwargs):
        super().__init__(vocabulary, **kwargs)
        if not self.collapse_whitespace:
            raise ConfigError("the wordpiece tokenizer splits words at single spaces: it needs collapse_whitespace")
        # A word never holds a space, so with one added FastWordpiece never emits <pad>, <s> or
        # </s> for a word that reads like them; their ids stay where they are.
        unmatchable = {vocab_lib.PAD, vocab_lib.START, vocab_lib.END}
        self._wordpiece = tf_text.FastWordpieceTokenizer(
            vocab=[f" {token}" if token in unmatchable else token for token in self.vocabulary],
            suffix_indicator=self.SUFFIX_INDICATOR,
            max_bytes_per_word=self.MAX_BYTES_PER_WORD,
            token_out_type=tf.string,
            unknown_token=vocab_lib.UNK,
            no_pretokenization=True,
            support_detokenization=True,
        )

    def _split(self, strings):
        words = tf.strings.split(strings, sep=" ")
        return self._wordpiece.tokenize(words).merge_dims(1, 2)

    def _join(self, tokens):
        return self._wordpiece.detokenize(tf.ragged.map_flat_values(self._table.lookup, tokens))

    @classmethod
    def learn_vocabulary(cls, text_config, texts):
        """Learns a WordPiece vocabulary from the words of the normalized `texts`.

        Uses tensorflow-text's WordPiece learner (`wordpiece_tokenizer_learner_lib.learn`, the
        algorithm behind `bert_vocab_from_dataset`) on the same words the tokenizer will see:
        the normalized text split at spaces. (`bert_vocab_from_dataset` itself would first split
        words with BERT's own rules, which differ from ours at punctuation.)

        Returns:
            The special tokens, then every character of the training words (alone and with `##`;
            the `UNUSABLE_CHARACTERS` excepted), then subwords seen at least `text_config.min_count`
            times: at most `text_config.vocabulary_size` tokens, unless the characters alone need
            more.
        """
        return cls.learn_vocabularies([(text_config, texts)])[0]

    @classmethod
    def learn_vocabularies(cls, sides):
        """`learn_vocabulary` for several `(text_config, texts)` at once, each on its own core.

        The learner is pure Python; `wordpiece_learning.learn_in_parallel` runs all but one of
        them in child processes.
        """
        counts = [cls._word_counts(text_config, texts) for text_config, texts in sides]
        jobs = [(words, cls._learner_arguments(text_config)) for words, (text_config, _) in zip(counts, sides) if words]
        learned = iter(learn_in_parallel(jobs))
        return [
            cls._within_size([token for token in next(learned) if cls._usable(token)], text_config.vocabulary_size)
            if words
            else list(vocab_lib.SPECIAL_TOKENS)
            for words, (text_config, _) in zip(counts, sides)
        ]

    @staticmethod
    def _word_counts(text_config, texts):
        """How often each space-separated word of the normalized `texts` occurs."""
        normalizer = text_normalizer(text_config)  # bound to a name: tf.function methods hold it weakly
        normalized = normalizer.normalize(tf.constant(list(texts), tf.string))
        words = tf.strings.split(normalized, sep=" ").flat_values.numpy()
        return collections.Counter(word.decode("utf-8") for word in words if word)

    @classmethod
    def _learner_arguments(cls, text_config):
        return dict(
            vocab_size=text_config.vocabulary_size,
            reserved_tokens=list(vocab_lib.SPECIAL_TOKENS),
            lower_thresh=text_config.min_count,
            joiner=cls.SUFFIX_INDICATOR,
        )

    @classmethod
    def _within_size(cls, learned, vocabulary_size):
        """Drops the learner's last (least frequent) subwords beyond `vocabulary_size`.

        With little training text the learner can overshoot (its count threshold cannot go below
        1). Special tokens and every character, alone and as a continuation, are always kept, so
        every word of the training text can still be spelled out.
        """
        characters = {token for token in learned if len(token) == 1}
        essential = set(vocab_lib.SPECIAL_TOKENS) | characters | {cls.SUFFIX_INDICATOR + c for c in characters}
        others = [token for token in learned if token not in essential]
        kept = essential | set(others[: max(vocabulary_size - len(essential), 0)])
        return [token for token in learned if token in kept]

    @classmethod
    def _usable(cls, token):
        """Whether FastWordpiece can hold `token`: not the bare `##` (an empty continuation), no
        NUL (its trie stores C strings) and no U+0011 control character (its model builder fails
        on a token that starts with one and goes on); words with them become `<unk>`."""
        return token != cls.SUFFIX_INDICATOR and not any(character in token for character in UNUSABLE_CHARACTERS)
