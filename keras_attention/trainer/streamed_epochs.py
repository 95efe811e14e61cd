"""Keras `fit` on the streamed training input, whose number of batches is not known in advance.

Two behaviours of Keras 3's TensorFlow trainer (checked on Keras 3.15.1) need handling:

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
"""

import contextlib
import warnings

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
