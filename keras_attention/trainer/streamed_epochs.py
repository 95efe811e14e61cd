"""Keras `fit` on the streamed training input, whose number of batches is not known in advance.

`fit_streamed(model, data, epochs)` is the `model.fit` call for a `TrainingData`
(`keras_attention.trainer.setup.prepare_data`): it runs `fit` inside `streamed_epochs` with the
callbacks `ExactStepCount` and the input's `InputPosition` first. `train` and `training/train.py`
use it.

Three behaviours of Keras 3's TensorFlow trainer (checked on Keras 3.15.1) need handling:

1. When the first epoch of a dataset of unknown length ends, Keras warns "Your input ran out of
   data", as if `steps_per_epoch` had asked for more batches than there are. `fit` never sets
   `steps_per_epoch` here, so the warning only marks the first epoch's end: it is silenced.
2. Keras learns the number of batches per epoch from the end of the first epoch of a `fit` and
   stops every later epoch there (`EpochIterator.catch_stop_iteration` sets `_num_batches`).
   Every epoch of `corpus_dataset` has the same number of batches (the same pairs fall into the
   same length buckets), except the first epoch of a run resumed in its middle, which skips the
   batches already trained: Keras would then cut every later epoch short by as many batches.
   Fix: while `streamed_epochs(position)` is active, an epoch that `position` started with
   skipped batches teaches Keras nothing, so it learns the count from the next, whole epoch.
   `tests/trainer/test_streamed_epochs.py` checks the upstream behaviour this relies on.
3. The last step of each epoch, which finds no batch, still increments `optimizer.iterations`:
   `ExactStepCount` sets it back.
"""

import contextlib
import warnings

import keras
from keras.src.backend.tensorflow import trainer as tf_trainer


def _epoch_iterator_class(position):
    base = tf_trainer.TFEpochIterator

    class EpochIterator(base):
        @contextlib.contextmanager
        def catch_stop_iteration(self):
            # Only a count still to be learned (the training input's; validation data has one).
            partial = position.skip > 0 and self._num_batches is None
            with super().catch_stop_iteration():
                yield
            if partial:
                self._num_batches = None

    return EpochIterator


@contextlib.contextmanager
def streamed_epochs(position=None):
    """Context manager for `model.fit` on a `corpus_dataset` (see the module docstring).

    Args:
        position: the `InputPosition` of the training input, passed to `fit` as a callback;
            `None` when `fit` never resumes in the middle of an epoch.
    """
    original = tf_trainer.TFEpochIterator
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)
        if position is None:
            yield
            return
        tf_trainer.TFEpochIterator = _epoch_iterator_class(position)
        try:
            yield
        finally:
            tf_trainer.TFEpochIterator = original


class ExactStepCount(keras.callbacks.Callback):
    """Keeps `optimizer.iterations` equal to the number of batches trained.

    On a dataset of unknown length (the streamed training input), each epoch ends with a step
    whose `get_next` finds no batch; inside that traced step, `optimizer.iterations` (which does
    not depend on the data) is incremented before the end of the data is noticed, although no
    weight changes. At each epoch end this callback sets it back to the number of steps that did
    run, before the backup saves it, so that step counts, resuming and Adam's bias correction see
    the true number of updates.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._iterations = int(self.model.optimizer.iterations.numpy())
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1

    def on_epoch_end(self, epoch, logs=None):
        self.model.optimizer.iterations.assign(self._iterations + self._batches)


def fit_streamed(model, data, epochs, callbacks=(), verbose=1):
    """`model.fit` on the datasets of `data`, for `epochs` epochs (see the module docstring).

    Args:
        model: a compiled seq2seq model (`keras_attention.models`).
        data: `TrainingData`: its `train` dataset is fitted, its `dev` dataset (or `None`)
            validates, and its `position` callback runs first after `ExactStepCount`.
        epochs: the epoch to stop after (counting those of a resumed run).
        callbacks: Keras callbacks that run after those two.
        verbose: Keras `fit` verbosity.

    Returns:
        The `keras.callbacks.History` of `fit`.
    """
    with streamed_epochs(data.position):
        return model.fit(
            data.train,
            validation_data=data.dev,
            epochs=epochs,
            shuffle=False,
            callbacks=[ExactStepCount(), data.position, *callbacks],
            verbose=verbose,
        )
