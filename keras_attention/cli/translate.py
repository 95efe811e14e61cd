"""`keras-attention translate`: translate TEXT arguments, a file, or standard input."""

import argparse
import sys

from keras_attention.cli.arguments import add_input_arguments, add_model_argument
from keras_attention.cli.decoding import N_BEST_FORMAT, add_decoding_arguments, translator_from_arguments
from keras_attention.cli.inputs import input_sentences


def add_parser(commands):
    """Adds the `translate` subparser to `commands`."""
    parser = commands.add_parser(
        "translate",
        help="translate TEXT arguments, or standard input one sentence per line",
        epilog=N_BEST_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_argument(parser, ensemble=True)
    parser.add_argument("text", nargs="*", metavar="TEXT", help="sentences (default: --input, else standard input)")
    add_input_arguments(parser)
    add_decoding_arguments(parser, n_best=True)
    parser.set_defaults(handler=handle)


def handle(args):
    """Prints one translation a line, or with `--n-best` above 1 the n-best lists in the Moses format."""
    from keras_attention.runs import load_run

    runs = [load_run(model) for model in args.model]
    translator = translator_from_arguments(runs, args)
    result = translator.translate(input_sentences(args, runs[0]))
    if translator.decoding.n_best == 1:
        sys.stdout.write("".join(text + "\n" for text in result.translations))
        return
    for index, (texts, scores) in enumerate(zip(result.n_best, result.n_best_scores)):
        sys.stdout.write("".join(f"{index} ||| {text} ||| {score:.6f}\n" for text, score in zip(texts, scores)))
