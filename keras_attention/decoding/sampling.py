"""Batched random sampling with temperature and top-k, seedable, as a backend loop."""

import keras
from keras import ops

from keras_attention.decoding.controls import length_options
from keras_attention.decoding.loop import as_n_best, decode_token_by_token
from keras_attention.decoding.step import batch_size
from keras_attention.options.decoding import check_decoding_options


def sample_decode(
    encoder,
    decoder,
    source_ids,
    max_length,
    temperature=1.0,
    top_k=None,
    seed=None,
    max_length_ratio=None,
    min_length=0,
    no_repeat_ngram_size=0,
):
    """Decodes a batch of source sequences by drawing each next token at random.

    The next token of a sentence is drawn from `softmax(log_probs / temperature)` restricted to
    its `top_k` most probable tokens (never `<pad>`). Draws use one uniform number per sentence and
    step, all taken from `keras.random.uniform` before the loop (inverse-CDF sampling), so a given
    seed and batch always give the same output, in eager mode and inside a `tf.function`. As the
    temperature goes to 0 (or with `top_k=1`) the output becomes the greedy one.

    Args:
        encoder: encoder model from `inference_models` (or an `Ensemble`'s encoder).
        decoder: decoder model from `inference_models` (or an `Ensemble`'s decoder).
        source_ids: int32 `(batch, T_enc)` source ids (padding 0, ending with `</s>`; for an
            `Ensemble`, a tuple of them, one per source tokenization).
        max_length: maximum number of output tokens, `</s>` included.
        temperature: positive float; below 1 sharpens the distribution, above 1 flattens it.
        top_k: optional positive int, the number of most probable tokens to draw from (`None`:
            the whole vocabulary).
        seed: int, `keras.random.SeedGenerator` or `None` (see `keras.random.uniform`); a
            `SeedGenerator` gives new draws at each call.
        max_length_ratio: optional positive float: sentence `b` also stops after
            `ceil(max_length_ratio * source_length_b)` tokens, the source length counting its
            non-padding ids.
        min_length: no `</s>` before this many output tokens (0: none; see
            `keras_attention.decoding.controls`).
        no_repeat_ngram_size: no n-gram of this many tokens twice in an output (0: no limit).

    Returns:
        dict with `ids` int32 `(batch, max_length)` (`</s>` then padding after the end), `scores`
        float32 `(batch,)` (sum of the model's log-probabilities of the drawn tokens, at
        temperature 1) and `alignments` float32 `(batch, max_length, T_enc)` (zero after the end).
    """
    controls = dict(min_length=min_length, no_repeat_ngram_size=no_repeat_ngram_size)
    check_decoding_options(
        "sample",
        max_length=max_length,
        temperature=temperature,
        top_k=top_k,
        max_length_ratio=max_length_ratio,
        **controls,
    )
    uniform = keras.random.uniform((max_length, batch_size(source_ids)), seed=seed)

    def draw(step, sentences, log_probs):
        scaled = log_probs / temperature
        if top_k is not None:
            kth_largest = ops.top_k(scaled, min(top_k, scaled.shape[-1]))[0][:, -1:]
            scaled = ops.where(scaled < kth_largest, float("-inf"), scaled)
        cumulative = ops.cumsum(ops.softmax(scaled, axis=-1), axis=-1)
        threshold = (1.0 - ops.take(ops.take(uniform, step, axis=0), sentences)) * cumulative[:, -1]
        return ops.sum(ops.cast(cumulative < threshold[:, None], "int32"), axis=-1)

    return decode_token_by_token(encoder, decoder, source_ids, max_length, draw, max_length_ratio, **controls)


def run_sampling(encoder, decoder, source_ids, options, seed, max_length):
    """The `sample` strategy for a `Translator` (see `keras_attention.options.decoding.STRATEGIES`)."""
    output = sample_decode(
        encoder,
        decoder,
        source_ids,
        max_length,
        temperature=options.temperature,
        top_k=options.top_k,
        seed=seed,
        **length_options(options),
    )
    return as_n_best(output)
