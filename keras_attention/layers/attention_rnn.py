"""`AttentionRNN`: runs an `AttentionRNNCell` over a sequence, attending over a memory at every step."""

import copy

import keras
from keras import ops

from keras_attention.layers.attention_cell import AttentionRNNCell


@keras.saving.register_keras_serializable(package="keras_attention")
class AttentionRNN(keras.layers.Layer):
    """Runs an `AttentionRNNCell` over a sequence, attending over a memory at every step.

    The counterpart of `keras.layers.RNN` for cells that attend: Keras 3's `RNN` has no way to
    hand its cell a memory of variable length (Keras 2's `constants`), nor to return the
    alignments of every step. The loop is `keras.ops.scan`, so it runs on every backend.

    Args:
        cell: An `AttentionRNNCell`.
        return_state: Whether the final states are returned after the outputs.
        return_components: Whether the contexts `c_t` and the wrapped cell's outputs `s_t` of
            every step are returned after the alignments (what copy attention's switch reads,
            `PointerGenerator`).
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        sequences: Step inputs of shape `(batch, T_dec, d_x)`.
        memory: Encoder states of shape `(batch, T_enc, d_v)`.
        memory_mask: Optional `(batch, T_enc)` mask of the valid memory positions.
        initial_state: Optional flat list of the cell's states (see `AttentionRNNCell`); zeros
            when omitted.
        mask: Optional `(batch, T_dec)` mask of the valid steps. A masked step keeps the states
            of the step before it and outputs zeros (attentional vector and alignments).
        memory_keys: Optional `cell.attention.project_values(memory)` (additive scores only);
            computed here, once per call, when omitted.

    Returns:
        `[outputs, alignments]`, then `[contexts, cell_outputs]` when `return_components=True`,
        then the flat final states when `return_state=True`: `outputs` of shape
        `(batch, T_dec, attentional_units)` (the attentional vectors), `alignments` of shape
        `(batch, T_dec, T_enc)`, `contexts` `(batch, T_dec, d_v)`, `cell_outputs`
        `(batch, T_dec, d_s)`. The sequences carry `mask` as Keras mask and are zero at masked
        steps.

    Example:

    >>> cell = AttentionRNNCell(
    ...     keras.layers.LSTMCell(16), AttentionLayer("luong_general"), attentional_units=16)
    >>> layer = AttentionRNN(cell, return_state=True)
    >>> outputs, alignments, h, c = layer(
    ...     keras.random.normal((2, 5, 4)), keras.random.normal((2, 7, 16)))
    >>> tuple(outputs.shape), tuple(alignments.shape), tuple(h.shape)
    ((2, 5, 16), (2, 5, 7), (2, 16))
    """

    def __init__(self, cell, return_state=False, return_components=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cell, AttentionRNNCell):
            raise ValueError(f"`cell` must be an AttentionRNNCell. Received: cell={cell!r}")
        for name, value in (("return_state", return_state), ("return_components", return_components)):
            if not isinstance(value, bool):
                raise ValueError(f"`{name}` must be True or False. Received: {name}={value!r}")
        self.cell = cell
        self.return_state = return_state
        self.return_components = return_components
        self.supports_masking = True

    def build(self, sequences_shape, memory_shape):
        if not self.cell.built:
            self.cell.build((sequences_shape[0], sequences_shape[-1]), memory_shape)

    def call(self, sequences, memory, memory_mask=None, initial_state=None, mask=None, memory_keys=None):
        if initial_state is None:
            states = self.cell.get_initial_state(memory)
        else:
            states = [ops.convert_to_tensor(state, self.compute_dtype) for state in initial_state]
        if len(states) != len(self.cell.state_size):
            raise ValueError(
                f"`initial_state` must hold {len(self.cell.state_size)} tensors, one per state "
                f"of the cell. Received: {len(states)} tensors"
            )
        if mask is None:
            mask = ops.ones(ops.shape(sequences)[:2], dtype="bool")
        # One time-major tensor to scan over, the step mask as its last feature: the TensorFlow
        # `scan` of Keras 3.15 fails on several inputs of unknown length.
        valid_steps = ops.expand_dims(ops.cast(mask, sequences.dtype), -1)
        steps = ops.transpose(ops.concatenate([sequences, valid_steps], axis=-1), (1, 0, 2))

        # The carry also holds the step's outputs: the TensorFlow `scan` stacks exactly the
        # carry, so the outputs of every step are read from the stacked carries.
        count = len(states)
        batch, memory_length = ops.shape(memory)[0], ops.shape(memory)[1]
        outputs = [
            ops.zeros((batch, self.cell.attentional_units), dtype=self.compute_dtype),
            ops.zeros((batch, memory_length), dtype="float32"),  # the attention's alignments are float32
        ]
        if self.return_components:
            outputs += [
                ops.zeros((batch, ops.shape(memory)[-1]), dtype=self.compute_dtype),
                ops.zeros((batch, self.cell.cell_output_size), dtype=self.compute_dtype),
            ]
        carry = states + outputs

        # The values' projection of an additive score depends on the memory only: once per call.
        if memory_keys is None and self.cell.uses_memory_keys:
            memory_keys = self.cell.attention.project_values(memory)
        keys = {} if memory_keys is None else {"memory_keys": memory_keys}

        def step(carry, step_inputs):
            inputs, valid = step_inputs[:, :-1], step_inputs[:, -1:] > 0
            states = carry[:count]
            step_outputs, new_states = self.cell(inputs, states, memory=memory, memory_mask=memory_mask, **keys)
            new_carry = [ops.where(valid, new, old) for new, old in zip(new_states, states)]
            new_carry += [
                ops.where(valid, ops.cast(output, old.dtype), 0.0)
                for output, old in zip(step_outputs, carry[count:])
            ]
            return new_carry, new_carry

        final, history = ops.scan(step, carry, steps)
        sequences = [ops.transpose(stacked, (1, 0, 2)) for stacked in history[count:]]
        return [*sequences, *final[:count]] if self.return_state else sequences

    def _sequence_count(self):
        return 4 if self.return_components else 2

    def compute_mask(self, sequences, mask=None):
        if mask is None:
            return None
        return [mask] * self._sequence_count() + [None] * (len(self.cell.state_size) if self.return_state else 0)

    def compute_output_shape(self, sequences_shape, memory_shape):
        batch, steps = sequences_shape[:2]
        shapes = [(batch, steps, self.cell.attentional_units), (batch, steps, memory_shape[1])]
        if self.return_components:
            shapes += [(batch, steps, memory_shape[-1]), (batch, steps, self.cell.cell_output_size)]
        if self.return_state:
            shapes += [
                (batch, memory_shape[1] if size is None else size) for size in self.cell.state_size
            ]
        return shapes

    def compute_output_spec(self, sequences, memory, *args, **kwargs):
        shapes = self.compute_output_shape(tuple(sequences.shape), tuple(memory.shape))
        dtypes = [self.compute_dtype, "float32"] + [self.compute_dtype] * (len(shapes) - 2)
        return [keras.KerasTensor(shape, dtype=dtype) for shape, dtype in zip(shapes, dtypes)]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell": keras.saving.serialize_keras_object(self.cell),
                "return_state": self.return_state,
                "return_components": self.return_components,
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        config["cell"] = keras.saving.deserialize_keras_object(
            config["cell"], custom_objects=custom_objects
        )
        return cls(**config)
