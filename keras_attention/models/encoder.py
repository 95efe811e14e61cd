"""Functional encoder: Embedding -> stacked (optionally bidirectional) LSTM -> decoder start states."""

import functools

import keras

from keras_attention.layers import InitialAttentionState, PaddingMask, RemoveMask, TokenMap
from keras_attention.models.decoder import COPY_SOURCE_IDS
from keras_attention.models.initialization import dense_arguments, embedding_arguments, lstm_arguments


def _lstm(config, name):
    return keras.layers.LSTM(
        config.encoder_units,
        return_sequences=True,
        return_state=True,
        dropout=config.dropout,
        name=name,
        **lstm_arguments(config.initialization, config.encoder_units),
    )


def _bridge(states, config, name):
    """Maps encoder final states to a decoder layer's size (Dense + tanh) when the sizes differ."""
    fan_in = states[0].shape[-1]
    if fan_in == config.decoder_units:
        return states
    return [
        keras.layers.Dense(
            config.decoder_units,
            activation="tanh",
            name=f"{name}_{kind}",
            **dense_arguments(config.initialization, fan_in),
        )(state)
        for state, kind in zip(states, ("h", "c"))
    ]


def build_encoder(model_config, vocabulary_size, copy_ids=None):
    """Builds the encoder as a Functional model named `encoder`.

    Padding (id 0) is masked explicitly: the mask is computed once by `PaddingMask` and passed
    to every recurrent layer and out of the model as an ordinary tensor, so it crosses the
    boundaries between the Functional sub-models intact.

    Decoder layer `i` starts from the final state of encoder layer `min(i, encoder_layers - 1)`
    (forward and backward states concatenated when bidirectional), passed through a learned
    `Dense(decoder_units, tanh)` bridge when the sizes differ. With attention inside the decoder
    step (`attention_placement: in_step`), the zero start values of the previous attentional
    vector (input feeding) and of the coverage follow, so the encoder provides every decoder state.

    Args:
        model_config: `ModelConfig`.
        vocabulary_size: size of the source vocabulary.
        copy_ids: with copy attention over separate vocabularies, the target id of each source
            token (`copy_target_ids`); `None` when the vocabulary is shared.

    Returns:
        `keras.Model` mapping source ids `(batch, T_enc)` to `[outputs (batch, T_enc, d_enc),
        source_mask (batch, T_enc), h_0, c_0, h_1, c_1, ...]`, one `(batch, decoder_units)` pair of
        start states per decoder layer, then `attentional (batch, attentional_units)` with input
        feeding and `coverage (batch, T_enc)` with coverage, and with copy attention the source
        ids as target ids (mapped through `copy_ids` if given; see `decoder_state_shapes`).
        `d_enc` is `encoder_units`, doubled when bidirectional.
    """
    config = model_config
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    source_mask = PaddingMask(name="source_mask")(source)
    x = keras.layers.Embedding(
        vocabulary_size,
        config.embedding_dim,
        name="source_embedding",
        **embedding_arguments(config.initialization),
    )(source)
    x = keras.layers.Dropout(config.dropout, name="source_embedding_dropout")(x)
    layer_states = []
    for index in range(config.encoder_layers):
        name = f"encoder_lstm_{index}"
        if config.bidirectional:
            layer = keras.layers.Bidirectional(_lstm(config, name), name=name)
            x, forward_h, forward_c, backward_h, backward_c = layer(x, mask=source_mask)
            states = [
                keras.layers.Concatenate(name=f"{name}_state_{kind}")(pair)
                for pair, kind in (((forward_h, backward_h), "h"), ((forward_c, backward_c), "c"))
            ]
        else:
            x, h, c = _lstm(config, name)(x, mask=source_mask)
            states = [h, c]
        layer_states.append(states)
    decoder_states = []
    for index in range(config.decoder_layers):
        source_states = layer_states[min(index, config.encoder_layers - 1)]
        decoder_states += _bridge(source_states, config, f"bridge_{index}")
    outputs = RemoveMask(name="encoder_outputs")(x)
    if config.attention_placement == "in_step" and (config.input_feeding or config.coverage):
        decoder_states += InitialAttentionState(
            attentional_units=config.attentional_units if config.input_feeding else None,
            coverage=config.coverage,
            name="initial_attention_state",
        )(outputs)
    if config.copy:
        layer = keras.layers.Identity if copy_ids is None else functools.partial(TokenMap, copy_ids)
        decoder_states.append(layer(name=COPY_SOURCE_IDS)(source))
    return keras.Model(source, [outputs, source_mask, *decoder_states], name="encoder")
