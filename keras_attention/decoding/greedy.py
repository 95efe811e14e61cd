"""Batched greedy decoding as a backend loop (`keras.ops.while_loop`): traceable in a graph."""

from keras import ops

from keras_attention.decoding.controls import length_options
from keras_attention.decoding.loop import as_n_best, decode_token_by_token
from keras_attention.options.decoding import check_decoding_options


def greedy_decode(encoder, decoder, source_ids, max_length, max_length_ratio=None, min_length=0, no_repeat_ngram_size=0):
    """Decodes a batch of source sequences greedily, one target token per loop step.

    Every sentence of the batch is decoded together; at each step a sentence takes its most
    probable next token (never `<pad>`). A sentence that has produced `</s>` or reached its length
    limit stops growing (its outputs are padding), and the loop ends when all are finished.

    Args:
        encoder: encoder model from `inference_models` (or an `Ensemble`'s encoder).
        decoder: decoder model from `inference_models` (or an `Ensemble`'s decoder).
        source_ids: int32 `(batch, T_enc)` source ids (padding 0, ending with `</s>`; for an
            `Ensemble`, a tuple of them, one per source tokenization).
        max_length: maximum number of output tokens, `</s>` included.
        max_length_ratio: optional positive float: sentence `b` also stops after
            `ceil(max_length_ratio * source_length_b)` tokens, the source length counting its
            non-padding ids.
        min_length: no `</s>` before this many output tokens (0: none; see
            `keras_attention.decoding.controls`).
        no_repeat_ngram_size: no n-gram of this many tokens twice in an output (0: no limit).

    Returns:
        dict with `ids` int32 `(batch, max_length)` (output tokens, `</s>` then padding after the
        end), `scores` float32 `(batch,)` (sum of the log-probabilities of the chosen tokens) and
        `alignments` float32 `(batch, max_length, T_enc)` (zero after a sentence's end).
    """
    controls = dict(min_length=min_length, no_repeat_ngram_size=no_repeat_ngram_size)
    check_decoding_options("greedy", max_length=max_length, max_length_ratio=max_length_ratio, **controls)

    def most_probable(step, sentences, log_probs):
        return ops.cast(ops.argmax(log_probs, axis=-1), "int32")

    return decode_token_by_token(encoder, decoder, source_ids, max_length, most_probable, max_length_ratio, **controls)


def run_greedy(encoder, decoder, source_ids, options, seed, max_length):
    """The `greedy` strategy for a `Translator` (see `keras_attention.options.decoding.STRATEGIES`)."""
    return as_n_best(greedy_decode(encoder, decoder, source_ids, max_length, **length_options(options)))
