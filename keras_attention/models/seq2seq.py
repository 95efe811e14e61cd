"""The encoder-decoder training model, its compilation, and the inference models it contains."""

import keras

from keras_attention.layers import AttentionMemory, AttentionRNN, SplitMemory
from keras_attention.options.attention import ADDITIVE_SCORES
from keras_attention.models.decoder import build_decoder
from keras_attention.models.encoder import build_encoder
from keras_attention.models.metrics import MaskedTokenAccuracy, SequenceAccuracy
from keras_attention.special_tokens import PAD_ID


def build_seq2seq(model_config, source_vocabulary_size, target_vocabulary_size):
    """Builds the teacher-forced training model.

    Args:
        model_config: `ModelConfig`.
        source_vocabulary_size: size of the source vocabulary.
        target_vocabulary_size: size of the target vocabulary.

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
    encoder = build_encoder(model_config, source_vocabulary_size)
    encoder_output_dim = encoder.outputs[0].shape[-1]
    decoder = build_decoder(model_config, target_vocabulary_size, encoder_output_dim)
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target_in = keras.Input(shape=(None,), dtype="int32", name="target_in")
    encoder_outputs, source_mask, *states = encoder(source)
    logits = decoder([target_in, encoder_outputs, source_mask, *states])[0]
    return keras.Model({"source": source, "target_in": target_in}, logits, name="seq2seq")


def compile_seq2seq(model, training_config):
    """Compiles `model` with Adam, padding-masked cross-entropy, token and sequence accuracy."""
    model.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=training_config.learning_rate,
            clipnorm=training_config.clipnorm,
            global_clipnorm=training_config.global_clipnorm,
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD_ID),
        metrics=[MaskedTokenAccuracy(name="token_accuracy"), SequenceAccuracy(name="sequence_accuracy")],
    )
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
