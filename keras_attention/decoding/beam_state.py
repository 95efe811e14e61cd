"""The state of a beam search: per sentence, its alive and its finished hypotheses.

The state is a dict of tensors whose first axis is the sentence (the rows that
`shrinking_while_loop` drops once a sentence is done); hypotheses are the second axis.
"""

import dataclasses

from keras import ops, tree

from keras_attention.decoding.penalties import gnmt_length_penalty

MINUS_INF = float("-inf")


@dataclasses.dataclass(frozen=True)
class BeamOptions:
    """The options of one search: `beam_size`, `n_best`, the penalty weights `length_penalty`
    (alpha) and `coverage_penalty` (beta), and the output controls `min_length` and
    `no_repeat_ngram_size` (`keras_attention.decoding.controls`)."""

    beam_size: int
    n_best: int
    length_penalty: float
    coverage_penalty: float
    min_length: int = 0
    no_repeat_ngram_size: int = 0


def take(values, indices):
    """Gathers along axis 1: `values (batch, n, ...)`, int `indices (batch, m)` -> `(batch, m, ...)`.

    One gather of rows of the flattened `values` (`ops.take_along_axis` with broadcast indices
    costs 5x-17x more here).
    """
    rows = indices + ops.arange(ops.shape(indices)[0], dtype=indices.dtype)[:, None] * ops.shape(values)[1]
    gathered = ops.take(flat(values), ops.reshape(rows, (-1,)), axis=0)
    return ops.reshape(gathered, (-1, ops.shape(indices)[1], *ops.shape(values)[2:]))


def per_beam(values, beam_size):
    """Repeats each sentence's `values (batch, ...)` for its beams: `(batch, beam_size, ...)`."""
    return ops.repeat(ops.expand_dims(values, 1), beam_size, axis=1)


def flat(values):
    """Merges the sentence and beam axes: `(batch, beam_size, ...)` -> `(batch * beam_size, ...)`."""
    return ops.reshape(values, (-1, *ops.shape(values)[2:]))


def unflat(values, beam_size):
    """Splits the rows of `values (batch * beam_size, ...)` into `(batch, beam_size, ...)`."""
    return ops.reshape(values, (-1, beam_size, *ops.shape(values)[1:]))


def write_step(ids, step, tokens):
    """Returns `ids (batch, m, L)` with position `step` set to `tokens (batch, m)`."""
    at_step = ops.equal(ops.arange(ids.shape[-1], dtype="int32"), step)
    return ops.where(at_step, tokens[:, :, None], ids)


def initial_state(encoder_outputs, source_mask, limits, max_length, options):
    """The state before the first step, and the outputs that finished sentences are stored in.

    Every sentence has `beam_size` alive hypotheses, of which only the first (`<s>`) counts,
    and `n_best` empty finished places.

    Args:
        encoder_outputs: the encoder's `(batch, T_enc, units)` outputs (or a nested structure
            of such tensors: an `Ensemble`'s).
        source_mask: boolean `(batch, T_enc)`.
        limits: int32 `(batch,)` length limit of each sentence.
        max_length: the length of the id rows.
        options: `BeamOptions`.

    Returns:
        `(rows, outputs)`: the state (see the module docstring; `tokens` and `states` are added
        by the first step) and `outputs` (`scores`, `log_probs`, `ids` of the n-best).
    """
    batch, source_length = ops.shape(source_mask)[0], ops.shape(source_mask)[1]
    beam_size, n_best = options.beam_size, options.n_best
    first_beam_only = ops.where(ops.equal(ops.arange(beam_size), 0), 0.0, MINUS_INF)
    rows = {
        "origin": ops.arange(batch, dtype="int32"),
        "alive_log_probs": ops.zeros((batch, beam_size), "float32") + first_beam_only[None, :],
        "alive_ids": ops.zeros((batch, beam_size, max_length), "int32"),
        "alive_coverage": ops.zeros((batch, beam_size, source_length), "float32"),
        "finished_scores": ops.full((batch, n_best), MINUS_INF, "float32"),
        "finished_log_probs": ops.zeros((batch, n_best), "float32"),
        "finished_ids": ops.zeros((batch, n_best, max_length), "int32"),
        "done": ops.zeros((batch,), "bool"),
        "limits": limits,
        "best_possible_divisor": gnmt_length_penalty(limits, options.length_penalty),
        "source_mask": source_mask,
        "encoder_outputs": tree.map_structure(lambda tensor: per_beam(tensor, beam_size), encoder_outputs),
    }
    outputs = {
        "scores": ops.full((batch, n_best), MINUS_INF, "float32"),
        "log_probs": ops.zeros((batch, n_best), "float32"),
        "ids": ops.zeros((batch, n_best, max_length), "int32"),
    }
    return rows, outputs


def store_finished(rows, outputs):
    """Writes the finished hypotheses of the sentences in `rows` to their places in `outputs`."""
    origin = rows["origin"][:, None]
    return {
        name: ops.scatter_update(outputs[name], origin, rows[f"finished_{name}"])
        for name in ("scores", "log_probs", "ids")
    }
