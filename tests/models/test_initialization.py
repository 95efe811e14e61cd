"""`ModelConfig.initialization`: Keras's layer defaults or PyTorch's, in every layer the builders make."""

import math

import keras
import numpy as np
import pytest

from keras_attention.config import ModelConfig
from keras_attention.errors import ConfigError
from keras_attention.models import build_seq2seq
from keras_attention.models.initialization import embedding_arguments

SIZES = dict(embedding_dim=32, encoder_units=24, decoder_units=64, attention_units=40, attentional_units=48)


def weights(initialization, **changes):
    keras.utils.set_random_seed(0)
    model = build_seq2seq(ModelConfig(initialization=initialization, **{**SIZES, **changes}), 500, 400)
    return {variable.path: keras.ops.convert_to_numpy(variable) for variable in model.weights}


def named(values, *parts):
    found = [value for path, value in values.items() if all(part in path for part in parts)]
    assert found, (parts, sorted(values))
    return found


def test_torch_scheme_draws_as_pytorch_layers_do():
    values = weights("torch")
    for embedding in named(values, "embedding", "embeddings"):
        assert abs(embedding.std() - 1.0) < 0.05 and abs(embedding.mean()) < 0.05
    encoder_limit, decoder_limit = 1 / math.sqrt(24), 1 / math.sqrt(64)
    for name, limit in (("encoder_lstm", encoder_limit), ("decoder_lstm", decoder_limit)):
        for part in ("/kernel", "recurrent_kernel", "/bias"):
            for value in named(values, name, part):
                assert np.abs(value).max() <= limit
                assert abs(value.std() - limit / math.sqrt(3)) < 0.15 * limit  # uniform in +-limit
    logits_limit = 1 / math.sqrt(48)
    for value in named(values, "logits"):
        assert np.abs(value).max() <= logits_limit and value.std() > 0.8 * logits_limit / math.sqrt(3)
    attentional_limit = 1 / math.sqrt(2 * 24 + 64)  # context (bidirectional encoder) and state
    (attentional,) = named(values, "attentional", "kernel")
    assert np.abs(attentional).max() <= attentional_limit


def test_keras_scheme_keeps_the_layer_defaults():
    values = weights("keras")
    for embedding in named(values, "embedding", "embeddings"):
        assert np.abs(embedding).max() <= 0.05
    for bias in named(values, "decoder_lstm", "/bias"):
        units = bias.shape[0] // 4
        np.testing.assert_array_equal(bias[units : 2 * units], 1.0)  # unit forget bias
        np.testing.assert_array_equal(np.delete(bias, np.s_[units : 2 * units]), 0.0)


def test_torch_scheme_covers_the_bridges():
    values = weights("torch", decoder_units=32)  # 2 x 24 encoder states -> 32: Dense bridges
    for kernel in named(values, "bridge_0", "kernel"):
        assert np.abs(kernel).max() <= 1 / math.sqrt(48)


def test_unknown_scheme_is_refused():
    with pytest.raises(ConfigError, match=r"model.initialization: expected one of \['keras', 'torch'\], got 'xavier'"):
        ModelConfig(initialization="xavier").validate()
    with pytest.raises(ValueError, match="`initialization` must be one of .* Received: 'xavier'"):
        embedding_arguments("xavier")


def test_torch_scheme_covers_attention_inside_the_step():
    values = weights("torch", attention_placement="in_step", input_feeding=True)
    for value in named(values, "decoder_lstm_cell"):
        assert np.abs(value).max() <= 1 / math.sqrt(64)
    (attentional,) = named(values, "attention_cell", "attentional", "kernel")
    assert np.abs(attentional).max() <= 1 / math.sqrt(2 * 24 + 64)
    assert attentional.std() > 0.8 / math.sqrt(2 * 24 + 64) / math.sqrt(3)


def test_torch_scheme_is_the_default():
    assert ModelConfig().initialization == "torch"
