"""PointerGenerator: copy attention, the mixture of generating and copying of See et al. (2017)."""

import keras
from keras import ops

_INPUTS = ("logits", "alignments", "context", "state", "decoder_inputs", "source_ids")


@keras.saving.register_keras_serializable(package="keras_attention")
class PointerGenerator(keras.layers.Layer):
    """Mixes generating a word from the vocabulary with copying it from the source.

    At each decoder step `i`, with context `c_i`, decoder state `s_i` and decoder input `x_i`,

        p_gen = sigmoid(w_c . c_i + w_s . s_i + w_x . x_i + b)
        P(w) = p_gen P_vocab(w) + (1 - p_gen) sum_{j: src_j = w} a_ij

    where `P_vocab = softmax(logits)` and `a_ij` are the alignments over the source positions
    `j`, whose tokens `src_j` are given as ids of the output vocabulary (See et al., 2017, "Get
    To The Point"). The layer returns `log P(w)`, computed as
    `logaddexp(log p_gen + log P_vocab(w), log(1 - p_gen) + log(copy(w)))` so that it stays
    finite (and differentiable) where either part vanishes, in float32 whatever the layer's
    dtype policy, with ops that a TF Serving model server has (`keras_attention.export.ops`). `log P` is a valid input for `softmax` or a cross-entropy "from logits" (its
    log-softmax is itself), so it can stand in for the logits of a model.

    Args:
        kernel_initializer: Initializer of the `p_gen` weights `[w_c; w_s; w_x]`.
        bias_initializer: Initializer of the `p_gen` bias `b`.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        inputs: List `[logits, alignments, context, state, decoder_inputs, source_ids]`:
            `logits` `(batch, T_dec, V)`, `alignments` `(batch, T_dec, T_enc)` (zero at padded
            source positions), `context` `(batch, T_dec, d_c)`, `state` `(batch, T_dec, d_s)`,
            `decoder_inputs` `(batch, T_dec, d_x)` (the embedded previous tokens) and integer
            `source_ids` `(batch, T_enc)`, the source tokens' ids in the output vocabulary,
            in `[0, V)`.
        mask: Optional list of the inputs' masks; the first (the decoder steps') is the mask of
            the outputs.

    Returns:
        List `[log_probs, p_gen]`: float32 `(batch, T_dec, V)` log-probabilities of the mixture,
        and float32 `(batch, T_dec)` the probability of generating at each step.

    Example:

    >>> layer = PointerGenerator()
    >>> log_probs, p_gen = layer([np.zeros((2, 3, 10)), np.full((2, 3, 4), 0.25),
    ...     np.ones((2, 3, 5)), np.ones((2, 3, 6)), np.ones((2, 3, 7)), np.array([[4, 5, 5, 0]] * 2)])
    >>> tuple(log_probs.shape), tuple(p_gen.shape)
    ((2, 3, 10), (2, 3))
    """

    def __init__(self, kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        shapes = _check_input_shapes(input_shape)
        features = sum(shapes[name][-1] for name in ("context", "state", "decoder_inputs"))
        self.kernel = self.add_weight(
            name="kernel", shape=(features, 1), initializer=self.kernel_initializer, dtype="float32"
        )
        self.bias = self.add_weight(name="bias", shape=(1,), initializer=self.bias_initializer, dtype="float32")

    def call(self, inputs, mask=None):
        logits, alignments, context, state, decoder_inputs, source_ids = inputs
        features = ops.concatenate([ops.cast(tensor, "float32") for tensor in (context, state, decoder_inputs)], -1)
        switch = ops.matmul(features, ops.cast(self.kernel, "float32"))[..., 0] + ops.cast(self.bias, "float32")[0]
        log_generate = _log_sigmoid(switch)[..., None] + ops.log_softmax(ops.cast(logits, "float32"), axis=-1)
        copy = copy_distribution(ops.cast(alignments, "float32"), source_ids, ops.shape(logits)[-1])
        copied = copy > 0.0
        log_copy = ops.where(copied, ops.log(ops.where(copied, copy, 1.0)), float("-inf"))
        log_probs = _log_add_exp(log_generate, _log_sigmoid(-switch)[..., None] + log_copy)
        return [log_probs, ops.sigmoid(switch)]

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return [mask[0], mask[0]]

    def compute_output_shape(self, input_shape):
        shapes = _check_input_shapes(input_shape)
        return [shapes["logits"], shapes["logits"][:2]]

    def compute_output_spec(self, inputs, mask=None):
        logits = inputs[0]
        return [
            keras.KerasTensor(logits.shape, dtype="float32"),
            keras.KerasTensor(logits.shape[:2], dtype="float32"),
        ]

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


def copy_distribution(alignments, source_ids, vocabulary_size):
    """`copy(w) = sum_{j: src_j = w} a_ij`: the alignments summed per output-vocabulary token.

    A scatter-add of the `(batch, T_dec, T_enc)` alignments into `(batch, T_dec, V)`, rather than
    a product with one-hot source ids, whose `(batch, T_enc, V)` tensor is large for real
    vocabularies.

    Args:
        alignments: float `(batch, T_dec, T_enc)`.
        source_ids: int `(batch, T_enc)` ids in `[0, vocabulary_size)`.
        vocabulary_size: `V`.

    Returns:
        float `(batch, T_dec, V)`, the dtype of `alignments`.
    """
    batch, steps, sources = ops.shape(alignments)[0], ops.shape(alignments)[1], ops.shape(alignments)[2]
    shape = (batch, steps, sources)
    rows = ops.broadcast_to(ops.arange(batch, dtype="int32")[:, None, None], shape)
    positions = ops.broadcast_to(ops.arange(steps, dtype="int32")[None, :, None], shape)
    tokens = ops.broadcast_to(ops.cast(source_ids, "int32")[:, None, :], shape)
    indices = ops.reshape(ops.stack([rows, positions, tokens], axis=-1), (-1, 3))
    return ops.scatter(indices, ops.reshape(alignments, (-1,)), (batch, steps, vocabulary_size))


def _log_sigmoid(x):
    """`log(sigmoid(x))`, stable, in the ops of the export's allow-list (`ops.log_sigmoid` records
    `Softplus`, which it lacks)."""
    return ops.minimum(x, 0.0) - ops.log(1.0 + ops.exp(-ops.abs(x)))


def _log_add_exp(a, b):
    """`log(exp(a) + exp(b))` for a finite `a` and a `b` that may be `-inf` (then exactly `a`, with
    a zero gradient for `b`), in the ops of the export's allow-list (`ops.logaddexp` records `Log1p`
    and `IsNan`, which it lacks)."""
    largest = ops.maximum(a, b)
    return largest + ops.log(ops.exp(a - largest) + ops.exp(b - largest))


def _check_input_shapes(input_shape):
    """The shapes of the six inputs by name; raises `ValueError` saying what was received."""
    if not (isinstance(input_shape, (list, tuple)) and len(input_shape) == len(_INPUTS)):
        raise ValueError(
            f"PointerGenerator expects `inputs=[{', '.join(_INPUTS)}]`, a list of {len(_INPUTS)} tensors. "
            f"Received: inputs with shape(s) {input_shape}"
        )
    shapes = dict(zip(_INPUTS, (tuple(shape) for shape in input_shape)))
    for name, shape in shapes.items():
        rank = 2 if name == "source_ids" else 3
        if len(shape) != rank:
            raise ValueError(f"PointerGenerator expects `{name}` of rank {rank}. Received: {name}.shape={shape}")
    pairs = [("alignments", 2, "source_ids", 1, "T_enc")] + [
        (name, 1, "logits", 1, "T_dec") for name in ("alignments", "context", "state", "decoder_inputs")
    ]
    for name, axis, other, other_axis, label in pairs:
        size, wanted = shapes[name][axis], shapes[other][other_axis]
        if size is not None and wanted is not None and size != wanted:
            raise ValueError(
                f"PointerGenerator expects `{name}` and `{other}` to agree on {label}. "
                f"Received: {name}.shape={shapes[name]}, {other}.shape={shapes[other]}"
            )
    return shapes
