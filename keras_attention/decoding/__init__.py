"""Decoding strategies over the one-step decoder: greedy, sampling and beam search.

All three decode a whole batch at once in `keras.ops.while_loop`s (no Python loop per token),
drop finished sentences from the loop as they accumulate, stop when every sentence has ended or
reached its length limit (absolute, and optionally relative to its source length), and trace
inside a `tf.function`. Each also decodes an `Ensemble` of models (`decoding.ensemble`) as one.
"""

from keras_attention.decoding.beam import beam_search_decode
from keras_attention.decoding.greedy import greedy_decode
from keras_attention.decoding.penalties import gnmt_coverage_penalty, gnmt_length_penalty
from keras_attention.decoding.sampling import sample_decode

__all__ = [
    "beam_search_decode",
    "gnmt_coverage_penalty",
    "gnmt_length_penalty",
    "greedy_decode",
    "sample_decode",
]
