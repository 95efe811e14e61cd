"""Decoding strategies and their options: the registry and the one validator.

`check_decoding_options` is what `DecodingConfig.validate` and every decoder call, so an option
is refused in the same words from a config file, the CLI or a direct call of a decoder.

Adding a strategy: write its decoder and its runner in a new module of `keras_attention/decoding/`
(see `decoding/greedy.py`: `greedy_decode`, `run_greedy`), then add one line to `STRATEGIES`.
"""

from keras_attention.options import registry
from keras_attention.options.checks import OptionError, check_choice, check_count, check_number, check_positive_int

# Strategy name -> "module:function" of its runner, which a `Translator` calls as
# `run(encoder, decoder, source_ids, options, seed, max_length)` (`options`: the `DecodingConfig`,
# `seed`: its `keras.random.SeedGenerator`) and which returns n-best outputs:
# `ids` `(batch, n_best, max_length)`, `scores` `(batch, n_best)`, `alignments`
# `(batch, n_best, max_length, T_enc)`. Named by string, so that loading a config imports no
# decoder (and so no Keras).
STRATEGIES = {
    "greedy": "keras_attention.decoding.greedy:run_greedy",
    "beam": "keras_attention.decoding.beam:run_beam",
    "sample": "keras_attention.decoding.sampling:run_sampling",
}
# The strategies a SavedModel may hold: a server should answer a sentence the same way every time.
EXPORTABLE_STRATEGIES = ("greedy", "beam")
# How an ensemble (`keras_attention.decoding.ensemble`) averages its members' next-token
# distributions: the log of the mean probability, or the mean of the log-probabilities.
ENSEMBLE_AVERAGES = ("probability", "log_probability")


def check_decoding_options(strategy, **options):
    """Checks the decoding options given, alone and together.

    Args:
        strategy: one of `STRATEGIES`.
        **options: any of `max_length`, `batch_size`, `beam_size`, `n_best` (positive integers),
            `length_penalty`, `coverage_penalty` (numbers >= 0), `temperature` (> 0), `top_k`
            (positive integer or `None`), `max_length_ratio` (> 0 or `None`), `min_length` and
            `no_repeat_ngram_size` (integers >= 0, 0 for off; `min_length` below `max_length`),
            `ensemble_average` (one of `ENSEMBLE_AVERAGES`). An `n_best` above 1 needs strategy
            `beam`, and at most `beam_size` hypotheses.

    Raises:
        OptionError: the first option that is not valid (a `ValueError`), named.
        TypeError: an option this function does not know.
    """
    unknown = sorted(set(options) - _CHECKS)
    if unknown:
        raise TypeError(f"check_decoding_options got unknown options {unknown}")
    check_choice(strategy, STRATEGIES, "strategy")
    for name in ("max_length", "batch_size", "beam_size", "n_best"):
        if name in options:
            check_positive_int(options[name], name)
    for name in ("length_penalty", "coverage_penalty"):
        if name in options:
            check_number(options[name], name, 0)
    for name in ("min_length", "no_repeat_ngram_size"):
        if name in options:
            check_count(options[name], name)
    if options.get("min_length") and "max_length" in options and options["min_length"] >= options["max_length"]:
        raise OptionError("min_length", f"below `max_length` ({options['max_length']})", options["min_length"])
    if "temperature" in options:
        check_number(options["temperature"], "temperature", 0, strict=True)
    if options.get("top_k") is not None:
        check_positive_int(options["top_k"], "top_k")
    if options.get("max_length_ratio") is not None:
        check_number(options["max_length_ratio"], "max_length_ratio", 0, strict=True)
    if "ensemble_average" in options:
        check_choice(options["ensemble_average"], ENSEMBLE_AVERAGES, "ensemble_average")
    n_best = options.get("n_best", 1)
    if strategy == "beam" and n_best > options.get("beam_size", n_best):
        raise OptionError("n_best", f"at most `beam_size` ({options['beam_size']})", n_best)
    if strategy != "beam" and n_best != 1:
        raise OptionError("n_best", f"1 for strategy {strategy!r} (n-best lists need strategy 'beam')", n_best)


_CHECKS = {
    "max_length",
    "batch_size",
    "beam_size",
    "n_best",
    "length_penalty",
    "coverage_penalty",
    "temperature",
    "top_k",
    "max_length_ratio",
    "min_length",
    "no_repeat_ngram_size",
    "ensemble_average",
}


def strategy_runner(strategy):
    """The runner function of `strategy` (see `STRATEGIES`), imported on first use."""
    return registry.load(STRATEGIES, strategy)
