"""RunConfig: YAML loading, validation messages with key paths and lines, round trips."""

import dataclasses

import pytest

from keras_attention.config import ModelConfig, RunConfig
from keras_attention.errors import ConfigError

DATES_CONFIG = "training/configs/dates.yaml"


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_valid():
    assert RunConfig().validate() == RunConfig()


def test_shipped_dates_config_loads():
    config = RunConfig.from_yaml(DATES_CONFIG)
    assert config.data.task == "dates"
    assert config.model.attention == "bahdanau"


def test_yaml_round_trip(tmp_path):
    config = RunConfig.from_yaml(DATES_CONFIG)
    config.model.decoder_units = 96
    config.to_yaml(tmp_path / "out.yaml")
    assert RunConfig.from_yaml(tmp_path / "out.yaml") == config


def test_missing_keys_take_defaults(tmp_path):
    config = RunConfig.from_yaml(write(tmp_path, "model:\n  decoder_units: 32\n"))
    assert config.model.decoder_units == 32
    assert config.model.encoder_units == ModelConfig().encoder_units


def test_int_is_accepted_for_float(tmp_path):
    config = RunConfig.from_yaml(write(tmp_path, "training:\n  learning_rate: 1\n"))
    assert config.training.learning_rate == 1.0 and isinstance(config.training.learning_rate, float)


@pytest.mark.parametrize(
    "text, message",
    [
        ("model:\n  units: 3\n", r"config.yaml, line 2: model.units: unknown key; model allows \["),
        ("modle:\n  units: 3\n", r"line 1: modle: unknown key; top level allows \['data'"),
        ("training:\n  batch_size: big\n", r"line 2: training.batch_size: expected int, got str 'big'"),
        ("training:\n  batch_size: true\n", r"training.batch_size: expected int, got bool True"),
        ("training:\n  batch_size: 1.5\n", r"training.batch_size: expected int, got float 1.5"),
        ("training:\n  epochs: null\n", r"training.epochs: expected int, got null"),
        ("model:\n  bidirectional: 1\n", r"model.bidirectional: expected bool, got int 1"),
        ("model:\n  attention: cosine\n", r"model.attention: expected one of \['bahdanau'.*got 'cosine'"),
        ("model:\n  encoder_units: -4\n", r"line 2: model.encoder_units: expected a positive integer, got -4"),
        ("model:\n  attention_units: 0\n", r"model.attention_units: expected a positive integer, got 0"),
        ("model:\n  attention_units: null\n", r"model.attention_units: required .* for attention 'bahdanau'"),
        (
            "model:\n  attention: luong_dot\n  attention_units: 8\n",
            r"model.attention_units: must be null for attention 'luong_dot'.*got 8",
        ),
        ("model:\n  dropout: 1.0\n", r"model.dropout: expected 0 <= dropout < 1, got 1.0"),
        ("model: 3\n", r"model: expected a mapping of keys to values, got int"),
        ("- a\n- b\n", r"top level: expected a mapping of keys to values, got list"),
        ("data:\n  task: tsv\n", r"data.train: required for task 'tsv', got null"),
        ("data:\n  train: x.tsv\n", r"data.train: files are only read for task 'tsv', got 'x.tsv'"),
        ("data:\n  task: csv\n", r"data.task: expected one of \['dates', 'tsv'\], got 'csv'"),
        ("source:\n  normalization: NFX\n", r"source.normalization: expected one of"),
        ("target:\n  max_length: 0\n", r"target.max_length: expected a positive integer, got 0"),
        ("training:\n  learning_rate: -0.1\n", r"training.learning_rate: expected > 0, got -0.1"),
        ("training:\n  clipnorm: 0\n", r"training.clipnorm: expected > 0 or null, got 0"),
        ("decoding:\n  max_length: -1\n", r"decoding.max_length: expected a positive integer, got -1"),
        ("model: [1, 2\n", r"not valid YAML"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_yaml(write(tmp_path, text))


def test_missing_file():
    with pytest.raises(ConfigError, match="config file 'no/such.yaml' does not exist"):
        RunConfig.from_yaml("no/such.yaml")


def test_from_dict_names_origin():
    with pytest.raises(ConfigError, match=r"^config: training.epochs: expected a positive integer, got 0"):
        RunConfig.from_dict({"training": {"epochs": 0}})


def test_empty_file_is_all_defaults(tmp_path):
    assert RunConfig.from_yaml(write(tmp_path, "")) == RunConfig()


def test_to_dict_is_plain_data():
    data = RunConfig().to_dict()
    assert data["model"] == dataclasses.asdict(ModelConfig())
