"""Workaround: Keras 3 `fit` under `tf.distribute.MultiWorkerMirroredStrategy`.

Upstream issues: https://github.com/keras-team/keras/issues/20585 and
https://github.com/tensorflow/tensorflow/issues/72388 (open since Keras 3 became TensorFlow's
Keras in TF 2.16; still broken in Keras 3.15.1).

On a cluster of several workers, Keras 3's TensorFlow trainer fails in two private places:

1. `TensorFlowTrainer._maybe_symbolic_build` averages the first distributed batch across
   replicas (`strategy.reduce("MEAN", batch, axis=None)`) only to learn its shapes and dtypes.
   Across workers this fails with "Attempt to convert a value (PerReplica...) ... to a Tensor".
   Fix: take this worker's first local replica batch, which has the same structure and dtypes.
2. `reduce_per_replica` averages each step's logs with `strategy.reduce("MEAN", value, axis=0)`;
   the logs are scalars, so this fails with "Invalid reduction dimension 0 for input with 0
   dimensions". Fix: average across replicas with `axis=None`, which is what the single-worker
   branch of the same function does (`reduce_mean` over the replicas' values).

`multi_worker_fit` applies both fixes only while its `with` block runs, only for a
`MultiWorkerMirroredStrategy` that spans more than one worker, and only on the Keras versions in
`BROKEN_KERAS_VERSIONS`. `tests/trainer/test_keras_multi_worker_fix.py` runs an unpatched `fit`
on two workers and fails as soon as upstream behaviour no longer matches `is_needed()`: then
adjust `BROKEN_KERAS_VERSIONS`, or delete this module once no supported Keras needs it.
"""

import contextlib

import keras
import tensorflow as tf
from keras.src.backend.tensorflow import trainer as tf_trainer

# First and last (major, minor) Keras versions whose multi-worker `fit` is known to be broken.
BROKEN_KERAS_VERSIONS = ((3, 0), (3, 15))


def _major_minor(version):
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def is_needed(version=None):
    """Whether Keras `version` (default: the installed one) needs this workaround."""
    first, last = BROKEN_KERAS_VERSIONS
    return first <= _major_minor(version or keras.__version__) <= last


def _spans_workers(strategy):
    return (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and strategy.extended._in_multi_worker_mode()
    )


def _local_value(strategy, value):
    if isinstance(value, tf.distribute.DistributedValues):
        return strategy.experimental_local_results(value)[0]
    return value


def _build_from_local_batch(original):
    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self._distribute_strategy
        if iterator is None or strategy is None or not _spans_workers(strategy):
            return original(self, iterator=iterator, data_batch=data_batch)
        for _, _, batches in iterator:
            data_batch = keras.tree.map_structure(
                lambda value: _local_value(strategy, value), next(batches)
            )
            break
        with strategy.scope():
            self._symbolic_build(data_batch=data_batch)

    return _maybe_symbolic_build


def _reduce_logs_across_workers(original):
    def reduce_per_replica(values, strategy, reduction):
        if reduction not in ("auto", "mean") or not _spans_workers(strategy):
            return original(values, strategy, reduction)
        return keras.tree.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), values)

    return reduce_per_replica


@contextlib.contextmanager
def multi_worker_fit(strategy):
    """Context manager under which `model.fit` works with a multi-worker strategy.

    Does nothing unless `strategy` is a `MultiWorkerMirroredStrategy` over several workers and
    the installed Keras `is_needed()`.

    Example:

    ```python
    with multi_worker_fit(strategy):
        model.fit(dataset, epochs=3)
    ```
    """
    if not (_spans_workers(strategy) and is_needed()):
        yield
        return
    trainer_class = tf_trainer.TensorFlowTrainer
    original_build = trainer_class._maybe_symbolic_build
    original_reduce = tf_trainer.reduce_per_replica
    trainer_class._maybe_symbolic_build = _build_from_local_batch(original_build)
    tf_trainer.reduce_per_replica = _reduce_logs_across_workers(original_reduce)
    try:
        yield
    finally:
        trainer_class._maybe_symbolic_build = original_build
        tf_trainer.reduce_per_replica = original_reduce
