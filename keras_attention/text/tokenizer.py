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
"""

import collections
import hashlib
import io
import os
import re

import sentencepiece
import tensorflow as tf
import tensorflow_text as tf_text
from tensorflow_text.python.ops.sentencepiece_tokenizer import gen_sentencepiece_tokenizer

from keras_attention.errors import ConfigError, DataError
from keras_attention.text import vocab as vocab_lib
from keras_attention.text.normalize import normalize
from keras_attention.text.wordpiece_learning import learn_in_parallel

_STRINGS = tf.TensorSpec([None], tf.string)
UNUSABLE_CHARACTERS = ("\x00", "\x11")  # control characters a WordPiece vocabulary cannot hold
_IDS = tf.TensorSpec([None, None], tf.int32)


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

    @tf.function(input_signature=[_STRINGS])
    def normalize(self, strings):
        """Normalizes strings `(batch,)` as configured."""
        return normalize(
            strings, self.normalization, self.lowercase, self.collapse_whitespace, self.split_punctuation
        )

    @tf.function(input_signature=[_STRINGS])
    def split(self, strings):
        """Returns the tokens of each normalized string, a ragged `(batch, None)` string tensor."""
        return self._split(self.normalize(strings))

    @tf.function(input_signature=[_STRINGS])
    def tokenize(self, strings):
        """Returns untruncated token ids, a ragged `(batch, None)` int32 tensor."""
        return self._tokenize(self.normalize(strings))

    @tf.function(input_signature=[_STRINGS])
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

    @tf.function(input_signature=[_STRINGS])
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

    @tf.function(input_signature=[_IDS])
    def id_to_tokens(self, ids):
        """Returns the tokens of `(batch, T)` ids up to the first `</s>`, specials other than
        `<unk>` removed, as a ragged `(batch, None)` string tensor."""
        before_end = tf.equal(
            tf.cumsum(tf.cast(tf.equal(ids, vocab_lib.END_ID), tf.int32), axis=1, exclusive=True), 0
        )
        keep = before_end & ((ids >= len(vocab_lib.SPECIAL_TOKENS)) | tf.equal(ids, vocab_lib.UNK_ID))
        return tf.ragged.boolean_mask(tf.gather(self._id_to_token, ids), keep)

    @tf.function(input_signature=[_IDS])
    def detokenize(self, ids):
        """Turns `(batch, T)` ids back into strings `(batch,)` (see `id_to_tokens`)."""
        return self._join(self.id_to_tokens(ids))


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
        normalizer = _normalizer(text_config)  # bound to a name: tf.function methods hold it weakly
        tokens = normalizer.split(tf.constant(list(texts), tf.string)).to_list()
        decoded = ([token.decode("utf-8") for token in row] for row in tokens)
        return vocab_lib.build_vocabulary(
            decoded, min_count=text_config.min_count, max_size=text_config.vocabulary_size
        )


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
        normalizer = _normalizer(text_config)  # bound to a name: tf.function methods hold it weakly
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


class SentencePieceTokenizer(Tokenizer):
    """SentencePiece subword tokenizer (`tf_text.SentencepieceTokenizer`), unigram or BPE.

    The normalized text is cut into the pieces of a SentencePiece model; a space belongs to the
    piece that follows it, written `▁` (`"In the beginning"` -> `["▁In", "▁the", "▁begin",
    "ning"]`). The model applies no normalization of its own: the text is normalized as configured
    first, as for every tokenizer. The vocabulary is the model's pieces in id order. A run of
    characters absent from the training text becomes one `<unk>`; text that reads like `<pad>`,
    `<s>` or `</s>` never gives their ids. Detokenization gives back the normalized text whenever
    no piece is `<unk>` (written `<unk>`). The exceptions: the character `▁` (U+2581) reads as a
    space, and NUL, U+001F and U+2585, which SentencePiece reserves for itself, become `<unk>`.

    Args:
        model: serialized SentencePiece model, bytes (see `learn_vocabulary`).
        **kwargs: normalization and length options of `Tokenizer`.

    Example:

    ```python
    config = TextConfig(tokenizer="sentencepiece", subword_model="bpe", vocabulary_size=2000)
    tokenizer = tokenizer_from_config(config, learn_vocabulary(config, training_sentences))
    ids = tokenizer.encode_source(tf.constant(["In the beginning"]))["ids"]
    tokenizer.detokenize(ids)  # [b"In the beginning"]
    ```
    """

    def __init__(self, model, **kwargs):
        super().__init__(vocab_lib.sentencepiece_vocabulary(model), **kwargs)
        self.model = model
        self._sentencepiece = tf_text.SentencepieceTokenizer(model=model, out_type=tf.int32)
        self._sentencepiece._model_resource = _SharedSentencepieceModel(model)  # instead of tf-text's own

    def _tokenize(self, normalized):
        return self._sentencepiece.tokenize(normalized)

    def _split(self, normalized):
        return tf.gather(self._id_to_token, self._tokenize(normalized))

    def _join(self, tokens):
        return self._sentencepiece.detokenize(tf.cast(tf.ragged.map_flat_values(self._table.lookup, tokens), tf.int32))

    @classmethod
    def learn_vocabulary(cls, text_config, texts):
        """Learns a SentencePiece model of type `text_config.subword_model` from the normalized `texts`.

        Uses `sentencepiece.SentencePieceTrainer` in memory (no file is written), on every CPU
        core, with every character of the texts (`character_coverage=1.0`), every text however
        long, no normalization of its own and the special tokens at their ids. The same texts
        give the same model. With `text_config.collapse_whitespace`, the model puts a space
        before each text, so that its first word gets the same pieces as the others; without it,
        a text may start with spaces, and the model adds none (tf-text's decoder would drop the
        text's own leading spaces with it), and each line end (`\\n`, `\\r`) of the texts is a
        piece of its own (the trainer strips them from the end of a text, so they could be missed).

        Returns:
            The serialized model (bytes): `text_config.vocabulary_size` pieces, or fewer if the
            texts do not have that many.

        Raises:
            DataError: if the texts are all empty after normalization.
            ConfigError: if `vocabulary_size` cannot hold every character of the texts and the
                special tokens; the message says the smallest size that can.
        """
        normalizer = _normalizer(text_config)  # bound to a name: tf.function methods hold it weakly
        normalized = [text for text in normalizer.normalize(tf.constant(list(texts), tf.string)).numpy() if text]
        # The trainer drops a text's trailing line ends, so a text that is only line ends teaches
        # it nothing, and a line end seen only there would never become a piece: it gets one.
        if not any(text.rstrip(b"\r\n") for text in normalized):
            raise DataError("cannot learn a SentencePiece model: the training text is empty after normalization")
        line_ends = [end for end in ("\n", "\r") if any(end.encode() in text for text in normalized)]
        longest = max(len(text) for text in normalized)
        model = io.BytesIO()
        try:
            sentencepiece.SentencePieceTrainer.train(
                sentence_iterator=iter(normalized),
                model_writer=model,
                model_type=text_config.subword_model,
                vocab_size=text_config.vocabulary_size,
                hard_vocab_limit=False,
                character_coverage=1.0,
                max_sentence_length=max(longest, 4192),  # sentencepiece's default, or enough for every text
                normalization_rule_name="identity",
                remove_extra_whitespaces=False,
                add_dummy_prefix=text_config.collapse_whitespace,
                pad_id=vocab_lib.PAD_ID,
                unk_id=vocab_lib.UNK_ID,
                bos_id=vocab_lib.START_ID,
                eos_id=vocab_lib.END_ID,
                pad_piece=vocab_lib.PAD,
                unk_piece=vocab_lib.UNK,
                bos_piece=vocab_lib.START,
                eos_piece=vocab_lib.END,
                unk_surface=vocab_lib.UNK,
                user_defined_symbols=line_ends,
                num_threads=os.cpu_count(),
                minloglevel=1,
            )
        except RuntimeError as error:
            smallest = re.search(r"smaller than required_chars\. \d+ vs (\d+)", str(error))
            if smallest is None:
                raise
            raise ConfigError(
                f"vocabulary_size: {text_config.vocabulary_size} cannot hold the special tokens and every "
                f"character of the training text; the smallest size for tokenizer 'sentencepiece' is "
                f"{smallest.group(1)}"
            ) from None
        return model.getvalue()


class _SharedSentencepieceModel(tf.saved_model.experimental.TrackableResource):
    """The SentencePiece model resource of `tf_text.SentencepieceTokenizer`, under a shared name.

    tf-text's own resource is private to the kernel that created it, and deleted with it when
    TensorFlow clears its eager kernel cache (`tf.random.set_seed`, `keras.utils.set_random_seed`,
    `keras.backend.clear_session`, which keras-tuner calls before every trial): every later use,
    eager, in `tf.data` or in a `tf.function`, then fails with "Resource .../SentencepieceResource
    does not exist". Under a name derived from the model's bytes, the resource stays in the
    device's resource manager, and a kernel created later finds it there.
    """

    def __init__(self, model):
        super().__init__()
        self._model = model
        self._shared_name = "keras_attention_sentencepiece_" + hashlib.sha256(model).hexdigest()
        _ = self.resource_handle  # creates the resource now, as tf-text does

    def _create_resource(self):
        return gen_sentencepiece_tokenizer.sentencepiece_op(model=self._model, shared_name=self._shared_name)


TOKENIZER_CLASSES = {"char": CharTokenizer, "wordpiece": WordPieceTokenizer, "sentencepiece": SentencePieceTokenizer}


def tokenizer_from_config(text_config, vocabulary):
    """Builds the tokenizer that a `TextConfig` describes.

    Args:
        text_config: `TextConfig` of the side.
        vocabulary: what `learn_vocabulary` returns: a list of tokens (`char`, `wordpiece`) or a
            serialized SentencePiece model, bytes (`sentencepiece`).

    Returns:
        A `Tokenizer`.
    """
    return TOKENIZER_CLASSES[text_config.tokenizer](
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
        return TOKENIZER_CLASSES[text_config.tokenizer].learn_vocabulary(text_config, list(texts))
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
        tokenizer_class = TOKENIZER_CLASSES[text_config.tokenizer]
        if hasattr(tokenizer_class, "learn_vocabularies"):
            together[tokenizer_class].append(index)
    vocabularies = {}
    for tokenizer_class, indices in together.items():
        learned = tokenizer_class.learn_vocabularies([(sides[index][0], list(sides[index][1])) for index in indices])
        vocabularies.update(zip(indices, learned))
    return [vocabularies[index] if index in vocabularies else learn_vocabulary(*side) for index, side in enumerate(sides)]

def _normalizer(text_config):
    """A character tokenizer with only the special tokens: normalizes and splits like `text_config`."""
    return CharTokenizer(
        list(vocab_lib.SPECIAL_TOKENS),
        normalization=text_config.normalization,
        lowercase=text_config.lowercase,
        collapse_whitespace=text_config.collapse_whitespace,
        split_punctuation=text_config.split_punctuation,
    )
