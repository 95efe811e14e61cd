"""Weight initialization schemes of the encoder and decoder (`ModelConfig.initialization`).

- `keras`: Keras's layer defaults: Glorot-uniform kernels, orthogonal recurrent kernels, LSTM
  forget-gate biases of 1, zero biases, embeddings uniform in +-0.05.
- `torch`: PyTorch's layer defaults: the kernel and bias of a dense layer uniform in
  +-1/sqrt(fan_in), every LSTM weight and bias uniform in +-1/sqrt(units), embeddings N(0, 1);
  the attention's kernels and score vector uniform in +-1/sqrt(fan_in), its bias in
  +-1/sqrt(attention units).

Each function returns the keyword arguments of one layer, with new initializer objects at every
call (an unseeded Keras initializer object gives the same values each time it is called).
"""

import math

import keras

from keras_attention.config.model import INITIALIZATIONS


def _check(scheme):
    if scheme not in INITIALIZATIONS:
        raise ValueError(f"`initialization` must be one of {list(INITIALIZATIONS)}. Received: {scheme!r}")


def _uniform(limit):
    return keras.initializers.RandomUniform(-limit, limit)


def _fan_in_uniform():
    # Uniform in +-sqrt(3 * scale / fan_in): +-1/sqrt(fan_in) with scale 1/3.
    return keras.initializers.VarianceScaling(1.0 / 3.0, mode="fan_in", distribution="uniform")


def embedding_arguments(scheme):
    """Keyword arguments of a `keras.layers.Embedding`."""
    _check(scheme)
    if scheme == "keras":
        return {}
    return {"embeddings_initializer": keras.initializers.RandomNormal(stddev=1.0)}


def dense_arguments(scheme, fan_in):
    """Keyword arguments of a `keras.layers.Dense` with `fan_in` inputs."""
    _check(scheme)
    if scheme == "keras":
        return {}
    limit = 1.0 / math.sqrt(fan_in)
    return {"kernel_initializer": _uniform(limit), "bias_initializer": _uniform(limit)}


def lstm_arguments(scheme, units):
    """Keyword arguments of a `keras.layers.LSTM` or `LSTMCell` of `units` units."""
    _check(scheme)
    if scheme == "keras":
        return {}
    limit = 1.0 / math.sqrt(units)
    return {
        "kernel_initializer": _uniform(limit),
        "recurrent_initializer": _uniform(limit),
        "bias_initializer": _uniform(limit),
        "unit_forget_bias": False,
    }


def attention_arguments(scheme):
    """Keyword arguments of an `AttentionLayer` (its kernels, score vector and bias)."""
    _check(scheme)
    if scheme == "keras":
        return {}
    return {"kernel_initializer": _fan_in_uniform(), "bias_initializer": _fan_in_uniform()}
