"""DecodingConfig: defaults, YAML round trip, and validation messages with key paths and lines."""

import pytest

from keras_attention.config import DecodingConfig, RunConfig
from keras_attention.errors import ConfigError


def test_defaults_are_greedy_and_valid():
    config = DecodingConfig()
    config.validate()
    assert (config.strategy, config.n_best, config.max_length_ratio) == ("greedy", 1, None)


def test_yaml_round_trip(tmp_path, config_file):
    config = RunConfig.from_yaml(
        config_file(
            "decoding:\n  strategy: beam\n  beam_size: 4\n  length_penalty: 1\n  coverage_penalty: 0.2\n"
            "  n_best: 4\n  max_length_ratio: 1.5\n"
        )
    )
    assert config.decoding.length_penalty == 1.0 and isinstance(config.decoding.length_penalty, float)
    config.to_yaml(tmp_path / "out.yaml")
    assert RunConfig.from_yaml(tmp_path / "out.yaml") == config


def test_sampling_options_load(config_file):
    text = "decoding:\n  strategy: sample\n  temperature: 0.5\n  top_k: 3\n  seed: 7\n"
    config = RunConfig.from_yaml(config_file(text))
    assert (config.decoding.temperature, config.decoding.top_k, config.decoding.seed) == (0.5, 3, 7)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "decoding:\n  strategy: viterbi\n",
            r"line 2: decoding.strategy: expected one of \['greedy', 'beam', 'sample'\], got 'viterbi'",
        ),
        ("decoding:\n  beam_size: 0\n", r"line 2: decoding.beam_size: expected a positive integer, got 0"),
        ("decoding:\n  beam_size: 2.5\n", r"decoding.beam_size: expected int, got float 2.5"),
        ("decoding:\n  length_penalty: -0.6\n", r"decoding.length_penalty: expected a number >= 0, got -0.6"),
        ("decoding:\n  coverage_penalty: -1\n", r"decoding.coverage_penalty: expected a number >= 0, got -1.0"),
        ("decoding:\n  n_best: 0\n", r"decoding.n_best: expected a positive integer, got 0"),
        (
            "decoding:\n  strategy: beam\n  beam_size: 3\n  n_best: 4\n",
            r"line 4: decoding.n_best: expected at most `beam_size` \(3\), got 4",
        ),
        (
            "decoding:\n  n_best: 2\n",
            r"decoding.n_best: expected 1 for strategy 'greedy' \(n-best lists need strategy 'beam'\), got 2",
        ),
        ("decoding:\n  temperature: 0\n", r"decoding.temperature: expected a number > 0, got 0.0"),
        ("decoding:\n  top_k: 0\n", r"decoding.top_k: expected a positive integer, got 0"),
        ("decoding:\n  seed: 1.5\n", r"decoding.seed: expected int or null, got float 1.5"),
        ("decoding:\n  max_length_ratio: 0\n", r"decoding.max_length_ratio: expected a number > 0, got 0.0"),
        ("decoding:\n  beam: 5\n", r"decoding.beam: unknown key; decoding allows \['max_length'"),
    ],
)
def test_bad_decoding_config_names_the_key(config_file, text, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_yaml(config_file(text))
