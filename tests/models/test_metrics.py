"""Padding-aware token and sequence accuracy against hand-computed values."""

import numpy as np

from keras_attention.models import MaskedTokenAccuracy, SequenceAccuracy


def one_hot_logits(predicted, vocabulary=6):
    return np.eye(vocabulary, dtype="float32")[predicted]


def test_padding_is_ignored():
    y_true = np.array([[4, 5, 3, 0], [4, 4, 3, 0], [5, 3, 0, 0]])
    y_pred = one_hot_logits(np.array([[4, 5, 3, 1], [4, 5, 3, 1], [5, 3, 2, 2]]))
    token, sequence = MaskedTokenAccuracy(), SequenceAccuracy()
    token.update_state(y_true, y_pred)
    sequence.update_state(y_true, y_pred)
    assert float(token.result()) == np.float32(7 / 8)
    assert float(sequence.result()) == np.float32(2 / 3)
