"""The readable scripts `training/train.py` and `training/tune.py`: they run on the public API and
do what `keras-attention train` and `keras-attention tune` do, or say what they leave to them."""

import csv
import functools

import numpy as np
import pytest
import yaml
from helpers.cli_calls import run_script
from helpers.tiny_runs import ROOT, write_tiny_config
from helpers.tiny_search import write_tiny_search

from keras_attention.config import RunConfig
from keras_attention.runs import load_run
from keras_attention.trainer import train

TRAIN_SCRIPT = ROOT / "training" / "train.py"
TUNE_SCRIPT = ROOT / "training" / "tune.py"


@pytest.fixture
def script(monkeypatch, capsys):
    """Runs a script as `python PATH ARGS` would, in this process (no second TensorFlow start-up);
    returns its `ScriptResult` (`returncode`, `stdout`, `stderr`)."""
    return functools.partial(run_script, capsys, monkeypatch)


@pytest.mark.parametrize(
    "path, options",
    [(TRAIN_SCRIPT, ("--config", "--output", "--overwrite", "--epochs", "--verbose")), (TUNE_SCRIPT, ("--config", "--output", "--overwrite", "--verbose"))],
)
def test_the_scripts_document_their_options(script, path, options):
    result = script(path, "--help")
    assert result.returncode == 0, result.stderr
    for option in options:
        assert option in result.stdout


def test_the_training_script_trains_the_model_that_train_trains(script, tmp_path):
    config_path = write_tiny_config(tmp_path / "data", num_dev=32, epochs=2, learning_rate_decay="linear")
    result = script(TRAIN_SCRIPT, "--config", config_path, "--output", tmp_path / "script", "--verbose", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert "left to `keras-attention train`: training.backup, training.save_best, training.keep_checkpoints" in lines
    assert lines[-1] == f"run saved to {tmp_path / 'script'}"
    train(RunConfig.from_yaml(config_path), tmp_path / "command", verbose=0, log=lambda line: None)
    by_script, by_command = load_run(tmp_path / "script"), load_run(tmp_path / "command")
    for ours, theirs in zip(by_script.model.get_weights(), by_command.model.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    histories = [list(csv.DictReader((tmp_path / run / "history.csv").open())) for run in ("script", "command")]
    assert len(histories[0]) == 2
    rates = [[float(row["learning_rate"]) for row in history] for history in histories]
    assert rates[0] == rates[1] and 0.01 >= rates[0][0] > rates[0][1] > 0, rates
    sources = ["3 march 1998", "7 aug 65"]
    assert by_script.translator().translate(sources).translations == by_command.translator().translate(sources).translations


def test_the_training_script_keeps_what_is_in_its_output_and_refuses_mixed_precision(script, tmp_path):
    config_path = write_tiny_config(tmp_path / "data")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    result = script(TRAIN_SCRIPT, "--config", config_path, "--output", tmp_path / "taken")
    assert result.returncode == 1
    assert f"train.py: {tmp_path / 'taken'} is not empty; pass --overwrite to replace it" in result.stderr
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"
    config = yaml.safe_load(config_path.read_text())
    config["training"]["mixed_precision"] = "mixed_bfloat16"
    config_path.write_text(yaml.safe_dump(config))
    result = script(TRAIN_SCRIPT, "--config", config_path, "--output", tmp_path / "mixed")
    assert result.returncode == 1
    assert "mixed precision and multi-worker training need `keras-attention train`" in result.stderr


def test_the_tuning_script_searches_and_writes_a_trainable_best_config(script, tmp_path):
    config_path = write_tiny_search(tmp_path / "data", {"tuner": "random", "max_trials": 2}, num_dev=32)
    result = script(TUNE_SCRIPT, "--config", config_path, "--output", tmp_path / "search", "--verbose", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Results summary" in result.stdout
    assert result.stdout.splitlines()[-1] == f"best config: {tmp_path / 'search' / 'best.yaml'}"
    best = RunConfig.from_yaml(tmp_path / "search" / "best.yaml")
    assert best.tuning is None
    assert best.model.encoder_units in (8, 12) and 0.005 <= best.training.learning_rate <= 0.02
    assert len(list((tmp_path / "search" / "search").glob("trial_*"))) == 2


def test_the_tuning_script_refuses_what_it_does_not_do(script, tmp_path):
    plain = write_tiny_config(tmp_path / "plain")
    result = script(TUNE_SCRIPT, "--config", plain, "--output", tmp_path / "search")
    assert result.returncode == 1 and f"tune.py: {plain} has no tuning section" in result.stderr
    searched = write_tiny_search(tmp_path / "searched", {"tuner": "random", "max_trials": 1})
    result = script(TUNE_SCRIPT, "--config", searched, "--output", tmp_path / "search", KERASTUNER_TUNER_ID="chief")
    assert result.returncode == 1 and "need `keras-attention tune`" in result.stderr
    assert not (tmp_path / "search").exists()
