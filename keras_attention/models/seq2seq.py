"""The encoder-decoder training model, its compilation, and the inference models it contains."""

import keras

from keras_attention.layers import AttentionMemory, AttentionRNN, PointerGenerator, SplitMemory
from keras_attention.options.attention import ADDITIVE_SCORES
from keras_attention.models.decoder import build_decoder
from keras_attention.models.encoder import build_encoder
from keras_attention.models.metrics import MaskedTokenAccuracy, SequenceAccuracy
from keras_attention.special_tokens import PAD_ID, UNK_ID


def build_seq2seq(model_config, source_vocabulary_size, target_vocabulary_size, copy_ids=None):
    """Builds the teacher-forced training model.

    Args:
        model_config: `ModelConfig`.
        source_vocabulary_size: size of the source vocabulary.
        target_vocabulary_size: size of the target vocabulary.
        copy_ids: copy attention over separate vocabularies only: the target id of each source
            token, `copy_target_ids(source_vocabulary, target_vocabulary)`. `None` (the
            default) for a vocabulary shared by both sides, where source ids are target ids.

    Returns:
        Functional `keras.Model` named `seq2seq` with dict inputs `{"source": (batch, T_enc),
        "target_in": (batch, T_dec)}` (int32 ids, 0 = padding) and output logits `(batch, T_dec,
        target_vocabulary_size)`. It contains the Functional sub-models `encoder` and `decoder`
        (see `inference_models`).

    Example:

    ```python
    model = build_seq2seq(ModelConfig(), 60, 16)
    compile_seq2seq(model, TrainingConfig())
    model.fit(dataset)  # elements ({"source": ..., "target_in": ...}, target_out)
    ```
    """
    _check_copy_ids(model_config, source_vocabulary_size, target_vocabulary_size, copy_ids)
    encoder = build_encoder(model_config, source_vocabulary_size, copy_ids)
    encoder_output_dim = encoder.outputs[0].shape[-1]
    decoder = build_decoder(model_config, target_vocabulary_size, encoder_output_dim)
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target_in = keras.Input(shape=(None,), dtype="int32", name="target_in")
    encoder_outputs, source_mask, *states = encoder(source)
    logits = decoder([target_in, encoder_outputs, source_mask, *states])[0]
    return keras.Model({"source": source, "target_in": target_in}, logits, name="seq2seq")


def copy_target_ids(source_vocabulary, target_vocabulary):
    """The target id of each source token, by token string: what copy attention over separate
    vocabularies copies (`build_seq2seq`'s `copy_ids`).

    A source token that the target vocabulary lacks maps to `<unk>`: copying it yields `<unk>`,
    which the model learns to avoid where the reference has a real token. The special tokens
    map to themselves (every vocabulary starts with them).

    Args:
        source_vocabulary: list of the source tokens, by id.
        target_vocabulary: list of the target tokens, by id.

    Returns:
        List of ints, one per source token.
    """
    ids = {token: index for index, token in enumerate(target_vocabulary)}
    return [ids.get(token, UNK_ID) for token in source_vocabulary]


def _check_copy_ids(model_config, source_vocabulary_size, target_vocabulary_size, copy_ids):
    if copy_ids is None:
        if model_config.copy and source_vocabulary_size != target_vocabulary_size:
            raise ValueError(
                "Copy attention over separate vocabularies needs `copy_ids`, the target id of each "
                f"source token (`copy_target_ids`). Received: copy_ids=None with a source vocabulary "
                f"of {source_vocabulary_size} and a target vocabulary of {target_vocabulary_size}"
            )
        return
    if not model_config.copy:
        raise ValueError("`copy_ids` is for copy attention only (`ModelConfig.copy`). Received: copy=False")
    if len(copy_ids) != source_vocabulary_size or not all(0 <= index < target_vocabulary_size for index in copy_ids):
        raise ValueError(
            f"`copy_ids` must hold one target id in [0, {target_vocabulary_size}) per source token "
            f"({source_vocabulary_size}). Received: {len(copy_ids)} ids from {min(copy_ids, default=None)} "
            f"to {max(copy_ids, default=None)}"
        )


