"""Decoding strategies over the one-step decoder."""

from keras_attention.decoding.greedy import greedy_decode

__all__ = ["greedy_decode"]
