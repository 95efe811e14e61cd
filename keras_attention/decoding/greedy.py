"""Batched greedy decoding as a backend loop (`keras.ops.while_loop`): traceable in a graph."""

from keras import ops

from keras_attention.text.vocab import END_ID, PAD_ID, START_ID


def greedy_decode(encoder, decoder, source_ids, max_length):
    """Decodes a batch of source sequences greedily, one target token per loop step.

    Every sentence of the batch is decoded together; a sentence that has produced `</s>` stops
    growing (it receives padding), and the loop ends when all are finished or after `max_length`
    tokens.

    Args:
        encoder: encoder model from `inference_models`.
        decoder: decoder model from `inference_models`.
        source_ids: int32 `(batch, T_enc)` source ids (padding 0, ending with `</s>`).
        max_length: maximum number of output tokens, `</s>` included.

    Returns:
        dict with `ids` int32 `(batch, max_length)` (output tokens, `</s>` then padding after the
        end), `scores` float32 `(batch,)` (sum of the log-probabilities of the chosen tokens) and
        `alignments` float32 `(batch, max_length, T_enc)` (zero after a sentence's end).
    """
    encoder_outputs, source_mask, *states = encoder(source_ids)
    batch = ops.shape(source_ids)[0]
    source_length = ops.shape(source_ids)[1]
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
        logits, step_alignments, *new_states = decoder([tokens, encoder_outputs, source_mask, *states])
        log_probs = ops.log_softmax(ops.cast(logits[:, 0, :], "float32"), axis=-1)
        chosen = ops.cast(ops.argmax(log_probs, axis=-1), "int32")
        chosen = ops.where(finished, PAD_ID, chosen)
        chosen_log_prob = ops.take_along_axis(log_probs, ops.expand_dims(chosen, -1), axis=-1)[:, 0]
        live = ops.logical_not(finished)
        scores = scores + ops.where(live, chosen_log_prob, 0.0)
        step_alignments = ops.where(
            live[:, None, None], ops.cast(step_alignments, "float32"), 0.0
        )
        ids = ops.slice_update(ids, (0, step), chosen[:, None])
        alignments = ops.slice_update(alignments, (0, step, 0), step_alignments)
        finished = ops.logical_or(finished, ops.equal(chosen, END_ID))
        return step + 1, chosen[:, None], tuple(new_states), finished, ids, scores, alignments

    *_, ids, scores, alignments = ops.while_loop(keep_going, decode_step, loop_vars)
    return {"ids": ids, "scores": scores, "alignments": alignments}
