"""The token loop of the decoding strategies, and the n-best shape of their outputs.

Everything here uses `keras.ops` only, so the decoders run on any Keras backend and trace inside a
`tf.function` (the loop is a `keras.ops.while_loop`, never a Python loop per token).
"""

from keras import ops, tree

from keras_attention.decoding.controls import constrain
from keras_attention.decoding.step import encode, next_log_probs
from keras_attention.special_tokens import END_ID, PAD_ID, START_ID

SHRINK_STAGES = 4
"""Stages of `shrinking_while_loop`: the last one holds an eighth of the batch's rows. On the Bible
dev set 4 stages decode 1.9x faster than one and as fast as 6 or 8, which take longer to trace."""


def write_step(history, rows, step, values):
    """Returns `history` `(batch, max_length, ...)` with `values` `(n, ...)` at `[rows, step]`.

    A scatter (`TensorScatterUpdate` under TensorFlow) rather than `ops.slice_update`, whose
    TensorFlow form is the XLA op `XlaDynamicUpdateSlice`, which TF Serving builds may lack.

    Args:
        history: tensor `(batch, max_length, ...)`.
        rows: int32 `(n,)` distinct batch rows to write.
        step: int32 scalar position on axis 1.
        values: tensor `(n, ...)`.
    """
    indices = ops.stack([rows, ops.full(ops.shape(rows), step, "int32")], axis=1)
    return ops.scatter_update(history, indices, values)


