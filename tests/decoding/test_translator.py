"""The Translator and the `translate` / `evaluate` commands with every decoding strategy."""

import re

import numpy as np
import pytest
import tensorflow as tf

from keras_attention import cli
from keras_attention.config import DecodingConfig, RunConfig
from keras_attention.decoding import beam_search_decode, greedy_decode, sample_decode
from keras_attention.errors import ConfigError
from keras_attention.runs import save_run
from keras_attention.translator import Translator
from helpers.cli_calls import run_cli
from helpers.tiny_seq2seq import CONFIG, TEXT, tiny_translator_parts

SENTENCES = ["abc", "", "fed cab", "a", "bad bed"]


@pytest.fixture(scope="module")
def parts():
    """`(encoder, decoder, source_tokenizer, target_tokenizer, model)` of a tiny untrained model."""
    return tiny_translator_parts()


def translator(parts, **options):
    return Translator(*parts[:4], decoding=DecodingConfig(max_length=6, **options))


@pytest.mark.parametrize(
    "options, decode",
    [
        ({}, lambda e, d, ids: greedy_decode(e, d, ids, 7)),
        (
            {"strategy": "beam", "beam_size": 3, "n_best": 2, "length_penalty": 0.6, "coverage_penalty": 0.1},
            lambda e, d, ids: beam_search_decode(e, d, ids, 7, 3, 0.6, 0.1, n_best=2),
        ),
        (
            {"strategy": "sample", "temperature": 0.5, "top_k": 3, "seed": 4},
            lambda e, d, ids: sample_decode(e, d, ids, 7, 0.5, 3, seed=tf.keras.random.SeedGenerator(4)),
        ),
    ],
)
def test_translate_batch_runs_the_configured_decoder(parts, options, decode):
    encoder, decoder, source_tokenizer, target_tokenizer, _ = parts
    module = translator(parts, **options)
    output = module.translate_batch(tf.constant(SENTENCES))
    expected = decode(encoder, decoder, source_tokenizer.encode_source(tf.constant(SENTENCES))["ids"])
    ids = np.asarray(expected["ids"]).reshape(len(SENTENCES), -1, 7)
    scores = np.array(expected["scores"]).reshape(len(SENTENCES), -1)
    n_best = ids.shape[1]
    texts = np.array(target_tokenizer.detokenize(ids.reshape(-1, 7))).reshape(len(SENTENCES), n_best)
    texts[1] = b""
    scores[1] = 0.0
    np.testing.assert_array_equal(output["ids"], ids[:, 0])
    np.testing.assert_array_equal(output["n_best_translations"], texts)
    np.testing.assert_array_equal(output["translations"], texts[:, 0])
    np.testing.assert_allclose(output["n_best_scores"], scores, atol=1e-5)
    assert output["alignments"].shape == (len(SENTENCES), 7, 8)


def test_translate_returns_n_best_lists_in_input_order(parts):
    beam = translator(parts, strategy="beam", beam_size=4, n_best=3, batch_size=2)
    result = beam.translate(SENTENCES)
    assert [len(texts) for texts in result.n_best] == [3] * len(SENTENCES)
    assert result.translations == [texts[0] for texts in result.n_best]
    assert result.n_best[1] == ["", "", ""]
    for sentence, texts, scores in zip(SENTENCES, result.n_best, result.n_best_scores):
        alone = beam.translate([sentence])
        assert alone.n_best[0] == texts
        np.testing.assert_allclose(alone.n_best_scores[0], scores, atol=1e-5)
        assert scores == sorted(scores, reverse=True)


def test_sampling_translator_is_reproducible_from_its_seed(parts):
    first = translator(parts, strategy="sample", seed=11)
    outputs = [first.translate(["abc bad"] * 6).translations for _ in range(2)]
    assert outputs[0] != outputs[1], "each call draws anew"
    assert translator(parts, strategy="sample", seed=11).translate(["abc bad"] * 6).translations == outputs[0]


@pytest.mark.parametrize("options", [{"strategy": "beam", "n_best": 2}, {"strategy": "sample", "seed": 1}])
def test_translate_batch_survives_a_saved_model(parts, tmp_path, options):
    module = translator(parts, **options)
    tf.saved_model.save(module, str(tmp_path / "translator"))
    loaded = tf.saved_model.load(str(tmp_path / "translator"))
    fresh = translator(parts, **options)
    expected = fresh.translate_batch(tf.constant(SENTENCES))
    output = loaded.translate_batch(tf.constant(SENTENCES))
    np.testing.assert_array_equal(output["n_best_translations"], expected["n_best_translations"])


