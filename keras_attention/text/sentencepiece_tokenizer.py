"""`sentencepiece`: the pieces of a SentencePiece model (unigram or BPE), learned from the training
text with the `sentencepiece` package and applied with `tf_text.SentencepieceTokenizer`."""

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
from keras_attention.text.base import Tokenizer
from keras_attention.text.char_tokenizer import text_normalizer


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
        normalizer = text_normalizer(text_config)  # bound to a name: tf.function methods hold it weakly
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
