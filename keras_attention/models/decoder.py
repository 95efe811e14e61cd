"""Functional decoder: Embedding -> LSTM with attention -> attentional vector tanh(W [c; s]) -> logits.

The logits are a Dense layer of the attentional vector, or, with `ModelConfig.tie_embeddings`, its
product with the transposed target embedding (`TiedEmbedding`).

Two placements of the attention (`ModelConfig.attention_placement`):

- `after_lstm`: Embedding -> stacked LSTM -> AttentionLayer over all steps at once -> tanh(W [c; s]).
  The attention does not feed back into the recurrence, so training runs it in parallel over time.
- `in_step`: Embedding -> AttentionRNN(AttentionRNNCell): every step attends from the previous
  decoder state and feeds the context into the LSTM (Bahdanau et al., 2015), optionally with the
  previous attentional vector (Luong input feeding) and coverage (See et al., 2017).

With copy attention (`ModelConfig.copy`, either placement), a `PointerGenerator` mixes the output
distribution with copying the source tokens that the alignments point at; the decoder's "logits"
are then the mixture's log-probabilities, which every consumer of logits takes as they are.
"""

import keras

from keras_attention.layers import (
    AttentionLayer,
    AttentionRNN,
    AttentionRNNCell,
    CoverageLoss,
    PaddingMask,
    PointerGenerator,
    TiedEmbedding,
)
from keras_attention.models.initialization import (
    attention_arguments,
    dense_arguments,
    embedding_arguments,
    lstm_arguments,
)

COPY_SOURCE_IDS = "copy_source_ids"
"""The decoder state of copy attention: the source ids (in the shared vocabulary), which the
decoder passes on unchanged, so that every decoding strategy carries them like its other states."""


def _attention(config):
    return AttentionLayer(
        score=config.attention,
        units=config.attention_units,
        scale=config.attention_scale,
        dropout=config.attention_dropout,
        use_coverage=config.coverage,
        name="attention",
        **attention_arguments(config.initialization),
    )


def _attention_after_lstm(config, x, encoder_outputs, source_mask, target_mask, initial_states):
    final_states = []
    for index in range(config.decoder_layers):
        layer = keras.layers.LSTM(
            config.decoder_units,
            return_sequences=True,
            return_state=True,
            dropout=config.dropout,
            name=f"decoder_lstm_{index}",
            **lstm_arguments(config.initialization, config.decoder_units),
        )
        x, h, c = layer(x, mask=target_mask, initial_state=initial_states[2 * index : 2 * index + 2])
        final_states += [h, c]
    context, alignments = _attention(config)([x, encoder_outputs], mask=[target_mask, source_mask])
    context_and_state = keras.layers.Concatenate(name="context_and_state")([context, x])
    attentional = keras.layers.Dense(
        config.attentional_units,
        activation="tanh",
        use_bias=False,
        name="attentional",
        **dense_arguments(config.initialization, context_and_state.shape[-1]),
    )(context_and_state)
    return attentional, alignments, final_states, (context, x)


def _attentional_initializer(config, fan_in):
    """`AttentionRNNCell`'s keyword argument for its attentional kernel under the config's scheme."""
    arguments = dense_arguments(config.initialization, fan_in)
    return {"attentional_initializer": arguments["kernel_initializer"]} if arguments else {}


def _attention_in_step(config, x, encoder_outputs, source_mask, target_mask, initial_states):
    cells = [
        keras.layers.LSTMCell(
            config.decoder_units,
            name=f"decoder_lstm_cell_{index}",
            **lstm_arguments(config.initialization, config.decoder_units),
        )
        for index in range(config.decoder_layers)
    ]
    cell = AttentionRNNCell(
        cells if len(cells) > 1 else cells[0],
        _attention(config),
        attentional_units=config.attentional_units,
        input_feeding=config.input_feeding,
        name="attention_cell",
        **_attentional_initializer(config, encoder_outputs.shape[-1] + config.decoder_units),
    )
    rnn = AttentionRNN(cell, return_state=True, return_components=config.copy, name="decoder_rnn")
    attentional, alignments, *rest = rnn(
        x, encoder_outputs, memory_mask=source_mask, initial_state=initial_states, mask=target_mask
    )
    copy_features, final_states = (tuple(rest[:2]), rest[2:]) if config.copy else (None, rest)
    if config.coverage and config.coverage_loss_weight > 0:
        alignments = CoverageLoss(config.coverage_loss_weight, name="coverage_loss")(
            alignments, initial_states[-1], mask=target_mask
        )
    return attentional, alignments, final_states, copy_features


