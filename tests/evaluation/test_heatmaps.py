"""Attention heatmaps: tokens and matrices from a translator, readable PNGs, grids, the `plot` command."""

import warnings

import matplotlib.image
import numpy as np
import pytest

from helpers.tiny_configs import LEARNING_MODEL
from keras_attention import cli
from keras_attention.config import ModelConfig, RunConfig, TextConfig
from keras_attention.data.readers import read_tsv
from keras_attention.evaluation.heatmaps import alignment_examples, heatmap_figure, save_heatmaps
from keras_attention.models import build_seq2seq, inference_models
from keras_attention.runs import save_run
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config
from keras_attention.translator import Translator

TINY_MODEL = ModelConfig(**LEARNING_MODEL)
WORDPIECE = TextConfig(tokenizer="wordpiece", vocabulary_size=600, max_length=64)
SPANISH = "¿Qué? Él dijo: «sí», señor; añadió: “Mañana.”"


@pytest.fixture(scope="module")
def bible_run(bible):
    """An untrained model with WordPiece tokenizers learned from 600 Bible verses, and dev sentences."""
    train = read_tsv(bible / "web-sparv.train.tsv").pairs[:600]
    source_tokenizer = tokenizer_from_config(WORDPIECE, learn_vocabulary(WORDPIECE, [s for s, _ in train]))
    target_tokenizer = tokenizer_from_config(WORDPIECE, learn_vocabulary(WORDPIECE, [t for _, t in train]))
    model = build_seq2seq(TINY_MODEL, source_tokenizer.vocabulary_size, target_tokenizer.vocabulary_size)
    encoder, decoder = inference_models(model)
    translator = Translator(encoder, decoder, source_tokenizer, target_tokenizer, max_length=24)
    dev = [source for source, _ in read_tsv(bible / "web-sparv.dev.tsv").pairs]
    return model, translator, dev


def read_png(path):
    pixels = matplotlib.image.imread(path)
    return pixels[..., :3]


def test_examples_hold_the_tokens_and_alignments(bible_run):
    _, translator, dev = bible_run
    sentence = dev[0]
    example, = alignment_examples(translator, [sentence])
    pieces = [token.decode() for token in translator.source_tokenizer.split([sentence]).to_list()[0]]
    assert example.source == sentence and example.source_tokens == pieces + ["</s>"]
    assert any(token.startswith("##") for token in example.source_tokens)
    assert example.alignments.shape == (len(example.output_tokens), len(example.source_tokens))
    decoded_rows = len(example.output_tokens) - (example.output_tokens[-1] == "</s>")
    np.testing.assert_allclose(example.alignments[:decoded_rows].sum(axis=1), 1.0, rtol=1e-4)


def test_heatmap_png_of_a_bible_dev_sentence(bible_run, tmp_path):
    _, translator, dev = bible_run
    examples = alignment_examples(translator, [dev[0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts would warn
        path = save_heatmaps(examples, tmp_path / "dev.png")
    pixels = read_png(path)
    height, width, _ = pixels.shape
    tokens = examples[0]
    assert width >= 26 * len(tokens.source_tokens) and height >= 26 * len(tokens.output_tokens)
    assert pixels.std() > 0.1 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 100


def test_grid_of_several_sentences_with_unicode_labels(bible_run, tmp_path):
    _, translator, dev = bible_run
    examples = alignment_examples(translator, [dev[1], SPANISH, dev[2]])
    figure = heatmap_figure(examples, columns=2)
    assert len(figure.axes) == 3 + 3 and len([axes for axes in figure.axes if axes.images]) == 3  # + colorbars
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = read_png(save_heatmaps(examples, tmp_path / "grid.png", columns=2))
    single = read_png(save_heatmaps(examples[:1], tmp_path / "one.png"))
    assert grid.shape[0] > single.shape[0] and grid.shape[1] > single.shape[1]
    with pytest.raises(ValueError, match="`columns` must be a positive integer. Received: columns=0"):
        heatmap_figure(examples, columns=0)


def test_a_copy_model_shows_the_probability_of_generating_of_each_output_token(bible_run):
    _, translator, dev = bible_run
    tokenizer = translator.source_tokenizer
    model = build_seq2seq(ModelConfig(**LEARNING_MODEL, copy=True), tokenizer.vocabulary_size, tokenizer.vocabulary_size)
    copying = Translator(*inference_models(model), tokenizer, tokenizer, max_length=8)
    examples = alignment_examples(copying, dev[:2])
    output = copying.translate_batch(dev[:2])
    expected = copying.generation_probabilities(dev[:2], output["ids"]).numpy()
    for index, example in enumerate(examples):
        count = len(example.output_tokens)
        np.testing.assert_array_equal(example.generation_probabilities, expected[index, :count])
        assert np.all((example.generation_probabilities > 0) & (example.generation_probabilities < 1))
    figure = heatmap_figure(examples[:1])
    (right,) = [child for child in figure.axes[0].get_children() if type(child).__name__ == "SecondaryAxis"]
    labels = [label.get_text() for label in right.get_yticklabels()]
    assert labels == [f"{value:.2f}" for value in examples[0].generation_probabilities]
    assert alignment_examples(translator, dev[:1])[0].generation_probabilities is None


def test_whitespace_tokens_are_visible():
    from keras_attention.evaluation.heatmaps import AlignmentExample

    example = AlignmentExample("a b", "x", ["a", " ", "b", "</s>"], ["x", "</s>"], np.full((2, 4), 0.25))
    axes = heatmap_figure([example]).axes[0]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["a", "\u2423", "b", "</s>"]


def test_plot_command(bible_run, tmp_path, capsys):
    model, translator, dev = bible_run
    config = RunConfig(source=WORDPIECE, target=WORDPIECE, model=TINY_MODEL)
    save_run(tmp_path / "run", config, model, translator.source_tokenizer, translator.target_tokenizer)
    output = tmp_path / "plots" / "attention.png"
    assert cli.main(["plot", "--model", str(tmp_path / "run"), dev[3], SPANISH, "--output", str(output), "--columns", "2"]) == 0
    assert capsys.readouterr().out == f"wrote {output} (2 sentences)\n"
    assert read_png(output).shape[1] > 500
    too_many = [str(number) for number in range(33)]
    assert cli.main(["plot", "--model", str(tmp_path / "run"), "--output", str(output), *too_many]) == 2
    assert "keras-attention plot: error: plot takes 1 to 32 sentences, got 33" in capsys.readouterr().err
