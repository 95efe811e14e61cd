"""Callbacks of a training run: fault tolerance, checkpoints, logs, and where a run stands.

`make_callbacks` assembles them from the run config. The chief (the only process of a
single-machine run) writes the run's files; other workers of a multi-worker cluster only back up
their own state and take part in the decisions that stop training.
"""

import csv
import math
import time
from pathlib import Path

import keras

from keras_attention.errors import ConfigError
from keras_attention.runs.layout import RunLayout
from keras_attention.trainer.attention_images import AttentionImages
from keras_attention.trainer.backup import StepBackup
from keras_attention.trainer.learning_rate import LearningRateDecay
from keras_attention.trainer.setup import monitor_mode


class EpochCheckpoints(keras.callbacks.Callback):
    """Saves the model weights after every epoch and keeps only the last `keep` of them.

    Args:
        layout: `RunLayout` of the run (`RunLayout.epoch_checkpoint`: 1-based epoch numbers).
        keep: how many of the newest checkpoints to keep.
    """

    def __init__(self, layout, keep):
        super().__init__()
        self.layout = layout
        self.keep = keep

    def on_epoch_end(self, epoch, logs=None):
        self.layout.checkpoints.mkdir(parents=True, exist_ok=True)
        self.model.save_weights(self.layout.epoch_checkpoint(epoch + 1))
        for _, path in self.layout.epoch_checkpoints()[: -self.keep]:
            path.unlink()


class HistoryCSV(keras.callbacks.Callback):
    """Writes one row of logs per epoch to a CSV file (`epoch` first, then the sorted log names).

    Unlike `keras.callbacks.CSVLogger` it keeps the rows of earlier epochs when training resumes
    from a backup, and replaces the row of an epoch that is trained again, so the file holds each
    epoch exactly once.

    Args:
        path: the CSV file.
    """

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)

    def on_epoch_end(self, epoch, logs=None):
        rows = [row for row in read_history(self.path) if int(row["epoch"]) < epoch]
        rows.append({"epoch": epoch, **{name: float(value) for name, value in (logs or {}).items()}})
        names = ["epoch"] + sorted({name for row in rows for name in row} - {"epoch"})
        temporary = self.path.with_suffix(".csv.tmp")
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=names, restval="NA")
            writer.writeheader()
            writer.writerows(rows)
        temporary.replace(self.path)


def read_history(path):
    """The rows of a history CSV file as dicts of strings (empty if there is no file)."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def last_logged_epoch(output_dir):
    """The logs of the last epoch in the run's history file as floats, `NA` cells left out (`{}`: none)."""
    rows = read_history(RunLayout(output_dir).history)
    return {name: float(value) for name, value in rows[-1].items() if name != "epoch" and value != "NA"} if rows else {}


def best_logged_value(history_path, monitor, mode):
    """The best value of `monitor` in a history CSV file (`mode` `min` or `max`), or `None`."""
    values = [float(row[monitor]) for row in read_history(history_path) if row.get(monitor) not in (None, "NA")]
    values = [value for value in values if not math.isnan(value)]
    if not values:
        return None
    return min(values) if mode == "min" else max(values)


class CheckMonitor(keras.callbacks.Callback):
    """Stops with a `ConfigError` after the first epoch if `monitor` is not among the logs."""

    def __init__(self, monitor):
        super().__init__()
        self.monitor = monitor
        self._checked = False

    def on_epoch_end(self, epoch, logs=None):
        if not self._checked and self.monitor not in (logs or {}):
            raise ConfigError(
                f"training.monitor: {self.monitor!r} is not logged by this model; "
                f"the logged metrics are {sorted(logs or {})}"
            )
        self._checked = True


class TimeLimit(keras.callbacks.Callback):
    """Stops training at the end of the first batch that ends `minutes` after `fit` started.

    Keras then ends the epoch as usual (validation, epoch-end callbacks), so the last, partial
    epoch is scored and checkpointed like the others.

    Args:
        minutes: positive number, the training time allowed.
        log: function called with a line when the limit stops training.

    Attributes:
        stopped_at_step: optimizer step at which the limit stopped training, or `None`.
    """

    def __init__(self, minutes, log=print):
        super().__init__()
        self.seconds = minutes * 60
        self.log = log
        self.stopped_at_step = None
        self._started = None

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.stopped_at_step is None and time.perf_counter() - self._started >= self.seconds:
            self.model.stop_training = True
            self.stopped_at_step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
            self.log(
                f"training.max_training_minutes: {self.seconds / 60:g} minutes reached at step "
                f"{self.stopped_at_step}; this epoch is the last"
            )


