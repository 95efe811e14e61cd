"""A `Translator` over several models, and the CLI with `--model` more than once.

- An ensemble of a model with itself gives that model's outputs and scores bit for bit, for every
  strategy (greedy, beam search with penalties and n-best, sampling, the output controls).
- Members that read different tokenizations of the source, averaging their log-probabilities,
  against the NumPy loop of `helpers.ensemble_reference`; truncation and `<unk>` counted over them.
- Copy attention: the mean probability of generating.
- `translate` and `evaluate` with `--model` twice; mismatched target vocabularies refused, naming
  the runs and how they differ; every argument error.
"""

import re
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.cli_calls import run_cli
from helpers.ensemble_reference import numpy_greedy
from helpers.tiny_configs import TINY_MODEL
from helpers.tiny_seq2seq import CONFIG, TEXT, tiny_translator_parts
from keras_attention.config import DecodingConfig, ModelConfig, RunConfig, TextConfig
from keras_attention.errors import ConfigError
from keras_attention.models import build_seq2seq, inference_models
from keras_attention.runs import RunLayout, load_translator, save_run
from keras_attention.text.tokenizer import tokenizer_from_config
from keras_attention.text.vocab import build_vocabulary
from keras_attention.translator import Translator, check_same_target_tokenizers

pytestmark = pytest.mark.requires_tensorflow

SENTENCES = ["abc", "", "fed cab", "a", "bad bed", "ABC fed", "abcdef abcdef abc"]
STRATEGIES = {
    "greedy": {},
    "greedy controls": {"min_length": 2, "no_repeat_ngram_size": 2, "max_length_ratio": 1.5},
    "beam": {"strategy": "beam", "beam_size": 3, "n_best": 2, "length_penalty": 0.6, "coverage_penalty": 0.2},
    "beam controls log_probability": {
        "strategy": "beam", "beam_size": 3, "min_length": 2, "no_repeat_ngram_size": 2,
        "ensemble_average": "log_probability",
    },
    "sample": {"strategy": "sample", "temperature": 0.7, "top_k": 3, "seed": 5},
}  # fmt: skip


@pytest.fixture(scope="module")
def parts():
    """`(encoder, decoder, source_tokenizer, target_tokenizer, model)` of a tiny untrained model."""
    return tiny_translator_parts()


@pytest.fixture(scope="module")
def other_parts():
    """Another tiny model over the same vocabularies (other weights)."""
    return tiny_translator_parts(seed=8)


@pytest.mark.parametrize("options", STRATEGIES.values(), ids=STRATEGIES)
def test_an_ensemble_of_a_model_with_itself_is_that_model_exactly(parts, options):
    encoder, decoder, source_tokenizer, target_tokenizer, _ = parts
    decoding = DecodingConfig(max_length=6, **options)
    single = Translator(encoder, decoder, source_tokenizer, target_tokenizer, decoding=decoding)
    ensemble = Translator([encoder] * 2, [decoder] * 2, [source_tokenizer] * 2, target_tokenizer, decoding=decoding)
    assert ensemble.is_ensemble and len(ensemble.source_tokenizers) == 1
    expected = single.translate_batch(tf.constant(SENTENCES))
    output = ensemble.translate_batch(tf.constant(SENTENCES))
    assert set(output) == set(expected)
    for key in expected:
        np.testing.assert_array_equal(output[key].numpy(), expected[key].numpy(), err_msg=key)


