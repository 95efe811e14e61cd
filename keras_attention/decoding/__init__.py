"""Decoding strategies over the one-step decoder: greedy, sampling and beam search.

All three decode a whole batch at once in a `keras.ops.while_loop` (no Python loop per token),
stop when every sentence has ended or reached its length limit (absolute, and optionally
relative to its source length), and trace inside a `tf.function`.
"""

from keras_attention.decoding.beam import beam_search_decode, gnmt_coverage_penalty, gnmt_length_penalty
from keras_attention.decoding.greedy import greedy_decode
from keras_attention.decoding.sampling import sample_decode

__all__ = [
    "beam_search_decode",
    "gnmt_coverage_penalty",
    "gnmt_length_penalty",
    "greedy_decode",
    "sample_decode",
]
