"""Every output of greedy decoding, sampling and beam search honours the output controls
`min_length` and `no_repeat_ngram_size`, and the config and the CLI hand them to the decoders."""

import itertools

import keras
import numpy as np
import pytest

from keras_attention.decoding import beam_search_decode, greedy_decode, sample_decode
from keras_attention.special_tokens import END_ID, PAD_ID
from helpers.tiny_seq2seq import source_batch, tiny_models

MIN_LENGTH, NGRAM = 4, 2


def output_tokens(ids):
    """The tokens of each output, up to and with its `</s>` when it has one."""
    ids = keras.ops.convert_to_numpy(ids)
    return [[int(token) for token in row if token != PAD_ID] for row in ids.reshape(-1, ids.shape[-1])]


def violations(outputs):
    """Outputs that end with `</s>` before `MIN_LENGTH` tokens, or hold a bigram twice."""
    short = [tokens for tokens in outputs if tokens and tokens[-1] == END_ID and len(tokens) - 1 < MIN_LENGTH]
    repeated = [tokens for tokens in outputs if len(set(zip(tokens, tokens[1:]))) < len(tokens) - 1]
    return short + repeated


DECODERS = {
    "greedy": lambda e, d, ids, **controls: greedy_decode(e, d, ids, 12, **controls),
    "sample": lambda e, d, ids, **controls: sample_decode(e, d, ids, 12, temperature=1.5, seed=3, **controls),
    "beam": lambda e, d, ids, **controls: beam_search_decode(e, d, ids, 12, beam_size=4, n_best=3, **controls),
}


@pytest.mark.parametrize("strategy", sorted(DECODERS))
def test_every_output_honours_the_controls(strategy):
    encoder, decoder = tiny_models(seed=5, target_vocabulary=7, scale=4.0)
    source = source_batch([3, 8, 5, 2, 8, 6, 4, 7, 1, 5], seed=2)
    decode = DECODERS[strategy]
    free = output_tokens(decode(encoder, decoder, source)["ids"])
    assert violations(free), "without the controls some outputs break them: the test can fail"
    controlled = decode(encoder, decoder, source, min_length=MIN_LENGTH, no_repeat_ngram_size=NGRAM)
    outputs = output_tokens(controlled["ids"])
    assert violations(outputs) == []
    assert any(tokens[-1] == END_ID for tokens in outputs), "some outputs still end with </s>"
    if strategy == "beam":
        finite = np.isfinite(keras.ops.convert_to_numpy(controlled["scores"])).reshape(-1)
        assert finite.all(), "every sentence keeps n_best hypotheses"


def test_beam_scores_stay_the_model_log_probabilities_under_the_controls():
    from helpers.tiny_seq2seq import teacher_forced

    encoder, decoder = tiny_models(seed=5, target_vocabulary=7, scale=4.0)
    source = source_batch([3, 8, 5], seed=2)
    output = beam_search_decode(encoder, decoder, source, 12, beam_size=4, n_best=3, min_length=3, no_repeat_ngram_size=2)
    for row, ids in enumerate(np.asarray(output["ids"])):
        log_probs, _ = teacher_forced(encoder, decoder, source[row], ids)
        np.testing.assert_allclose(np.asarray(output["log_probs"])[row], log_probs, atol=1e-4)


@pytest.mark.parametrize("options, message", [
    ({"min_length": -1}, "`min_length` must be an integer >= 0. Received: min_length=-1"),
    ({"no_repeat_ngram_size": 1.5}, "`no_repeat_ngram_size` must be an integer >= 0. Received: no_repeat_ngram_size=1.5"),
    ({"min_length": 12}, r"`min_length` must be below `max_length` \(12\). Received: min_length=12"),
])
def test_bad_controls_are_refused_by_every_decoder(options, message):
    encoder, decoder = tiny_models(seed=5, target_vocabulary=7)
    source = source_batch([3], seed=2)
    for decode in DECODERS.values():
        with pytest.raises(ValueError, match=message):
            decode(encoder, decoder, source, **options)


def test_the_controls_reach_every_decoder_through_the_config_and_the_cli():
    from keras_attention.cli import build_parser
    from keras_attention.cli.decoding import translator_from_arguments
    from keras_attention.config import RunConfig
    from keras_attention.errors import ConfigError

    with pytest.raises(ConfigError, match=r"decoding.min_length: expected below `max_length` \(8\), got 9"):
        RunConfig.from_dict({"decoding": {"max_length": 8, "min_length": 9}})
    with pytest.raises(ConfigError, match="decoding.no_repeat_ngram_size: expected an integer >= 0, got -2"):
        RunConfig.from_dict({"decoding": {"no_repeat_ngram_size": -2}})

    class Run:
        config = RunConfig.from_dict({})

        def translator(self, batch_size=None, decoding=None):
            return decoding

    for command, strategy in itertools.product(("translate", "evaluate", "export"), ("greedy", "beam")):
        arguments = [command, "--model", "run", "--strategy", strategy, "--min-length", "3", "--no-repeat-ngram-size", "2"]
        if command == "evaluate":
            arguments += ["--data", "pairs.tsv"]
        if command == "export":
            arguments += ["--output", "saved"]
        decoding = translator_from_arguments([Run()], build_parser().parse_args(arguments))
        assert (decoding.strategy, decoding.min_length, decoding.no_repeat_ngram_size) == (strategy, 3, 2)
