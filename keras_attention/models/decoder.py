"""Functional decoder: Embedding -> stacked LSTM -> AttentionLayer -> tanh(W [c; s]) -> logits."""

import keras

from keras_attention.layers import AttentionLayer, PaddingMask


def build_decoder(model_config, vocabulary_size, encoder_output_dim):
    """Builds the decoder as a Functional model named `decoder`.

    The same model serves teacher-forced training (whole target sequences) and step-by-step
    decoding (sequences of length 1, with the states carried from the previous step), so both
    use exactly the same weights and computation.

    Args:
        model_config: `ModelConfig`.
        vocabulary_size: size of the target vocabulary.
        encoder_output_dim: last dimension of the encoder outputs.

    Returns:
        `keras.Model` with inputs `[target_ids (batch, T_dec), encoder_outputs (batch, T_enc,
        d_enc), source_mask (batch, T_enc), h_0, c_0, ...]` and outputs `[logits (batch, T_dec,
        vocabulary_size), alignments (batch, T_dec, T_enc), h_0, c_0, ...]` (final states).
    """
    config = model_config
    target = keras.Input(shape=(None,), dtype="int32", name="target_ids")
    encoder_outputs = keras.Input(shape=(None, encoder_output_dim), name="encoder_outputs")
    source_mask = keras.Input(shape=(None,), dtype="bool", name="source_mask")
    initial_states = [
        keras.Input(shape=(config.decoder_units,), name=f"initial_{kind}_{index}")
        for index in range(config.decoder_layers)
        for kind in ("h", "c")
    ]
    target_mask = PaddingMask(name="target_mask")(target)
    x = keras.layers.Embedding(vocabulary_size, config.embedding_dim, name="target_embedding")(target)
    x = keras.layers.Dropout(config.dropout, name="target_embedding_dropout")(x)
    final_states = []
    for index in range(config.decoder_layers):
        layer = keras.layers.LSTM(
            config.decoder_units,
            return_sequences=True,
            return_state=True,
            dropout=config.dropout,
            name=f"decoder_lstm_{index}",
        )
        x, h, c = layer(x, mask=target_mask, initial_state=initial_states[2 * index : 2 * index + 2])
        final_states += [h, c]
    attention = AttentionLayer(score=config.attention, units=config.attention_units, name="attention")
    context, alignments = attention([x, encoder_outputs], mask=[target_mask, source_mask])
    attentional = keras.layers.Dense(
        config.attentional_units, activation="tanh", use_bias=False, name="attentional"
    )(keras.layers.Concatenate(name="context_and_state")([context, x]))
    attentional = keras.layers.Dropout(config.dropout, name="attentional_dropout")(attentional)
    logits = keras.layers.Dense(vocabulary_size, name="logits")(attentional)
    return keras.Model(
        [target, encoder_outputs, source_mask, *initial_states],
        [logits, alignments, *final_states],
        name="decoder",
    )
