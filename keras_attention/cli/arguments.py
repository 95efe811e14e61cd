"""Arguments that several commands share: `--format`, `--input`, `--verbose`, positive integers."""

import argparse


def positive_int(text):
    """argparse type: a positive integer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def add_format_argument(parser):
    """Adds `--format`, the reader of the command's data file."""
    from keras_attention.options.data import FILE_FORMATS

    parser.add_argument(
        "--format",
        choices=tuple(FILE_FORMATS),
        help="file format, read as training reads it, with the same file:line errors; jsonl uses "
        "the run's data.source_field / target_field (default: the run's training format; tsv for "
        "the dates task)",
    )


def add_input_arguments(parser):
    """Adds `--input FILE` and its `--format` (the sources of a file of any reader format)."""
    parser.add_argument(
        "--input",
        metavar="FILE",
        help="read the sentences from FILE in --format (the sources of its pairs; for parallel, "
        "FILE is the source file, one sentence per line)",
    )
    add_format_argument(parser)


def add_model_argument(parser, ensemble=False):
    """Adds `--model RUN_DIR`, the run a command reads; with `ensemble`, `--model` may be given
    more than once (`args.model` is then the list of runs, which decode as one ensemble)."""
    if not ensemble:
        parser.add_argument("--model", required=True, help="run directory written by `train`")
        return
    parser.add_argument(
        "--model",
        required=True,
        action="append",
        metavar="RUN_DIR",
        help="run directory written by `train`; give it more than once for an ensemble of runs that "
        "share the target vocabulary, which decode as one model (see --ensemble-average)",
    )


def add_verbose_argument(parser):
    """Adds `--verbose`, the Keras progress output of a command that trains."""
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras progress output: 0 none, 1 bar, 2 line"
    )
