"""Attention inside the recurrence: `AttentionRNNCell`, and `InitialAttentionState`, the zero start
values of the states the cell adds. `AttentionRNN` (`attention_rnn.py`) runs the cell."""

import copy

import keras
from keras import ops

from keras_attention.layers.attention import AttentionLayer
from keras_attention.options.attention import ADDITIVE_SCORES
from keras_attention.options.checks import is_positive_int


def _wrapped_cells(cell):
    return list(cell.cells) if isinstance(cell, keras.layers.StackedRNNCells) else [cell]


@keras.saving.register_keras_serializable(package="keras_attention")
class AttentionRNNCell(keras.layers.Layer):
    """An RNN cell that attends over a memory inside every step (Bahdanau et al., 2015).

    At step `t`, with input `x_t` (e.g. the embedding of the previous target token) and the
    previous output `s_{t-1}` of the wrapped cell:

    1. `c_t, a_t = attention(query=s_{t-1}, values=memory)`: context and alignments computed
       from the *previous* decoder state, as Bahdanau et al. describe;
    2. `s_t = cell([x_t; c_t], states_{t-1})`, or with Luong input feeding
       `s_t = cell([x_t; c_t; h~_{t-1}], states_{t-1})`, where `h~_{t-1}` is the previous
       attentional vector;
    3. `h~_t = tanh(W [c_t; s_t])`, the attentional vector (no bias), is the step's output.

    With an `attention` that has `use_coverage=True`, the coverage `cov_t` (the sum of the
    alignments of the earlier steps, See et al., 2017) is a state of the cell and enters the
    score.

    The states of the cell, one flat list: the wrapped cell's states (flattened, e.g.
    `[h_0, c_0, h_1, c_1]` for two stacked `LSTMCell`s), then `h~_{t-1}` of shape
    `(batch, attentional_units)` with input feeding, then `cov_t` of shape `(batch, T_enc)` with
    coverage. Keras 3's `keras.layers.RNN` cannot pass a memory of variable length to its cell,
    so the cell runs in `AttentionRNN`, which does.

    Args:
        cell: A Keras RNN cell (e.g. `keras.layers.LSTMCell`), a `keras.layers.StackedRNNCells`,
            or a list of cells (stacked). The query is the first state of the (top) cell, `h` for
            `LSTMCell` and `GRUCell`. Dropout inside the wrapped cells is not supported; apply
            dropout to the inputs and outputs of `AttentionRNN` instead.
        attention: An `AttentionLayer` (without attention dropout).
        attentional_units: Positive int, size of the attentional vector `h~_t`.
        input_feeding: Whether the previous attentional vector is concatenated to the input.
        attentional_initializer: Initializer for the kernel `W` of the attentional vector.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        inputs: Step input of shape `(batch, d_x)`.
        states: Flat list of the state tensors described above.
        memory: Encoder states of shape `(batch, T_enc, d_v)`.
        memory_mask: Optional `(batch, T_enc)` mask of the valid memory positions.
        memory_keys: Optional `attention.project_values(memory)` (additive scores only), so
            that a caller stepping through time projects the memory once, not at every step
            (`AttentionRNN` does).

    Returns:
        Tuple `((attentional, alignments, context, output), new_states)`: the attentional vector
        `(batch, attentional_units)`, the alignments `(batch, T_enc)`, the context `c_t`
        `(batch, d_v)`, the wrapped cell's output `s_t` and the new flat states.

    Example:

    >>> cell = AttentionRNNCell(
    ...     keras.layers.LSTMCell(16), AttentionLayer("bahdanau", units=8), attentional_units=16,
    ...     input_feeding=True)
    >>> memory = keras.random.normal((2, 7, 12))
    >>> outputs, alignments = AttentionRNN(cell)(keras.random.normal((2, 5, 4)), memory)
    >>> tuple(outputs.shape), tuple(alignments.shape)
    ((2, 5, 16), (2, 5, 7))
    """

    def __init__(
        self,
        cell,
        attention,
        attentional_units,
        input_feeding=False,
        attentional_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = keras.layers.StackedRNNCells(cell)
        for wrapped in _wrapped_cells(cell):
            if not hasattr(wrapped, "call") or not hasattr(wrapped, "state_size"):
                raise ValueError(
                    "`cell` must be an RNN cell (with `call` and `state_size`), a "
                    f"StackedRNNCells or a list of RNN cells. Received: cell={cell!r}"
                )
            dropouts = {
                name: getattr(wrapped, name, 0.0) for name in ("dropout", "recurrent_dropout")
            }
            if any(dropouts.values()):
                raise ValueError(
                    "AttentionRNNCell does not support dropout inside the wrapped cell; "
                    "allowed: dropout=0 and recurrent_dropout=0. Received: "
                    + ", ".join(f"{name}={value!r}" for name, value in dropouts.items())
                    + f" for cell {wrapped.name!r}"
                )
        if not isinstance(attention, AttentionLayer):
            raise ValueError(
                f"`attention` must be an AttentionLayer. Received: attention={attention!r}"
            )
        if attention.dropout:
            raise ValueError(
                "AttentionRNNCell does not support attention dropout; allowed: dropout=0. "
                f"Received: attention.dropout={attention.dropout!r}"
            )
        if not is_positive_int(attentional_units):
            raise ValueError(
                "`attentional_units` must be a positive int. "
                f"Received: attentional_units={attentional_units!r}"
            )
        if not isinstance(input_feeding, bool):
            raise ValueError(
                f"`input_feeding` must be True or False. Received: input_feeding={input_feeding!r}"
            )
        self.cell = cell
        self.attention = attention
        self.attentional_units = int(attentional_units)
        self.input_feeding = input_feeding
        self.attentional_initializer = keras.initializers.get(attentional_initializer)
        self.attentional = keras.layers.Dense(
            self.attentional_units,
            activation="tanh",
            use_bias=False,
            kernel_initializer=self.attentional_initializer,
            name="attentional",
        )
        top = _wrapped_cells(cell)[-1]
        self._cell_state_count = len(keras.tree.flatten(cell.state_size))
        self._query_index = self._cell_state_count - len(keras.tree.flatten(top.state_size))
        self._query_size = keras.tree.flatten(top.state_size)[0]
        self.cell_output_size = getattr(cell, "output_size", None) or self._query_size

    @property
    def state_size(self):
        """Sizes of the flat states; `None` for the coverage, whose size is `T_enc`."""
        sizes = list(keras.tree.flatten(self.cell.state_size))
        if self.input_feeding:
            sizes.append(self.attentional_units)
        if self.attention.use_coverage:
            sizes.append(None)
        return sizes

    @property
    def output_size(self):
        return self.attentional_units

    def build(self, inputs_shape, memory_shape):
        batch, memory_dim = inputs_shape[0], memory_shape[-1]
        cell_input_dim = inputs_shape[-1] + memory_dim
        if self.input_feeding:
            cell_input_dim += self.attentional_units
        if not self.cell.built:
            self.cell.build((batch, cell_input_dim))
        attention_shapes = [(batch, 1, self._query_size), tuple(memory_shape)]
        if self.attention.use_coverage:
            attention_shapes.append((batch, 1, memory_shape[1]))
        if not self.attention.built:
            self.attention.build(attention_shapes)
        self.attentional.build((batch, memory_dim + self.cell_output_size))

    @property
    def uses_memory_keys(self):
        """Whether the attention's score projects the memory (see `AttentionLayer.project_values`)."""
        return self.attention.score in ADDITIVE_SCORES

    def get_initial_state(self, memory):
        """Zero states for a batch of `memory` `(batch, T_enc, d_v)`, as a flat list."""
        batch, memory_length = ops.shape(memory)[0], ops.shape(memory)[1]
        sizes = [memory_length if size is None else size for size in self.state_size]
        return [ops.zeros((batch, size), dtype=self.compute_dtype) for size in sizes]

    def call(self, inputs, states, memory, memory_mask=None, memory_keys=None):
        states = list(states)
        count = self._cell_state_count
        cell_states = keras.tree.pack_sequence_as(self.cell.state_size, states[:count])
        attention_inputs = [ops.expand_dims(states[self._query_index], 1), memory]
        masks = [None, memory_mask]
        if self.attention.use_coverage:
            coverage = states[-1]
            attention_inputs.append(ops.expand_dims(coverage, 1))
            masks.append(None)
        keys = {} if memory_keys is None else {"keys": memory_keys}
        context, alignments = self.attention(attention_inputs, mask=masks, **keys)
        context, alignments = context[:, 0], alignments[:, 0]
        cell_inputs = [inputs, context]
        if self.input_feeding:
            cell_inputs.append(states[count])
        output, new_cell_states = self.cell(ops.concatenate(cell_inputs, axis=-1), cell_states)
        attentional = self.attentional(ops.concatenate([context, output], axis=-1))
        new_states = list(keras.tree.flatten(new_cell_states))
        if self.input_feeding:
            new_states.append(attentional)
        if self.attention.use_coverage:
            new_states.append(coverage + ops.cast(alignments, coverage.dtype))
        return (attentional, alignments, context, output), new_states

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell": keras.saving.serialize_keras_object(self.cell),
                "attention": keras.saving.serialize_keras_object(self.attention),
                "attentional_units": self.attentional_units,
                "input_feeding": self.input_feeding,
                "attentional_initializer": keras.initializers.serialize(self.attentional_initializer),
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        # Deep copy: Keras's own `from_config`s (e.g. StackedRNNCells') pop keys from the
        # nested configs they are given.
        config = copy.deepcopy(config)
        for key in ("cell", "attention"):
            config[key] = keras.saving.deserialize_keras_object(
                config[key], custom_objects=custom_objects
            )
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_attention")
class InitialAttentionState(keras.layers.Layer):
    """Zero start values of the states an `AttentionRNNCell` adds to its wrapped cell's.

    An encoder that hands a decoder its start states uses it to provide the previous
    attentional vector (input feeding) and the coverage, both zero at the first step.

    Args:
        attentional_units: Size of the attentional vector, for input feeding; `None` without.
        coverage: Whether to provide the coverage.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        inputs: The memory (encoder states) of shape `(batch, T_enc, d_v)`.

    Returns:
        List of zero tensors, in the cell's state order: `(batch, attentional_units)` when
        `attentional_units` is set, then `(batch, T_enc)` when `coverage`.
    """

    def __init__(self, attentional_units=None, coverage=False, **kwargs):
        super().__init__(**kwargs)
        if attentional_units is not None and not is_positive_int(attentional_units):
            raise ValueError(
                "`attentional_units` must be a positive int or None. "
                f"Received: attentional_units={attentional_units!r}"
            )
        if not isinstance(coverage, bool):
            raise ValueError(f"`coverage` must be True or False. Received: coverage={coverage!r}")
        if attentional_units is None and not coverage:
            raise ValueError(
                "InitialAttentionState needs `attentional_units` or `coverage=True`. "
                f"Received: attentional_units=None, coverage={coverage!r}"
            )
        self.attentional_units = attentional_units
        self.coverage = coverage

    def call(self, inputs):
        batch = ops.shape(inputs)[0]
        states = []
        if self.attentional_units is not None:
            states.append(ops.zeros((batch, self.attentional_units), dtype=self.compute_dtype))
        if self.coverage:
            states.append(ops.zeros((batch, ops.shape(inputs)[1]), dtype=self.compute_dtype))
        return states

    def compute_output_shape(self, input_shape):
        shapes = []
        if self.attentional_units is not None:
            shapes.append((input_shape[0], self.attentional_units))
        if self.coverage:
            shapes.append((input_shape[0], input_shape[1]))
        return shapes

    def get_config(self):
        config = super().get_config()
        config.update({"attentional_units": self.attentional_units, "coverage": self.coverage})
        return config
