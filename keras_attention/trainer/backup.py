"""Backups of a training run that resume exactly where they were taken, mid-epoch included.

Keras 3's `BackupAndRestore` resumes only at the start of the interrupted epoch (it records the
batch number but never uses it), and after a restore it records epoch 0 until the resumed epoch
ends. `StepBackup` replaces it. Each backup holds:

- the weights and the optimizer state with its step counter (`model.save_weights`);
- the states of the model's seed generators (dropout masks), which weights files leave out;
- the states of the training metrics, so that the logs of a resumed epoch cover all its batches;
- the position: the epoch, how many of its batches were trained, and the optimizer steps.

A rerun restores all of it and tells the training input (`InputPosition`) to skip the batches of
the interrupted epoch that were trained already: the input is read, tokenized and batched again
up to that point and then dropped, at the input pipeline's speed, far above the training step's.
So no batch is trained twice, and the batch order, the number of optimizer steps and (with
deterministic ops) the final weights are those of an uninterrupted run.

Writes are atomic: a new weights file (`epoch-EEEE-batch-BBBBBBB.weights.h5`), then
`position.json`, which names it, is replaced, then the older weights files are removed; a kill
at any moment leaves a whole backup.
"""

import json
import os
from pathlib import Path

import keras
import numpy as np

from keras_attention.options.checks import check_positive_int

POSITION_FILE = "position.json"


def _seed_states(model):
    weights = {id(variable) for variable in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights]


class StepBackup(keras.callbacks.Callback):
    """Backs up training every `every_steps` steps and at each epoch end; restores at `fit` start.

    Put it last among the callbacks, so that an epoch-end backup comes after everything else has
    recorded the epoch (history, checkpoints).

    Args:
        directory: folder of the backup (created when first needed).
        position: the training input's `InputPosition` (a callback that runs before this one).
        every_steps: also back up every this many training steps; `None`: only at epoch ends.
        log: function called with a line when training resumes from a backup.

    Attributes:
        restored: the position read from the backup at `fit` start (`{"epoch", "batches_done",
            "steps"}`), or `None`.
    """

    def __init__(self, directory, position, every_steps=None, log=print):
        super().__init__()
        if every_steps is not None:
            check_positive_int(every_steps, "every_steps")
        self.directory = Path(directory)
        self.position = position
        self.every_steps = every_steps
        self.log = log
        self.restored = None
        self._epoch = 0
        self._batches_done = 0
        self._since_backup = 0
        self._metric_states = None

    def on_train_begin(self, logs=None):
        saved = read_backup(self.directory)
        if saved is None:
            return
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(self.directory / saved["weights"])
        for variable, value in zip(_seed_states(self.model), saved["seed_states"]):
            variable.assign(np.asarray(value, dtype=variable.dtype))
        epoch, batches_done = saved["epoch"], saved["batches_done"]
        # Keras's own way for a callback to start `fit` at a later epoch (as `BackupAndRestore`).
        self.model._initial_epoch = epoch
        self.position.resume_at(epoch, batches_done)
        self._metric_states = saved["metric_states"] if batches_done else None
        self.restored = {"epoch": epoch, "batches_done": batches_done, "steps": saved["steps"]}
        skipping = f", skipping its {batches_done} batches trained before" if batches_done else ""
        self.log(f"resuming from the backup: epoch {epoch + 1}{skipping}, after {saved['steps']} training steps")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batches_done = self.position.skip
        if self._metric_states is not None:
            for variable, value in zip(self.model.metrics_variables, self._metric_states):
                variable.assign(np.asarray(value, dtype=variable.dtype))
            self._metric_states = None

    def on_train_batch_end(self, batch, logs=None):
        self._batches_done += 1
        self._since_backup += 1
        if self.every_steps and self._since_backup >= self.every_steps:
            self._save(self._epoch, self._batches_done)

    def on_epoch_end(self, epoch, logs=None):
        self._save(epoch + 1, 0)

    def _save(self, epoch, batches_done):
        self._since_backup = 0
        self.directory.mkdir(parents=True, exist_ok=True)
        steps = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        weights = f"epoch-{epoch:04d}-batch-{batches_done:07d}.weights.h5"
        self.model.save_weights(self.directory / weights, overwrite=True)
        position = {
            "epoch": epoch,
            "batches_done": batches_done,
            "steps": steps,
            "weights": weights,
            "seed_states": [keras.ops.convert_to_numpy(v).tolist() for v in _seed_states(self.model)],
            "metric_states": [keras.ops.convert_to_numpy(v).tolist() for v in self.model.metrics_variables],
        }
        temporary = self.directory / (POSITION_FILE + ".tmp")
        temporary.write_text(json.dumps(position))
        os.replace(temporary, self.directory / POSITION_FILE)
        for old in self.directory.glob("epoch-*.weights.h5"):
            if old.name != weights:
                old.unlink()


def read_backup(directory):
    """The backup in `directory` as saved (`epoch`, `batches_done`, `steps`, `weights`, and the seed
    and metric states), or `None` when there is none."""
    path = Path(directory) / POSITION_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text())
