"""`streamed_epochs`: a resumed, partial first epoch must not set the length of the later epochs."""

import keras
import tensorflow as tf

from keras_attention.data.positions import InputPosition
from keras_attention.trainer.streamed_epochs import streamed_epochs

BATCHES = 10
SKIPPED = 4


class BatchCounter(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.counts = getattr(self, "counts", []) + [0]

    def on_train_batch_end(self, batch, logs=None):
        self.counts[-1] += 1


def batches_per_epoch(patched):
    position = InputPosition()
    batches = tf.data.Dataset.range(BATCHES).map(lambda i: (tf.ones([2, 3]) * tf.cast(i, tf.float32), tf.ones([2, 1])))
    dataset = position.dataset().flat_map(lambda epoch, skip: batches.skip(skip))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    position.resume_at(0, SKIPPED)
    counter = BatchCounter()
    with streamed_epochs(position if patched else None):
        model.fit(dataset, epochs=3, callbacks=[position, counter], verbose=0)
    return counter.counts


def test_a_partial_first_epoch_does_not_cut_the_later_ones_short():
    assert batches_per_epoch(patched=True) == [BATCHES - SKIPPED, BATCHES, BATCHES]


def test_upstream_keras_still_cuts_them_short():
    # If this fails, Keras no longer learns the epoch length from the first epoch: the patch in
    # `keras_attention.trainer.streamed_epochs` can go.
    first, *later = batches_per_epoch(patched=False)
    assert first == BATCHES - SKIPPED and all(count < BATCHES for count in later)
