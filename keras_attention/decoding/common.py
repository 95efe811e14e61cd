"""What the decoding strategies share: option checks, encoding, one decoder step and the token loop.

Everything here uses `keras.ops` only, so the decoders run on any Keras backend and trace inside a
`tf.function` (the loop is a `keras.ops.while_loop`, never a Python loop per token).
"""

import numbers

from keras import ops

from keras_attention.text.vocab import END_ID, PAD_ID, START_ID


def check_positive_int(value, name):
    """Raises `ValueError` unless `value` is a positive int (bools refused)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")


def check_number(value, name, minimum, strict=False):
    """Raises `ValueError` unless `value` is a real number `>= minimum` (`> minimum` if `strict`)."""
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not valid or value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"`{name}` must be a number {relation} {minimum}. Received: {name}={value!r}")


def check_lengths(max_length, max_length_ratio):
    """Checks the options shared by every strategy (see `encode`)."""
    check_positive_int(max_length, "max_length")
    if max_length_ratio is not None:
        check_number(max_length_ratio, "max_length_ratio", 0, strict=True)


def encode(encoder, source_ids, max_length, max_length_ratio=None):
    """Runs the encoder and sets each sentence's maximum output length.

    Args:
        encoder: encoder model from `inference_models`.
        source_ids: int32 `(batch, T_enc)` source ids, padded with 0.
        max_length: maximum number of output tokens, `</s>` included.
        max_length_ratio: optional positive float; sentence `b` also stops after
            `ceil(max_length_ratio * source_length_b)` tokens (at least 1), where the source length
            counts its non-padding ids (`</s>` included).

    Returns:
        Tuple `(encoder_outputs, source_mask, states, limits)`: the encoder's outputs, its list of
        decoder start states, and int32 `(batch,)` output length limits.
    """
    source_ids = ops.convert_to_tensor(source_ids, "int32")
    encoder_outputs, source_mask, *states = encoder(source_ids)
    limits = ops.full((ops.shape(source_ids)[0],), max_length, "int32")
    if max_length_ratio is not None:
        source_lengths = ops.sum(ops.cast(source_mask, "float64"), axis=1)
        relative = ops.cast(ops.ceil(source_lengths * max_length_ratio), "int32")
        limits = ops.minimum(limits, ops.maximum(relative, 1))
    return encoder_outputs, source_mask, states, limits


def next_log_probs(decoder, tokens, encoder_outputs, source_mask, states):
    """Runs the one-step decoder.

    Args:
        decoder: decoder model from `inference_models`.
        tokens: int32 `(batch, 1)` previous output tokens.
        encoder_outputs: `(batch, T_enc, d_enc)`.
        source_mask: `(batch, T_enc)`.
        states: list of decoder state tensors, batch first.

    Returns:
        Tuple `(log_probs, alignments, states)`: float32 `(batch, V)` log-probabilities of the
        next token under the model, set to `-inf` for `<pad>` (padding is never an output: it
        marks the end, and a padding input would be masked by the decoder); float32
        `(batch, T_enc)` alignments of this step; list of new states.
    """
    logits, alignments, *states = decoder([tokens, encoder_outputs, source_mask, *states])
    log_probs = ops.log_softmax(ops.cast(logits[:, 0, :], "float32"), axis=-1)
    padding = ops.equal(ops.arange(ops.shape(log_probs)[-1], dtype="int32"), PAD_ID)
    log_probs = ops.where(padding[None, :], float("-inf"), log_probs)
    return log_probs, ops.cast(alignments[:, 0, :], "float32"), states


def write_step(history, step, values):
    """Returns `history` `(batch, max_length, ...)` with `values` `(batch, ...)` at position `step`.

    A scatter (`TensorScatterUpdate` under TensorFlow) rather than `ops.slice_update`, whose
    TensorFlow form is the XLA op `XlaDynamicUpdateSlice`, which TF Serving builds may lack.
    """
    batch = ops.shape(values)[0]
    indices = ops.stack([ops.arange(batch, dtype="int32"), ops.full((batch,), step, "int32")], axis=1)
    return ops.scatter_update(history, indices, values)


def decode_token_by_token(encoder, decoder, source_ids, max_length, choose, max_length_ratio=None):
    """The loop of greedy decoding and sampling: one token per sentence and step.

    A sentence is finished once it outputs `</s>` or reaches its length limit; a finished
    sentence receives padding, and the loop ends when every sentence is finished.

    Args:
        encoder: encoder model from `inference_models`.
        decoder: decoder model from `inference_models`.
        source_ids: int32 `(batch, T_enc)` source ids, padded with 0.
        max_length: maximum number of output tokens, `</s>` included.
        choose: function `(step, log_probs) -> tokens` picking int32 `(batch,)` tokens from the
            `(batch, V)` log-probabilities of `next_log_probs` at int32 scalar `step`.
        max_length_ratio: optional limit relative to the source length (see `encode`).

    Returns:
        dict with `ids` int32 `(batch, max_length)` (`</s>` then padding after the end), `scores`
        float32 `(batch,)` (sum of the model log-probabilities of the output tokens) and
        `alignments` float32 `(batch, max_length, T_enc)` (zero after the end).
    """
    check_lengths(max_length, max_length_ratio)
    encoder_outputs, source_mask, states, limits = encode(encoder, source_ids, max_length, max_length_ratio)
    batch, source_length = ops.shape(source_mask)[0], ops.shape(source_mask)[1]
    loop_vars = (
        ops.convert_to_tensor(0, "int32"),
        ops.full((batch, 1), START_ID, "int32"),
        tuple(states),
        ops.zeros((batch,), "bool"),
        ops.zeros((batch, max_length), "int32"),
        ops.zeros((batch,), "float32"),
        ops.zeros((batch, max_length, source_length), "float32"),
    )

    def keep_going(step, tokens, states, finished, ids, scores, alignments):
        return ops.logical_and(step < max_length, ops.logical_not(ops.all(finished)))

    def decode_step(step, tokens, states, finished, ids, scores, alignments):
        log_probs, step_alignments, new_states = next_log_probs(
            decoder, tokens, encoder_outputs, source_mask, states
        )
        chosen = ops.where(finished, PAD_ID, choose(step, log_probs))
        chosen_log_prob = ops.take_along_axis(log_probs, chosen[:, None], axis=-1)[:, 0]
        live = ops.logical_not(finished)
        scores = scores + ops.where(live, chosen_log_prob, 0.0)
        step_alignments = ops.where(live[:, None], step_alignments, 0.0)
        ids = write_step(ids, step, chosen)
        alignments = write_step(alignments, step, step_alignments)
        finished = ops.logical_or(finished, ops.equal(chosen, END_ID))
        finished = ops.logical_or(finished, step + 1 >= limits)
        return step + 1, chosen[:, None], tuple(new_states), finished, ids, scores, alignments

    *_, ids, scores, alignments = ops.while_loop(keep_going, decode_step, loop_vars)
    return {"ids": ids, "scores": scores, "alignments": alignments}
