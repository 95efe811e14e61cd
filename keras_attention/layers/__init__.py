"""Keras layers: attention and masking (`keras.ops` only, backend-agnostic)."""

from keras_attention.layers.attention import AttentionLayer
from keras_attention.layers.masking import PaddingMask, RemoveMask

__all__ = ["AttentionLayer", "PaddingMask", "RemoveMask"]
