"""Batched beam search with GNMT length and coverage penalties and n-best output, as a backend loop."""

from keras import ops

from keras_attention.decoding.loop import shrinking_while_loop
from keras_attention.decoding.step import encode, next_log_probs
from keras_attention.decoding.top_k import top_k_rows
from keras_attention.options.decoding import check_decoding_options
from keras_attention.special_tokens import END_ID, START_ID

MIN_COVERAGE = 1e-10
"""Floor of a source position's coverage in the coverage penalty, so the penalty stays finite."""


def gnmt_length_penalty(length, alpha):
    """GNMT length penalty `lp(Y) = ((5 + |Y|) / 6) ** alpha`.

    Args:
        length: output lengths (tensor of any shape), `</s>` included.
        alpha: non-negative float; 0 gives 1 (no normalization).

    Returns:
        float32 tensor of the shape of `length`.
    """
    return ops.power((5.0 + ops.cast(length, "float32")) / 6.0, alpha)


def gnmt_coverage_penalty(coverage, source_mask, beta):
    """GNMT coverage penalty `cp(X; Y) = beta * sum_j log(min(c_j, 1))`.

    `c_j = sum_i a_ij` is the attention that source position `j` received over the output steps
    `i`; the sum runs over the non-padding positions, and each `c_j` is floored at `MIN_COVERAGE`.
    The penalty is at most 0 and reaches 0 once every source position got a total weight of 1.

    Args:
        coverage: float32 `(..., T_enc)` summed alignments.
        source_mask: boolean `(..., T_enc)`, broadcastable against `coverage`.
        beta: non-negative float.

    Returns:
        float32 tensor `coverage.shape[:-1]`.
    """
    coverage = ops.clip(coverage, MIN_COVERAGE, 1.0)
    return beta * ops.sum(ops.where(source_mask, ops.log(coverage), 0.0), axis=-1)


def _take(values, indices):
    """Gathers along axis 1: `values (batch, n, ...)`, int `indices (batch, m)` -> `(batch, m, ...)`.

    One gather of rows of the flattened `values` (`ops.take_along_axis` with broadcast indices
    costs 5x-17x more here).
    """
    rows = indices + ops.arange(ops.shape(indices)[0], dtype=indices.dtype)[:, None] * ops.shape(values)[1]
    gathered = ops.take(_flat(values), ops.reshape(rows, (-1,)), axis=0)
    return ops.reshape(gathered, (-1, ops.shape(indices)[1], *ops.shape(values)[2:]))


def _beams(values, beam_size):
    """Repeats each sentence's `values (batch, ...)` for its beams: `(batch, beam_size, ...)`."""
    return ops.repeat(ops.expand_dims(values, 1), beam_size, axis=1)


def _flat(values):
    """Merges the sentence and beam axes: `(batch, beam_size, ...)` -> `(batch * beam_size, ...)`."""
    return ops.reshape(values, (-1, *ops.shape(values)[2:]))


def _unflat(values, beam_size):
    """Splits the rows of `values (batch * beam_size, ...)` into `(batch, beam_size, ...)`."""
    return ops.reshape(values, (-1, beam_size, *ops.shape(values)[1:]))


def _write_step(ids, step, tokens):
    """Returns `ids (batch, m, L)` with position `step` set to `tokens (batch, m)`."""
    at_step = ops.equal(ops.arange(ids.shape[-1], dtype="int32"), step)
    return ops.where(at_step, tokens[:, :, None], ids)


