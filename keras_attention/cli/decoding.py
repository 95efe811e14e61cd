"""The decoding options of the commands that decode, and the `Translator` they configure."""

import dataclasses

from keras_attention.options.decoding import ENSEMBLE_AVERAGES, STRATEGIES

_BEAM_OPTIONS = ("beam_size", "length_penalty", "coverage_penalty", "n_best")
_SAMPLING_OPTIONS = ("temperature", "top_k", "seed")
_LENGTH_OPTIONS = ("batch_size", "max_length", "max_length_ratio", "min_length", "no_repeat_ngram_size")
_ENSEMBLE_OPTIONS = ("ensemble_average",)
_STRATEGY_NAMES = {"greedy": "greedy", "beam": "beam search", "sample": "random sampling"}

N_BEST_FORMAT = """output:
  One translation per input sentence, in input order. With --n-best N above 1, N lines per
  input sentence instead, best first, in the Moses n-best format

    INDEX ||| TRANSLATION ||| SCORE

  where INDEX is the 0-based number of the input sentence and SCORE the hypothesis score: its
  log-probability divided by the length penalty, plus the coverage penalty."""


def add_decoding_arguments(parser, n_best, strategies=tuple(STRATEGIES), batch_size=True):
    """Adds the decoding options, which override the run's `decoding` config.

    Args:
        parser: `argparse.ArgumentParser` of a command that decodes.
        n_best: whether to offer `--n-best` (for commands that print every hypothesis).
        strategies: the strategies the command offers; the sampling options only with `sample`.
        batch_size: whether to offer `--batch-size` (commands that decode a list in batches).
    """
    group = parser.add_argument_group(
        "decoding", "Defaults come from the `decoding` section of the run's config.yaml."
    )
    group.add_argument(
        "--strategy",
        choices=strategies,
        help=", ".join(_STRATEGY_NAMES[name] for name in strategies[:-1])
        + f" or {_STRATEGY_NAMES[strategies[-1]]}; "
        + (
            "beam search and sampling options imply their strategy"
            if "sample" in strategies
            else "beam search options imply beam search"
        ),
    )
    if batch_size:
        group.add_argument("--batch-size", type=int, metavar="N", help="sentences decoded together")
    group.add_argument("--max-length", type=int, metavar="N", help="maximum output tokens per sentence")
    group.add_argument(
        "--max-length-ratio",
        type=float,
        metavar="R",
        help="also stop each output after R times its source length (both counting </s>)",
    )
    group.add_argument("--min-length", type=int, metavar="N", help="no </s> before N output tokens")
    group.add_argument(
        "--no-repeat-ngram-size", type=int, metavar="N", help="no output holds an N-gram twice (0: no limit)"
    )
    group.add_argument("--beam-size", type=int, metavar="K", help="beam search: hypotheses kept per sentence")
    group.add_argument(
        "--length-penalty", type=float, metavar="A", help="beam search: GNMT length penalty alpha >= 0"
    )
    group.add_argument(
        "--coverage-penalty", type=float, metavar="B", help="beam search: GNMT coverage penalty beta >= 0"
    )
    if n_best:
        group.add_argument(
            "--n-best",
            type=int,
            metavar="N",
            help="beam search: print the N best hypotheses (format below)"
            if parser.epilog
            else "beam search: also return the N best hypotheses (n_best_translations, n_best_scores)",
        )
    group.add_argument(
        "--ensemble-average",
        choices=ENSEMBLE_AVERAGES,
        help="with several --model: average the models' next-token probabilities (probability: the log of "
        "the mean) or their log-probabilities (log_probability)",
    )
    if "sample" in strategies:
        group.add_argument("--temperature", type=float, metavar="T", help="sampling: temperature > 0")
        group.add_argument("--top-k", type=int, metavar="K", help="sampling: draw from the K most probable tokens")
        group.add_argument("--seed", type=int, help="sampling: seed of the draws")


def translator_from_arguments(runs, args):
    """A `Translator` for `runs` (one run, or several decoding as an ensemble) with the first
    run's decoding config overridden by the decoding options.

    Beam search options imply `beam` and sampling options `sample` unless `--strategy` is given.

    Raises:
        ConfigError: beam search and sampling options without `--strategy`, a bad value, or
            runs whose target vocabularies differ.
    """
    from keras_attention.errors import ConfigError
    from keras_attention.runs import load_translator

    names = _BEAM_OPTIONS + _SAMPLING_OPTIONS + _LENGTH_OPTIONS + _ENSEMBLE_OPTIONS
    given = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    implied = [
        strategy
        for strategy, options in (("beam", _BEAM_OPTIONS), ("sample", _SAMPLING_OPTIONS))
        if any(name in given for name in options)
    ]
    if args.strategy is not None:
        given["strategy"] = args.strategy
    elif len(implied) == 2:
        raise ConfigError("beam search and sampling options were given together; choose one with --strategy")
    elif implied:
        given["strategy"] = implied[0]
    decoding = dataclasses.replace(runs[0].config.decoding, **given)
    return load_translator(runs, decoding=decoding)
