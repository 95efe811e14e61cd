"""AttentionLayer: additive (Bahdanau) and multiplicative (Luong) attention."""

import math
import numbers

import keras
from keras import ops

from keras_attention.layers.attention_inputs import check_input_shapes, input_names, split_mask
from keras_attention.options.attention import ADDITIVE_SCORES, check_score, resolve_scale
from keras_attention.options.checks import is_positive_int


@keras.saving.register_keras_serializable(package="keras_attention")
class AttentionLayer(keras.layers.Layer):
    """Attention over encoder states for each decoder step.

    For decoder state `s_i` and encoder states `h_j` the layer computes
    alignments `a_ij = softmax_j(score(s_i, h_j))` and contexts
    `c_i = sum_j a_ij h_j`, with one of these scores:

    Additive scores (`units` sets the size of the scoring space):

    - `"bahdanau"`: `v^T tanh(W_q s + W_v h + b)` (Bahdanau et al., 2015).
    - `"bahdanau_normed"`: as `"bahdanau"` with the weight-normalised score
      vector `g v / ||v||` and a learned scalar gain `g` initialised to
      `sqrt(1 / units)` (tensorflow/nmt's `normed_bahdanau`).
    - `"luong_concat"`: `v^T tanh(W [s; h] + b)` (Luong et al., 2015), one
      kernel `W` of shape `(d_q + d_v, units)`.

    Multiplicative scores (no `units`):

    - `"luong_dot"`: `s^T h` (needs `d_q == d_v`).
    - `"luong_general"`: `s^T W h`, optionally scaled (`scale="learned"` is
      tensorflow/nmt's `scaled_luong`).
    - `"scaled_dot"`: `s^T h / sqrt(d)` (`scale="inverse_sqrt"`, the
      default) or `g s^T h` with a learned scalar `g` (`scale="learned"`);
      needs `d_q == d_v`.

    With `use_coverage=True` (additive scores only) the layer takes a third
    input, the coverage `cov_ij` (the sum of the alignments of the earlier
    decoder steps, See et al., 2017), added inside the `tanh` as
    `w_c * cov_ij`.

    Args:
        score: One of `"bahdanau"`, `"bahdanau_normed"`, `"luong_concat"`,
            `"luong_dot"`, `"luong_general"`, `"scaled_dot"`.
        units: Positive int, size of the additive scoring space. Required for
            the additive scores, must be `None` for the multiplicative ones.
        use_bias: Whether the additive scores add a bias `b` inside the
            `tanh`. The multiplicative scores have no bias and ignore it.
        kernel_initializer: Initializer for the kernels and the score vector.
        bias_initializer: Initializer for the bias.
        scale: How a multiplicative score is scaled: `None` (not scaled),
            `"inverse_sqrt"` (divided by the square root of the values'
            feature size) or `"learned"` (multiplied by a learned scalar,
            initialised to 1). `"luong_dot"` and the additive scores allow
            only `None`; `"luong_general"` allows all three; `"scaled_dot"`
            allows `"inverse_sqrt"` and `"learned"`, and `None` means
            `"inverse_sqrt"` for it.
        dropout: Float in `[0, 1)`, the fraction of the alignments dropped
            (during training only) before the context is computed. The
            returned alignments are the ones before dropout.
        use_coverage: Whether the layer takes the coverage as third input.
            Additive scores only.
        seed: Optional int, seed of the attention dropout.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: List `[query, values]`, or `[query, values, coverage]` with
            `use_coverage=True`: decoder states `query` of shape
            `(batch, T_dec, d_q)`, encoder states `values` of shape
            `(batch, T_enc, d_v)` and `coverage` of shape
            `(batch, T_dec, T_enc)`.
        mask: Optional list `[query_mask, values_mask]` (one more entry, which
            is ignored, with coverage) of shapes `(batch, T_dec)` and
            `(batch, T_enc)`, boolean or 0/1; either may be `None`. Padded
            keys get exactly zero weight; padded query rows, and rows without
            any valid key, get all-zero alignments and contexts.
        training: Whether attention dropout is applied.
        keys: Optional `project_values(values)` of shape
            `(batch, T_enc, units)` (additive scores only), computed once
            and reused when the same values are attended from many separate
            calls, such as one call per decoder step.

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

    def __init__(
        self,
        score,
        units=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        scale=None,
        dropout=0.0,
        use_coverage=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_score(score)
        if score in ADDITIVE_SCORES:
            if not is_positive_int(units):
                raise ValueError(
                    f"`units` must be a positive int for score={score!r}. "
                    f"Received: units={units!r}"
                )
            units = int(units)
        elif units is not None:
            raise ValueError(
                f"`units` is only used by the additive scores "
                f"({', '.join(ADDITIVE_SCORES)}) and is not allowed for "
                f"score={score!r}; leave it as None. "
                f"Received: units={units!r}"
            )
        scale = resolve_scale(score, scale)
        if (
            not isinstance(dropout, numbers.Real)
            or isinstance(dropout, bool)
            or not 0.0 <= dropout < 1.0
        ):
            raise ValueError(
                "`dropout` must be a float in [0, 1). "
                f"Received: dropout={dropout!r}"
            )
        if not isinstance(use_coverage, bool):
            raise ValueError(
                "`use_coverage` must be True or False. "
                f"Received: use_coverage={use_coverage!r}"
            )
        if use_coverage and score not in ADDITIVE_SCORES:
            raise ValueError(
                "`use_coverage=True` needs an additive score "
                f"({', '.join(ADDITIVE_SCORES)}). Received: score={score!r}"
            )
        self.score = score
        self.units = units
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.scale = scale
        self.dropout = float(dropout)
        self.use_coverage = use_coverage
        self.seed = seed
        if self.dropout > 0.0:
            self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        query_shape, values_shape = check_input_shapes(
            input_shape, self.use_coverage
        )[:2]
        query_dim, values_dim = query_shape[-1], values_shape[-1]
        self._values_dim = values_dim
        if self.score in ADDITIVE_SCORES:
            self._build_additive(query_dim, values_dim)
        elif self.score == "luong_general":
            self.kernel = self.add_weight(
                name="kernel",
                shape=(query_dim, values_dim),
                initializer=self.kernel_initializer,
            )
        elif query_dim != values_dim:
            raise ValueError(
                f"score={self.score!r} needs query and values of the same "
                f"feature size. Received: query size {query_dim}, "
                f"values size {values_dim}"
            )
        if self.scale == "learned":
            self.learned_scale = self.add_weight(
                name="scale", shape=(), initializer="ones"
            )

    def _build_additive(self, query_dim, values_dim):
        if self.score == "luong_concat":
            self._query_dim = query_dim
            self.kernel = self.add_weight(
                name="kernel",
                shape=(query_dim + values_dim, self.units),
                initializer=self.kernel_initializer,
            )
        else:
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
        if self.use_coverage:
            self.coverage_kernel = self.add_weight(
                name="coverage_kernel",
                shape=(self.units,),
                initializer=self.kernel_initializer,
            )
        if self.score == "bahdanau_normed":
            self.score_gain = self.add_weight(
                name="score_gain",
                shape=(),
                initializer=keras.initializers.Constant(
                    math.sqrt(1.0 / self.units)
                ),
            )

    def project_values(self, values):
        """The values' share of an additive score, `W_v h`, for the `keys` call argument.

        Args:
            values: Encoder states of shape `(batch, T_enc, d_v)`.

        Returns:
            Tensor of shape `(batch, T_enc, units)`.
        """
        if self.score not in ADDITIVE_SCORES:
            raise ValueError(
                "`project_values` exists for the additive scores "
                f"({', '.join(ADDITIVE_SCORES)}) only. Received: score={self.score!r}"
            )
        if self.score == "luong_concat":
            return ops.matmul(values, self.kernel[self._query_dim :])
        return ops.matmul(values, self.values_kernel)

    def _additive_score(self, query, values, coverage, keys):
        # Both projections are computed once per call (the values' one not at
        # all when given as `keys`), then broadcast-added to
        # (batch, T_dec, T_enc, units).
        if self.score == "luong_concat":
            projected_query = ops.matmul(
                query, self.kernel[: self._query_dim]
            )
        else:
            projected_query = ops.matmul(query, self.query_kernel)
        projected_values = (
            self.project_values(values) if keys is None else keys
        )
        if self.bias is not None:
            projected_query = projected_query + self.bias
        hidden = ops.expand_dims(projected_query, 2) + ops.expand_dims(
            projected_values, 1
        )
        if coverage is not None:
            hidden = hidden + (
                ops.expand_dims(coverage, -1) * self.coverage_kernel
            )
        score_vector = self.score_vector
        if self.score == "bahdanau_normed":
            score_vector = (
                self.score_gain
                * score_vector
                * ops.rsqrt(ops.sum(ops.square(score_vector)))
            )
        # The reduction over the units, and all that follows, in float32 (see `call`).
        return ops.einsum(
            "bqku,u->bqk",
            ops.cast(ops.tanh(hidden), "float32"),
            ops.cast(score_vector, "float32"),
        )

    def _multiplicative_score(self, query, values):
        if self.score == "luong_general":
            query = ops.matmul(query, self.kernel)
        # The dot products, and all that follows, in float32 (see `call`).
        scores = ops.matmul(
            ops.cast(query, "float32"),
            ops.swapaxes(ops.cast(values, "float32"), 1, 2),
        )
        if self.scale == "inverse_sqrt":
            scores = scores * (1.0 / math.sqrt(self._values_dim))
        elif self.scale == "learned":
            scores = scores * ops.cast(self.learned_scale, "float32")
        return scores

    def _valid_pairs(self, mask):
        """Boolean mask broadcastable to `(batch, T_dec, T_enc)`, or None."""
        query_mask, values_mask = split_mask(
            mask, len(input_names(self.use_coverage))
        )
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

    def call(self, inputs, mask=None, training=None, keys=None):
        check_input_shapes(
            keras.tree.map_structure(lambda x: tuple(x.shape), inputs),
            self.use_coverage,
        )
        query, values = inputs[0], inputs[1]
        if keys is not None and self.score not in ADDITIVE_SCORES:
            raise ValueError(
                "`keys` are only used by the additive scores "
                f"({', '.join(ADDITIVE_SCORES)}). Received: keys for "
                f"score={self.score!r}"
            )
        if self.score in ADDITIVE_SCORES:
            coverage = inputs[2] if self.use_coverage else None
            scores = self._additive_score(query, values, coverage, keys)
        else:
            scores = self._multiplicative_score(query, values)
        # Scores, masking and softmax run in float32 whatever the compute
        # dtype (mixed precision), and the alignments stay float32; only the
        # weighted sum of the values runs in the compute dtype.
        scores = ops.cast(scores, "float32")
        valid = self._valid_pairs(mask)
        if valid is None:
            alignments = ops.softmax(scores, axis=-1)
        else:
            # A finite fill keeps the softmax of a row without valid keys
            # NaN-free; `where` then makes every invalid weight exactly zero.
            scores = ops.where(valid, scores, -1e9)
            alignments = ops.where(valid, ops.softmax(scores, axis=-1), 0.0)
        weights = alignments
        if training and self.dropout > 0.0:
            weights = keras.random.dropout(
                alignments, self.dropout, seed=self.seed_generator
            )
        context = ops.matmul(ops.cast(weights, values.dtype), values)
        return context, alignments

    def compute_mask(self, inputs, mask=None):
        query_mask, _ = split_mask(
            mask, len(input_names(self.use_coverage))
        )
        if query_mask is None:
            return None
        query_mask = ops.cast(query_mask, "bool")
        return [query_mask, query_mask]

    def compute_output_shape(self, input_shape):
        query_shape, values_shape = check_input_shapes(
            input_shape, self.use_coverage
        )[:2]
        batch, query_time = query_shape[:2]
        return (
            (batch, query_time, values_shape[2]),
            (batch, query_time, values_shape[1]),
        )

    def compute_output_spec(self, inputs, *args, **kwargs):
        context_shape, alignments_shape = self.compute_output_shape(
            [tuple(tensor.shape) for tensor in inputs]
        )
        return (
            keras.KerasTensor(context_shape, dtype=self.compute_dtype),
            keras.KerasTensor(alignments_shape, dtype="float32"),
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
                "scale": self.scale,
                "dropout": self.dropout,
                "use_coverage": self.use_coverage,
                "seed": self.seed,
            }
        )
        return config
