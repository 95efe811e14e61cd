"""The command line of distributed and fault-tolerant training: `average-checkpoints`, and bad
training setups reported as one clear error (exit status 2) before any training starts."""

import json
import warnings

import numpy as np
import pytest
import tensorflow as tf
from helpers.tiny_runs import write_tiny_config

from keras_attention import cli
from keras_attention.runs import load_run


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Runs `keras-attention ARGS` in this process; returns `(status, stdout, stderr)`."""
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)

    def run(*args):
        status = cli.main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def test_average_checkpoints_writes_a_run_with_the_mean_weights(tiny_run, tmp_path, run_cli):
    output, _ = tiny_run
    averaged = tmp_path / "averaged"
    status, out, err = run_cli("average-checkpoints", "--model", output, "--last", 2, "--output", averaged)
    assert status == 0, err
    assert "averaged 2 checkpoints (epoch-0002.weights.h5, epoch-0003.weights.h5)" in out
    model = load_run(output).model
    versions = []
    for epoch in (2, 3):
        model.load_weights(output / "checkpoints" / f"epoch-{epoch:04d}.weights.h5")
        versions.append(model.get_weights())
    for index, got in enumerate(load_run(averaged).model.get_weights()):
        np.testing.assert_allclose(got, (versions[0][index] + versions[1][index]) / 2, rtol=1e-6, atol=1e-7)
    summary = json.loads((averaged / "summary.json").read_text())
    assert summary["checkpoints"] == ["epoch-0002.weights.h5", "epoch-0003.weights.h5"]
    status, out, err = run_cli("translate", "--model", averaged, "3 March 1998")
    assert status == 0 and len(out.splitlines()) == 1, err


def test_average_checkpoints_errors(tiny_run, tmp_path, run_cli):
    output, _ = tiny_run
    status, _, err = run_cli("average-checkpoints", "--model", output, "--last", 5, "--output", tmp_path / "a")
    assert status == 2 and "asked to average the last 5 checkpoints, but" in err and "keeps only 2" in err
    status, _, err = run_cli("average-checkpoints", "--model", output, "--output", output)
    assert status == 2 and "--output must differ from --model" in err


@pytest.mark.parametrize(
    "training, environment, message",
    [
        ({"strategy": "multi_worker"}, {}, "training.strategy: 'multi_worker' needs the TF_CONFIG environment"),
        ({"strategy": "multi_worker"}, {"TF_CONFIG": "{not json"}, "training.strategy: TF_CONFIG is not valid JSON"),
        (
            {"strategy": "multi_worker"},
            {"TF_CONFIG": '{"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker", "index": 3}}'},
            "training.strategy: TF_CONFIG task index must be an integer from 0 to 0",
        ),
        ({"mixed_precision": "mixed_float16"}, {}, "training.mixed_precision: 'mixed_float16' needs NVIDIA GPUs"),
        ({"monitor": "val_loss"}, {}, "training.monitor: 'val_loss' needs validation data"),
        ({"strategy": "tpu"}, {}, "training.strategy: 'tpu' but no TPU could be reached"),
    ],
)
def test_bad_training_setup_fails_before_training(tmp_path, monkeypatch, run_cli, training, environment, message):
    if training.get("mixed_precision") and tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU, which may run mixed_float16")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = write_tiny_config(tmp_path, **training)
    status, out, err = run_cli("train", "--config", config, "--output", tmp_path / "run")
    assert status == 2
    assert f"keras-attention train: error: {message}" in err
    assert "Traceback" not in err and "Epoch" not in out
    assert not (tmp_path / "run").exists()


def test_unknown_strategy_names_the_key_and_line(tmp_path, run_cli):
    config = write_tiny_config(tmp_path)
    config.write_text(config.read_text().replace("training:\n", "training:\n  strategy: horovod\n"))
    status, _, err = run_cli("train", "--config", config, "--output", tmp_path / "run")
    assert status == 2
    choices = "['auto', 'default', 'mirrored', 'multi_worker', 'tpu']"
    assert f"training.strategy: expected one of {choices}, got 'horovod'" in err
    assert f"{config}, line " in err
