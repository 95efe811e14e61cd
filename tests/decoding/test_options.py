"""Bad decoding options fail before any work, with a message that names the received value."""

import re

import pytest

from keras_attention.decoding import beam_search_decode, greedy_decode, sample_decode
from keras_attention.options.decoding import STRATEGIES, OptionError, check_decoding_options, strategy_runner
from helpers.tiny_seq2seq import source_batch

SOURCE = source_batch([3, 2])


@pytest.mark.parametrize(
    "decode, options, message",
    [
        (beam_search_decode, {"beam_size": 0}, "`beam_size` must be a positive integer. Received: beam_size=0"),
        (beam_search_decode, {"beam_size": 2.5}, "Received: beam_size=2.5"),
        (beam_search_decode, {"beam_size": True}, "Received: beam_size=True"),
        (
            beam_search_decode,
            {"length_penalty": -0.5},
            "`length_penalty` must be a number >= 0. Received: length_penalty=-0.5",
        ),
        (
            beam_search_decode,
            {"coverage_penalty": -1},
            "`coverage_penalty` must be a number >= 0. Received: coverage_penalty=-1",
        ),
        (beam_search_decode, {"length_penalty": "0.6"}, "Received: length_penalty='0.6'"),
        (beam_search_decode, {"n_best": 0}, "`n_best` must be a positive integer. Received: n_best=0"),
        (
            beam_search_decode,
            {"beam_size": 2, "n_best": 3},
            "`n_best` must be at most `beam_size` (2). Received: n_best=3",
        ),
        (beam_search_decode, {"max_length": 0}, "`max_length` must be a positive integer. Received: max_length=0"),
        (
            beam_search_decode,
            {"max_length_ratio": 0},
            "`max_length_ratio` must be a number > 0. Received: max_length_ratio=0",
        ),
        (greedy_decode, {"max_length": -3}, "Received: max_length=-3"),
        (greedy_decode, {"max_length_ratio": -1.0}, "Received: max_length_ratio=-1.0"),
        (sample_decode, {"temperature": 0.0}, "`temperature` must be a number > 0. Received: temperature=0.0"),
        (sample_decode, {"temperature": -1}, "Received: temperature=-1"),
        (sample_decode, {"top_k": 0}, "`top_k` must be a positive integer. Received: top_k=0"),
        (sample_decode, {"max_length": 1.5}, "Received: max_length=1.5"),
        (sample_decode, {"max_length_ratio": 0.0}, "Received: max_length_ratio=0.0"),
    ],
)
def test_bad_option_names_the_received_value(decode, options, message):
    options = {"max_length": 5, **options}

    def fail(inputs):
        raise AssertionError("the options must be checked before the models run")

    with pytest.raises(ValueError, match=re.escape(message)):
        decode(fail, fail, SOURCE, **options)


def test_every_registered_strategy_has_a_runner():
    assert list(STRATEGIES) == ["greedy", "beam", "sample"]
    assert all(callable(strategy_runner(name)) for name in STRATEGIES)


def test_unknown_strategies_and_options_are_refused():
    with pytest.raises(OptionError, match=re.escape("Received: strategy='viterbi'")) as refused:
        check_decoding_options("viterbi")
    assert refused.value.option == "strategy" and isinstance(refused.value, ValueError)
    with pytest.raises(TypeError, match=re.escape("unknown options ['beam_width']")):
        check_decoding_options("beam", beam_width=3)
