"""AttentionLayer: additive (Bahdanau) and multiplicative (Luong) attention."""

import numbers

import keras
from keras import ops


def _check_input_shapes(input_shape):
    """Returns `(query_shape, values_shape)` or raises `ValueError`."""
    if not (
        isinstance(input_shape, (list, tuple))
        and len(input_shape) == 2
        and all(isinstance(shape, (list, tuple)) for shape in input_shape)
    ):
        raise ValueError(
            "AttentionLayer expects `inputs=[query, values]`, a list of two "
            f"tensors. Received: inputs with shape(s) {input_shape}"
        )
    for name, shape in zip(("query", "values"), input_shape):
        if len(shape) != 3:
            raise ValueError(
                f"AttentionLayer expects `{name}` of rank 3 "
                f"(batch, time, features). Received: {name}.shape={shape}"
            )
    return tuple(input_shape[0]), tuple(input_shape[1])


def _split_mask(mask):
    """Returns `(query_mask, values_mask)`, either possibly None."""
    if mask is None:
        return None, None
    if not isinstance(mask, (list, tuple)) or len(mask) != 2:
        raise ValueError(
            "AttentionLayer expects `mask=[query_mask, values_mask]` or "
            f"`mask=None`. Received: mask={mask!r}"
        )
    return mask


