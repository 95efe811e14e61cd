"""Keras layers: attention, attention inside the recurrence, coverage, copy attention, tied embeddings, masking
(`keras.ops` only, backend-agnostic)."""

from keras_attention.layers.attention import AttentionLayer
from keras_attention.layers.attention_memory import AttentionMemory, SplitMemory
from keras_attention.layers.attention_cell import AttentionRNNCell, InitialAttentionState
from keras_attention.layers.attention_rnn import AttentionRNN
from keras_attention.layers.coverage import CoverageLoss
from keras_attention.layers.masking import PaddingMask, RemoveMask
from keras_attention.layers.pointer_generator import PointerGenerator
from keras_attention.layers.tied_embedding import TiedEmbedding
from keras_attention.layers.token_map import TokenMap

__all__ = [
    "AttentionLayer",
    "AttentionMemory",
    "AttentionRNN",
    "AttentionRNNCell",
    "CoverageLoss",
    "InitialAttentionState",
    "PaddingMask",
    "PointerGenerator",
    "RemoveMask",
    "SplitMemory",
    "TiedEmbedding",
    "TokenMap",
]
