"""Keras layers: attention, attention inside the recurrence, coverage, masking (`keras.ops` only,
backend-agnostic)."""

from keras_attention.layers.attention import AttentionLayer
from keras_attention.layers.attention_memory import AttentionMemory, SplitMemory
from keras_attention.layers.attention_cell import AttentionRNNCell, InitialAttentionState
from keras_attention.layers.attention_rnn import AttentionRNN
from keras_attention.layers.coverage import CoverageLoss
from keras_attention.layers.masking import PaddingMask, RemoveMask

__all__ = [
    "AttentionLayer",
    "AttentionMemory",
    "AttentionRNN",
    "AttentionRNNCell",
    "CoverageLoss",
    "InitialAttentionState",
    "PaddingMask",
    "RemoveMask",
    "SplitMemory",
]
