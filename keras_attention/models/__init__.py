"""Functional encoder, decoder and the seq2seq training model."""

from keras_attention.models.decoder import build_decoder
from keras_attention.models.encoder import build_encoder
from keras_attention.models.metrics import MaskedTokenAccuracy, SequenceAccuracy
from keras_attention.models.seq2seq import (
    build_seq2seq,
    compile_seq2seq,
    copy_target_ids,
    generation_probability_model,
    inference_models,
)

__all__ = [
    "MaskedTokenAccuracy",
    "SequenceAccuracy",
    "build_decoder",
    "build_encoder",
    "build_seq2seq",
    "compile_seq2seq",
    "copy_target_ids",
    "generation_probability_model",
    "inference_models",
]
