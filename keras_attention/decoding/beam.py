"""Batched beam search with GNMT length and coverage penalties and n-best output, as a backend loop.

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

The search state lives in `beam_state`, one step of it in `beam_step`, the penalties in
`penalties`; this module runs the loop.
"""

import dataclasses

from keras import ops, tree

from keras_attention.decoding.beam_state import BeamOptions, flat, initial_state, store_finished
from keras_attention.decoding.beam_step import extend
from keras_attention.decoding.controls import length_options
from keras_attention.decoding.loop import shrinking_while_loop
from keras_attention.decoding.step import encode, next_log_probs, teacher_forced
from keras_attention.options.decoding import check_decoding_options
from keras_attention.special_tokens import START_ID


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
    encoder_outputs, source_mask, states = tree.map_structure(
        lambda tensor: ops.repeat(tensor, n, axis=0), (encoder_outputs, source_mask, states)
    )
    alignments = teacher_forced(decoder, flat_ids, encoder_outputs, source_mask, states)[1]
    alignments = ops.where(ops.not_equal(flat_ids, 0)[:, :, None], ops.cast(alignments, "float32"), 0.0)
    return ops.reshape(alignments, (-1, n, length, ops.shape(alignments)[-1]))


def _first_step(decoder, rows, encoder_outputs, source_mask, states, options):
    """The state after the first step. Every beam holds the same prefix `<s>` then (the first one
    alone is alive), so the decoder runs once per sentence."""
    batch, beam_size = ops.shape(source_mask)[0], options.beam_size
    log_probs, step_alignments, first_states = next_log_probs(
        decoder, ops.full((batch, 1), START_ID, "int32"), encoder_outputs, source_mask, states
    )
    return extend(
        0,
        rows,
        ops.repeat(log_probs, beam_size, axis=0),
        ops.repeat(step_alignments, beam_size, axis=0),
        [ops.repeat(state, beam_size, axis=0) for state in first_states],
        options,
    )


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
    min_length=0,
    no_repeat_ngram_size=0,
):
    """Decodes a batch of source sequences with beam search.

    The search is described in the module docstring.

    Args:
        encoder: encoder model from `inference_models` (or an `Ensemble`'s encoder).
        decoder: decoder model from `inference_models` (or an `Ensemble`'s decoder).
        source_ids: int32 `(batch, T_enc)` source ids (padding 0, ending with `</s>`; for an
            `Ensemble`, a tuple of them, one per source tokenization).
        max_length: maximum number of output tokens, `</s>` included.
        beam_size: positive int, unfinished hypotheses kept per sentence.
        length_penalty: `alpha >= 0` of the length penalty (0: rank by log-probability).
        coverage_penalty: `beta >= 0` of the coverage penalty (0: none).
        n_best: number of hypotheses returned per sentence, `1 <= n_best <= beam_size`.
        max_length_ratio: optional positive float: sentence `b` also stops after
            `ceil(max_length_ratio * source_length_b)` tokens, the source length counting its
            non-padding ids.
        min_length: no `</s>` before this many output tokens (0: none; see
            `keras_attention.decoding.controls`).
        no_repeat_ngram_size: no n-gram of this many tokens twice in an output (0: no limit).

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
    options = BeamOptions(beam_size, n_best, length_penalty, coverage_penalty, min_length, no_repeat_ngram_size)
    check_decoding_options("beam", max_length=max_length, max_length_ratio=max_length_ratio, **dataclasses.asdict(options))
    encoder_outputs, source_mask, states, limits = encode(encoder, source_ids, max_length, max_length_ratio)
    rows, outputs = initial_state(encoder_outputs, source_mask, limits, max_length, options)

    def search_step(step, rows, outputs):
        decoded = next_log_probs(
            decoder,
            ops.reshape(rows["tokens"], (-1, 1)),
            tree.map_structure(flat, rows["encoder_outputs"]),
            ops.repeat(rows["source_mask"], beam_size, axis=0),
            [flat(state) for state in rows["states"]],
        )
        return step + 1, extend(step, rows, *decoded, options), outputs

    rows = _first_step(decoder, rows, encoder_outputs, source_mask, states, options)
    outputs = shrinking_while_loop(
        search_step,
        rows,
        outputs,
        lambda rows: ops.logical_not(rows["done"]),
        store_finished,
        max_length,
        first_step=1,
    )
    return {
        "ids": outputs["ids"],
        "scores": outputs["scores"],
        "log_probs": outputs["log_probs"],
        "alignments": _alignments(decoder, outputs["ids"], encoder_outputs, source_mask, states),
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
        **length_options(options),
    )
