"""Padding-aware metrics for teacher-forced sequence outputs."""

import keras
from keras import ops

from keras_attention.special_tokens import PAD_ID


def _correct_and_mask(y_true, y_pred):
    y_true = ops.cast(y_true, "int32")
    mask = ops.not_equal(y_true, PAD_ID)
    correct = ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true)
    return correct, mask


@keras.saving.register_keras_serializable(package="keras_attention")
class MaskedTokenAccuracy(keras.metrics.Mean):
    """Share of non-padding target tokens whose arg-max prediction is right.

    Call arguments:
        y_true: target ids `(batch, T)`, 0 = padding.
        y_pred: logits or probabilities `(batch, T, vocabulary)`.
        sample_weight: not used; padding (id 0) decides which tokens count.
    """

    def update_state(self, y_true, y_pred, sample_weight=None):
        correct, mask = _correct_and_mask(y_true, y_pred)
        return super().update_state(ops.cast(correct, "float32"), sample_weight=ops.cast(mask, "float32"))


@keras.saving.register_keras_serializable(package="keras_attention")
class SequenceAccuracy(keras.metrics.Mean):
    """Share of target sequences whose every non-padding token is predicted right (teacher forced).

    Call arguments:
        y_true: target ids `(batch, T)`, 0 = padding.
        y_pred: logits or probabilities `(batch, T, vocabulary)`.
        sample_weight: not used; padding (id 0) decides which tokens count.
    """

    def update_state(self, y_true, y_pred, sample_weight=None):
        correct, mask = _correct_and_mask(y_true, y_pred)
        whole = ops.all(ops.logical_or(correct, ops.logical_not(mask)), axis=-1)
        return super().update_state(ops.cast(whole, "float32"))