def _alignments(decoder, ids, encoder_outputs, source_mask, states):
    """Alignments of output sequences, by teacher forcing them through the decoder in one call.

    Args:
        decoder: decoder model.
        ids: int32 `(batch, n, L)` output sequences, padded with 0.
        encoder_outputs, source_mask, states: the encoder's outputs for the `batch` sentences.

    Returns:
        float32 `(batch, n, L, T_enc)` alignments, zero after each sequence's end.
    """
    n, length = ids.shape[1], ids.shape[2]
    flat_ids = ops.reshape(ids, (-1, length))
    inputs = ops.concatenate([ops.full_like(flat_ids[:, :1], START_ID), flat_ids[:, :-1]], axis=1)
    encoder_inputs = [ops.repeat(tensor, n, axis=0) for tensor in (encoder_outputs, source_mask, *states)]
    alignments = decoder([inputs, *encoder_inputs])[1]
    alignments = ops.where(ops.not_equal(flat_ids, 0)[:, :, None], ops.cast(alignments, "float32"), 0.0)
    return ops.reshape(alignments, (-1, n, length, ops.shape(alignments)[-1]))


def beam_search_decode(
    encoder,
    decoder,
    source_ids,
    max_length,
    beam_size=5,
    length_penalty=0.0,
    coverage_penalty=0.0,
    n_best=1,
    max_length_ratio=None,
):
    """Decodes a batch of source sequences with beam search.

    Each sentence keeps `beam_size` unfinished hypotheses. At every step each of them is extended
    by every token but `<pad>`, and every extension is scored by the GNMT function
    `s(Y, X) = log P(Y | X) / lp(Y) + cp(X; Y)` as if it ended there (see `gnmt_length_penalty`
    and `gnmt_coverage_penalty`). The `beam_size` best extensions that do not end go on. An
    extension that ends (with `</s>`, or by reaching the sentence's length limit) and ranks among
    the `beam_size` best of its step competes for the `n_best` finished places.

    A sentence stops as soon as its `n_best`-th finished score cannot be beaten: log-probabilities
    only fall as a hypothesis grows, the coverage penalty is at most 0 and the length penalty is
    largest at the length limit, so no unfinished hypothesis can end above
    `max log P / lp(limit)`. A stopped sentence soon leaves the loop (see
    `shrinking_while_loop`), which ends when every sentence has stopped. With `beam_size=1` and
    no penalties the result is exactly the greedy one; with a beam wide enough to keep every
    prefix, it is exactly the best-scoring sequence of length at most the limit.

    Args:
        encoder: encoder model from `inference_models`.
        decoder: decoder model from `inference_models`.
        source_ids: int32 `(batch, T_enc)` source ids (padding 0, ending with `</s>`).
        max_length: maximum number of output tokens, `</s>` included.
        beam_size: positive int, unfinished hypotheses kept per sentence.
        length_penalty: `alpha >= 0` of the length penalty (0: rank by log-probability).
        coverage_penalty: `beta >= 0` of the coverage penalty (0: none).
        n_best: number of hypotheses returned per sentence, `1 <= n_best <= beam_size`.
        max_length_ratio: optional positive float: sentence `b` also stops after
            `ceil(max_length_ratio * source_length_b)` tokens, the source length counting its
            non-padding ids.

    Returns:
        dict, hypotheses best first: `ids` int32 `(batch, n_best, max_length)` (`</s>` then
        padding after the end), `scores` float32 `(batch, n_best)` (`s(Y, X)`; `-inf` where fewer
        than `n_best` hypotheses exist), `log_probs` float32 `(batch, n_best)` (`log P(Y | X)`)
        and `alignments` float32 `(batch, n_best, max_length, T_enc)` (zero after the end; the
        search keeps only each hypothesis' coverage, and the returned hypotheses are teacher
        forced through the decoder in one call at the end to get their alignments).

    Example:

    ```python
    encoder, decoder = inference_models(model)
    output = beam_search_decode(encoder, decoder, source_ids, 20, beam_size=5, n_best=3)
    output["ids"][:, 0]  # best hypothesis of each sentence
    ```
    """
    check_decoding_options(
        "beam",
        max_length=max_length,
        beam_size=beam_size,
        length_penalty=length_penalty,
        coverage_penalty=coverage_penalty,
        n_best=n_best,
        max_length_ratio=max_length_ratio,
    )
    encoder_outputs, source_mask, states, limits = encode(encoder, source_ids, max_length, max_length_ratio)
    batch, source_length = ops.shape(source_mask)[0], ops.shape(source_mask)[1]
    minus_inf = float("-inf")
    first_beam_only = ops.where(ops.equal(ops.arange(beam_size), 0), 0.0, minus_inf)
    rows = {
        "origin": ops.arange(batch, dtype="int32"),
        "alive_log_probs": ops.zeros((batch, beam_size), "float32") + first_beam_only[None, :],
        "alive_ids": ops.zeros((batch, beam_size, max_length), "int32"),
        "alive_coverage": ops.zeros((batch, beam_size, source_length), "float32"),
        "finished_scores": ops.full((batch, n_best), minus_inf, "float32"),
        "finished_log_probs": ops.zeros((batch, n_best), "float32"),
        "finished_ids": ops.zeros((batch, n_best, max_length), "int32"),
        "done": ops.zeros((batch,), "bool"),
        "limits": limits,
        "best_possible_divisor": gnmt_length_penalty(limits, length_penalty),
        "source_mask": source_mask,
        "encoder_outputs": _beams(encoder_outputs, beam_size),
    }
    outputs = {
        "scores": ops.full((batch, n_best), minus_inf, "float32"),
        "log_probs": ops.zeros((batch, n_best), "float32"),
        "ids": ops.zeros((batch, n_best, max_length), "int32"),
    }

    def extend(step, rows, log_probs, step_alignments, new_states):
        """Extends every alive hypothesis by one token, given the decoder's outputs for them."""
        source_mask, limits = rows["source_mask"], rows["limits"]
        coverage = rows["alive_coverage"] + ops.reshape(step_alignments, (-1, beam_size, source_length))

        # The extensions (beam, token) that can rank among the `2 * beam_size` best of a sentence
        # are among the `2 * beam_size` most probable tokens of their beam: only those are scored,
        # each as if it ended here.
        width = min(2 * beam_size, log_probs.shape[-1])
        beam_log_probs, beam_tokens = top_k_rows(log_probs, width)
        candidate_beams = ops.arange(beam_size * width, dtype="int32") // width
        candidate_tokens = ops.reshape(beam_tokens, (-1, beam_size * width))
        extended_log_probs = ops.reshape(
            rows["alive_log_probs"][:, :, None] + ops.reshape(beam_log_probs, (-1, beam_size, width)),
            (-1, beam_size * width),
        )
        scores = extended_log_probs / gnmt_length_penalty(step + 1, length_penalty)
        if coverage_penalty:
            penalty = gnmt_coverage_penalty(coverage, source_mask[:, None, :], coverage_penalty)
            scores = scores + ops.repeat(penalty, width, axis=1)
        ending = ops.logical_or(ops.equal(candidate_tokens, END_ID), (step + 1 >= limits)[:, None])
        # At most `beam_size` extensions end before the limit (one `</s>` per beam), so the
        # `2 * beam_size` best hold the `beam_size` best that do not end.
        top_scores, top_picks = ops.top_k(scores, 2 * beam_size)
        top_ending = ops.take_along_axis(ending, top_picks, axis=1)

        # Ending extensions among the `beam_size` best compete with the finished ones so far.
        in_beam = ops.arange(2 * beam_size) < beam_size
        finishing = ops.logical_and(top_ending, in_beam[None, :])
        pool = ops.concatenate([rows["finished_scores"], ops.where(finishing, top_scores, minus_inf)], axis=1)
        finished_scores, picks = ops.top_k(pool, n_best)
        kept = picks < n_best
        kept_picks = ops.minimum(picks, n_best - 1)
        new_picks = ops.take_along_axis(top_picks, ops.maximum(picks - n_best, 0), axis=1)
        new_ids = _write_step(
            _take(rows["alive_ids"], ops.take(candidate_beams, new_picks)),
            step,
            ops.take_along_axis(candidate_tokens, new_picks, axis=1),
        )
        finished_ids = ops.where(kept[:, :, None], _take(rows["finished_ids"], kept_picks), new_ids)
        finished_log_probs = ops.where(
            kept,
            ops.take_along_axis(rows["finished_log_probs"], kept_picks, axis=1),
            ops.take_along_axis(extended_log_probs, new_picks, axis=1),
        )

        # The best extensions that do not end stay alive.
        alive_scores, order = ops.top_k(ops.where(top_ending, minus_inf, top_scores), beam_size)
        alive_picks = ops.take_along_axis(top_picks, order, axis=1)
        beams = ops.take(candidate_beams, alive_picks)
        alive_tokens = ops.take_along_axis(candidate_tokens, alive_picks, axis=1)
        alive_log_probs = ops.take_along_axis(extended_log_probs, alive_picks, axis=1)
        alive_log_probs = ops.where(ops.equal(alive_scores, minus_inf), minus_inf, alive_log_probs)

        # Stop a sentence once no alive hypothesis can beat its n-th best finished one.
        best_possible = ops.max(alive_log_probs, axis=1) / rows["best_possible_divisor"]
        done = ops.logical_or(rows["done"], finished_scores[:, -1] >= best_possible)
        return {
            **rows,
            "tokens": alive_tokens,
            "states": tuple(_take(_unflat(state, beam_size), beams) for state in new_states),
            "alive_log_probs": ops.where(done[:, None], minus_inf, alive_log_probs),
            "alive_ids": _write_step(_take(rows["alive_ids"], beams), step, alive_tokens),
            "alive_coverage": _take(coverage, beams),
            "finished_scores": finished_scores,
            "finished_log_probs": finished_log_probs,
            "finished_ids": finished_ids,
            "done": done,
        }

    def search_step(step, rows, outputs):
        decoded = next_log_probs(
            decoder,
            ops.reshape(rows["tokens"], (-1, 1)),
            _flat(rows["encoder_outputs"]),
            ops.repeat(rows["source_mask"], beam_size, axis=0),
            [_flat(state) for state in rows["states"]],
        )
        return step + 1, extend(step, rows, *decoded), outputs

    def store_finished(rows, outputs):
        origin = rows["origin"][:, None]
        return {
            name: ops.scatter_update(outputs[name], origin, rows[f"finished_{name}"])
            for name in ("scores", "log_probs", "ids")
        }

    # At the first step every beam holds the same prefix `<s>` (the first one alone is alive),
    # so the decoder runs once per sentence.
    log_probs, step_alignments, first_states = next_log_probs(
        decoder, ops.full((batch, 1), START_ID, "int32"), encoder_outputs, source_mask, states
    )
    rows = extend(
        0,
        rows,
        ops.repeat(log_probs, beam_size, axis=0),
        ops.repeat(step_alignments, beam_size, axis=0),
        [ops.repeat(state, beam_size, axis=0) for state in first_states],
    )
    outputs = shrinking_while_loop(
        search_step,
        rows,
        outputs,
        lambda rows: ops.logical_not(rows["done"]),
        store_finished,
        max_length,
        first_step=1,
    )
    scores, log_probs, ids = outputs["scores"], outputs["log_probs"], outputs["ids"]
    return {
        "ids": ids,
        "scores": scores,
        "log_probs": log_probs,
        "alignments": _alignments(decoder, ids, encoder_outputs, source_mask, states),
    }


def run_beam(encoder, decoder, source_ids, options, seed, max_length):
    """The `beam` strategy for a `Translator` (see `keras_attention.options.decoding.STRATEGIES`)."""
    return beam_search_decode(
        encoder,
        decoder,
        source_ids,
        max_length,
        beam_size=options.beam_size,
        length_penalty=options.length_penalty,
        coverage_penalty=options.coverage_penalty,
        n_best=options.n_best,
        max_length_ratio=options.max_length_ratio,
    )
