"""Tiny untrained models and a teacher-forcing scorer shared by the decoding tests."""

import itertools

import keras
import numpy as np

from helpers.tiny_configs import DISTINCT_SIZES
from keras_attention.config import ModelConfig, TextConfig
from keras_attention.models import build_seq2seq, inference_models
from keras_attention.text.vocab import END_ID, PAD_ID, START_ID

CONFIG = ModelConfig(**DISTINCT_SIZES, initialization="keras")
"""The tiny model of the decoding tests: Keras's layer defaults (scaled by `tiny_models`) whatever
`ModelConfig`'s default initialization, so that the tests' outputs stay the ones they were written for."""
SOURCE_VOCABULARY = 20
TEXT = TextConfig(max_length=12)
"""Text settings of `tiny_translator_parts`: sources longer than 12 characters are truncated."""


def tiny_models(seed, target_vocabulary=9, scale=3.0, config=CONFIG):
    """Returns `(encoder, decoder)` of an untrained model whose next-token distributions are uneven.

    Every weight is multiplied by `scale`, so that sequences differ clearly in probability and
    attention is peaked (an untrained model is otherwise close to uniform). `config` is `CONFIG`
    or a variant of it (e.g. another attention placement).
    """
    keras.utils.set_random_seed(seed)
    encoder, decoder = inference_models(build_seq2seq(config, SOURCE_VOCABULARY, target_vocabulary))
    for weight in encoder.weights + decoder.weights:
        weight.assign(weight * scale)
    return encoder, decoder


def tiny_translator_parts(seed=3, scale=3.0):
    """Returns `(encoder, decoder, source_tokenizer, target_tokenizer, model)` of an untrained
    character-level model from the letters `abcdef` and space to `xyz` (see `tiny_models`)."""
    from keras_attention.text.tokenizer import tokenizer_from_config
    from keras_attention.text.vocab import build_vocabulary

    source_tokenizer = tokenizer_from_config(TEXT, build_vocabulary([list("abcdef ")]))
    target_tokenizer = tokenizer_from_config(TEXT, build_vocabulary([list("xyz")]))
    keras.utils.set_random_seed(seed)
    model = build_seq2seq(CONFIG, source_tokenizer.vocabulary_size, target_tokenizer.vocabulary_size)
    for weight in model.weights:
        weight.assign(weight * scale)
    return (*inference_models(model), source_tokenizer, target_tokenizer, model)


def source_batch(lengths, time=None, seed=0):
    """int32 `(len(lengths), time)` sources of the given lengths (`</s>` included), padded with 0."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((len(lengths), time or max(lengths)), "int32")
    for row, length in enumerate(lengths):
        ids[row, : length - 1] = rng.integers(4, SOURCE_VOCABULARY, size=length - 1)
        ids[row, length - 1] = END_ID
    return ids


def sequence_lengths(ids):
    """Lengths of padded output sequences (`</s>` included)."""
    return np.sum(np.asarray(ids) != PAD_ID, axis=-1)


def teacher_forced(encoder, decoder, source, ids):
    """Log-probabilities and alignments of output sequences for one source, by teacher forcing.

    Args:
        source: int `(T_enc,)` source ids (padding allowed).
        ids: int `(n, L)` output sequences, padded with 0 after their end.

    Returns:
        float64 `(n,)` log-probabilities and float64 `(n, L, T_enc)` alignments (zero after the end).
    """
    ids = np.asarray(ids, "int32")
    inputs = np.concatenate([np.full((len(ids), 1), START_ID, "int32"), ids[:, :-1]], axis=1)
    encoded = encoder(np.repeat(np.asarray(source, "int32")[None, :], len(ids), axis=0))
    logits, alignments = decoder([keras.ops.convert_to_tensor(inputs), *encoded])[:2]
    log_probs = np.asarray(keras.ops.log_softmax(logits, axis=-1), "float64")
    inside = ids != PAD_ID
    chosen = np.take_along_axis(log_probs, ids[:, :, None], axis=-1)[:, :, 0]
    alignments = np.where(inside[:, :, None], np.asarray(alignments, "float64"), 0.0)
    return np.sum(np.where(inside, chosen, 0.0), axis=1), alignments


def gnmt_scores(log_probs, ids, alignments, source, alpha, beta):
    """GNMT scores `log P / ((5 + |Y|) / 6) ** alpha + beta * sum_j log(min(coverage_j, 1))`."""
    lengths = sequence_lengths(ids)
    coverage = alignments.sum(axis=1)[:, np.asarray(source) != PAD_ID]
    penalty = beta * np.sum(np.log(np.clip(coverage, 1e-10, 1.0)), axis=1)
    return log_probs / ((5.0 + lengths) / 6.0) ** alpha + penalty


def all_sequences(vocabulary_size, max_length):
    """Every output a decoder can produce: `</s>`-terminated sequences of at most `max_length`
    tokens and unterminated ones of exactly `max_length`, over every id but `<pad>`; `(n, L)`."""
    words = [token for token in range(vocabulary_size) if token not in (PAD_ID, END_ID)]
    rows = []
    for length in range(max_length):
        rows += [prefix + (END_ID,) for prefix in itertools.product(words, repeat=length)]
    rows += list(itertools.product(words, repeat=max_length))
    return np.array([row + (PAD_ID,) * (max_length - len(row)) for row in rows], "int32")
