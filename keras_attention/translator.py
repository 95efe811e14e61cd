"""Strings in, strings out: tokenizer -> encoder -> decoding loop -> detokenizer in one tf.function."""

import dataclasses
import warnings

import keras
import tensorflow as tf

from keras_attention.config import DecodingConfig
from keras_attention.decoding.ensemble import Ensemble
from keras_attention.decoding.step import teacher_forced
from keras_attention.errors import ConfigError
from keras_attention.models import generation_probability_model
from keras_attention.options.decoding import strategy_runner

_STRINGS = tf.TensorSpec([None], tf.string)


class Translator(tf.Module):
    """Translates batches of sentences with a trained encoder-decoder, or an ensemble of them.

    Args:
        encoder: encoder model (see `inference_models`), or a list of them: the members of an
            ensemble (`keras_attention.decoding.ensemble`), which decode as one model.
        decoder: decoder model (see `inference_models`), or the list of the members' decoders.
        source_tokenizer: `Tokenizer` of the source side, or the list of the members' (members
            whose tokenizers tokenize alike share one tokenization of each sentence).
        target_tokenizer: `Tokenizer` of the target side, which every member shares (see
            `check_same_target_tokenizers`).
        max_length: maximum number of output tokens per sentence (`</s>` excluded); replaces
            `decoding.max_length` when given.
        batch_size: sentences decoded together by `translate`; replaces `decoding.batch_size`
            when given.
        decoding: `DecodingConfig` with the strategy (greedy, beam search or sampling), its
            options and, for an ensemble, `ensemble_average`; `DecodingConfig()` (greedy) when
            `None`.

    Example:

    ```python
    run = load_run("runs/dates")
    translator = run.translator()
    translator.translate(["3 March 1998", "March 4, 2001"]).translations
    # ['1998-03-03', '2001-03-04']
    beam = Translator(*inference_models(run.model), run.source_tokenizer, run.target_tokenizer,
                      decoding=DecodingConfig(strategy="beam", beam_size=5, n_best=3))
    beam.translate(["3 March 1998"]).n_best
    # [['1998-03-03', '1998-03-30', '1998-03-33']]
    ensemble = load_translator(["runs/dates", "runs/dates-seed-1"])  # or Translator with lists
    ```
    """

    def __init__(
        self,
        encoder,
        decoder,
        source_tokenizer,
        target_tokenizer,
        max_length=None,
        batch_size=None,
        decoding=None,
    ):
        super().__init__(name="translator")
        overrides = {"max_length": max_length, "batch_size": batch_size}
        decoding = dataclasses.replace(
            decoding or DecodingConfig(), **{key: value for key, value in overrides.items() if value is not None}
        )
        decoding.validate()
        self.decoding = decoding
        self._members = _members(encoder, decoder, source_tokenizer)
        encoders, decoders, source_tokenizers = (list(side) for side in zip(*self._members))
        self.models = [*encoders, *decoders]
        self.source_tokenizers, inputs = _distinct_tokenizers(source_tokenizers)
        self.source_tokenizer = self.source_tokenizers[0]
        self.target_tokenizer = target_tokenizer
        generation_models = [generation_probability_model(member) for member in decoders]
        if len(self._members) == 1:
            self.encoder, self.decoder = encoders[0], decoders[0]
            self.generation_probability = generation_models[0]
        else:
            ensemble = Ensemble(zip(encoders, decoders), inputs, decoding.ensemble_average)
            self.encoder, self.decoder = ensemble.encoder, ensemble.decoder
            with_copy = all(model is not None for model in generation_models)
            self.generation_probability = ensemble.mean_over_members(generation_models) if with_copy else None
        self.max_length = decoding.max_length
        self.batch_size = decoding.batch_size
        self.seed_generator = keras.random.SeedGenerator(decoding.seed)
        # An attribute of the module, so that a SavedModel tracks (and saves) the sampling state.
        self.seed_state = self.seed_generator.state

    @property
    def model_count(self):
        """The number of models this translator decodes with (above 1: an ensemble)."""
        return len(self._members)

    @property
    def is_ensemble(self):
        """Whether this translator decodes with several models."""
        return self.model_count > 1

    def copy(self, decoding=None):
        """A `Translator` with the same models and tokenizers, and none of this one's traced
        graphs (a fresh `translate_batch` that traces again on its first call).

        Args:
            decoding: `DecodingConfig` of the copy; this translator's when `None`.
        """
        encoders, decoders, source_tokenizers = (list(side) for side in zip(*self._members))
        if not self.is_ensemble:
            encoders, decoders, source_tokenizers = encoders[0], decoders[0], source_tokenizers[0]
        if decoding is None:
            decoding = self.decoding
        return Translator(encoders, decoders, source_tokenizers, self.target_tokenizer, decoding=decoding)

    def _decode(self, source_ids):
        """Runs the configured strategy; returns n-best shaped outputs `(batch, n_best, ...)`."""
        run = strategy_runner(self.decoding.strategy)
        return run(self.encoder, self.decoder, source_ids, self.decoding, self.seed_generator, self.max_length + 1)

    def _encode_sources(self, sentences):
        """The sources as the encoder takes them (a tuple of ids, one per tokenization, for an
        ensemble) and each tokenization's `encode_source` output."""
        sources = [tokenizer.encode_source(sentences) for tokenizer in self.source_tokenizers]
        ids = tuple(source["ids"] for source in sources) if self.is_ensemble else sources[0]["ids"]
        return ids, sources

    # Traced without AutoGraph: the decoding loops are `keras.ops.while_loop`s, with no Python
    # control flow on tensors to convert, and converting every function the trace calls made the
    # first call slower (bench/tracing.py). The export's and tokenizers' functions do the same.
    @tf.function(input_signature=[_STRINGS], autograph=False)
    def translate_batch(self, sentences):
        """Translates a batch of sentences inside one graph.

        Args:
            sentences: string tensor `(batch,)`.

        Returns:
            dict with `translations` `(batch,)` strings (the best hypothesis; empty for an input
            that is empty after normalization), `scores` `(batch,)` its score (log-probability;
            with beam search, the penalized GNMT score), `ids` `(batch, T_out)` its output ids,
            `alignments` `(batch, T_out, T_enc)` its alignments, `n_best_translations` and
            `n_best_scores` `(batch, n_best)` every returned hypothesis best first (`n_best` is 1
            unless beam search asks for more), `source_ids` `(batch, T_enc)`, `source_lengths`
            `(batch,)` untruncated source token counts, `truncated` `(batch,)` whether the
            source was longer than the maximum source length, and `unknown` `(batch,)` source
            tokens mapped to `<unk>`. For an ensemble, `source_ids` and `source_lengths` are the
            first member's tokenization (the one its alignments are over), `truncated` holds
            where any member's tokenization was truncated, and `unknown` adds up the `<unk>` of
            each distinct tokenization.
        """
        source_ids, sources = self._encode_sources(sentences)
        source = sources[0]
        decoded = self._decode(source_ids)
        ids = decoded["ids"]
        n_best, output_length = tf.shape(ids)[1], tf.shape(ids)[2]
        empty = tf.equal(source["lengths"], 0)[:, None]
        texts = self.target_tokenizer.detokenize(tf.reshape(ids, [-1, output_length]))
        n_best_translations = tf.where(empty, "", tf.reshape(texts, [-1, n_best]))
        n_best_scores = tf.where(empty, 0.0, decoded["scores"])
        truncated = [each["lengths"] > tokenizer.max_length for each, tokenizer in zip(sources, self.source_tokenizers)]
        return {
            "translations": n_best_translations[:, 0],
            "scores": n_best_scores[:, 0],
            "ids": ids[:, 0],
            "alignments": decoded["alignments"][:, 0],
            "n_best_translations": n_best_translations,
            "n_best_scores": n_best_scores,
            "source_ids": source["ids"],
            "source_lengths": source["lengths"],
            "truncated": tf.reduce_any(tf.stack(truncated), axis=0),
            "unknown": tf.reduce_sum(tf.stack([each["unknown"] for each in sources]), axis=0),
        }

    def generation_probabilities(self, sentences, ids):
        """Copy attention's probability of generating (`p_gen`) at each token of given outputs.

        The decoder run once over the whole outputs (`teacher_forced`): what the decoding loop
        computed at each of their steps (for an ensemble, the mean over its members).

        Args:
            sentences: string tensor `(batch,)`, the sentences that were translated.
            ids: int32 `(batch, T_out)` output ids, as `translate_batch` returns them.

        Returns:
            float32 `(batch, T_out)` tensor, zero after each output's end; `None` for a model
            without copy attention (or an ensemble with a member without it).
        """
        if self.generation_probability is None:
            return None
        ids = tf.convert_to_tensor(ids, tf.int32)
        source_ids, _ = self._encode_sources(tf.convert_to_tensor(sentences, tf.string))
        encoder_outputs, source_mask, *states = self.encoder(source_ids)
        probabilities = teacher_forced(self.generation_probability, ids, encoder_outputs, source_mask, states)
        return tf.where(tf.not_equal(ids, 0), tf.cast(probabilities, tf.float32), 0.0)

    def translate(self, sentences):
        """Translates a list of sentences, `batch_size` at a time, sorted by length for speed.

        Sentences longer than the model's maximum source length are truncated and tokens outside
        the source vocabulary become `<unk>`; both are counted and reported with a warning.

        Args:
            sentences: list of strings.

        Returns:
            `TranslationResult` with translations, scores and n-best lists in input order.
        """
        order = sorted(range(len(sentences)), key=lambda index: len(sentences[index]))
        n_best, n_best_scores = [None] * len(sentences), [None] * len(sentences)
        truncated = unknown = 0
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            output = self.translate_batch(tf.constant([sentences[index] for index in chunk], tf.string))
            truncated += int(tf.reduce_sum(tf.cast(output["truncated"], tf.int32)))
            unknown += int(tf.reduce_sum(output["unknown"]))
            texts, scores = output["n_best_translations"].numpy(), output["n_best_scores"].numpy()
            for index, row_texts, row_scores in zip(chunk, texts, scores):
                n_best[index] = [text.decode("utf-8") for text in row_texts]
                n_best_scores[index] = [float(score) for score in row_scores]
        result = TranslationResult(n_best, n_best_scores, truncated, unknown)
        result.warn(sorted({tokenizer.max_length for tokenizer in self.source_tokenizers}))
        return result


