"""The encoder-decoder training model, its compilation, and the inference models it contains."""

import keras

from keras_attention.models.decoder import build_decoder
from keras_attention.models.encoder import build_encoder
from keras_attention.models.metrics import MaskedTokenAccuracy, SequenceAccuracy
from keras_attention.text.vocab import PAD_ID


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
            learning_rate=training_config.learning_rate, clipnorm=training_config.clipnorm
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD_ID),
        metrics=[MaskedTokenAccuracy(name="token_accuracy"), SequenceAccuracy(name="sequence_accuracy")],
    )
    return model


def inference_models(model):
    """Returns the `(encoder, decoder)` sub-models of a training model built by `build_seq2seq`.

    They share the training model's weights and accept any batch size and any length; the
    decoder run on one target step at a time with the carried states is the one-step decoder.
    """
    return model.get_layer("encoder"), model.get_layer("decoder")
