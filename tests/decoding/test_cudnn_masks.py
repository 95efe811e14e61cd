"""Decoding under the cuDNN kernel's mask rule, enforced on a CPU by the `cudnn_masks` fixture:
no LSTM gets a fully masked or left-padded row, with any strategy, batch or decoder variant."""

import dataclasses
import random

import numpy as np
import pytest
import tensorflow as tf

from keras_attention.config import DecodingConfig
from keras_attention.decoding import beam_search_decode, greedy_decode, sample_decode
from keras_attention.decoding.loop import SHRINK_STAGES
from keras_attention.text.vocab import PAD_ID, START_ID
from keras_attention.translator import Translator
from helpers.tiny_seq2seq import CONFIG, TEXT, sequence_lengths, source_batch, tiny_models, tiny_translator_parts

MAX_LENGTH = 9
VARIANTS = {
    "after_lstm": CONFIG,
    "after_lstm, 2 decoder layers": dataclasses.replace(CONFIG, decoder_layers=2, bidirectional=False),
    "in_step": dataclasses.replace(CONFIG, attention_placement="in_step"),
    "in_step, input feeding and coverage": dataclasses.replace(
        CONFIG, attention_placement="in_step", input_feeding=True, coverage=True, coverage_loss_weight=0.5
    ),
}
BEAM_SIZES = {"beam": 3, "beam wider than the live hypotheses": 12}
"""Beams of search strategies: 12 is more than the 8 tokens that can follow `<s>` (vocabulary 9),
so hypotheses of score `-inf` go on alongside the live ones."""
STRATEGIES = ["greedy", "sampling", *BEAM_SIZES]
# One source that is empty (`</s>` alone), one at the batch's full length, others in between.
LENGTHS = [1, 12, 3, 7, 12, 2, 5, 9]


@pytest.fixture(scope="module")
def variant_models():
    """Returns a function `variant name -> (encoder, decoder)`, each built once."""
    cache = {}

    def models(name):
        if name not in cache:
            cache[name] = tiny_models(seed=4, config=VARIANTS[name])
        return cache[name]

    return models


def decode(strategy, models, source, max_length=MAX_LENGTH, **options):
    """Runs `strategy` on `source` (`options`: e.g. `max_length_ratio`); returns NumPy outputs,
    hypotheses on axis 1 for every strategy."""
    if strategy == "greedy":
        output = greedy_decode(*models, source, max_length, **options)
    elif strategy == "sampling":
        output = sample_decode(*models, source, max_length, seed=5, **options)
    else:
        beam_size = BEAM_SIZES[strategy]
        output = beam_search_decode(
            *models, source, max_length, beam_size, 0.6, 0.2, n_best=min(4, beam_size), **options
        )
    output = {key: np.asarray(value) for key, value in output.items()}
    if strategy in ("greedy", "sampling"):
        output = {key: value[:, None] for key, value in output.items()}
    return output


def one_step_masks(checked):
    """The masks that the one-step decoder's LSTMs received: `(rows, 1)`, as NumPy arrays."""
    return [np.asarray(mask) for mask in checked if mask.shape[1] == 1]


def test_the_rule_refuses_a_padding_input(variant_models, cudnn_masks):
    """The control: the decoder fed `<pad>` for one row, as decoding did before, is refused."""
    encoder, decoder = variant_models("after_lstm")
    encoded = encoder(source_batch([3, 5]))
    tokens = tf.constant([[START_ID], [PAD_ID]], tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not correspond to right-padded sequences"):
        decoder([tokens, *encoded])


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_strategy_and_decoder_passes_the_rule(variant_models, cudnn_masks, variant, strategy):
    output = decode(strategy, variant_models(variant), source_batch(LENGTHS, seed=1))
    assert cudnn_masks, "the encoder's LSTMs ran under the rule"
    if variant.startswith("after_lstm"):
        masks = one_step_masks(cudnn_masks)
        assert masks and all(mask.all() for mask in masks), "every row of every step gets a real token"
    lengths = sequence_lengths(output["ids"][:, 0])
    assert len(set(lengths.tolist())) > 1, "sentences should end at different steps"
    assert np.all(np.isfinite(output["scores"][:, 0]))
    if strategy in BEAM_SIZES:
        assert output["ids"].shape[1] == min(4, BEAM_SIZES[strategy])


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("batch", [1, 256])
def test_every_shrinking_stage_passes_the_rule(variant_models, cudnn_masks, strategy, batch):
    """Sources of 1 to 12 tokens whose outputs stop at their source's length at the latest
    (`max_length_ratio=1`): rows end at every step, so the loop goes through each of its stages.
    Eagerly the steps run one by one, and the masks show the rows of every stage."""
    lengths = [12 - index % 12 for index in range(batch)]
    source = source_batch(lengths, seed=2)
    output = decode(strategy, variant_models("after_lstm"), source, max_length=12, max_length_ratio=1.0)
    masks = one_step_masks(cudnn_masks)
    assert all(mask.all() for mask in masks)
    beams = BEAM_SIZES.get(strategy, 1)
    stage_rows = {-(-batch // 2**stage) * beams for stage in range(SHRINK_STAGES)}
    assert stage_rows <= {len(mask) for mask in masks}, "every stage ran the decoder"
    assert np.all(sequence_lengths(output["ids"][:, 0]) <= np.array(lengths))


@pytest.fixture(scope="module")
def parts():
    """`(encoder, decoder, source_tokenizer, target_tokenizer, model)` of a tiny untrained model
    whose outputs end at every step from the first to the limit."""
    return tiny_translator_parts(seed=4)


def sentences(count, seed=0):
    """`count` strings of `abcdef` and spaces, of 0 to 20 characters (longer than `TEXT` allows)."""
    rng = random.Random(seed)
    return ["".join(rng.choice("abcdef ") for _ in range(rng.randint(0, 20))) for _ in range(count)]


@pytest.mark.parametrize(
    "options",
    [{}, {"strategy": "sample", "seed": 2}, {"strategy": "beam", "beam_size": 8, "n_best": 2}],
    ids=["greedy", "sampling", "beam"],
)
def test_translate_256_sentences_passes_the_rule(parts, cudnn_masks, options):
    """A batch of 256 with empty, truncated and ordinary sources and outputs of mixed lengths, in the
    `tf.function` of `translate_batch`, where a refused mask is a run-time error. Beam search keeps
    8 hypotheses, more than the 5 tokens other than `<pad>` and `</s>` that can follow `<s>`."""
    translator = Translator(*parts[:4], decoding=DecodingConfig(max_length=6, batch_size=256, **options))
    inputs = sentences(256)
    assert "" in inputs and max(map(len, inputs)) > TEXT.max_length
    with pytest.warns(UserWarning, match="longer than the model's maximum of 12 source tokens"):
        result = translator.translate(inputs)
    assert len(result.translations) == 256 and cudnn_masks, "the rule was traced into the graph"
    lengths = sequence_lengths(translator.translate_batch(tf.constant(inputs))["ids"])
    assert lengths.min() == 1 and lengths.max() == 7, "outputs end at the first step and at the limit"
