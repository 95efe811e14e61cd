"""`target.shared_vocabulary`: one vocabulary learned from both sides, used by both tokenizers and
saved for both; the config keys it needs, and copy attention's need of it, refused by name."""

import pytest

from keras_attention.config import RunConfig
from keras_attention.data.sources import load_splits
from keras_attention.errors import ConfigError
from keras_attention.trainer.setup import learn_tokenizers


def config_of(tmp_path, **target):
    (tmp_path / "train.tsv").write_text("abc ab\tXYZ\nbca\tzzy\n", encoding="utf-8")
    return RunConfig.from_dict(
        {
            "data": {"format": "tsv", "train": str(tmp_path / "train.tsv")},
            "target": {"max_length": 7, **target},
        }
    )


def test_both_tokenizers_use_one_vocabulary_learned_from_both_sides(tmp_path):
    config = config_of(tmp_path, shared_vocabulary=True)
    logged = []
    source, target = learn_tokenizers(config, load_splits(config.data, 100, seed=0), logged.append)
    assert source.vocabulary == target.vocabulary
    assert {"a", "b", "c", "X", "Y", "Z", "z", "y"} <= set(source.vocabulary)
    assert (source.max_length, target.max_length) == (128, 7)
    assert any(line.startswith("learning one shared char vocabulary from both sides of 2 pairs") for line in logged)
    separate, _ = learn_tokenizers(config_of(tmp_path), load_splits(config.data, 100, seed=0), logged.append)
    assert "X" not in separate.vocabulary


@pytest.mark.parametrize(
    "data, message",
    [
        ({"target": {"shared_vocabulary": True, "lowercase": True}}, "target.lowercase: must equal source.lowercase (False) with target.shared_vocabulary, got True"),
        ({"source": {"shared_vocabulary": True}}, "source.shared_vocabulary: only the target side takes it"),
        ({"model": {"copy": True}}, "model.copy: needs target.shared_vocabulary: true (source tokens must be target tokens), got false"),
        (
            {"model": {"copy": True, "attention_placement": "in_step"}, "target": {"shared_vocabulary": True}},
            "model.copy: needs attention_placement 'after_lstm', got attention_placement 'in_step'",
        ),
    ],
)
def test_the_config_refuses_what_sharing_and_copying_cannot_do(data, message):
    with pytest.raises(ConfigError, match=f"^config: {message.replace('(', '[(]').replace(')', '[)]')}"):
        RunConfig.from_dict(data)


def test_a_copy_run_trains_saves_and_translates_from_its_directory(tmp_path):
    import yaml
    from helpers.tiny_runs import write_tiny_config

    from keras_attention.runs import RunLayout, load_run
    from keras_attention.trainer import train

    path = write_tiny_config(tmp_path, num_train=64, model={"copy": True}, target={"shared_vocabulary": True, "lowercase": True})
    written = yaml.safe_load(path.read_text())
    assert written["source"]["lowercase"] is True
    summary = train(RunConfig.from_yaml(path), tmp_path / "run", verbose=0, log=lambda line: None)
    layout = RunLayout(tmp_path / "run")
    assert layout.vocabulary("source").read_text() == layout.vocabulary("target").read_text()
    run = load_run(tmp_path / "run")
    assert run.model.get_layer("decoder").get_layer("copy") is not None
    assert len(run.translator().translate(["3 march 1998"]).translations) == 1 and summary["epochs"] == 1
