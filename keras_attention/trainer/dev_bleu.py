"""A Keras callback that scores dev-set BLEU (and exact match, ROUGE-L) during `fit`."""

import dataclasses
import warnings

import keras

from keras_attention.evaluation import corpus_bleu, exact_match, rouge
from keras_attention.models import inference_models
from keras_attention.translator import Translator

ROUGE_L = "val_rouge_l"
"""The key of the dev ROUGE-L that `train` logs next to `val_bleu`."""


class DevBleu(keras.callbacks.Callback):
    """Translates a fixed set of dev pairs after every epoch and logs their corpus BLEU.

    The score (sacreBLEU, 0-100) is added to the epoch logs as `name` (default `val_bleu`), and
    with `exact_match_name` the share of translations equal to their reference (0-1) too. Put
    this callback before the others in `fit(callbacks=[...])`: they then see it like any other
    metric, so `keras.callbacks.TensorBoard` plots it (as `epoch_bleu` of the validation run),
    `CSVLogger` and the `History` record it, and `ModelCheckpoint` / `EarlyStopping` can monitor
    it (with `mode="max"`).

    Args:
        pairs: list of `(source, reference)` strings, translated every epoch (keep it small:
            a few hundred sentences).
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        max_length: maximum number of output tokens per translation.
        batch_size: sentences decoded together.
        name: key of the score in the logs.
        exact_match_name: key of the exact match in the logs (`None`: not logged).
        rouge_l_name: key of the mean ROUGE-L F1 (0-100, `keras_attention.evaluation.rouge`)
            in the logs (`None`: not logged).
        lowercase: score case-insensitively (for a model whose target text is lowercased).
        decoding: `DecodingConfig` of the translations (its `max_length` and `batch_size`
            replaced by the arguments); `None` for plain greedy search.

    Example:

    ```python
    dev_bleu = DevBleu(dev_pairs[:300], source_tokenizer, target_tokenizer, max_length=64)
    best = keras.callbacks.ModelCheckpoint("best-bleu.weights.h5", monitor="val_bleu", mode="max",
                                           save_best_only=True, save_weights_only=True)
    model.fit(train_data, validation_data=dev_data, epochs=10, callbacks=[dev_bleu, best])
    ```
    """

    def __init__(
        self,
        pairs,
        source_tokenizer,
        target_tokenizer,
        max_length,
        batch_size=256,
        name="val_bleu",
        exact_match_name=None,
        rouge_l_name=None,
        lowercase=False,
        decoding=None,
    ):
        super().__init__()
        if not pairs:
            raise ValueError("DevBleu needs at least one (source, reference) pair, got none")
        self.sources, self.references = (list(side) for side in zip(*pairs))
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.max_length = max_length
        self.batch_size = batch_size
        self.name = name
        self.exact_match_name = exact_match_name
        self.rouge_l_name = rouge_l_name
        self.lowercase = lowercase
        self.decoding = decoding
        self._translator = None
        self._warned = False

    def _translator_for_model(self):
        """A `Translator` sharing the weights of the model being fitted (built once)."""
        if self._translator is None:
            encoder, decoder = inference_models(self.model)
            self._translator = Translator(
                encoder,
                decoder,
                self.source_tokenizer,
                self.target_tokenizer,
                max_length=self.max_length,
                batch_size=self.batch_size,
                decoding=self.decoding,
            )
        return self._translator

    def on_epoch_end(self, epoch, logs=None):
        translator = self._translator_for_model()
        with warnings.catch_warnings():
            if self._warned:
                # The same sentences are truncated / hold unknown tokens every epoch: warn once.
                warnings.simplefilter("ignore")
            hypotheses = translator.translate(self.sources).translations
        self._warned = True
        if logs is not None:
            logs[self.name] = corpus_bleu(hypotheses, self.references, self.lowercase)
            if self.exact_match_name:
                logs[self.exact_match_name] = exact_match(hypotheses, self.references, self.lowercase)
            if self.rouge_l_name:
                logs[self.rouge_l_name] = rouge(hypotheses, self.references)["rouge_l"]


def dev_bleu_callbacks(config, dev_pairs, source_tokenizer, target_tokenizer, exact_match_name=None):
    """The `DevBleu` callback that `config.evaluation` asks for.

    Args:
        config: `RunConfig` of the run.
        dev_pairs: the run's dev pairs; the first `evaluation.dev_bleu_sentences` are scored.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        exact_match_name: also log the exact match of the same translations under this name.

    The translations are greedy, with the output controls of `config.decoding` (`min_length`,
    `no_repeat_ngram_size`, `max_length_ratio`): beam search after every epoch would cost more
    than the epoch's scores are worth.

    Returns:
        A tuple with the callback, which logs `val_bleu` and `val_rouge_l` (`ROUGE_L`), or an
        empty tuple when `dev_bleu_sentences` is 0 (`train` checks beforehand that a run asking
        for dev scores has dev pairs).
    """
    sentences = config.evaluation.dev_bleu_sentences
    if not sentences:
        return ()
    callback = DevBleu(
        dev_pairs[:sentences],
        source_tokenizer,
        target_tokenizer,
        max_length=config.decoding.max_length,
        batch_size=config.decoding.batch_size,
        exact_match_name=exact_match_name,
        rouge_l_name=ROUGE_L,
        lowercase=config.target.lowercase,
        decoding=dataclasses.replace(config.decoding, strategy="greedy", n_best=1),
    )
    return (callback,)
