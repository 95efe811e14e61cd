"""AttentionMemory and SplitMemory: encoder states with their attention keys, projected once."""

import keras
from keras import ops

from keras_attention.layers.attention import AttentionLayer
from keras_attention.options.attention import ADDITIVE_SCORES
from keras_attention.options.checks import is_positive_int


@keras.saving.register_keras_serializable(package="keras_attention")
class AttentionMemory(keras.layers.Layer):
    """Appends the attention keys `W_v h_j` of an additive `AttentionLayer` to the encoder states.

    An additive score projects every encoder state once per call of the attention. Called once
    per decoder step, it would redo the same projection at every step; this layer does it once
    per source sentence, and `SplitMemory` takes the states and keys apart again inside the
    step, for the attention's `keys` call argument.

    Args:
        attention: The `AttentionLayer` (additive score) whose keys are computed; its weights
            are shared, not copied.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        values: Encoder states of shape `(batch, T_enc, d_v)`.

    Returns:
        Tensor of shape `(batch, T_enc, d_v + units)`: the states, then their keys.

    Example:

    >>> attention = AttentionLayer("bahdanau", units=8)
    >>> query, values = keras.random.normal((2, 1, 16)), keras.random.normal((2, 7, 12))
    >>> _ = attention([query, values])
    >>> memory = AttentionMemory(attention)(values)
    >>> values, keys = SplitMemory(12)(memory)
    >>> context, alignments = attention([query, values], keys=keys)
    """

    def __init__(self, attention, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(attention, AttentionLayer) or attention.score not in ADDITIVE_SCORES:
            raise ValueError(
                "`attention` must be an AttentionLayer with an additive score "
                f"({', '.join(ADDITIVE_SCORES)}). Received: attention={attention!r}"
            )
        self.attention = attention

    def call(self, values):
        keys = self.attention.project_values(values)
        return ops.concatenate([values, ops.cast(keys, values.dtype)], axis=-1)

    def compute_output_shape(self, values_shape):
        return (*values_shape[:2], values_shape[2] + self.attention.units)

    def get_config(self):
        config = super().get_config()
        config["attention"] = keras.saving.serialize_keras_object(self.attention)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["attention"] = keras.saving.deserialize_keras_object(config["attention"], custom_objects=custom_objects)
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_attention")
class SplitMemory(keras.layers.Layer):
    """Splits an `AttentionMemory` output into the encoder states and their attention keys.

    Args:
        values_dim: Positive int, the feature size `d_v` of the encoder states.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        memory: Tensor of shape `(batch, T_enc, d_v + units)`.

    Returns:
        Tuple `(values, keys)` of shapes `(batch, T_enc, d_v)` and `(batch, T_enc, units)`.
    """

    def __init__(self, values_dim, **kwargs):
        super().__init__(**kwargs)
        if not is_positive_int(values_dim):
            raise ValueError(f"`values_dim` must be a positive int. Received: values_dim={values_dim!r}")
        self.values_dim = int(values_dim)

    def call(self, memory):
        return memory[..., : self.values_dim], memory[..., self.values_dim :]

    def compute_output_shape(self, memory_shape):
        units = None if memory_shape[2] is None else memory_shape[2] - self.values_dim
        return (*memory_shape[:2], self.values_dim), (*memory_shape[:2], units)

    def get_config(self):
        config = super().get_config()
        config["values_dim"] = self.values_dim
        return config
