"""The serving module: a `Translator` behind string-in/string-out signatures for TF Serving."""

import contextlib
import functools

import keras
import tensorflow as tf

from keras_attention.special_tokens import PAD_ID

INPUT_NAME = "inputs"
SERVING_SIGNATURE = "serving_default"
ALIGNMENTS_SIGNATURE = "alignments"
_INPUTS = tf.TensorSpec([None], tf.string, name=INPUT_NAME)


class ServingModule(tf.Module):
    """What a SavedModel export holds: a translator's tokenizers and variables, and two signatures.

    Everything, from the UTF-8 input to the output strings, runs in the graph (normalization,
    tokenization, encoder, the decoding loop chosen in the translator's `DecodingConfig`,
    detokenization), so a server needs TensorFlow and the tensorflow-text ops only.

    Args:
        translator: a `Translator`; its decoding strategy, beam size and maximum lengths are fixed
            into the exported graph.
        assets: paths of files that the SavedModel keeps in its `assets/` folder (the tokenizers'
            SentencePiece models, which the graph also holds in its ops), tracked as
            `tf.saved_model.Asset`s in `assets`; they must exist until the module is saved.

    Signatures (both take `inputs`, a `(batch,)` string tensor of UTF-8 sentences; invalid UTF-8
    bytes read as U+FFFD, sentences longer than the maximum source length are truncated, and a
    batch of zero sentences gives outputs with zero rows):

    - `serving_default` (`translate`): `translations` `(batch,)` strings (empty for an input that
      is empty after normalization), `scores` `(batch,)` float32 (log-probability; the penalized
      GNMT score with beam search), `n_best_translations` and `n_best_scores` `(batch, n_best)`,
      `source_lengths` `(batch,)` int32 source tokens before truncation, `truncated` `(batch,)`
      bool and `unknown_tokens` `(batch,)` int32 source tokens mapped to `<unk>`.
    - `alignments` (`align`): `translations`, `source_tokens` `(batch, S)` strings (the tokens the
      encoder saw, `</s>` included, padded with empty strings), `source_token_counts` `(batch,)`,
      `output_tokens` `(batch, T)` strings (the decoded tokens, the final `</s>` included; none
      for an empty input),
      `output_token_counts` `(batch,)` and `alignments` `(batch, T, S)` float32: row t is the
      attention of output token t over the source tokens (zero outside the counts); with copy
      attention also `generation_probabilities` `(batch, T)` float32, the probability `p_gen`
      that output token t was generated rather than copied (zero outside the counts).

    The signatures call a fresh copy of the translator, whose `translate_batch` holds no graph
    traced before. The signatures are traced once, when the module is created: create it inside
    `generic_lstm_kernels(*translator.models)`, as `export_translator` does, for a graph without
    `CudnnRNN*` ops whatever device traces it. An ensemble's module holds every member.
    """

    def __init__(self, translator, assets=()):
        super().__init__(name="serving")
        self.assets = [tf.saved_model.Asset(str(path)) for path in assets]
        # The translator itself stays untracked: Keras variables are tracked through wrapper
        # objects whose checkpoint entries a TF1-style loader (TF Serving, saved_model_cli run)
        # does not connect to the handles the functions read. The module tracks instead the
        # tokenizers (lookup tables) and the tf.Variables the signatures read.
        self.source_tokenizers = list(translator.source_tokenizers)
        self.target_tokenizer = translator.target_tokenizer
        translator = translator.copy()
        # Concrete functions, traced once here: a `tf.function` attribute would be traced again
        # by `tf.saved_model.save` (its cache key differs inside the save context).
        signature_function = functools.partial(tf.function, input_signature=[_INPUTS], autograph=False)
        self.translate = signature_function(lambda inputs: _translate(translator, inputs)).get_concrete_function()
        self.align = signature_function(lambda inputs: _align(translator, inputs)).get_concrete_function()
        self.model_variables = _variables_read_by([self.translate, self.align])

    def signatures(self):
        """The signatures to save: `{name: concrete function}`."""
        return {SERVING_SIGNATURE: self.translate, ALIGNMENTS_SIGNATURE: self.align}


def _lstm_layers(layer):
    """The `keras.layers.LSTM`s in `layer`: itself, or inside it (nested models, `Bidirectional`)."""
    if isinstance(layer, keras.layers.LSTM):
        return [layer]
    if isinstance(layer, keras.layers.Bidirectional):
        children = [layer.forward_layer, layer.backward_layer]
    else:
        children = layer.layers if isinstance(layer, keras.Model) else []
    return [lstm for child in children for lstm in _lstm_layers(child)]