def test_members_with_different_source_tokenizers_each_read_their_own(parts, other_parts):
    encoder, decoder, source_tokenizer, target_tokenizer, _ = parts
    lowercasing = tokenizer_from_config(TextConfig(max_length=16, lowercase=True), source_tokenizer.vocabulary)
    other_encoder, other_decoder = other_parts[:2]
    translator = Translator(
        [encoder, other_encoder],
        [decoder, other_decoder],
        [source_tokenizer, lowercasing],
        target_tokenizer,
        decoding=DecodingConfig(max_length=6, ensemble_average="log_probability"),
    )
    assert translator.source_tokenizers == [source_tokenizer, lowercasing]
    sentences = tf.constant(SENTENCES)
    output = translator.translate_batch(sentences)
    sources = [tokenizer.encode_source(sentences)["ids"].numpy() for tokenizer in (source_tokenizer, lowercasing)]
    assert not np.array_equal(sources[0], sources[1][:, : sources[0].shape[1]])  # "ABC": <unk> for one of them
    expected_ids, expected_scores = numpy_greedy(
        [(encoder, decoder), (other_encoder, other_decoder)], sources, 7, average="log_probability"
    )
    empty = np.array([not sentence.strip() for sentence in SENTENCES])
    np.testing.assert_array_equal(output["ids"].numpy(), expected_ids)
    np.testing.assert_allclose(output["scores"].numpy(), np.where(empty, 0.0, expected_scores), atol=1e-4)
    np.testing.assert_array_equal(output["source_ids"].numpy(), sources[0])  # the first member's tokenization
    assert output["alignments"].shape[-1] == sources[0].shape[1]
    # The 17-character sentence is truncated by the first tokenizer (12 tokens), not the second (16);
    # "ABC" is <unk> for the first only.
    np.testing.assert_array_equal(output["truncated"].numpy(), [False] * 6 + [True])
    np.testing.assert_array_equal(output["unknown"].numpy(), [0, 0, 0, 0, 0, 3, 0])
    with pytest.warns(UserWarning, match=r"1 of 7 inputs were longer than the model's maximum of 12 or 16 source"):
        translator.translate(SENTENCES)


def test_an_ensemble_with_copy_attention_averages_the_probability_of_generating():
    tokenizer = tokenizer_from_config(TEXT, build_vocabulary([list("abcdef xyz")]))
    models = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        models.append(build_seq2seq(ModelConfig(**TINY_MODEL, copy=True), tokenizer.vocabulary_size, tokenizer.vocabulary_size))
    members = [inference_models(model) for model in models]
    decoding = DecodingConfig(max_length=6)
    single = Translator(*members[0], tokenizer, tokenizer, decoding=decoding)
    itself = Translator([members[0][0]] * 2, [members[0][1]] * 2, [tokenizer] * 2, tokenizer, decoding=decoding)
    sentences = tf.constant(["abc fed", "bad"])
    expected, output = single.translate_batch(sentences), itself.translate_batch(sentences)
    for key in expected:
        np.testing.assert_array_equal(output[key].numpy(), expected[key].numpy(), err_msg=key)
    np.testing.assert_array_equal(
        itself.generation_probabilities(sentences, output["ids"]).numpy(),
        single.generation_probabilities(sentences, expected["ids"]).numpy(),
    )
    pair = Translator(*(list(side) for side in zip(*members)), [tokenizer] * 2, tokenizer, decoding=decoding)
    ids = pair.translate_batch(sentences)["ids"]
    each = [Translator(*member, tokenizer, tokenizer, decoding=decoding).generation_probabilities(sentences, ids) for member in members]
    np.testing.assert_allclose(pair.generation_probabilities(sentences, ids).numpy(), np.mean(each, axis=0), atol=1e-6)
    plain = inference_models(build_seq2seq(ModelConfig(**TINY_MODEL), tokenizer.vocabulary_size, tokenizer.vocabulary_size))
    mixed = Translator([members[0][0], plain[0]], [members[0][1], plain[1]], [tokenizer] * 2, tokenizer, decoding=decoding)
    assert mixed.generation_probability is None and mixed.generation_probabilities(sentences, ids) is None


@pytest.fixture(scope="module")
def runs(parts, other_parts, tmp_path_factory):
    """Two run directories over the same vocabularies, and one whose target vocabulary differs."""
    config = RunConfig(source=TEXT, target=TEXT, model=CONFIG, decoding=DecodingConfig(max_length=6))
    directories = {}
    for name, run_parts in (("first", parts), ("second", other_parts)):
        directories[name] = tmp_path_factory.mktemp(name)
        save_run(directories[name], config, run_parts[4], run_parts[2], run_parts[3])
    other_target = tokenizer_from_config(TEXT, build_vocabulary([list("xyzw")]))
    keras.utils.set_random_seed(0)
    model = build_seq2seq(CONFIG, parts[2].vocabulary_size, other_target.vocabulary_size)
    directories["other target"] = tmp_path_factory.mktemp("other-target")
    save_run(directories["other target"], config, model, parts[2], other_target)
    return directories


