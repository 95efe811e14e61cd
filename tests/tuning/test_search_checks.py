"""What `tune` checks before any trial runs, and how the command reports it."""

import sys

import pytest
from helpers.tiny_search import write_tiny_search

from keras_attention.cli import main
from keras_attention.config import RunConfig
from keras_attention.errors import ConfigError, TuningError
from keras_attention.tuning import tune
from keras_attention.tuning.search import prepare_search_directory
from keras_attention.tuning.distributed import tuner_role


def quiet(line):
    pass


@pytest.mark.parametrize(
    "objective, num_dev, message",
    [
        (
            "val_accuracy",
            16,
            r"'val_accuracy' is never logged by the trials, which log \['loss', 'sequence_accuracy', "
            r"'token_accuracy', 'val_loss', 'val_sequence_accuracy', 'val_token_accuracy'\]$",
        ),
        ("val_loss", 0, r"'val_loss' is never logged .*; validation metrics need dev pairs"),
        ("val_bleu", 16, r"'val_bleu' is never logged .*'val_bleu' needs evaluation.dev_bleu_sentences > 0"),
    ],
    ids=["unknown-metric", "no-dev-pairs", "dev-scores-off"],
)
def test_an_objective_that_is_never_logged_fails_before_any_trial(tmp_path, objective, num_dev, message):
    config = RunConfig.from_yaml(write_tiny_search(tmp_path, {"objective": objective}, num_dev=num_dev))
    with pytest.raises(ConfigError, match=r"tuning.objective: " + message):
        tune(config, tmp_path / "search", verbose=0, log=quiet)
    assert not (tmp_path / "search").exists()


def test_dev_scores_without_dev_pairs_fail_before_any_trial(tmp_path):
    config = RunConfig.from_yaml(write_tiny_search(tmp_path, {"objective": "loss"}))
    config.evaluation.dev_bleu_sentences = 8
    with pytest.raises(ConfigError, match="evaluation.dev_bleu_sentences: dev BLEU needs dev pairs"):
        tune(config, tmp_path / "search", log=quiet)
    assert not (tmp_path / "search").exists()


def test_bad_configs_exit_with_status_2_and_one_line(tmp_path, capsys):
    config = write_tiny_search(tmp_path, {"search": {"attention": {"choices": []}}})
    assert main(["tune", "--config", str(config), "--output", str(tmp_path / "search")]) == 2
    error = capsys.readouterr().err
    assert "keras-attention tune: error:" in error and "tuning.search.attention.choices: expected a non-empty list" in error
    assert "Traceback" not in error and not (tmp_path / "search").exists()


def test_a_config_without_tuning_section_is_refused(tmp_path):
    config = RunConfig.from_yaml(write_tiny_search(tmp_path, {}))
    config.tuning = None
    with pytest.raises(ConfigError, match="tuning: the config has no tuning section"):
        tune(config, tmp_path / "search", log=quiet)


