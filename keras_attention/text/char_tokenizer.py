"""`char`: every Unicode character of the normalized text is a token."""

import tensorflow as tf

from keras_attention.text import vocab as vocab_lib
from keras_attention.text.base import Tokenizer


class CharTokenizer(Tokenizer):
    """Character-level tokenizer: every Unicode character of the normalized text is a token.

    Example:

    ```python
    tokenizer = CharTokenizer(vocab.build_vocabulary([list("abc ")]), lowercase=True)
    tokenizer.encode_source(tf.constant(["Cab "]))["ids"]  # [[5, 4, 6, 3]]
    ```
    """

    def _split(self, strings):
        return tf.strings.unicode_split(strings, "UTF-8", errors="replace")

    def _join(self, tokens):
        return tf.strings.reduce_join(tokens, axis=1)

    @classmethod
    def learn_vocabulary(cls, text_config, texts):
        """Counts the characters of the normalized `texts`.

        Returns:
            The special tokens, then the characters seen at least `text_config.min_count` times
            by falling count, at most `text_config.vocabulary_size` tokens in all.
        """
        normalizer = text_normalizer(text_config)  # bound to a name: tf.function methods hold it weakly
        tokens = normalizer.split(tf.constant(list(texts), tf.string)).to_list()
        decoded = ([token.decode("utf-8") for token in row] for row in tokens)
        return vocab_lib.build_vocabulary(
            decoded, min_count=text_config.min_count, max_size=text_config.vocabulary_size
        )


def text_normalizer(text_config):
    """A character tokenizer with only the special tokens: normalizes and splits like `text_config`.

    The subword tokenizers learn their vocabularies from text normalized by it.
    """
    return CharTokenizer(
        list(vocab_lib.SPECIAL_TOKENS),
        normalization=text_config.normalization,
        lowercase=text_config.lowercase,
        collapse_whitespace=text_config.collapse_whitespace,
        split_punctuation=text_config.split_punctuation,
    )