def test_translate_and_evaluate_take_model_more_than_once(runs, tmp_path, capsys, monkeypatch):
    first, second = runs["first"], runs["second"]
    average = ["--ensemble-average", "log_probability"]
    status, out, _ = run_cli(capsys, monkeypatch, "translate", "--model", first, "--model", second, *average, "abc", "fed")
    decoding = DecodingConfig(max_length=6, ensemble_average="log_probability")
    expected = load_translator([first, second], decoding=decoding).translate(["abc", "fed"]).translations
    assert status == 0 and out.splitlines() == expected
    data = tmp_path / "dev.tsv"
    data.write_text("abc\txyz\nfed\tzy\n", encoding="utf-8")
    status, out, _ = run_cli(capsys, monkeypatch, "evaluate", "--model", first, "--model", second, "--data", data, *average)
    written = re.search(r"hypotheses: +(\S+)", out).group(1)
    assert status == 0 and re.fullmatch(r".*/hypotheses/dev\.ensemble-[0-9a-f]{8}\.tsv", written)
    assert [line.split("\t")[2] for line in open(written, encoding="utf-8").read().splitlines()] == expected
    run_cli(capsys, monkeypatch, "evaluate", "--model", first, "--data", data)
    assert (first / "hypotheses" / "dev.tsv").is_file() and Path(written).is_file(), "the run's own file is another"


def test_each_ensemble_writes_its_own_hypotheses_file(tmp_path):
    layout = RunLayout(tmp_path / "a")
    names = [
        layout.hypotheses("data/dev.tsv", ensemble=ensemble).name
        for ensemble in (["/a", "/b", "probability"], ["/a", "/b", "log_probability"], ["/a", "/c", "probability"])
    ]
    assert len(set(names)) == 3 and all(re.fullmatch(r"dev\.ensemble-[0-9a-f]{8}\.tsv", name) for name in names)
    assert layout.hypotheses("data/dev.tsv").name == "dev.tsv"


def test_mismatched_target_vocabularies_are_refused_naming_the_runs(runs, capsys, monkeypatch):
    first, other = runs["first"], runs["other target"]
    status, _, err = run_cli(capsys, monkeypatch, "translate", "--model", first, "--model", other, "abc")
    assert status == 2
    assert (
        f"keras-attention translate: error: the models of an ensemble need the same target vocabulary and "
        f"tokenizer, and these differ from {first}'s: {other}: 8 tokens instead of 7; token 4 is 'w' instead of 'x'"
    ) in err
    with pytest.raises(ConfigError, match="8 tokens instead of 7"):
        load_translator([first, runs["second"], other])


def test_target_tokenizer_differences_are_each_named(parts):
    target = parts[3]
    same_but_longer = tokenizer_from_config(TextConfig(max_length=40), target.vocabulary)
    check_same_target_tokenizers(["a", "b"], [target, same_but_longer])  # max_length does not matter
    lowercase = tokenizer_from_config(TextConfig(max_length=12, lowercase=True, split_punctuation=True), target.vocabulary)
    wordpiece = tokenizer_from_config(TextConfig(tokenizer="wordpiece", max_length=12), target.vocabulary)
    message = r"differ from a's: b: lowercase True instead of False; split_punctuation True instead of False \| "
    message += r"c: tokenizer WordPieceTokenizer instead of CharTokenizer$"
    with pytest.raises(ConfigError, match=message):
        check_same_target_tokenizers(["a", "b", "c"], [target, lowercase, wordpiece])


def test_a_bad_ensemble_average_is_a_config_error():
    with pytest.raises(ConfigError, match=r"decoding.ensemble_average: expected one of .*got 'median'"):
        DecodingConfig(ensemble_average="median").validate()


def test_translator_lists_must_match(parts):
    encoder, decoder, source_tokenizer, target_tokenizer, _ = parts
    with pytest.raises(ValueError, match="got 2 items, 1 items, 2 items"):
        Translator([encoder] * 2, [decoder], [source_tokenizer] * 2, target_tokenizer)
    with pytest.raises(ValueError, match="got 2 items, 2 items, one object"):
        Translator([encoder] * 2, [decoder] * 2, source_tokenizer, target_tokenizer)
    with pytest.raises(ValueError, match="got 0 items, 0 items, 0 items"):
        Translator([], [], [], target_tokenizer)
