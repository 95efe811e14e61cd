"""The encoder run and one decoder step, shared by the decoding strategies (`keras.ops` only)."""

from keras import ops, tree

from keras_attention.special_tokens import END_ID, PAD_ID, START_ID


def encode(encoder, source_ids, max_length, max_length_ratio=None):
    """Runs the encoder and sets each sentence's maximum output length.

    Args:
        encoder: encoder model from `inference_models`, or an `Ensemble`'s encoder.
        source_ids: int32 `(batch, T_enc)` source ids, padded with 0 (for an `Ensemble`, a tuple
            of them, one per source tokenization).
        max_length: maximum number of output tokens, `</s>` included.
        max_length_ratio: optional positive float; sentence `b` also stops after
            `ceil(max_length_ratio * source_length_b)` tokens (at least 1), where the source length
            counts the non-padding ids of `source_mask` (`</s>` included).

    Returns:
        Tuple `(encoder_outputs, source_mask, states, limits)`: the encoder's outputs (a nested
        structure of tensors for an `Ensemble`), its `(batch, T_enc)` source mask, its list of
        decoder start states, and int32 `(batch,)` output length limits.
    """
    source_ids = tree.map_structure(lambda ids: ops.convert_to_tensor(ids, "int32"), source_ids)
    encoder_outputs, source_mask, *states = encoder(source_ids)
    limits = ops.full((ops.shape(source_mask)[0],), max_length, "int32")
    if max_length_ratio is not None:
        source_lengths = ops.sum(ops.cast(source_mask, "float64"), axis=1)
        relative = ops.cast(ops.ceil(source_lengths * max_length_ratio), "int32")
        limits = ops.minimum(limits, ops.maximum(relative, 1))
    return encoder_outputs, source_mask, states, limits


def batch_size(source_ids):
    """The number of sentences of `source_ids`: a tensor, or a tuple of them (see `encode`)."""
    return ops.shape(tree.flatten(source_ids)[0])[0]


def decoder_inputs(tokens):
    """The one-step decoder's input tokens: `tokens` with `<pad>` replaced by `</s>`.

    A finished row (its previous output `<pad>`) or an impossible beam hypothesis still runs
    through the decoder, whose output for it is ignored. Fed `<pad>`, the decoder's LSTM would get
    a fully masked row, which the cuDNN kernel refuses at run time (Keras's `_assert_valid_mask`
    on a GPU); `</s>` is a real token, so every mask row is valid and the cuDNN kernel stays usable.

    Args:
        tokens: int32 tensor of token ids.

    Returns:
        int32 tensor of the shape of `tokens`, without `<pad>`.
    """
    return ops.where(ops.equal(tokens, PAD_ID), END_ID, tokens)


def next_log_probs(decoder, tokens, encoder_outputs, source_mask, states):
    """Runs the one-step decoder.

    Args:
        decoder: decoder model from `inference_models`, or an `Ensemble`'s decoder (whose
            attribute `outputs_log_probabilities` says that it outputs log-probabilities rather
            than logits: they are used as they are).
        tokens: int32 `(batch, 1)` previous output tokens; `<pad>` (a finished row, whose
            outputs the caller ignores) is fed to the decoder as `</s>` (see `decoder_inputs`).
        encoder_outputs: `(batch, T_enc, d_enc)`.
        source_mask: `(batch, T_enc)`.
        states: list of decoder state tensors, batch first.

    Returns:
        Tuple `(log_probs, alignments, states)`: float32 `(batch, V)` log-probabilities of the
        next token under the model, set to `-inf` for `<pad>` (padding is never an output: it
        marks the end); float32 `(batch, T_enc)` alignments of this step; list of new states.
    """
    logits, alignments, *states = decoder([decoder_inputs(tokens), encoder_outputs, source_mask, *states])
    log_probs = ops.cast(logits[:, 0, :], "float32")
    if not getattr(decoder, "outputs_log_probabilities", False):
        log_probs = ops.log_softmax(log_probs, axis=-1)
    padding = ops.equal(ops.arange(ops.shape(log_probs)[-1], dtype="int32"), PAD_ID)
    log_probs = ops.where(padding[None, :], float("-inf"), log_probs)
    return log_probs, ops.cast(alignments[:, 0, :], "float32"), states


def teacher_forced(model, ids, encoder_outputs, source_mask, states):
    """Runs `model` over whole output sequences at once, each fed its own previous tokens.

    What a decoding loop computed step by step for the sequences it chose (alignments, or the
    probability of generating of copy attention), in one call: the decoder is the same
    computation over a whole sequence as over its steps one by one.

    Args:
        model: the decoder, or a model with its inputs (`generation_probability_model`).
        ids: int32 `(batch, L)` output sequences, padded with 0.
        encoder_outputs, source_mask, states: the encoder's outputs for the `batch` sentences.

    Returns:
        The model's outputs for the `(batch, L)` steps.
    """
    inputs = ops.concatenate([ops.full_like(ids[:, :1], START_ID), ids[:, :-1]], axis=1)
    return model([inputs, encoder_outputs, source_mask, *states])
