"""`target.shared_vocabulary`: one vocabulary learned from both sides, used by both tokenizers and
saved for both, and the config keys it needs, refused by name; copy attention over one shared
vocabulary and over separate ones (source tokens copied by token string)."""

import numpy as np
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
    ],
)
def test_the_config_refuses_what_sharing_cannot_do(data, message):
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


def test_a_copy_run_with_separate_vocabularies_copies_by_token_string(tmp_path):
    from helpers.tiny_runs import write_tiny_config

    from keras_attention.models import inference_models
    from keras_attention.runs import load_run
    from keras_attention.special_tokens import UNK_ID
    from keras_attention.trainer import train

    path = write_tiny_config(tmp_path, num_train=64, model={"copy": True})
    train(RunConfig.from_yaml(path), tmp_path / "run", verbose=0, log=lambda line: None)
    run = load_run(tmp_path / "run")
    source_vocabulary, target_vocabulary = run.source_tokenizer.vocabulary, run.target_tokenizer.vocabulary
    assert source_vocabulary != target_vocabulary
    source_ids = run.source_tokenizer.encode_source(["3 march 1998"])["ids"].numpy()
    *_, copy_ids = inference_models(run.model)[0](source_ids)
    expected = [
        target_vocabulary.index(source_vocabulary[i]) if source_vocabulary[i] in target_vocabulary else UNK_ID
        for i in source_ids[0]
    ]
    assert list(np.asarray(copy_ids)[0]) == expected and UNK_ID in expected and any(index > 3 for index in expected)
    assert len(run.translator().translate(["3 march 1998"]).translations) == 1