class RunProgress(keras.callbacks.Callback):
    """Records where a `fit` started (after a restore from backup) and how many epochs are done.

    Args:
        log: function that prints progress lines (also used by `TimeLimit`).
        position: the training input's `InputPosition` (a callback that runs before this one).

    Attributes:
        start_epoch: 0-based epoch that this `fit` started at (> 0 after a restore).
        start_step: optimizer steps already taken when this `fit` started.
        skipped_batches: batches of the first epoch skipped as trained before a restore.
        epochs_done: epochs completed, counting those before a restore.
    """

    def __init__(self, log=print, position=None):
        super().__init__()
        self.log = log
        self.position = position
        self.start_epoch = None
        self.start_step = 0
        self.skipped_batches = 0
        self.epochs_done = 0

    def on_epoch_begin(self, epoch, logs=None):
        if self.start_epoch is None:
            self.start_epoch = epoch
            self.epochs_done = epoch
            self.start_step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
            self.skipped_batches = self.position.skip if self.position else 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_done = epoch + 1

    def on_train_end(self, logs=None):
        if self.start_epoch is None:  # restored from a backup taken after the last epoch: no epoch ran
            self.start_epoch = self.epochs_done = self.model._initial_epoch or 0
            self.start_step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))

    @property
    def resumed_from(self):
        """`{"epoch", "step", "skipped_batches"}` where this `fit` resumed a run, or `None`."""
        if not (self.start_epoch or self.start_step):
            return None
        return {"epoch": self.start_epoch, "step": self.start_step, "skipped_batches": self.skipped_batches}


def make_callbacks(
    config, monitor, output_dir, backup_dir, chief, progress, position, attention_examples=None, dev_bleu=()
):
    """The callbacks of a training run, in the order they must run.

    Args:
        config: `RunConfig`.
        monitor: the logged metric that picks the best checkpoint and drives early stopping.
        output_dir: the run directory (written by the chief only).
        backup_dir: this process's backup folder (`StepBackup`).
        chief: whether this process writes the run's files.
        progress: the run's `RunProgress`.
        position: the training input's `InputPosition`.
        attention_examples: `AttentionImages` arguments `(pairs, source_tokenizer,
            target_tokenizer)`, or `None`.
        dev_bleu: callbacks that add dev scores to the epoch logs (`DevBleu`, see
            `keras_attention.trainer.dev_bleu`); every process runs them.

    Returns:
        List of `keras.callbacks.Callback`, for `fit_streamed` (which runs `ExactStepCount` and
        `position` before them, so that they see the corrected step count and the epoch that
        `position` reads). `StepBackup` comes last, so that an epoch-end backup comes after everything
        else has recorded the epoch (it restores in `on_train_begin`, before any epoch starts,
        and nothing before it reads the restored state there). The `dev_bleu` callbacks come
        early, so that the monitor check, early stopping, the best checkpoint, the history and
        TensorBoard see the metrics they log (`val_bleu`).
    """
    training = config.training
    layout = RunLayout(output_dir)
    callbacks = [progress]
    if training.max_training_minutes:
        callbacks.append(TimeLimit(training.max_training_minutes, log=progress.log))
    decay = LearningRateDecay.from_config(training, position)
    if decay:
        callbacks.append(decay)
    callbacks += [*dev_bleu, keras.callbacks.TerminateOnNaN()]
    if training.save_best or training.early_stopping_patience:
        callbacks.append(CheckMonitor(monitor))
    if training.early_stopping_patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor,
                mode=monitor_mode(monitor),
                patience=training.early_stopping_patience,
                restore_best_weights=True,
            )
        )
    backup = (
        [StepBackup(backup_dir, position, every_steps=training.backup_every_steps, log=progress.log)]
        if training.backup
        else []
    )
    if not chief:
        return callbacks + backup
    callbacks.append(HistoryCSV(layout.history))
    if training.save_best:
        mode = monitor_mode(monitor)
        callbacks.append(
            keras.callbacks.ModelCheckpoint(
                str(layout.best_checkpoint),
                monitor=monitor,
                mode=mode,
                save_best_only=True,
                save_weights_only=True,
                initial_value_threshold=best_logged_value(layout.history, monitor, mode),
            )
        )
    if training.keep_checkpoints:
        callbacks.append(EpochCheckpoints(layout, training.keep_checkpoints))
    callbacks.append(keras.callbacks.TensorBoard(log_dir=str(layout.logs), write_graph=False))
    if training.attention_images and attention_examples:
        callbacks.append(AttentionImages(*attention_examples, log_dir=layout.attention_logs))
    return callbacks + backup
