"""Run directories: a SentencePiece run's model files are saved, loaded back and checked."""

import shutil

import numpy as np
import pytest
import tensorflow as tf

from helpers import tiny_configs
from keras_attention.config import ModelConfig, RunConfig, TextConfig
from keras_attention.errors import DataError, RunDirectoryError
from keras_attention.models import build_seq2seq
from keras_attention.runs import load_run, save_run
from keras_attention.text import vocab
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config

pytestmark = pytest.mark.requires_tensorflow

SOURCES = ["In the beginning, God created the heavens and the earth.", "God said, “Let there be light.”"] * 4
TARGETS = ["En el principio crió Dios los cielos y la tierra.", "Y dijo Dios: Sea la luz: y fué la luz."] * 4
TINY_MODEL = ModelConfig(**tiny_configs.TINY_MODEL)


@pytest.fixture(scope="module")
def sentencepiece_run(tmp_path_factory):
    """An untrained run directory with a unigram source and a BPE target tokenizer."""
    config = RunConfig(
        source=TextConfig(tokenizer="sentencepiece", vocabulary_size=50, lowercase=True),
        target=TextConfig(tokenizer="sentencepiece", subword_model="bpe", vocabulary_size=60),
        model=TINY_MODEL,
    )
    source = tokenizer_from_config(config.source, learn_vocabulary(config.source, SOURCES))
    target = tokenizer_from_config(config.target, learn_vocabulary(config.target, TARGETS))
    model = build_seq2seq(config.model, source.vocabulary_size, target.vocabulary_size)
    directory = tmp_path_factory.mktemp("runs") / "sentencepiece"
    save_run(directory, config, model, source, target)
    return directory, source, target


def test_sentencepiece_models_are_saved_and_loaded_back(sentencepiece_run):
    directory, source, target = sentencepiece_run
    run = load_run(directory)
    for side, saved, loaded in (("source", source, run.source_tokenizer), ("target", target, run.target_tokenizer)):
        assert (directory / "vocab" / f"{side}.spm.model").read_bytes() == saved.model == loaded.model
        assert vocab.read_vocabulary(directory / "vocab" / f"{side}.txt") == saved.vocabulary == loaded.vocabulary
    assert run.source_tokenizer.lowercase and run.target_tokenizer.vocabulary_size == 60
    strings = tf.constant(["GOD said, let there be light", "la luz"])
    expected = source.encode_source(strings)["ids"]
    np.testing.assert_array_equal(run.source_tokenizer.encode_source(strings)["ids"], expected)


def test_a_run_without_its_sentencepiece_model_is_incomplete(sentencepiece_run, tmp_path):
    broken = tmp_path / "run"
    shutil.copytree(sentencepiece_run[0], broken)
    (broken / "vocab" / "target.spm.model").unlink()
    with pytest.raises(RunDirectoryError, match=r"is incomplete: missing vocab/target.spm.model \(the SentencePiece"):
        load_run(broken)


def test_a_corrupt_sentencepiece_model_names_the_file(sentencepiece_run, tmp_path):
    broken = tmp_path / "run"
    shutil.copytree(sentencepiece_run[0], broken)
    (broken / "vocab" / "source.spm.model").write_bytes(b"\x00 not a model")
    with pytest.raises(DataError, match=r"vocab/source.spm.model: not a serialized SentencePiece model"):
        load_run(broken)


def test_other_tokenizers_write_no_model_file(tmp_path):
    config = RunConfig(model=TINY_MODEL)
    source = tokenizer_from_config(config.source, learn_vocabulary(config.source, SOURCES))
    target = tokenizer_from_config(config.target, learn_vocabulary(config.target, TARGETS))
    model = build_seq2seq(config.model, source.vocabulary_size, target.vocabulary_size)
    save_run(tmp_path, config, model, source, target)
    assert sorted(path.name for path in (tmp_path / "vocab").iterdir()) == ["source.txt", "target.txt"]