class TranslationResult:
    """Translations of a list of sentences, with what had to be changed in the input.

    Args:
        n_best: one list of output strings per input, in input order, best first.
        n_best_scores: the matching lists of scores.
        truncated: number of inputs longer than the model's maximum source length (truncated).
        unknown: number of source tokens outside the vocabulary (mapped to `<unk>`).

    Attributes:
        translations: list of the best output string of each input, in input order.
        scores: list of the score of each best output (see `Translator.translate_batch`).
        n_best: list of lists of output strings, best first (one string unless beam search was
            asked for more).
        n_best_scores: list of lists of their scores.
        truncated: as above.
        unknown: as above.
    """

    def __init__(self, n_best, n_best_scores, truncated, unknown):
        self.n_best = n_best
        self.n_best_scores = n_best_scores
        self.translations = [texts[0] for texts in n_best]
        self.scores = [scores[0] for scores in n_best_scores]
        self.truncated = truncated
        self.unknown = unknown

    def warn(self, max_lengths):
        """Warns of the truncated inputs and the unknown tokens; `max_lengths` is the list of the
        maximum source lengths (one per distinct source tokenization)."""
        if self.truncated:
            maximum = " or ".join(str(length) for length in max_lengths)
            warnings.warn(
                f"{self.truncated} of {len(self.translations)} inputs were longer than the model's "
                f"maximum of {maximum} source tokens and were truncated",
                stacklevel=3,
            )
        if self.unknown:
            warnings.warn(
                f"{self.unknown} source tokens were outside the vocabulary and were mapped to <unk>",
                stacklevel=3,
            )