def decoder_state_shapes(model_config):
    """Names and shapes (without batch) of the decoder's states, in the order of the contract.

    `h_i`, `c_i` for each LSTM layer; then, with `attention_placement: in_step`, `attentional`
    `(attentional_units,)` with input feeding and `coverage` `(T_enc,)` (`None`) with coverage;
    with copy attention, last, `copy_source_ids` `(T_enc,)` (int32, `COPY_SOURCE_IDS`).
    """
    config = model_config
    shapes = [
        (f"{kind}_{index}", (config.decoder_units,))
        for index in range(config.decoder_layers)
        for kind in ("h", "c")
    ]
    if config.attention_placement == "in_step":
        if config.input_feeding:
            shapes.append(("attentional", (config.attentional_units,)))
        if config.coverage:
            shapes.append(("coverage", (None,)))
    if config.copy:
        shapes.append((COPY_SOURCE_IDS, (None,)))
    return shapes


def build_decoder(model_config, vocabulary_size, encoder_output_dim):
    """Builds the decoder as a Functional model named `decoder`.

    The same model serves teacher-forced training (whole target sequences) and step-by-step
    decoding (sequences of length 1, with the states carried from the previous step), so both
    use exactly the same weights and computation. Decoding code treats the states as an opaque
    list: those of attention inside the step (previous attentional vector, coverage) travel in
    it like the LSTM states.

    With coverage and a positive `coverage_loss_weight`, the decoder adds the coverage loss
    term (`CoverageLoss`) to the losses of any model that contains it, so `model.fit` on the
    training model minimises it with the cross-entropy.

    Args:
        model_config: `ModelConfig`.
        vocabulary_size: size of the target vocabulary.
        encoder_output_dim: last dimension of the encoder outputs.

    Returns:
        `keras.Model` with inputs `[target_ids (batch, T_dec), encoder_outputs (batch, T_enc,
        d_enc), source_mask (batch, T_enc), *states]` and outputs `[logits (batch, T_dec,
        vocabulary_size), alignments (batch, T_dec, T_enc), *final_states]`, the states as listed
        by `decoder_state_shapes`.
    """
    config = model_config
    target = keras.Input(shape=(None,), dtype="int32", name="target_ids")
    encoder_outputs = keras.Input(shape=(None, encoder_output_dim), name="encoder_outputs")
    source_mask = keras.Input(shape=(None,), dtype="bool", name="source_mask")
    initial_states = [
        keras.Input(shape=shape, name=f"initial_{name}", dtype="int32" if name == COPY_SOURCE_IDS else None)
        for name, shape in decoder_state_shapes(config)
    ]
    recurrent_states = initial_states[:-1] if config.copy else initial_states
    target_mask = PaddingMask(name="target_mask")(target)
    embedding = (TiedEmbedding if config.tie_embeddings else keras.layers.Embedding)(
        vocabulary_size,
        config.embedding_dim,
        name="target_embedding",
        **embedding_arguments(config.initialization),
    )
    x = embedding(target)
    x = keras.layers.Dropout(config.dropout, name="target_embedding_dropout")(x)
    decode = _attention_in_step if config.attention_placement == "in_step" else _attention_after_lstm
    attentional, alignments, final_states, copy_features = decode(
        config, x, encoder_outputs, source_mask, target_mask, recurrent_states
    )
    attentional = keras.layers.Dropout(config.dropout, name="attentional_dropout")(attentional)
    if config.tie_embeddings:
        logits = embedding(attentional, reverse=True)
    else:
        logits = keras.layers.Dense(
            vocabulary_size, name="logits", **dense_arguments(config.initialization, config.attentional_units)
        )(attentional)
    if config.copy:
        copy_ids = initial_states[-1]
        logits, _ = PointerGenerator(name="copy")([logits, alignments, *copy_features, x, copy_ids])
        final_states.append(keras.layers.Identity(name=COPY_SOURCE_IDS)(copy_ids))
    return keras.Model(
        [target, encoder_outputs, source_mask, *initial_states],
        [logits, alignments, *final_states],
        name="decoder",
    )
