"""The `training` keys of distributed and fault-tolerant training in the YAML config."""

import pytest

from keras_attention.config import RunConfig, TrainingConfig
from keras_attention.errors import ConfigError


def test_defaults():
    training = TrainingConfig()
    assert (training.strategy, training.mixed_precision, training.backup, training.backup_every_steps) == (
        "auto",
        None,
        True,
        None,
    )
    assert (training.monitor, training.save_best, training.keep_checkpoints, training.attention_images) == (
        None,
        True,
        5,
        3,
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("  strategy: horovod\n", "line 2: training.strategy: expected one of ['auto', 'default', 'mirrored', "
         "'multi_worker', 'tpu'], got 'horovod'"),
        ("  mixed_precision: float16\n", "training.mixed_precision: expected one of ['mixed_float16', "
         "'mixed_bfloat16'], got 'float16'"),
        ("  backup_every_steps: 0\n", "training.backup_every_steps: expected a positive integer, got 0"),
        ("  backup: false\n  backup_every_steps: 10\n", "training.backup_every_steps: is only used with backup: true"),
        ("  monitor: ' '\n", "training.monitor: expected a metric name such as 'val_loss' or null"),
        ("  keep_checkpoints: -1\n", "training.keep_checkpoints: expected >= 0, got -1"),
        ("  attention_images: -2\n", "training.attention_images: expected >= 0, got -2"),
        ("  save_best: yes please\n", "training.save_best: expected bool, got str 'yes please'"),
        ("  global_clipnorm: 0\n", "training.global_clipnorm: expected > 0 or null, got 0"),
        ("  global_clipnorm: 5\n", "training.global_clipnorm: only one of clipnorm and global_clipnorm can be "
         "set, got clipnorm 1.0"),
        ("  max_training_minutes: 0\n", "training.max_training_minutes: expected > 0 or null, got 0"),
        ("  strategy: multi_worker\n  max_training_minutes: 5\n", "training.max_training_minutes: not supported "
         "with strategy 'multi_worker'"),
        ("  learning_rate_decay: step\n", "line 2: training.learning_rate_decay: expected one of ['linear', "
         "'cosine'], got 'step'"),
        ("  learning_rate_decay: linear\n  final_learning_rate: 0.003\n", "line 3: training.final_learning_rate: "
         "expected >= 0 and below learning_rate 0.003, got 0.003"),
        ("  learning_rate_decay: cosine\n  final_learning_rate: -0.1\n", "training.final_learning_rate: "
         "expected >= 0 and below learning_rate 0.003, got -0.1"),
        ("  final_learning_rate: 0.0001\n", "line 2: training.final_learning_rate: is only used with "
         "learning_rate_decay: linear or cosine"),
    ],
)
def test_invalid_training_keys(tmp_path, text, message):
    path = tmp_path / "config.yaml"
    path.write_text("training:\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        RunConfig.from_yaml(path)
    assert message in str(raised.value)


def test_round_trip(tmp_path):
    config = RunConfig()
    config.training.strategy = "multi_worker"
    config.training.mixed_precision = "mixed_bfloat16"
    config.training.backup_every_steps = 200
    config.to_yaml(tmp_path / "config.yaml")
    assert RunConfig.from_yaml(tmp_path / "config.yaml") == config