def test_another_search_in_the_directory_is_not_silently_reused(tmp_path):
    first = RunConfig.from_yaml(write_tiny_search(tmp_path, {"max_trials": 2}))
    prepare_search_directory(tmp_path / "search", False, first, quiet)
    assert RunConfig.from_yaml(tmp_path / "search" / "config.yaml") == first
    printed = []
    prepare_search_directory(tmp_path / "search", False, first, printed.append)
    assert printed == [f"{tmp_path / 'search'} holds a search of this config: resuming it"]
    second = RunConfig.from_yaml(write_tiny_search(tmp_path, {"max_trials": 3}))
    with pytest.raises(TuningError, match=r"another config \(tuning.max_trials: 2 then, 3 now\).*pass --overwrite"):
        prepare_search_directory(tmp_path / "search", False, second, quiet)
    (tmp_path / "search" / "search").mkdir()
    prepare_search_directory(tmp_path / "search", True, second, quiet)
    assert [path.name for path in (tmp_path / "search").iterdir()] == ["config.yaml"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(TuningError, match="is not empty and holds no search"):
        prepare_search_directory(tmp_path / "other", False, second, quiet)


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, "single"),
        ({"KERASTUNER_TUNER_ID": "chief", "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": "8000"}, "chief"),
        ({"KERASTUNER_TUNER_ID": "worker3", "KERASTUNER_ORACLE_IP": "10.0.0.1", "KERASTUNER_ORACLE_PORT": "8000"}, "worker"),
    ],
)
def test_tuner_role(environ, expected):
    assert tuner_role(environ) == expected


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": "8000"}, "KERASTUNER_TUNER_ID is not set"),
        ({"KERASTUNER_TUNER_ID": "worker0", "KERASTUNER_ORACLE_PORT": "8000"}, "KERASTUNER_ORACLE_IP is not set"),
        ({"KERASTUNER_TUNER_ID": "chief", "KERASTUNER_ORACLE_IP": "h", "KERASTUNER_ORACLE_PORT": "x"}, "must be a port number"),
    ],
)
def test_incomplete_distributed_settings_are_errors(environ, message):
    with pytest.raises(TuningError, match=message):
        tuner_role(environ)


def dot_attention_search(tmp_path, decoder_units):
    """A Bayesian search of `scaled_dot` attention, which builds only where the decoder has the
    encoder's 8 units."""
    config = RunConfig.from_yaml(
        write_tiny_search(
            tmp_path,
            {
                "tuner": "bayesian",
                "max_trials": 2,
                "objective": "loss",
                "max_consecutive_failed_trials": 1,
                "search": {"decoder_units": decoder_units},
            },
        )
    )
    config.model.attention, config.model.attention_units, config.model.encoder_units = "scaled_dot", None, 8
    config.model.decoder_units = decoder_units.get("default", config.model.decoder_units)
    return config.validate()


def test_a_failing_trial_stops_the_search_loudly(tmp_path):
    config = dot_attention_search(tmp_path, {"choices": [8, 16], "default": 8})
    printed = []
    with pytest.raises(TuningError, match=r"the search stopped: Number of consecutive failures exceeded the limit of 1"):
        tune(config, tmp_path / "search", verbose=0, log=printed.append)
    failure = next(line for line in printed if "failed" in line)
    assert "tuner0: trial" in failure and "needs query and values of the same feature size" in failure


def test_a_default_model_that_cannot_be_built_fails_before_any_trial(tmp_path):
    config = dot_attention_search(tmp_path, {"choices": [16, 24], "default": 16})
    with pytest.raises(TuningError, match=r"default hyperparameters .* cannot be built: .*same feature size"):
        tune(config, tmp_path / "search", log=quiet)
    assert not (tmp_path / "search").exists()


def test_workers_refuse_the_chiefs_options(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "worker0")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    config = RunConfig.from_yaml(write_tiny_search(tmp_path, {}))
    with pytest.raises(TuningError, match="--overwrite and --train-best are for the chief"):
        tune(config, tmp_path / "search", overwrite=True, log=quiet)


@pytest.mark.parametrize(
    "module, tuner, message",
    [
        ("tensorboard.plugins.hparams", "random", r"keras-tuner needs TensorBoard.*pip install tensorboard"),
        ("sklearn", "bayesian", r"tuning.tuner: 'bayesian' needs scikit-learn.*keras-tuner\[bayesian\]"),
    ],
    ids=["tensorboard", "scikit-learn"],
)
def test_missing_packages_are_named_before_the_search(tmp_path, monkeypatch, module, tuner, message):
    monkeypatch.setitem(sys.modules, module, None)  # makes importing `module` fail
    config = RunConfig.from_yaml(write_tiny_search(tmp_path, {"tuner": tuner}))
    with pytest.raises(TuningError, match=message):
        tune(config, tmp_path / "search", log=quiet)
    assert not (tmp_path / "search").exists()