def test_arguments_override_the_config_and_bad_options_fail(parts):
    module = Translator(*parts[:4], max_length=3, batch_size=7, decoding=DecodingConfig(strategy="beam"))
    assert (module.max_length, module.batch_size, module.decoding.strategy) == (3, 7, "beam")
    with pytest.raises(ConfigError, match=r"decoding.n_best: expected at most `beam_size` \(2\), got 3"):
        translator(parts, strategy="beam", beam_size=2, n_best=3)


def test_copy_shares_the_models_and_options_and_traces_anew(parts):
    module = translator(parts, strategy="beam", beam_size=3, n_best=2)
    traced = module.translate_batch.get_concrete_function()
    copy = module.copy()
    assert (copy.encoder, copy.decoder, copy.source_tokenizer, copy.target_tokenizer) == tuple(parts[:4])
    assert copy.decoding == module.decoding
    assert copy.translate_batch.get_concrete_function() is not traced
    np.testing.assert_array_equal(
        copy.translate_batch(tf.constant(SENTENCES))["n_best_translations"],
        module.translate_batch(tf.constant(SENTENCES))["n_best_translations"],
    )


def test_copy_with_another_decoding_decodes_the_same_models_that_way(parts):
    module = translator(parts, strategy="beam", beam_size=3, n_best=2)
    greedy = module.copy(decoding=DecodingConfig(max_length=module.max_length))
    assert (greedy.encoder, greedy.decoder) == (module.encoder, module.decoder) and module.decoding.strategy == "beam"
    built_greedy = translator(parts)  # bound to a name: a tf.function method holds its object weakly
    np.testing.assert_array_equal(
        greedy.translate_batch(tf.constant(SENTENCES))["translations"],
        built_greedy.translate_batch(tf.constant(SENTENCES))["translations"],
    )


@pytest.fixture(scope="module")
def run_dir(parts, tmp_path_factory):
    directory = tmp_path_factory.mktemp("run")
    config = RunConfig(source=TEXT, target=TEXT, model=CONFIG, decoding=DecodingConfig(max_length=6))
    save_run(directory, config, parts[4], parts[2], parts[3])
    return directory


def test_translate_prints_n_best_lists(parts, run_dir, capsys, monkeypatch):
    status, out, _ = run_cli(
        capsys, monkeypatch, "translate", "--model", run_dir, "--n-best", "2", "--beam-size", "3", "abc", "fed"
    )
    assert status == 0
    lines = out.splitlines()
    assert [line.split(" ||| ")[0] for line in lines] == ["0", "0", "1", "1"]
    expected = translator(parts, strategy="beam", beam_size=3, n_best=2).translate(["abc", "fed"])
    for line, text, score in zip(lines, sum(expected.n_best, []), sum(expected.n_best_scores, [])):
        assert re.fullmatch(r"\d ||| [xyz]* ||| -?\d+\.\d{6}".replace("|", r"\|"), line)
        assert line.split(" ||| ")[1:] == [text, f"{score:.6f}"]


def test_options_imply_their_strategy(parts, run_dir, capsys, monkeypatch):
    _, sampled, _ = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, "--seed", "5", "abc", "abc", "abc")
    expected = translator(parts, strategy="sample", seed=5).translate(["abc"] * 3).translations
    assert sampled.splitlines() == expected
    _, beam, _ = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, "--length-penalty", "0.6", "abc")
    assert beam.splitlines() == translator(parts, strategy="beam", length_penalty=0.6).translate(["abc"]).translations


def test_evaluate_with_beam_search(run_dir, tmp_path, capsys, monkeypatch):
    data = tmp_path / "dev.tsv"
    data.write_text("abc\txyz\nfed\tzy\n", encoding="utf-8")
    status, out, _ = run_cli(
        capsys, monkeypatch, "evaluate", "--model", run_dir, "--data", data, "--beam-size", "3", "--json"
    )
    assert status == 0 and '"sentences": 2' in out


@pytest.mark.parametrize(
    "options, message",
    [
        (["--beam-size", "0"], "decoding.beam_size: expected a positive integer, got 0"),
        (["--beam-size", "2", "--n-best", "3"], "decoding.n_best: expected at most `beam_size` (2), got 3"),
        (["--strategy", "greedy", "--n-best", "2"], "decoding.n_best: expected 1 for strategy 'greedy'"),
        (["--length-penalty", "-1"], "decoding.length_penalty: expected a number >= 0, got -1.0"),
        (["--temperature", "0"], "decoding.temperature: expected a number > 0, got 0.0"),
        (["--top-k", "3", "--beam-size", "2"], "beam search and sampling options were given together"),
    ],
)
def test_bad_decoding_options(run_dir, capsys, monkeypatch, options, message):
    status, _, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, *options, "abc")
    assert status == 2
    assert f"keras-attention translate: error: {message}" in err


def test_help_documents_the_n_best_format(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["translate", "--help"])
    assert "INDEX ||| TRANSLATION ||| SCORE" in capsys.readouterr().out