def shrinking_while_loop(body, rows, outputs, live, flush, max_length, first_step=0, stages=SHRINK_STAGES):
    """Runs a decoding loop over per-row state, dropping finished rows as they accumulate.

    A batch decodes until its longest output ends, though most rows end long before (on the Bible
    dev set a batch of 256 verses runs 81 steps for outputs of 30 tokens on average). The loop runs
    in `stages` backend loops (`keras.ops.while_loop`): stage `k` holds `ceil(n / 2**k)` rows of
    the `n` first given and hands over to the next stage once no more rows than the next one holds
    are live, keeping the live rows (any order). Each step thus computes at most about twice the
    live rows, or the last stage's size. Before rows are dropped, and at the end, `flush` stores
    what they hold into `outputs`.

    Where the row count is known only when the loop runs (a TensorFlow graph traced for any batch
    size, as `Translator` and the exports trace it), the stages are themselves one backend loop,
    so `body` is traced once rather than once per stage. Otherwise (a row count known when
    tracing, as JAX requires) each stage is a loop of its own.

    Rows are independent, so the result is the one of a loop over every row until the last ends.

    Args:
        body: function `(step, rows, outputs) -> (step, rows, outputs)`: one step of every row.
        rows: dict of tensors that hold the rows on their first axis (nested tuples allowed);
            `rows["origin"]` is int32 `(n,)` `arange(n)`, each row's index in `outputs`.
        outputs: dict of tensors indexed by `origin` (the results), passed through `body`.
        live: function `rows -> bool (rows,)`, the rows still decoding.
        flush: function `(rows, outputs) -> outputs`.
        max_length: int, the number of steps after which the loop ends anyway.
        first_step: int, the step of the first call of `body`.
        stages: positive int; 1 keeps every row to the end.

    Returns:
        `outputs` after the last step.
    """
    count = ops.shape(rows["origin"])[0]
    next_sizes = [(count + 2**stage - 1) // 2**stage for stage in range(1, stages)] + [0]
    step = ops.convert_to_tensor(first_step, "int32")

    def run_stage(next_size, step, rows, outputs):
        """Steps until no more than `next_size` rows are live, then keeps `next_size` rows."""

        def keep_going(step, rows, outputs):
            return ops.logical_and(step < max_length, ops.sum(ops.cast(live(rows), "int32")) > next_size)

        step, rows, outputs = ops.while_loop(keep_going, body, (step, rows, outputs))
        outputs = flush(rows, outputs)
        kept = ops.top_k(ops.cast(live(rows), "int32"), next_size)[1]
        return step, tree.map_structure(lambda tensor: ops.take(tensor, kept, axis=0), rows), outputs

    if isinstance(count, int):
        for next_size in next_sizes:
            step, rows, outputs = run_stage(next_size, step, rows, outputs)
        return outputs
    next_size_at = ops.stack([ops.cast(size, "int32") for size in next_sizes])

    def run_stage_at(stage, step, rows, outputs):
        return (stage + 1, *run_stage(next_size_at[stage], step, rows, outputs))

    stage = ops.convert_to_tensor(0, "int32")
    return ops.while_loop(lambda stage, *_: stage < stages, run_stage_at, (stage, step, rows, outputs))[3]


def decode_token_by_token(
    encoder, decoder, source_ids, max_length, choose, max_length_ratio=None, min_length=0, no_repeat_ngram_size=0
):
    """The loop of greedy decoding and sampling: one token per sentence and step.

    A sentence is finished once it outputs `</s>` or reaches its length limit, and leaves the
    loop soon after (see `shrinking_while_loop`); the loop ends when every sentence is finished.
    The output controls (`keras_attention.decoding.controls`) apply before `choose`.

    Args:
        encoder: encoder model from `inference_models`.
        decoder: decoder model from `inference_models`.
        source_ids: int32 `(batch, T_enc)` source ids, padded with 0.
        max_length: maximum number of output tokens, `</s>` included.
        choose: function `(step, sentences, log_probs) -> tokens` picking int32 `(n,)` tokens
            from the `(n, V)` log-probabilities of `next_log_probs` of the sentences int32 `(n,)`
            (their index in the batch) at int32 scalar `step`.
        max_length_ratio: optional limit relative to the source length (see `encode`).
        min_length: no `</s>` before this many tokens (0: none).
        no_repeat_ngram_size: no n-gram of this many tokens twice in an output (0: no limit).

    Returns:
        dict with `ids` int32 `(batch, max_length)` (`</s>` then padding after the end), `scores`
        float32 `(batch,)` (sum of the model log-probabilities of the output tokens) and
        `alignments` float32 `(batch, max_length, T_enc)` (zero after the end).
    """
    encoder_outputs, source_mask, states, limits = encode(encoder, source_ids, max_length, max_length_ratio)
    batch, source_length = ops.shape(source_mask)[0], ops.shape(source_mask)[1]
    rows = {
        "origin": ops.arange(batch, dtype="int32"),
        "tokens": ops.full((batch, 1), START_ID, "int32"),
        "states": tuple(states),
        "finished": ops.zeros((batch,), "bool"),
        "scores": ops.zeros((batch,), "float32"),
        "encoder_outputs": encoder_outputs,
        "source_mask": source_mask,
        "limits": limits,
    }
    if no_repeat_ngram_size:
        rows["history"] = ops.zeros((batch, max_length), "int32")
    outputs = {
        "ids": ops.zeros((batch, max_length), "int32"),
        "scores": ops.zeros((batch,), "float32"),
        "alignments": ops.zeros((batch, max_length, source_length), "float32"),
    }

    def decode_step(step, rows, outputs):
        log_probs, step_alignments, states = next_log_probs(
            decoder, rows["tokens"], rows["encoder_outputs"], rows["source_mask"], rows["states"]
        )
        finished = rows["finished"]
        allowed = constrain(log_probs, step, rows.get("history"), min_length, no_repeat_ngram_size)
        chosen = ops.where(finished, PAD_ID, choose(step, rows["origin"], allowed))
        chosen_log_prob = ops.take_along_axis(log_probs, chosen[:, None], axis=-1)[:, 0]
        live = ops.logical_not(finished)
        step_alignments = ops.where(live[:, None], step_alignments, 0.0)
        outputs = {
            **outputs,
            "ids": write_step(outputs["ids"], rows["origin"], step, chosen),
            "alignments": write_step(outputs["alignments"], rows["origin"], step, step_alignments),
        }
        ending = ops.logical_or(ops.equal(chosen, END_ID), step + 1 >= rows["limits"])
        rows = {
            **rows,
            "tokens": chosen[:, None],
            "states": tuple(states),
            "finished": ops.logical_or(finished, ending),
            "scores": rows["scores"] + ops.where(live, chosen_log_prob, 0.0),
        }
        if no_repeat_ngram_size:
            at_step = ops.equal(ops.arange(max_length, dtype="int32"), step)
            rows["history"] = ops.where(at_step[None, :], chosen[:, None], rows["history"])
        return step + 1, rows, outputs

    def store_scores(rows, outputs):
        scores = ops.scatter_update(outputs["scores"], rows["origin"][:, None], rows["scores"])
        return {**outputs, "scores": scores}

    return shrinking_while_loop(
        decode_step, rows, outputs, lambda rows: ops.logical_not(rows["finished"]), store_scores, max_length
    )


def as_n_best(output):
    """A one-best decoder's output with an n-best axis of size 1 after the batch axis."""
    return {key: ops.expand_dims(value, 1) for key, value in output.items()}
