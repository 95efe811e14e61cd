"""Where the streamed training input stands: which epoch it reads, and how many batches it skips.

Each epoch of `keras_attention.data.pipeline.corpus_dataset` is shuffled with a seed of its own
(the run's seed and the epoch number), so that the batch order of any epoch is the same in every
process: a run resumed from a backup reads exactly the batches that the uninterrupted run would
have read. `InputPosition` tells the dataset which epoch starts, and, for the epoch a backup was
taken in, how many of its batches were already trained; those are skipped (read, tokenized and
batched again, then dropped: the order of a bucketed, windowed shuffle can only be rebuilt by
replaying it).

It is a Keras callback: during `fit`, it follows the epochs (`on_epoch_begin`). Outside `fit` (a
dataset iterated by hand), each new pass over the dataset reads the next epoch.
"""

import keras
import tensorflow as tf


class InputPosition(keras.callbacks.Callback):
    """The epoch that the training input reads next and the batches it skips at its start.

    Attributes:
        epoch: 0-based epoch that the next pass over the dataset reads.
        skip: batches of that epoch to skip (already trained before a restart).
    """

    def __init__(self):
        super().__init__()
        self.epoch = 0
        self.skip = 0
        self._resume = None
        self._in_fit = False

    def resume_at(self, epoch, batches_done):
        """Makes epoch `epoch`, when `fit` starts it, skip its first `batches_done` batches."""
        self._resume = (epoch, batches_done)

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.skip = 0
        if self._resume and self._resume[0] == epoch:
            self.skip = self._resume[1]
        self._resume = None

    def _next_pass(self):
        # In `fit`, Keras may start a pass that it then discards (at the end of an epoch), so
        # only `on_epoch_begin` moves the position.
        epoch, skip = self.epoch, self.skip
        if not self._in_fit:
            self.epoch, self.skip = epoch + 1, 0
        return epoch, skip

    def dataset(self):
        """A one-element dataset `(epoch, skip)` (int64 scalars), read each time a pass starts."""

        def read(_):
            epoch, skip = tf.py_function(self._next_pass, [], [tf.int64, tf.int64])
            epoch.set_shape([])
            skip.set_shape([])
            return epoch, skip

        return tf.data.Dataset.range(1).map(read)


def epoch_seed(seed, epoch):
    """The shuffle seed of epoch `epoch` (an int64 tensor) of a run seeded with `seed`."""
    return tf.constant(seed, tf.int64) * 1_000_003 + epoch
