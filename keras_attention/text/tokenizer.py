"""Tokenizers: tf.Modules that turn strings into id sequences and back, inside a TensorFlow graph.

A tokenizer normalizes, splits and looks tokens up in its vocabulary with TensorFlow ops only, so
the same object runs in `tf.data` pipelines, in eager code and inside an exported SavedModel.

Three kinds (`TextConfig.tokenizer`):

- `char` (`CharTokenizer`): every Unicode character of the normalized text is a token.
- `wordpiece` (`WordPieceTokenizer`): the normalized text is split into words at spaces and each
  word into WordPiece subwords (`tf_text.FastWordpieceTokenizer`); a vocabulary of about
  `TextConfig.vocabulary_size` subwords is learned from the training text with tensorflow-text's
  WordPiece learner (`tensorflow_text.tools.wordpiece_vocab`).
- `sentencepiece` (`SentencePieceTokenizer`): the normalized text is cut into the pieces of a
  SentencePiece model (`TextConfig.subword_model`: unigram or BPE) of about
  `TextConfig.vocabulary_size` pieces, learned from the training text with the `sentencepiece`
  package and applied with `tf_text.SentencepieceTokenizer`.

Every vocabulary starts with the four special tokens of `keras_attention.text.vocab` at ids 0-3.
Each kind is a module of this package (`char_tokenizer`, `wordpiece_tokenizer`,
`sentencepiece_tokenizer`), registered in `keras_attention.options.text.TOKENIZERS`; this module
builds and learns the tokenizer that a `TextConfig` names.
"""

import collections

from keras_attention.errors import ConfigError
from keras_attention.options import registry
from keras_attention.options.text import TOKENIZERS


def tokenizer_class(kind):
    """The `Tokenizer` subclass of tokenizer kind `kind` (`TextConfig.tokenizer`)."""
    return registry.load(TOKENIZERS, kind)


def tokenizer_from_config(text_config, vocabulary):
    """Builds the tokenizer that a `TextConfig` describes.

    Args:
        text_config: `TextConfig` of the side.
        vocabulary: what `learn_vocabulary` returns: a list of tokens (`char`, `wordpiece`) or a
            serialized SentencePiece model, bytes (`sentencepiece`).

    Returns:
        A `Tokenizer`.
    """
    return tokenizer_class(text_config.tokenizer)(
        vocabulary,
        normalization=text_config.normalization,
        lowercase=text_config.lowercase,
        collapse_whitespace=text_config.collapse_whitespace,
        max_length=text_config.max_length,
        split_punctuation=text_config.split_punctuation,
    )


def learn_vocabulary(text_config, texts, side=None):
    """Learns the vocabulary of one side from training texts, with that side's normalization.

    Args:
        text_config: `TextConfig` of the side (tokenizer kind, normalization, vocabulary size).
        texts: list of training strings.
        side: `"source"` or `"target"`, the config section that errors name
            (`source.vocabulary_size`); `None` names the bare key.

    Returns:
        `char`, `wordpiece`: list of tokens, the special tokens first (write it with
        `vocab.write_vocabulary`). `sentencepiece`: the serialized SentencePiece model, bytes
        (its pieces start with the special tokens; `Tokenizer.model` of the tokenizer).
        `tokenizer_from_config` takes either.

    Raises:
        ConfigError, DataError: the vocabulary cannot be learned as `text_config` says, or from
            `texts` (see the tokenizer class's `learn_vocabulary`).
    """
    try:
        return tokenizer_class(text_config.tokenizer).learn_vocabulary(text_config, list(texts))
    except ConfigError as error:
        if side is None:
            raise
        raise ConfigError(f"{side}.{error}") from None



def learn_vocabularies(sides):
    """Learns the vocabularies of several sides, as `learn_vocabulary` learns one.

    Tokenizer classes with a `learn_vocabularies` class method (`WordPieceTokenizer`, whose
    learner is pure Python) learn all their sides at the same time, each on its own core; the
    other sides learn one after the other (SentencePiece's trainer uses every core itself).

    Args:
        sides: list of `(text_config, texts, side)`, the arguments of `learn_vocabulary`.

    Returns:
        The vocabularies, in the order of `sides`.
    """
    together = collections.defaultdict(list)
    for index, (text_config, _, _) in enumerate(sides):
        kind = tokenizer_class(text_config.tokenizer)
        if hasattr(kind, "learn_vocabularies"):
            together[kind].append(index)
    vocabularies = {}
    for kind, indices in together.items():
        learned = kind.learn_vocabularies([(sides[index][0], list(sides[index][1])) for index in indices])
        vocabularies.update(zip(indices, learned))
    return [vocabularies[index] if index in vocabularies else learn_vocabulary(*side) for index, side in enumerate(sides)]
