"""RunConfig: YAML loading, validation messages with key paths and lines, round trips."""

import dataclasses
from pathlib import Path

import pytest

from keras_attention.config import DataConfig, ModelConfig, RunConfig
from keras_attention.errors import ConfigError

DATES_CONFIG = "training/configs/dates.yaml"


def test_defaults_are_valid():
    assert RunConfig().validate() == RunConfig()


def test_shipped_dates_config_loads():
    config = RunConfig.from_yaml(DATES_CONFIG)
    assert config.data.format == "dates"
    assert config.model.attention == "bahdanau"


def test_yaml_round_trip(tmp_path):
    config = RunConfig.from_yaml(DATES_CONFIG)
    config.model.decoder_units = 96
    config.to_yaml(tmp_path / "out.yaml")
    assert RunConfig.from_yaml(tmp_path / "out.yaml") == config


def test_missing_keys_take_defaults(config_file):
    config = RunConfig.from_yaml(config_file("model:\n  decoder_units: 32\n"))
    assert config.model.decoder_units == 32
    assert config.model.encoder_units == ModelConfig().encoder_units


def test_int_is_accepted_for_float(config_file):
    config = RunConfig.from_yaml(config_file("training:\n  learning_rate: 1\n"))
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
        ("data:\n  format: tsv\n", r"data.train: required for format 'tsv', got null"),
        ("data:\n  train: x.tsv\n", r"data.train: files are only read for formats \['tsv', 'anki', 'parallel', 'jsonl'\], got 'x.tsv'"),
        ("data:\n  format: csv\n", r"data.format: expected one of \['dates', 'tsv', 'anki', 'parallel', 'jsonl'\], got 'csv'"),
        ("data:\n  format: parallel\n  train: a\n  source_suffix: .en\n", r"config.yaml, line 1: data.target_suffix: required for format 'parallel'"),
        ("data:\n  format: tsv\n  train: a\n  source_suffix: .en\n", r"line 4: data.source_suffix: only used by format 'parallel', got '.en'"),
        ("data:\n  on_error: ignore\n", r"line 2: data.on_error: expected one of \['raise', 'skip'\], got 'ignore'"),
        ("data:\n  length_policy: cut\n", r"data.length_policy: expected one of \['truncate', 'filter'\]"),
        ("data:\n  buckets: 0\n", r"data.buckets: expected a positive integer, got 0"),
        ("source:\n  tokenizer: bpe\n", r"source.tokenizer: expected one of \['char', 'wordpiece', 'sentencepiece'\], got 'bpe'"),
        (
            "source:\n  tokenizer: sentencepiece\n  subword_model: wordpiece\n",
            r"line 3: source.subword_model: expected one of \['unigram', 'bpe'\], got 'wordpiece'",
        ),
        (
            "target:\n  tokenizer: char\n  subword_model: bpe\n",
            r"line 3: target.subword_model: 'bpe' needs tokenizer 'sentencepiece', got tokenizer 'char'",
        ),
        (
            "source:\n  tokenizer: sentencepiece\n  min_count: 2\n",
            r"line 3: source.min_count: must be 1 for tokenizer 'sentencepiece' .*got 2",
        ),
        ("target:\n  vocabulary_size: 4\n", r"line 2: target.vocabulary_size: expected more than the 4 special tokens, got 4"),
        (
            "source:\n  tokenizer: wordpiece\n  collapse_whitespace: false\n",
            r"line 3: source.collapse_whitespace: must be true for tokenizer 'wordpiece'",
        ),
        ("evaluation:\n  monitor: val_bleu\n", r"line 2: evaluation.monitor: unknown key; evaluation allows \['dev_bleu_sentences'\]"),
        ("training:\n  monitor: val_bleu\n", r"line 2: training.monitor: 'val_bleu' needs evaluation.dev_bleu_sentences > 0"),
        ("evaluation:\n  dev_bleu_sentences: -1\n", r"evaluation.dev_bleu_sentences: expected 0 \(off\) or a positive integer"),
        ("source:\n  normalization: NFX\n", r"source.normalization: expected one of"),
        ("target:\n  max_length: 0\n", r"target.max_length: expected a positive integer, got 0"),
        ("training:\n  learning_rate: -0.1\n", r"training.learning_rate: expected > 0, got -0.1"),
        ("training:\n  clipnorm: 0\n", r"training.clipnorm: expected > 0 or null, got 0"),
        ("decoding:\n  max_length: -1\n", r"decoding.max_length: expected a positive integer, got -1"),
        ("model: [1, 2\n", r"not valid YAML"),
    ],
)
def test_bad_config_names_the_key(config_file, text, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_yaml(config_file(text))


def test_relative_data_paths_resolve_against_the_config_directory(tmp_path, monkeypatch):
    (tmp_path / "configs").mkdir()
    path = tmp_path / "configs" / "run.yaml"
    path.write_text(f"data:\n  format: tsv\n  train: ../data/train.tsv\n  dev: {tmp_path / 'dev.tsv'}\n")
    monkeypatch.chdir(tmp_path / "configs")
    config = RunConfig.from_yaml("run.yaml")
    assert config.data.train == str(tmp_path / "data" / "train.tsv")
    assert config.data.dev == str(tmp_path / "dev.tsv") and config.data.test is None
    assert RunConfig.from_dict({"data": {"format": "tsv", "train": "x.tsv"}}).data.train == "x.tsv"


def test_shipped_bible_config_points_next_to_the_repository():
    config = RunConfig.from_yaml("training/configs/bible-en-es.yaml")
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bible"
    assert Path(config.data.train).resolve() == (shared / "web-sparv.train.tsv").resolve()
    assert Path(config.data.dev).resolve() == (shared / "web-sparv.dev.tsv").resolve()
    assert config.source.tokenizer == config.target.tokenizer == "wordpiece"
    assert config.training.monitor == "val_loss" and config.training.save_best
    assert config.training.max_training_minutes == 15 and config.model.initialization == "torch"


def test_missing_file():
    with pytest.raises(ConfigError, match="config file 'no/such.yaml' does not exist"):
        RunConfig.from_yaml("no/such.yaml")


def test_from_dict_names_origin():
    with pytest.raises(ConfigError, match=r"^config: training.epochs: expected a positive integer, got 0"):
        RunConfig.from_dict({"training": {"epochs": 0}})


def test_empty_file_is_all_defaults(config_file):
    assert RunConfig.from_yaml(config_file("")) == RunConfig()


def test_to_dict_is_plain_data():
    data = RunConfig().to_dict()
    assert data["model"] == dataclasses.asdict(ModelConfig())


@pytest.mark.parametrize(
    "source, target, sample, expected",
    [
        ("char", "char", None, 100_000),
        ("sentencepiece", "char", None, 100_000),
        ("wordpiece", "sentencepiece", None, 6_000),
        ("wordpiece", "wordpiece", 30_000, 30_000),
    ],
)
def test_the_vocabulary_sample_defaults_to_what_the_slowest_learner_manages(source, target, sample, expected):
    config = RunConfig.from_dict(
        {"source": {"tokenizer": source}, "target": {"tokenizer": target}, "data": {"vocabulary_sample": sample}}
    )
    assert config.vocabulary_sample_size() == expected


def test_the_renamed_data_task_key_still_loads_with_a_warning_naming_the_file_and_line(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(f"model:\n  embedding_dim: 8\ndata:\n  task: tsv\n  train: {tmp_path / 'a.tsv'}\n")
    with pytest.warns(FutureWarning, match=rf"{path}, line 4: data.task is deprecated: it is now data.format"):
        config = RunConfig.from_yaml(path)
    assert config.data.format == "tsv" and "task" not in config.to_dict()["data"]
    path.write_text("data:\n  task: tsv\n  format: jsonl\n")
    with pytest.raises(ConfigError, match=r"line 2: data.task: the deprecated name of data.format, which is also given"):
        RunConfig.from_yaml(path)


def test_the_renamed_task_argument_and_attribute_still_work_with_a_warning():
    with pytest.warns(FutureWarning, match="data.task is deprecated: it is now data.format"):
        data = DataConfig(task="jsonl", train="a.jsonl")
    assert data == DataConfig(format="jsonl", train="a.jsonl")
    with pytest.warns(FutureWarning, match="data.task is deprecated"):
        assert data.task == "jsonl"
    with pytest.warns(FutureWarning, match="data.task is deprecated"):
        data.task = "tsv"
    assert data.format == "tsv"
    with pytest.raises(TypeError, match="both task and format"):
        DataConfig(task="tsv", format="tsv")
