"""ModelConfig attention fields: scores, scales, placement, input feeding, coverage; validation
messages with key paths and lines, YAML round trips."""

import pytest

from keras_attention.config import ModelConfig, RunConfig
from keras_attention.options.attention import SCORES
from keras_attention.errors import ConfigError


def test_defaults_keep_attention_after_the_lstm():
    config = ModelConfig()
    assert config.attention_placement == "after_lstm"
    assert (config.attention_scale, config.attention_dropout) == (None, 0.0)
    assert (config.input_feeding, config.coverage, config.coverage_loss_weight) == (False, False, None)


def test_every_score_is_allowed():
    assert SCORES == (
        "bahdanau",
        "bahdanau_normed",
        "luong_concat",
        "luong_dot",
        "luong_general",
        "scaled_dot",
    )


@pytest.mark.parametrize(
    "text",
    [
        "model:\n  attention: bahdanau_normed\n  attention_units: 16\n",
        "model:\n  attention: luong_concat\n  attention_units: 16\n",
        "model:\n  attention: scaled_dot\n  attention_units: null\n",
        "model:\n  attention: scaled_dot\n  attention_units: null\n  attention_scale: learned\n",
        "model:\n  attention: luong_general\n  attention_units: null\n  attention_scale: inverse_sqrt\n",
        "model:\n  attention_dropout: 0.2\n",
        "model:\n  attention_placement: in_step\n  input_feeding: true\n",
        "model:\n  attention_placement: in_step\n  coverage: true\n  coverage_loss_weight: 1\n",
        "model:\n  attention: luong_concat\n  attention_placement: in_step\n  coverage: true\n"
        "  coverage_loss_weight: 0.0\n",
    ],
)
def test_valid_combinations_load_and_round_trip(tmp_path, text, config_file):
    config = RunConfig.from_yaml(config_file(text))
    config.to_yaml(tmp_path / "out.yaml")
    assert RunConfig.from_yaml(tmp_path / "out.yaml") == config


def test_coverage_loss_weight_int_becomes_float(config_file):
    text = "model:\n  attention_placement: in_step\n  coverage: true\n  coverage_loss_weight: 1\n"
    weight = RunConfig.from_yaml(config_file(text)).model.coverage_loss_weight
    assert weight == 1.0 and isinstance(weight, float)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "model:\n  attention: luong_concat\n  attention_units: null\n",
            r"line 3: model.attention_units: required .* for attention 'luong_concat', got null",
        ),
        (
            "model:\n  attention: scaled_dot\n  attention_units: 8\n",
            r"model.attention_units: must be null for attention 'scaled_dot'.*got 8",
        ),
        (
            "model:\n  attention_scale: learned\n",
            r"line 2: model.attention_scale: expected one of \(None,\) for score='bahdanau', got 'learned'",
        ),
        (
            "model:\n  attention: luong_general\n  attention_units: null\n  attention_scale: sqrt\n",
            r"model.attention_scale: expected one of \(None, 'inverse_sqrt', 'learned'\) .*got 'sqrt'",
        ),
        ("model:\n  attention_scale: 2\n", r"model.attention_scale: expected str or null, got int 2"),
        (
            "model:\n  attention_dropout: 1.5\n",
            r"line 2: model.attention_dropout: expected 0 <= attention_dropout < 1, got 1.5",
        ),
        (
            "model:\n  attention_placement: inside\n",
            r"model.attention_placement: expected one of \['after_lstm', 'in_step'\], got 'inside'",
        ),
        (
            "model:\n  input_feeding: true\n",
            r"line 2: model.input_feeding: needs attention_placement 'in_step', got attention_placement "
            r"'after_lstm'",
        ),
        ("model:\n  input_feeding: 1\n", r"model.input_feeding: expected bool, got int 1"),
        (
            "model:\n  coverage: true\n  coverage_loss_weight: 1.0\n",
            r"model.coverage: needs attention_placement 'in_step'",
        ),
        (
            "model:\n  attention: luong_dot\n  attention_units: null\n  attention_placement: in_step\n"
            "  coverage: true\n  coverage_loss_weight: 1.0\n",
            r"line 5: model.coverage: needs an additive attention \['bahdanau', 'bahdanau_normed', "
            r"'luong_concat'\], got attention 'luong_dot'",
        ),
        (
            "model:\n  attention_placement: in_step\n  coverage: true\n",
            r"model.coverage_loss_weight: expected a number >= 0 with coverage, got None",
        ),
        (
            "model:\n  attention_placement: in_step\n  coverage: true\n  coverage_loss_weight: -1\n",
            r"line 4: model.coverage_loss_weight: expected a number >= 0 with coverage, got -1.0",
        ),
        (
            "model:\n  coverage_loss_weight: 1.0\n",
            r"line 2: model.coverage_loss_weight: must be null without coverage, got 1.0",
        ),
        (
            "model:\n  attention_placement: in_step\n  attention_dropout: 0.1\n",
            r"line 3: model.attention_dropout: must be 0 with attention_placement 'in_step', got 0.1",
        ),
        (
            "model:\n  embedding_dim: 64\n  tie_embeddings: true\n",
            r"line 3: model.tie_embeddings: needs attentional_units equal to embedding_dim, got "
            r"attentional_units 256 and embedding_dim 64",
        ),
    ],
)
def test_bad_attention_config_names_the_key(config_file, text, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_yaml(config_file(text))
