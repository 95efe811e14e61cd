"""Fault tolerance: a training killed with SIGKILL mid-epoch resumes from its last backup when the
same command is run again; and what happens to an output directory that holds an unfinished run."""

import io
import json
import signal
import subprocess
import sys
import time
import zipfile

import h5py
import keras
import numpy as np
import pytest
from helpers.cli_calls import run_cli
from helpers.tiny_runs import ROOT, TIMEOUT, python_env, write_tiny_config

from keras_attention.config import RunConfig
from keras_attention.data.positions import InputPosition
from keras_attention.errors import RunDirectoryError
from keras_attention.trainer import train
from keras_attention.trainer.backup import StepBackup
from keras_attention.trainer.callbacks import read_history
from keras_attention.runs import RunLayout
from keras_attention.trainer.resume import prepare_output_directory

STEPS_PER_EPOCH = 12
EPOCHS = 2


def read_backup(metadata):
    """The `{"epoch", "batches_done", "steps", ...}` of the last backup, or `None` while there is none."""
    try:
        return json.loads(metadata.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def wait_for_mid_epoch_backup(process, metadata):
    """Waits until training has backed up in the middle of its second epoch or later."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        backup = read_backup(metadata)
        if backup and backup["epoch"] >= 1 and backup["batches_done"] > 0:
            return
        if process.poll() is not None:
            pytest.fail(f"training ended before a mid-epoch backup: {process.communicate()[1][-3000:]}")
        time.sleep(0.02)
    pytest.fail("no mid-epoch backup in time")


def saved_weights(model_file):
    """Every weight array in a `.keras` file, by its path inside the file's weights."""
    with zipfile.ZipFile(model_file) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as weights:
        arrays = {}
        weights.visititems(lambda name, item: arrays.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    return arrays


def train_command(config, output):
    command = [sys.executable, "-m", "keras_attention.cli", "train", "--config", config, "--output", output]
    return [str(part) for part in command] + ["--verbose", "0"]


def test_training_killed_mid_epoch_continues_exactly_where_it_was_backed_up(tmp_path, capsys, monkeypatch):
    """The training that is killed runs in a fresh process; the uninterrupted run it is compared
    with, and the rerun of the same command, run in this one."""
    config = write_tiny_config(
        tmp_path, num_train=8 * STEPS_PER_EPOCH, batch_size=8, epochs=EPOCHS, backup_every_steps=3
    )
    train(RunConfig.from_yaml(config), tmp_path / "whole", verbose=0, log=lambda line: None)
    output = tmp_path / "run"
    command = train_command(config, output)
    metadata = output / "backup" / "state" / "position.json"
    process = subprocess.Popen(
        command, cwd=ROOT, env=python_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for_mid_epoch_backup(process, metadata)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (output / "model.keras").exists()
    backup = read_backup(metadata)
    backed_up_steps = backup["epoch"] * STEPS_PER_EPOCH + backup["batches_done"]
    assert backup["steps"] == backed_up_steps

    status, out, err = run_cli(capsys, monkeypatch, *command[3:])

    assert status == 0, err[-3000:]
    assert "holds an unfinished run of this config: resuming it" in out
    resumed = (
        f"resuming from the backup: epoch {backup['epoch'] + 1}, skipping its {backup['batches_done']} "
        f"batches trained before, after {backed_up_steps} training steps"
    )
    assert resumed in out
    summary = json.loads((output / "summary.json").read_text())
    expected = {"epoch": backup["epoch"], "step": backed_up_steps, "skipped_batches": backup["batches_done"]}
    assert summary["resumed_from"] == expected
    assert summary["epochs"] == EPOCHS
    # No batch is trained twice: the steps, and the losses, of the uninterrupted run.
    whole = json.loads((tmp_path / "whole" / "summary.json").read_text())
    assert summary["steps"] == whole["steps"] == EPOCHS * STEPS_PER_EPOCH
    assert summary["final"]["loss"] == pytest.approx(whole["final"]["loss"], rel=1e-4)
    resumed_weights, whole_weights = saved_weights(output / "model.keras"), saved_weights(tmp_path / "whole" / "model.keras")
    assert resumed_weights.keys() == whole_weights.keys() and len(whole_weights) > 10
    for name, array in whole_weights.items():
        np.testing.assert_allclose(resumed_weights[name], array, rtol=1e-4, atol=1e-6, err_msg=name)
    assert [row["epoch"] for row in read_history(output / "history.csv")] == ["0", "1"]
    assert not (output / "backup").exists()
    assert (output / "checkpoints" / "best.weights.h5").is_file()  # by `loss`: this run has no dev data


class KilledBeforeTheSave(keras.callbacks.Callback):
    """Ends training with an error after the last epoch's backup: a kill before the run is saved."""

    def on_epoch_end(self, epoch, logs=None):
        self.last_logs = dict(logs)

    def on_train_end(self, logs=None):
        raise InterruptedError("killed before the save")


def test_a_run_killed_after_its_last_epoch_resumes_to_a_full_summary(tmp_path):
    config = RunConfig.from_yaml(write_tiny_config(tmp_path, epochs=2))
    killed = KilledBeforeTheSave()
    with pytest.raises(InterruptedError):
        train(config, tmp_path / "run", verbose=0, log=lambda line: None, callbacks=[killed])
    assert not (tmp_path / "run" / "model.keras").exists()
    summary = train(config, tmp_path / "run", verbose=0, log=lambda line: None)
    assert (summary["epochs"], summary["steps"]) == (2, 16)
    assert summary["resumed_from"] == {"epoch": 2, "step": 16, "skipped_batches": 0}
    assert summary["final"] == pytest.approx(killed.last_logs) and "loss" in summary["final"]
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["final"] == summary["final"]
    assert (tmp_path / "run" / "model.keras").is_file() and not (tmp_path / "run" / "backup").exists()

def config_with(**training):
    config = RunConfig()
    for key, value in training.items():
        setattr(config.training, key, value)
    return config


def test_unfinished_run_with_another_config_is_refused(tmp_path):
    assert prepare_output_directory(tmp_path, overwrite=False, config=config_with(epochs=3)) is False
    assert RunLayout(tmp_path).backup_config.is_file()
    refused = r"unfinished run started with another config \(training.epochs: 3 then, 4 now\)"
    with pytest.raises(RunDirectoryError, match=refused):
        prepare_output_directory(tmp_path, overwrite=False, config=config_with(epochs=4))
    assert prepare_output_directory(tmp_path, overwrite=False, config=config_with(epochs=3)) is True


def test_overwrite_starts_an_unfinished_run_over(tmp_path):
    prepare_output_directory(tmp_path, overwrite=False, config=config_with(epochs=3))
    (tmp_path / "history.csv").write_text("epoch,loss\n0,1.0\n")
    (tmp_path / "notes.txt").write_text("not ours")
    assert prepare_output_directory(tmp_path, overwrite=True, config=config_with(epochs=4)) is False
    assert not (tmp_path / "history.csv").exists()
    assert (tmp_path / "notes.txt").exists()
    assert RunConfig.from_yaml(RunLayout(tmp_path).backup_config).training.epochs == 4


def test_a_run_without_backups_leaves_nothing_to_resume(tmp_path):
    assert prepare_output_directory(tmp_path, overwrite=False, config=config_with(backup=False)) is False
    assert not (tmp_path / "backup").exists()


@pytest.mark.parametrize("every_steps", [0, -3, 2.5, "10"])
def test_step_backup_refuses_a_step_count_that_is_not_a_positive_integer(tmp_path, every_steps):
    with pytest.raises(ValueError, match=rf"`every_steps` must be a positive integer. Received: every_steps={every_steps!r}"):
        StepBackup(tmp_path, InputPosition(), every_steps=every_steps)