def compile_seq2seq(model, training_config):
    """Compiles `model` with Adam, padding-masked cross-entropy, token and sequence accuracy, and
    builds the optimizer's variables.

    Built here, they exist before `fit` traces its training step: on the TensorFlow backend
    (without an explicit distribution strategy) Keras would otherwise create them during that
    trace, and `tf.function` traces a function a second time when its first trace created variables.
    """
    model.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=training_config.learning_rate,
            clipnorm=training_config.clipnorm,
            global_clipnorm=training_config.global_clipnorm,
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD_ID),
        metrics=[MaskedTokenAccuracy(name="token_accuracy"), SequenceAccuracy(name="sequence_accuracy")],
    )
    model.optimizer.build(model.trainable_variables)
    return model


def inference_models(model):
    """Returns the `(encoder, decoder)` inference models of a training model built by `build_seq2seq`.

    They share the training model's weights and accept any batch size and any length; the
    decoder run on one target step at a time with the carried states is the one-step decoder.

    With an additive attention score, whose keys `W_v h_j` depend on the encoder states only,
    the encoder computes the keys once per sentence and returns them appended to its outputs
    (`AttentionMemory`), and the decoder attends with them instead of projecting the encoder
    states again at every step. Otherwise they are the training model's `encoder` and `decoder`.

    Returns:
        Tuple `(encoder, decoder)`: `encoder` maps source ids `(batch, T_enc)` to `[memory,
        source_mask, *states]`, and `decoder` maps `[target_ids, memory, source_mask, *states]`
        to `[logits, alignments, *states]`, as the training sub-models do with `memory` the
        encoder outputs `(batch, T_enc, d_enc)`; with an additive score, `memory` is
        `(batch, T_enc, d_enc + attention_units)`.
    """
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    attention = _attention_layer(decoder)
    if attention.score not in ADDITIVE_SCORES:
        return encoder, decoder
    return _memory_encoder(encoder, attention), _memory_decoder(decoder, attention)


def generation_probability_model(decoder):
    """The part of a copy-attention decoder that computes the probability of generating.

    Args:
        decoder: a decoder from `inference_models` (or the training model's `decoder`) of a model
            with copy attention (`ModelConfig.copy`).

    Returns:
        `keras.Model` with the decoder's inputs, sharing its layers, whose output is float32
        `(batch, T_dec)` `p_gen` (see `PointerGenerator`); `None` for a decoder without copy
        attention.
    """
    if not any(isinstance(layer, PointerGenerator) for layer in decoder.layers):
        return None
    switches = []

    def call(layer, *args, **kwargs):
        outputs = layer(*args, **kwargs)
        if isinstance(layer, PointerGenerator):
            switches.append(outputs[1])
        return outputs

    inputs = [keras.Input(batch_shape=x.shape, dtype=x.dtype, name=x.name) for x in decoder.inputs]
    keras.models.clone_model(decoder, input_tensors=inputs, clone_function=lambda layer: layer, call_function=call)
    return keras.Model(inputs, switches[0], name="generation_probability")


def _attention_layer(decoder):
    """The `AttentionLayer` of a decoder built by `build_decoder`."""
    if any(layer.name == "decoder_rnn" for layer in decoder.layers):
        return decoder.get_layer("decoder_rnn").cell.attention
    return decoder.get_layer("attention")


def _memory_encoder(encoder, attention):
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    encoder_outputs, *rest = encoder(source)
    memory = AttentionMemory(attention, name="attention_memory")(encoder_outputs)
    return keras.Model(source, [memory, *rest], name="memory_encoder")


def _memory_decoder(decoder, attention):
    """The decoder's graph (same layers) taking the memory and passing the keys to the attention."""
    target_ids, encoder_outputs, *rest = (
        keras.Input(batch_shape=x.shape, dtype=x.dtype, name=x.name) for x in decoder.inputs
    )
    values_dim = encoder_outputs.shape[-1]
    memory = keras.Input(shape=(None, values_dim + attention.units), name="memory")
    split = SplitMemory(values_dim, name="split_memory")

    def call(layer, *args, **kwargs):
        # The encoder outputs enter the decoder's graph at the attention (after the LSTM) or at
        # the AttentionRNN (attention inside the step) only: there the memory is split.
        if layer is attention:
            query, attended, *coverage = args[0]
            values, keys = split(attended)
            return layer([query, values, *coverage], *args[1:], keys=keys, **kwargs)
        if isinstance(layer, AttentionRNN):
            values, keys = split(args[1])
            return layer(args[0], values, *args[2:], memory_keys=keys, **kwargs)
        return layer(*args, **kwargs)

    graph = keras.models.clone_model(
        decoder, input_tensors=[target_ids, memory, *rest], clone_function=lambda layer: layer, call_function=call
    )
    return keras.Model(graph.inputs, graph.outputs, name="memory_decoder")