@keras.saving.register_keras_serializable(package="keras_attention")
class AttentionLayer(keras.layers.Layer):
    """Attention over encoder states for each decoder step.

    For decoder state `s_i` and encoder states `h_j` the layer computes
    alignments `a_ij = softmax_j(score(s_i, h_j))` and contexts
    `c_i = sum_j a_ij h_j`, with one of these scores:

    - `"bahdanau"`: `v^T tanh(W_q s + W_v h + b)` (additive).
    - `"luong_dot"`: `s^T h` (needs `d_q == d_v`).
    - `"luong_general"`: `s^T W h`.

    Args:
        score: One of `"bahdanau"`, `"luong_dot"`, `"luong_general"`.
        units: Positive int, size of the additive scoring space. Required for
            `"bahdanau"`, must be `None` for the Luong scores.
        use_bias: Whether `"bahdanau"` adds a bias `b` inside the `tanh`.
        kernel_initializer: Initializer for the kernels and the score vector.
        bias_initializer: Initializer for the bias.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: List `[query, values]`: decoder states `query` of shape
            `(batch, T_dec, d_q)` and encoder states `values` of shape
            `(batch, T_enc, d_v)`.
        mask: Optional list `[query_mask, values_mask]` of shapes
            `(batch, T_dec)` and `(batch, T_enc)`, boolean or 0/1; either may
            be `None`. Padded keys get exactly zero weight; padded query rows,
            and rows without any valid key, get all-zero alignments and
            contexts.

    Returns:
        Tuple `(context, alignments)`: `context` of shape `(batch, T_dec, d_v)`
        and `alignments` of shape `(batch, T_dec, T_enc)`, whose rows sum to 1
        over the valid keys. Both outputs carry `query_mask` as Keras mask.

    Example:

    >>> query = keras.random.normal((2, 5, 16))
    >>> values = keras.random.normal((2, 7, 32))
    >>> layer = AttentionLayer(score="bahdanau", units=8)
    >>> context, alignments = layer([query, values])
    >>> tuple(context.shape), tuple(alignments.shape)
    ((2, 5, 32), (2, 5, 7))
    """

    SCORES = ("bahdanau", "luong_dot", "luong_general")

    def __init__(
        self,
        score,
        units=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if score not in self.SCORES:
            raise ValueError(
                f"`score` must be one of {', '.join(self.SCORES)}. "
                f"Received: score={score!r}"
            )
        if score == "bahdanau":
            if (
                not isinstance(units, numbers.Integral)
                or isinstance(units, bool)
                or units <= 0
            ):
                raise ValueError(
                    "`units` must be a positive int for score='bahdanau'. "
                    f"Received: units={units!r}"
                )
            units = int(units)
        elif units is not None:
            raise ValueError(
                f"`units` is only used by score='bahdanau' and is not allowed "
                f"for score={score!r}; leave it as None. "
                f"Received: units={units!r}"
            )
        self.score = score
        self.units = units
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        query_shape, values_shape = _check_input_shapes(input_shape)
        query_dim, values_dim = query_shape[-1], values_shape[-1]
        if self.score == "bahdanau":
            self.query_kernel = self.add_weight(
                name="query_kernel",
                shape=(query_dim, self.units),
                initializer=self.kernel_initializer,
            )
            self.values_kernel = self.add_weight(
                name="values_kernel",
                shape=(values_dim, self.units),
                initializer=self.kernel_initializer,
            )
            self.score_vector = self.add_weight(
                name="score_vector",
                shape=(self.units,),
                initializer=self.kernel_initializer,
            )
            self.bias = (
                self.add_weight(
                    name="bias",
                    shape=(self.units,),
                    initializer=self.bias_initializer,
                )
                if self.use_bias
                else None
            )
        elif self.score == "luong_general":
            self.kernel = self.add_weight(
                name="kernel",
                shape=(query_dim, values_dim),
                initializer=self.kernel_initializer,
            )
        elif self.score == "luong_dot" and query_dim != values_dim:
            raise ValueError(
                "score='luong_dot' needs query and values of the same feature "
                f"size. Received: query size {query_dim}, "
                f"values size {values_dim}"
            )

    def _bahdanau_score(self, query, values):
        # Both projections are computed once per call, then broadcast-added
        # to (batch, T_dec, T_enc, units).
        projected_query = ops.matmul(query, self.query_kernel)
        if self.bias is not None:
            projected_query = projected_query + self.bias
        projected_values = ops.matmul(values, self.values_kernel)
        hidden = ops.tanh(
            ops.expand_dims(projected_query, 2)
            + ops.expand_dims(projected_values, 1)
        )
        return ops.einsum("bqku,u->bqk", hidden, self.score_vector)

    def _luong_dot_score(self, query, values):
        return ops.matmul(query, ops.swapaxes(values, 1, 2))

    def _luong_general_score(self, query, values):
        return ops.matmul(
            ops.matmul(query, self.kernel), ops.swapaxes(values, 1, 2)
        )

    def _valid_pairs(self, mask):
        """Boolean mask broadcastable to `(batch, T_dec, T_enc)`, or None."""
        query_mask, values_mask = _split_mask(mask)
        valid = None
        if query_mask is not None:
            valid = ops.expand_dims(ops.cast(query_mask, "bool"), 2)
        if values_mask is not None:
            values_valid = ops.expand_dims(ops.cast(values_mask, "bool"), 1)
            valid = (
                values_valid
                if valid is None
                else ops.logical_and(valid, values_valid)
            )
        return valid

    def call(self, inputs, mask=None):
        _check_input_shapes(
            keras.tree.map_structure(lambda x: tuple(x.shape), inputs)
        )
        query, values = inputs
        score_fn = {
            "bahdanau": self._bahdanau_score,
            "luong_dot": self._luong_dot_score,
            "luong_general": self._luong_general_score,
        }[self.score]
        scores = score_fn(query, values)
        valid = self._valid_pairs(mask)
        if valid is None:
            alignments = ops.softmax(scores, axis=-1)
        else:
            # A finite fill (float16 cannot hold -1e9) keeps the softmax of a
            # row without valid keys NaN-free; `where` then makes every
            # invalid weight exactly zero.
            dtype = keras.backend.standardize_dtype(scores.dtype)
            fill = -65504.0 if dtype == "float16" else -1e9
            scores = ops.where(valid, scores, fill)
            alignments = ops.where(valid, ops.softmax(scores, axis=-1), 0.0)
        context = ops.matmul(alignments, values)
        return context, alignments

    def compute_mask(self, inputs, mask=None):
        query_mask, _ = _split_mask(mask)
        if query_mask is None:
            return None
        query_mask = ops.cast(query_mask, "bool")
        return [query_mask, query_mask]

    def compute_output_shape(self, input_shape):
        query_shape, values_shape = _check_input_shapes(input_shape)
        batch, query_time = query_shape[:2]
        return (
            (batch, query_time, values_shape[2]),
            (batch, query_time, values_shape[1]),
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "score": self.score,
                "units": self.units,
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(
                    self.bias_initializer
                ),
            }
        )
        return config
