"""`training.max_training_minutes`: the `TimeLimit` callback stops `fit` after the first batch past
the limit, and the last, partial epoch is still validated, checkpointed and saved."""

import json

import keras
import numpy as np
from helpers.tiny_runs import write_tiny_config

from keras_attention.config import RunConfig
from keras_attention.trainer import train
from keras_attention.trainer.callbacks import TimeLimit, read_history


def test_time_limit_stops_after_the_batch_that_passes_it():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    lines = []
    limit = TimeLimit(minutes=1e-9, log=lines.append)
    history = model.fit(np.zeros((64, 2)), np.zeros((64, 1)), batch_size=8, epochs=3, verbose=0, callbacks=[limit])
    assert limit.stopped_at_step == 1
    assert int(model.optimizer.iterations.numpy()) == 1
    assert len(history.history["loss"]) == 1
    assert lines == ["training.max_training_minutes: 1e-09 minutes reached at step 1; this epoch is the last"]


def test_time_limit_leaves_training_alone_before_the_limit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    limit = TimeLimit(minutes=60)
    model.fit(np.zeros((64, 2)), np.zeros((64, 1)), batch_size=8, epochs=2, verbose=0, callbacks=[limit])
    assert limit.stopped_at_step is None
    assert int(model.optimizer.iterations.numpy()) == 16


def test_run_with_a_time_limit_scores_and_saves_its_partial_epoch(tmp_path):
    config = write_tiny_config(tmp_path, num_dev=32, epochs=50, max_training_minutes=1e-9, keep_checkpoints=1)
    lines = []
    summary = train(RunConfig.from_yaml(config), tmp_path / "run", verbose=0, log=lines.append)
    assert (summary["steps"], summary["epochs"]) == (1, 1)
    assert any("max_training_minutes" in line and "step 1;" in line for line in lines)
    rows = read_history(tmp_path / "run" / "history.csv")
    assert len(rows) == 1 and "val_loss" in rows[0]
    assert (tmp_path / "run" / "checkpoints" / "best.weights.h5").is_file()
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["steps"] == 1
