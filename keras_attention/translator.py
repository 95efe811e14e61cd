"""Strings in, strings out: tokenizer -> encoder -> decoding loop -> detokenizer in one tf.function."""

import warnings

import tensorflow as tf

from keras_attention.decoding import greedy_decode

_STRINGS = tf.TensorSpec([None], tf.string)


class Translator(tf.Module):
    """Translates batches of sentences with a trained encoder-decoder.

    Args:
        encoder: encoder model (see `inference_models`).
        decoder: decoder model (see `inference_models`).
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        max_length: maximum number of output tokens per sentence (`</s>` excluded).
        batch_size: sentences decoded together by `translate`.

    Example:

    ```python
    translator = load_run("runs/dates").translator()
    translator.translate(["3 March 1998", "March 4, 2001"]).translations
    # ['1998-03-03', '2001-03-04']
    ```
    """

    def __init__(self, encoder, decoder, source_tokenizer, target_tokenizer, max_length, batch_size=256):
        super().__init__(name="translator")
        self.encoder = encoder
        self.decoder = decoder
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.max_length = max_length
        self.batch_size = batch_size

    @tf.function(input_signature=[_STRINGS])
    def translate_batch(self, sentences):
        """Translates a batch of sentences inside one graph.

        Args:
            sentences: string tensor `(batch,)`.

        Returns:
            dict with `translations` `(batch,)` strings (empty for an input that is empty after
            normalization), `scores` `(batch,)` log-probabilities, `ids` `(batch, T_out)` output
            ids, `alignments` `(batch, T_out, T_enc)`, `source_ids` `(batch, T_enc)`,
            `source_lengths` `(batch,)` untruncated source token counts and `unknown` `(batch,)`
            source tokens mapped to `<unk>`.
        """
        source = self.source_tokenizer.encode_source(sentences)
        decoded = greedy_decode(self.encoder, self.decoder, source["ids"], self.max_length + 1)
        empty = tf.equal(source["lengths"], 0)
        translations = tf.where(empty, "", self.target_tokenizer.detokenize(decoded["ids"]))
        return {
            "translations": translations,
            "scores": tf.where(empty, 0.0, decoded["scores"]),
            "ids": decoded["ids"],
            "alignments": decoded["alignments"],
            "source_ids": source["ids"],
            "source_lengths": source["lengths"],
            "unknown": source["unknown"],
        }

    def translate(self, sentences):
        """Translates a list of sentences, `batch_size` at a time, sorted by length for speed.

        Sentences longer than the model's maximum source length are truncated and tokens outside
        the source vocabulary become `<unk>`; both are counted and reported with a warning.

        Args:
            sentences: list of strings.

        Returns:
            `TranslationResult` with translations and scores in input order.
        """
        order = sorted(range(len(sentences)), key=lambda index: len(sentences[index]))
        translations, scores = [None] * len(sentences), [0.0] * len(sentences)
        truncated = unknown = 0
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            output = self.translate_batch(tf.constant([sentences[index] for index in chunk], tf.string))
            truncated += int(tf.reduce_sum(tf.cast(output["source_lengths"] > self.source_tokenizer.max_length, tf.int32)))
            unknown += int(tf.reduce_sum(output["unknown"]))
            for index, text, score in zip(chunk, output["translations"].numpy(), output["scores"].numpy()):
                translations[index] = text.decode("utf-8")
                scores[index] = float(score)
        result = TranslationResult(translations, scores, truncated, unknown)
        result.warn(self.source_tokenizer.max_length)
        return result


class TranslationResult:
    """Translations of a list of sentences, with what had to be changed in the input.

    Attributes:
        translations: list of output strings, in input order.
        scores: list of log-probabilities of each output.
        truncated: number of inputs longer than the model's maximum source length (truncated).
        unknown: number of source tokens outside the vocabulary (mapped to `<unk>`).
    """

    def __init__(self, translations, scores, truncated, unknown):
        self.translations = translations
        self.scores = scores
        self.truncated = truncated
        self.unknown = unknown

    def warn(self, max_length):
        if self.truncated:
            warnings.warn(
                f"{self.truncated} of {len(self.translations)} inputs were longer than the model's "
                f"maximum of {max_length} source tokens and were truncated",
                stacklevel=3,
            )
        if self.unknown:
            warnings.warn(
                f"{self.unknown} source tokens were outside the vocabulary and were mapped to <unk>",
                stacklevel=3,
            )
