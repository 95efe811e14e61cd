"""MirroredStrategy on two logical CPU devices against one device, and two local workers with
MultiWorkerMirroredStrategy. Each scenario runs in fresh processes (see `harness.py`)."""

import subprocess

import numpy as np
import pytest
from helpers.tiny_runs import TIMEOUT, harness_command, harness_result, python_env, run_workers, write_tiny_config


def test_mirrored_on_two_devices_matches_one_device(tmp_path):
    config = write_tiny_config(tmp_path, num_train=128, shuffle_buffer=1, save_best=False, keep_checkpoints=0)
    result = subprocess.run(
        harness_command("two-devices", config, tmp_path / "runs"),
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = harness_result(result.stdout)
    assert outcome["default"]["replicas"] == 1 and outcome["mirrored"]["replicas"] == 2
    single, mirrored = outcome["default"]["losses"], outcome["mirrored"]["losses"]
    assert len(single) == len(mirrored) == 4
    assert single[-1] < single[0]
    np.testing.assert_allclose(mirrored, single, rtol=1e-5)
    assert outcome["max_weight_difference"] < 1e-5
    assert "training.batch_size: 33 does not split evenly across the 2 replicas" in outcome["odd_batch_error"]
    assert "set it to a multiple of 2, such as 32 or 34" in outcome["odd_batch_error"]
    assert not outcome["odd_batch_output_exists"]


def test_two_workers_train_identical_weights_and_the_chief_saves(tmp_path):
    from keras_attention.runs import load_run

    config = write_tiny_config(
        tmp_path, num_train=64, epochs=2, strategy="multi_worker", attention_images=1, keep_checkpoints=1
    )
    output = tmp_path / "run"
    workers = run_workers("worker", config, output, tmp_path / "weights-{index}.npz")
    for worker in workers:
        assert worker.returncode == 0, worker.stderr[-3000:]
    chief, other = (harness_result(worker.stdout) for worker in workers)
    assert chief["replicas"] == other["replicas"] == 2
    assert chief["output"] == str(output) and other["output"] is None
    assert chief["epochs"] == other["epochs"] == 2
    assert chief["steps"] == other["steps"] == 2 * 64 // 32
    assert chief["final"] == other["final"]
    weights = [np.load(tmp_path / f"weights-{index}.npz") for index in range(2)]
    assert len(weights[0].files) == len(weights[1].files) > 0
    for name in weights[0].files:
        np.testing.assert_array_equal(weights[0][name], weights[1][name])
    saved = load_run(output).model.get_weights()
    for index, array in enumerate(saved):
        np.testing.assert_array_equal(array, weights[0][f"arr_{index}"])
    assert (output / "checkpoints" / "epoch-0002.weights.h5").is_file()
    assert not (output / "backup").exists() and not (output / "workers").exists()


def test_two_workers_read_every_training_pair_once_per_epoch(tmp_path):
    import yaml

    configs = []
    for files in (1, 3):  # one file: sharded by line; three files: by file
        config = write_tiny_config(tmp_path / f"{files}-files", num_train=90, strategy="multi_worker")
        settings = yaml.safe_load(config.read_text())
        lines = (tmp_path / f"{files}-files" / "train.tsv").read_text().splitlines()
        parts = [tmp_path / f"{files}-files" / f"part-{number}.tsv" for number in range(files)]
        for number, part in enumerate(parts):
            part.write_text("\n".join(lines[number::files]) + "\n")
        settings["data"]["train"] = [str(part) for part in parts]
        config.write_text(yaml.safe_dump(settings))
        # what the lowercasing, whitespace-collapsing character tokenizer gives back
        configs.append((config, [" ".join(line.split("\t")[0].lower().split()) for line in lines]))
    workers = run_workers("worker-reads", *(config for config, _ in configs))
    for worker in workers:
        assert worker.returncode == 0, worker.stderr[-3000:]
    reads = [harness_result(worker.stdout) for worker in workers]
    for config, sources in configs:
        shards = [read[str(config)] for read in reads]
        assert all(shards) and sorted(shards[0] + shards[1]) == sorted(sources)


def test_multi_worker_without_tf_config_fails_before_training(tmp_path, monkeypatch):
    from keras_attention.config import RunConfig
    from keras_attention.errors import ConfigError
    from keras_attention.trainer import train

    monkeypatch.delenv("TF_CONFIG", raising=False)
    config = RunConfig.from_yaml(write_tiny_config(tmp_path, strategy="multi_worker"))
    with pytest.raises(ConfigError, match="training.strategy: 'multi_worker' needs the TF_CONFIG environment"):
        train(config, tmp_path / "run", verbose=0)
    assert not (tmp_path / "run").exists()
