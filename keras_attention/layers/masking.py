"""PaddingMask: boolean padding mask from token ids."""

import numbers

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_attention")
class PaddingMask(keras.layers.Layer):
    """Marks the non-padding positions of a batch of token ids.

    Use it to pass explicit masks between Functional models, e.g. as
    `mask=[query_mask, values_mask]` of an `AttentionLayer`.

    Args:
        pad_id: Non-negative int, the id used for padding.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        inputs: Integer ids of shape `(batch, T)`.

    Returns:
        Boolean tensor of shape `(batch, T)`, `True` where `inputs != pad_id`.

    Example:

    >>> mask = PaddingMask()(np.array([[5, 3, 0, 0]]))
    >>> keras.ops.convert_to_numpy(mask)
    array([[ True,  True, False, False]])
    """

    def __init__(self, pad_id=0, **kwargs):
        super().__init__(**kwargs)
        if (
            not isinstance(pad_id, numbers.Integral)
            or isinstance(pad_id, bool)
            or pad_id < 0
        ):
            raise ValueError(
                "`pad_id` must be a non-negative int. "
                f"Received: pad_id={pad_id!r}"
            )
        self.pad_id = int(pad_id)

    def call(self, inputs):
        return ops.not_equal(inputs, self.pad_id)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(inputs.shape, dtype="bool")

    def get_config(self):
        config = super().get_config()
        config["pad_id"] = self.pad_id
        return config


@keras.saving.register_keras_serializable(package="keras_attention")
class RemoveMask(keras.layers.Layer):
    """Passes its input through unchanged, without the Keras mask attached to it.

    The encoder and decoder pass padding as an explicit mask tensor (see `PaddingMask`). Ending
    a Functional sub-model with this layer keeps Keras from also attaching an implicit mask to
    its outputs, which the next Functional model would otherwise drop with a warning.

    Call arguments:
        inputs: a tensor of any shape.

    Returns:
        A copy of `inputs`, with no Keras mask.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.copy(inputs)

    def compute_mask(self, inputs, mask=None):
        return None
