"""The HyperModel's search space: keras-tuner hyperparameters declared from `tuning.search`."""

import keras_tuner
import pytest

from keras_attention.config import RunConfig
from keras_attention.text.char_tokenizer import CharTokenizer
from keras_attention.tuning import Seq2SeqHyperModel

SEARCH = {
    "tuning": {
        "search": {
            "attention_units": {"choices": [8, 16]},
            "attention": {"choices": ["bahdanau", "luong_general"]},
            "bidirectional": {"choices": [True, False]},
            "encoder_layers": {"choices": [1, 2]},
            "encoder_units": {"min": 8, "max": 32, "step": 8},
            "learning_rate": {"min": 0.001, "max": 0.01, "sampling": "log", "default": 0.002},
            "dropout": {"min": 0.0, "max": 0.2},
        }
    },
    "model": {"embedding_dim": 8, "encoder_units": 16, "decoder_units": 16, "attention_units": 8, "attentional_units": 16},
}


@pytest.fixture
def hypermodel():
    tokenizer = CharTokenizer(["<pad>", "<unk>", "<s>", "</s>", "a", "b"])
    return Seq2SeqHyperModel(RunConfig.from_dict(SEARCH), tokenizer, tokenizer)


def test_the_space_has_the_searched_names_types_and_defaults(hypermodel):
    hp = keras_tuner.HyperParameters()
    values = hypermodel.values(hp)
    assert values == {
        "attention": "bahdanau",
        "attention_units": 8,
        "bidirectional": True,
        "encoder_layers": 1,
        "encoder_units": 16,
        "learning_rate": 0.002,
        "dropout": 0.0,
    }
    space = {item.name: item for item in hp.space}
    assert isinstance(space["bidirectional"], keras_tuner.engine.hyperparameters.Boolean)
    assert (space["encoder_units"].min_value, space["encoder_units"].max_value, space["encoder_units"].step) == (8, 32, 8)
    assert space["learning_rate"].sampling == "log"
    assert [condition.get_config()["values"] for condition in space["attention_units"].conditions] == [["bahdanau"]]


def test_a_trial_config_is_a_plain_training_config(hypermodel):
    hp = keras_tuner.HyperParameters()
    hypermodel.values(hp)
    hp.values.update(attention="luong_general", bidirectional=0, encoder_units=24, dropout=0.1)
    config = hypermodel.trial_config(hp)
    assert config.tuning is None
    assert config.model.bidirectional is False  # not keras-tuner's 0
    assert (config.model.attention, config.model.attention_units, config.model.encoder_units) == ("luong_general", None, 24)
    assert config.model.decoder_units == 16 and config.model.dropout == 0.1
    assert RunConfig.from_dict(config.to_dict()) == config


def test_build_compiles_the_trial_model(hypermodel):
    hp = keras_tuner.HyperParameters()
    hypermodel.values(hp)
    hp.values.update(encoder_units=24, bidirectional=False, learning_rate=0.005)
    model = hypermodel.build(hp)
    assert model.get_layer("encoder").outputs[0].shape[-1] == 24
    assert float(model.optimizer.learning_rate) == pytest.approx(0.005)
