"""The `tuning` config section: search space declarations, their errors (with key and line), trial configs."""

import pytest

from keras_attention.config import HyperparameterSpec, RunConfig
from keras_attention.tuning.space import trial_config
from keras_attention.errors import ConfigError

SEARCH = """tuning:
  tuner: bayesian
  max_trials: 4
  search:
    encoder_units: {min: 16, max: 128, step: 16}
    attention: {choices: [bahdanau, luong_general]}
    attention_units: {choices: [32, 64]}
    bidirectional: {choices: [true, false]}
    learning_rate: {min: 0.0001, max: 0.01, sampling: log}
    dropout: {min: 0.0, max: 0.3, default: 0.1}
"""


def test_search_section_loads_and_round_trips(config_file, tmp_path):
    config = RunConfig.from_yaml(config_file("model:\n  encoder_units: 64\n  attention_units: 64\n" + SEARCH))
    search = config.tuning.search
    assert list(search) == [
        "encoder_units", "attention", "attention_units", "bidirectional", "learning_rate", "dropout"
    ]
    assert search["encoder_units"] == HyperparameterSpec(min=16, max=128, step=16)
    assert search["bidirectional"].choices == [True, False]
    assert search["learning_rate"].sampling == "log" and search["dropout"].default == 0.1
    config.to_yaml(tmp_path / "again.yaml")
    assert RunConfig.from_yaml(tmp_path / "again.yaml") == config


def test_configs_without_tuning_are_written_as_before():
    assert "tuning" not in RunConfig().to_dict()


def line_of(text, needle):
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "spec, needle, message",
    [
        ("attention: {choices: []}", "attention", r"tuning.search.attention.choices: expected a non-empty list"),
        ("encoder_units: {min: 128, max: 16}", "encoder_units", r"encoder_units.min: min \(128\) must not exceed max \(16\)"),
        ("hidden_units: {choices: [8]}", "hidden_units", r"tuning.search.hidden_units: unknown hyperparameter; searchable: \["),
        ("encoder_units: {choices: [8, 16], min: 4}", "encoder_units", r"give either choices or min/max, not both"),
        ("encoder_units: {step: 8}", "encoder_units", r"expected either choices: \[...\] or min: and max:"),
        ("encoder_units: {min: 8}", "encoder_units", r"encoder_units.max: required with a range, got null"),
        ("bidirectional: {min: 0, max: 1}", "bidirectional", r"is a bool field: give choices"),
        ("attention: {choices: [bahdanau, cosine]}", "attention", r"'cosine' is not a valid model.attention \(model.attention: expected one of"),
        ("encoder_layers: {min: 0, max: 2}", "encoder_layers", r"0 is not a valid model.encoder_layers .*positive integer"),
        ("dropout: {min: 0.0, max: 1.0}", "dropout", r"1.0 is not a valid model.dropout"),
        ("learning_rate: {min: 0.0, max: 0.1, sampling: log}", "learning_rate", r"'log' sampling needs min > 0"),
        ("encoder_units: {min: 8, max: 64, step: 8, sampling: log}", "encoder_units", r"step: is only used with linear sampling"),
        ("encoder_units: {choices: [8, 16.5]}", "encoder_units", r"choices: expected int values, got float 16.5"),
        ("encoder_units: {choices: [8, 8]}", "encoder_units", r"expected distinct values"),
        ("encoder_units: {min: 8, max: 64, default: 100}", "encoder_units", r"default: 100 \(from tuning\) is outside"),
        ("decoder_units: {min: 8, max: 64}", "decoder_units", r"default: 256 \(from the normal config\) is outside"),
        ("attention_units: {choices: [128, 16]}\n    attention: {choices: [luong_dot, scaled_dot], default: luong_dot}", "attention_units", r"only additive scores"),
    ],
)
def test_bad_search_spaces_are_named_with_their_line(config_file, spec, needle, message):
    text = f"tuning:\n  search:\n    {spec}\n"
    with pytest.raises(ConfigError, match=message) as error:
        RunConfig.from_yaml(config_file(text))
    assert f"config.yaml, line {line_of(text, needle)}:" in str(error.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("tuning:\n  search: {}\n", r"line 2: tuning.search: expected at least one hyperparameter"),
        ("tuning:\n  tuner: grid\n  search: {dropout: {choices: [0.0]}}\n", r"tuning.tuner: expected one of \['hyperband'"),
        ("tuning:\n  factor: 1\n  search: {dropout: {choices: [0.0]}}\n", r"tuning.factor: expected an integer >= 2"),
        ("tuning:\n  executions_per_trial: 0\n  search: {dropout: {choices: [0.0]}}\n", r"executions_per_trial: expected a positive"),
        ("tuning:\n  search: [dropout]\n", r"tuning.search: expected a mapping of names to settings, got list"),
        ("tuning:\n  search: {dropout: {choices: [0.0], spread: 2}}\n", r"tuning.search.dropout.spread: unknown key"),
    ],
)
def test_bad_tuner_settings(config_file, text, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_yaml(config_file(text))


def test_trial_config_sets_the_values_and_keeps_the_attention_fields_consistent(config_file):
    config = RunConfig.from_yaml(config_file("model:\n  encoder_units: 64\n  attention_units: 64\n" + SEARCH))
    trial = trial_config(config, {"attention": "luong_general", "encoder_units": 32, "learning_rate": 0.002})
    assert trial.tuning is None and config.tuning is not None
    assert (trial.model.attention, trial.model.attention_units, trial.model.encoder_units) == ("luong_general", None, 32)
    assert trial.training.learning_rate == 0.002 and config.training.learning_rate == 0.003
    assert trial.validate() is trial
    additive = trial_config(trial, {"attention": "bahdanau"}, searched=config.tuning.search)
    assert additive.model.attention_units == 32  # the first choice of the searched attention_units