@contextlib.contextmanager
def generic_lstm_kernels(*models):
    """Inside the block, every `keras.layers.LSTM` of `models` runs Keras's generic kernel.

    Keras chooses cuDNN when TensorFlow lists a GPU (`tf.config.list_logical_devices("GPU")`),
    whatever the `tf.device` scope, so a graph traced on a GPU host holds `CudnnRNNV3` (and
    `ReverseSequence` for a backward LSTM), which a CPU cannot run. With `use_cudnn=False` a trace
    holds the same ops on every host. Each layer's own setting is restored after the block.

    Args:
        *models: Keras models or layers.
    """
    layers = list({id(lstm): lstm for model in models for lstm in _lstm_layers(model)}.values())
    settings = [layer.use_cudnn for layer in layers]
    for layer in layers:
        layer.use_cudnn = False
    try:
        yield layers
    finally:
        for layer, setting in zip(layers, settings):
            layer.use_cudnn = setting


def _translate_batch(translator, inputs, generation_probabilities=False):
    """`Translator.translate_batch` of `inputs`, also for a batch of zero sentences; with
    `generation_probabilities`, also copy attention's `generation_probabilities` (if any)."""
    count = tf.shape(inputs)[0]
    # The encoder cannot run on zero rows: translate one empty sentence instead and keep none.
    sentences = tf.cond(count > 0, lambda: inputs, lambda: tf.constant([""]))
    output = translator.translate_batch(sentences)
    probabilities = translator.generation_probabilities(sentences, output["ids"]) if generation_probabilities else None
    if probabilities is not None:
        output = {**output, "generation_probabilities": probabilities}
    return {key: value[:count] for key, value in output.items()}


def _translate(translator, inputs):
    """The `serving_default` signature (see `ServingModule`)."""
    output = _translate_batch(translator, inputs)
    return {
        "translations": output["translations"],
        "scores": output["scores"],
        "n_best_translations": output["n_best_translations"],
        "n_best_scores": output["n_best_scores"],
        "source_lengths": output["source_lengths"],
        "truncated": output["truncated"],
        "unknown_tokens": output["unknown"],
    }


def _align(translator, inputs):
    """The `alignments` signature (see `ServingModule`)."""
    output = _translate_batch(translator, inputs, generation_probabilities=True)
    source_counts = _token_counts(output["source_ids"])
    # An input that is empty after normalization has an empty translation and no output tokens.
    output_counts = tf.where(output["source_lengths"] > 0, _token_counts(output["ids"]), 0)
    source_width = tf.maximum(tf.reduce_max(source_counts), 0)  # the maximum of no rows is -2**31
    output_width = tf.maximum(tf.reduce_max(output_counts), 0)
    source_ids = output["source_ids"][:, :source_width]
    output_ids = output["ids"][:, :output_width]
    source_mask = tf.sequence_mask(source_counts, source_width)
    output_mask = tf.sequence_mask(output_counts, output_width)
    alignments = output["alignments"][:, :output_width, :source_width]
    inside = tf.logical_and(output_mask[:, :, None], source_mask[:, None, :])
    source_tokens = tf.gather(translator.source_tokenizer.vocabulary, source_ids)
    output_tokens = tf.gather(translator.target_tokenizer.vocabulary, output_ids)
    aligned = {
        "translations": output["translations"],
        "source_tokens": tf.where(source_mask, source_tokens, ""),
        "source_token_counts": source_counts,
        "output_tokens": tf.where(output_mask, output_tokens, ""),
        "output_token_counts": output_counts,
        "alignments": tf.where(inside, alignments, tf.zeros_like(alignments)),
    }
    if "generation_probabilities" in output:
        probabilities = output["generation_probabilities"][:, :output_width]
        aligned["generation_probabilities"] = tf.where(output_mask, probabilities, 0.0)
    return aligned


def _variables_read_by(functions):
    """The distinct tf.Variables that concrete `functions` capture, in first-use order."""
    seen = {}
    for function in functions:
        for variable in function.variables:
            seen.setdefault(id(variable), variable)
    return list(seen.values())


def _token_counts(ids):
    """Tokens in each row of `(batch, T)` ids: the text's and the final `</s>`, which come before
    any padding (an output cut at the maximum length has no `</s>`)."""
    return tf.reduce_sum(tf.cast(tf.not_equal(ids, PAD_ID), tf.int32), axis=1)
