"""Every name in a registry loads what it registers, and the config accepts exactly those names."""

import pytest

from keras_attention.config import RunConfig
from keras_attention.errors import ConfigError
from keras_attention.options import registry
from keras_attention.options.data import FILE_FORMATS
from keras_attention.options.decoding import STRATEGIES
from keras_attention.options.text import TOKENIZERS
from keras_attention.options.training import DISTRIBUTION_STRATEGIES, TUNERS


@pytest.mark.parametrize("table", [STRATEGIES, FILE_FORMATS, DISTRIBUTION_STRATEGIES, TUNERS, TOKENIZERS])
def test_every_registered_name_loads(table):
    for name in table:
        assert registry.load(table, name) is not None


@pytest.mark.parametrize(
    "section, key, table",
    [
        ("training", "strategy", DISTRIBUTION_STRATEGIES),
        ("decoding", "strategy", STRATEGIES),
        ("source", "tokenizer", TOKENIZERS),
        ("target", "tokenizer", TOKENIZERS),
    ],
)
def test_the_config_takes_the_registered_names_and_refuses_others(section, key, table):
    for name in table:
        RunConfig.from_dict({section: {key: name}})
    with pytest.raises(ConfigError, match=rf"{section}.{key}: expected one of \[.*\], got 'elsewhere'"):
        RunConfig.from_dict({section: {key: "elsewhere"}})


def test_the_tuning_section_takes_the_registered_tuners():
    search = {"learning_rate": {"min": 0.001, "max": 0.01, "sampling": "log"}}
    for name in TUNERS:
        RunConfig.from_dict({"tuning": {"tuner": name, "search": search}})
    with pytest.raises(ConfigError, match=r"tuning.tuner: expected one of \['hyperband', 'bayesian', 'random'\]"):
        RunConfig.from_dict({"tuning": {"tuner": "grid", "search": search}})
