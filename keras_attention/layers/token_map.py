"""TokenMap: ids of one vocabulary mapped to the ids of another through a fixed table."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="keras_attention")
class TokenMap(keras.layers.Layer):
    """Maps integer ids through a fixed table: `outputs[...] = table[inputs[...]]`.

    Copy attention over separate source and target vocabularies uses it to give each source
    token the id of the same token string in the target vocabulary (`copy_target_ids`).

    Args:
        table: sequence of ints >= 0, the output id of each input id `0 .. len(table) - 1`.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        inputs: integer tensor of ids in `[0, len(table))`.

    Returns:
        int32 tensor of the shape of `inputs`.

    Example:

    >>> layer = TokenMap([0, 1, 2, 3, 5, 1])
    >>> ops.convert_to_numpy(layer(np.array([[4, 5, 0]])))
    array([[5, 1, 0]], dtype=int32)
    """

    def __init__(self, table, **kwargs):
        super().__init__(**kwargs)
        values = np.asarray(table)
        if values.ndim != 1 or not len(values) or not np.issubdtype(values.dtype, np.integer) or values.min() < 0:
            raise ValueError(
                f"`table` must be a non-empty sequence of ints >= 0. Received: table={_preview(table)}"
            )
        self.table = [int(value) for value in values]
        self._table = ops.convert_to_tensor(np.asarray(self.table, "int32"))

    def call(self, inputs):
        return ops.take(self._table, ops.cast(inputs, "int32"), axis=0)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(inputs.shape, dtype="int32")

    def get_config(self):
        return {**super().get_config(), "table": self.table}


def _preview(table, items=8):
    """`table`'s repr, cut after `items` elements."""
    try:
        values = list(table)
    except TypeError:
        return repr(table)
    return repr(values) if len(values) <= items else repr(values[:items])[:-1] + f", ... ({len(values)} items)]"
