"""The `keras-attention` parser and entry point: each command's module adds its own subparser."""

import argparse
import os
import sys
import warnings

from keras_attention.cli import average, evaluate, export, plot, train, translate, tune

COMMANDS = (train, tune, translate, evaluate, average, export, plot)


def build_parser():
    """Returns the argument parser of the `keras-attention` command."""
    parser = argparse.ArgumentParser(
        prog="keras-attention", description="Attention-based sequence-to-sequence models on Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"keras-attention: warning: {message}", file=sys.stderr)


def _import_tensorflow_quietly():
    """Imports TensorFlow with its C++ start-up log lines (which ignore TF_CPP_MIN_LOG_LEVEL) hidden."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
        import tensorflow_text  # noqa: F401
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


def main(argv=None):
    """Entry point of the `keras-attention` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    _import_tensorflow_quietly()
    warnings.showwarning = _show_warning
    from keras_attention.errors import KerasAttentionError

    try:
        args.handler(args)
    except KerasAttentionError as error:
        print(f"keras-attention {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0
