"""One step of beam search: extend every alive hypothesis, update the finished and the alive ones.

The output controls (`keras_attention.decoding.controls`) apply to the decoder's log-probabilities
first.

`extend` takes the decoder's outputs for the alive hypotheses of the state (`beam_state`) and
returns the state after the step. Its three parts:

1. `_candidates`: the extensions that can rank among the `2 * beam_size` best of a sentence,
   each scored as if it ended here.
2. `_finished`: extensions that end (with `</s>`, or at the length limit) and rank among the
   `beam_size` best compete with the finished hypotheses so far for the `n_best` places.
3. `_alive`: the `beam_size` best extensions that do not end stay alive.

A sentence is done once no alive hypothesis can beat its `n_best`-th finished one.
"""

from keras import ops

from keras_attention.decoding.beam_state import MINUS_INF, flat, take, unflat, write_step
from keras_attention.decoding.controls import constrain
from keras_attention.decoding.penalties import gnmt_coverage_penalty, gnmt_length_penalty
from keras_attention.decoding.top_k import top_k_rows
from keras_attention.special_tokens import END_ID


def extend(step, rows, log_probs, step_alignments, new_states, options):
    """The state after output step `step`.

    Args:
        step: the 0-based output step (scalar).
        rows: the state before the step (see `beam_state`).
        log_probs: float32 `(batch * beam_size, vocabulary)` next-token log-probabilities of the
            alive hypotheses.
        step_alignments: float32 `(batch * beam_size, T_enc)` their alignments at this step.
        new_states: the decoder states after the step, `(batch * beam_size, units)` each.
        options: `BeamOptions`.

    Returns:
        The new state, with `tokens` (the alive hypotheses' last tokens) and `states` (theirs).
    """
    beam_size = options.beam_size
    log_probs = constrain(
        log_probs, step, flat(rows["alive_ids"]), options.min_length, options.no_repeat_ngram_size
    )
    coverage = rows["alive_coverage"] + unflat(step_alignments, beam_size)
    candidates = _candidates(step, rows, log_probs, coverage, options)
    finished = _finished(step, rows, candidates, options)
    beams, alive_tokens, alive_log_probs = _alive(candidates, beam_size)
    best_possible = ops.max(alive_log_probs, axis=1) / rows["best_possible_divisor"]
    done = ops.logical_or(rows["done"], finished["finished_scores"][:, -1] >= best_possible)
    return {
        **rows,
        **finished,
        "tokens": alive_tokens,
        "states": tuple(take(unflat(state, beam_size), beams) for state in new_states),
        "alive_log_probs": ops.where(done[:, None], MINUS_INF, alive_log_probs),
        "alive_ids": write_step(take(rows["alive_ids"], beams), step, alive_tokens),
        "alive_coverage": take(coverage, beams),
        "done": done,
    }


def _candidates(step, rows, log_probs, coverage, options):
    """The `2 * beam_size` best-scoring extensions of each sentence.

    The extensions (beam, token) that can rank among them are among the `2 * beam_size` most
    probable tokens of their beam: only those are scored, each as if it ended here. At most
    `beam_size` extensions end before the limit (one `</s>` per beam), so the `2 * beam_size`
    best hold the `beam_size` best that do not end.

    Returns:
        dict: over the `beam_size * width` scored extensions, `beams` and `tokens` (int32) and
        `log_probs`; over the `2 * beam_size` best of them, `scores`, `picks` (indices into
        the scored ones) and `ending` (bool).
    """
    beam_size = options.beam_size
    width = min(2 * beam_size, log_probs.shape[-1])
    beam_log_probs, beam_tokens = top_k_rows(log_probs, width)
    tokens = ops.reshape(beam_tokens, (-1, beam_size * width))
    extended_log_probs = ops.reshape(
        rows["alive_log_probs"][:, :, None] + ops.reshape(beam_log_probs, (-1, beam_size, width)),
        (-1, beam_size * width),
    )
    scores = extended_log_probs / gnmt_length_penalty(step + 1, options.length_penalty)
    if options.coverage_penalty:
        penalty = gnmt_coverage_penalty(coverage, rows["source_mask"][:, None, :], options.coverage_penalty)
        scores = scores + ops.repeat(penalty, width, axis=1)
    ending = ops.logical_or(ops.equal(tokens, END_ID), (step + 1 >= rows["limits"])[:, None])
    top_scores, top_picks = ops.top_k(scores, 2 * beam_size)
    return {
        "beams": ops.arange(beam_size * width, dtype="int32") // width,
        "tokens": tokens,
        "log_probs": extended_log_probs,
        "scores": top_scores,
        "picks": top_picks,
        "ending": ops.take_along_axis(ending, top_picks, axis=1),
    }


def _finished(step, rows, candidates, options):
    """The `n_best` finished hypotheses after the step: the old ones and the ending candidates
    among the `beam_size` best, best first (`finished_scores`, `finished_log_probs`, `finished_ids`)."""
    n_best = options.n_best
    in_beam = ops.arange(2 * options.beam_size) < options.beam_size
    finishing = ops.logical_and(candidates["ending"], in_beam[None, :])
    pool = ops.concatenate([rows["finished_scores"], ops.where(finishing, candidates["scores"], MINUS_INF)], axis=1)
    scores, picks = ops.top_k(pool, n_best)
    kept = picks < n_best
    kept_picks = ops.minimum(picks, n_best - 1)
    new_picks = ops.take_along_axis(candidates["picks"], ops.maximum(picks - n_best, 0), axis=1)
    new_ids = write_step(
        take(rows["alive_ids"], ops.take(candidates["beams"], new_picks)),
        step,
        ops.take_along_axis(candidates["tokens"], new_picks, axis=1),
    )
    return {
        "finished_scores": scores,
        "finished_log_probs": ops.where(
            kept,
            ops.take_along_axis(rows["finished_log_probs"], kept_picks, axis=1),
            ops.take_along_axis(candidates["log_probs"], new_picks, axis=1),
        ),
        "finished_ids": ops.where(kept[:, :, None], take(rows["finished_ids"], kept_picks), new_ids),
    }


def _alive(candidates, beam_size):
    """The `beam_size` best candidates that do not end: their beams, tokens and log-probabilities
    (`-inf` where fewer than `beam_size` remain)."""
    alive_scores, order = ops.top_k(ops.where(candidates["ending"], MINUS_INF, candidates["scores"]), beam_size)
    picks = ops.take_along_axis(candidates["picks"], order, axis=1)
    log_probs = ops.take_along_axis(candidates["log_probs"], picks, axis=1)
    return (
        ops.take(candidates["beams"], picks),
        ops.take_along_axis(candidates["tokens"], picks, axis=1),
        ops.where(ops.equal(alive_scores, MINUS_INF), MINUS_INF, log_probs),
    )