def _members(encoder, decoder, source_tokenizer):
    """`[(encoder, decoder, source_tokenizer)]`, one per model: a single model's, or each
    ensemble member's from three lists of equal length."""
    given = [encoder, decoder, source_tokenizer]
    lists = [isinstance(value, (list, tuple)) for value in given]
    if not any(lists):
        return [tuple(given)]
    if not all(lists) or len({len(value) for value in given}) != 1 or not given[0]:
        shapes = ", ".join(f"{len(value)} items" if listed else "one object" for value, listed in zip(given, lists))
        raise ValueError(
            f"an ensemble needs lists of its encoders, decoders and source tokenizers of one length >= 1, "
            f"got {shapes}"
        )
    return list(zip(*given))


def _distinct_tokenizers(tokenizers):
    """The distinct tokenizations among `tokenizers` (first seen first), and the index of each
    tokenizer's among them."""
    distinct, indices = [], []
    for tokenizer in tokenizers:
        same = [index for index, other in enumerate(distinct) if not other.differences(tokenizer)]
        if not same:
            distinct.append(tokenizer)
        indices.append(same[0] if same else len(distinct) - 1)
    return distinct, indices


def check_same_target_tokenizers(names, tokenizers):
    """Raises `ConfigError` unless every target tokenizer has the first one's vocabulary and
    settings (its `max_length`, which decoding does not read, may differ).

    Args:
        names: what to call each tokenizer's model in the message (its run directory).
        tokenizers: the target `Tokenizer`s of the models of an ensemble.

    Raises:
        ConfigError: naming the first model and each model that differs, and how.
    """
    problems = [
        f"{name}: {'; '.join(differences)}"
        for name, tokenizer in zip(names[1:], tokenizers[1:])
        if (differences := tokenizers[0].differences(tokenizer, ignore=("max_length",)))
    ]
    if problems:
        raise ConfigError(
            f"the models of an ensemble need the same target vocabulary and tokenizer, and these differ "
            f"from {names[0]}'s: " + " | ".join(problems)
        )
