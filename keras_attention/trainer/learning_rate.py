"""Learning-rate decay over the planned length of a training run (`training.learning_rate_decay`).

A run's length is planned in epochs, in minutes (`training.max_training_minutes`), or both, and a
run stops at whichever comes first. `LearningRateDecay` sets the optimizer's learning rate before
each batch from how far the run has come along the plan that ends it first, so that a run with a
time budget anneals by the end of that budget whatever the machine's speed.
"""

import math
import time

import keras

from keras_attention.options.training import LEARNING_RATE_DECAYS


def decayed_learning_rate(decay, initial, final, progress):
    """The learning rate at `progress` (0: the start, 1: the planned end) of a run.

    Args:
        decay: one of `LEARNING_RATE_DECAYS`: `linear` (a straight line from `initial` to
            `final`) or `cosine` (half a cosine period between them).
        initial: learning rate at the start.
        final: learning rate at the end (and after it).
        progress: share of the run done; clipped to [0, 1].

    Returns:
        Python float.
    """
    if decay not in LEARNING_RATE_DECAYS:
        raise ValueError(f"decay: expected one of {list(LEARNING_RATE_DECAYS)}, got {decay!r}")
    progress = min(max(float(progress), 0.0), 1.0)
    weight = 1.0 - progress if decay == "linear" else 0.5 * (1.0 + math.cos(math.pi * progress))
    return final + (initial - final) * weight


class LearningRateDecay(keras.callbacks.Callback):
    """Decays the optimizer's learning rate from `initial` to `final` over the planned run.

    The progress is the larger of the share of `epochs` done (counting the epochs before a
    resume, and the batches of the current epoch once an epoch's batch count is known: from the
    start with a dataset of known length, after the first whole epoch with a streamed corpus) and
    the share of `minutes` spent since this `fit` began (a resumed run gets its time limit anew,
    and so its time-based decay). The rate of each epoch's last batch is logged as
    `learning_rate` (not that of the step without a batch that ends an epoch of a streamed
    corpus: `keras_attention.trainer.streamed_epochs`).

    Args:
        decay: one of `LEARNING_RATE_DECAYS`.
        initial: learning rate at the start (`training.learning_rate`).
        final: learning rate at the planned end (`training.final_learning_rate`).
        epochs: the epoch count the run stops after.
        minutes: the run's time limit, or `None`.
        position: the training input's `InputPosition` (its `skip`: the batches of an epoch
            resumed in its middle that were trained before), or `None`.
    """

    def __init__(self, decay, initial, final, epochs, minutes=None, position=None):
        super().__init__()
        decayed_learning_rate(decay, initial, final, 0.0)
        if epochs < 1:
            raise ValueError(f"epochs: expected a positive int, got {epochs!r}")
        if minutes is not None and minutes <= 0:
            raise ValueError(f"minutes: expected > 0 or None, got {minutes!r}")
        self.decay = decay
        self.initial = initial
        self.final = final
        self.epochs = epochs
        self.seconds = None if minutes is None else minutes * 60
        self.position = position
        self._batches_per_epoch = None
        self._started = None
        self._epoch = 0
        self._batches = 0
        self._whole_epoch = True
        self._rate = self._trained_rate = initial

    @classmethod
    def from_config(cls, training_config, position=None):
        """The decay that a `TrainingConfig` asks for, or `None` (`learning_rate_decay: null`)."""
        if training_config.learning_rate_decay is None:
            return None
        return cls(
            training_config.learning_rate_decay,
            training_config.learning_rate,
            training_config.final_learning_rate,
            training_config.epochs,
            training_config.max_training_minutes,
            position,
        )

    def progress(self):
        """Share of the planned run done before the next batch, in [0, 1]."""
        epochs = self._epoch
        if self._batches_per_epoch:
            epochs += min(self._batches / self._batches_per_epoch, 1.0)
        done = epochs / self.epochs
        if self.seconds is not None:
            done = max(done, (time.perf_counter() - self._started) / self.seconds)
        return min(done, 1.0)

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()
        self._batches_per_epoch = self.params.get("steps")

    def on_epoch_begin(self, epoch, logs=None):
        skipped = self.position.skip if self.position else 0
        self._epoch = epoch
        self._batches = skipped
        self._whole_epoch = not skipped

    def on_train_batch_begin(self, batch, logs=None):
        self._rate = decayed_learning_rate(self.decay, self.initial, self.final, self.progress())
        self.model.optimizer.learning_rate = self._rate

    def on_train_batch_end(self, batch, logs=None):
        self._batches += 1
        self._trained_rate = self._rate

    def on_epoch_end(self, epoch, logs=None):
        if self._batches_per_epoch is None and self._whole_epoch:
            self._batches_per_epoch = self._batches
        if logs is not None:
            logs["learning_rate"] = self._trained_rate
