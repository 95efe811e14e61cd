"""The `keras-attention` command line: thin wrappers over library functions.

Run `keras-attention COMMAND --help` for each command's options.
"""

import argparse
import json
import os
import sys
import warnings


def _train(args):
    from keras_attention.config import RunConfig
    from keras_attention.trainer import train

    config = RunConfig.from_yaml(args.config)
    if args.epochs is not None:
        config.training.epochs = args.epochs
        config.validate()
    summary = train(config, args.output, overwrite=args.overwrite, verbose=args.verbose)
    _print_summary(summary)


def _print_summary(summary):
    if summary["output"] is None:
        print(f"worker finished {summary['epochs']} epochs; the chief worker saves the run")
        return
    final = summary["final"]
    print(
        f"trained {summary['parameters']:,} parameters on {summary['train_pairs']:,} pairs for "
        f"{summary['epochs']} epochs in {summary['training_seconds']:.0f} s; "
        f"final loss {final['loss']:.4f}"
        + (f", val_loss {final['val_loss']:.4f}" if "val_loss" in final else "")
    )
    if "test" in summary:
        test = summary["test"]
        print(
            f"held-out test: exact match {100 * test['exact_match']:.2f}% on {test['sentences']:,} "
            f"sentences, BLEU {test['bleu']:.2f}, chrF {test['chrf']:.2f}"
        )
    print(f"run saved to {summary['output']}")


def _read_lines():
    return [line.rstrip(b"\r\n") for line in sys.stdin.buffer]


def _translate(args):
    from keras_attention.runs import load_run

    run = load_run(args.model)
    sentences = args.text if args.text else _read_lines()
    result = run.translator(batch_size=args.batch_size).translate(sentences)
    sys.stdout.write("".join(text + "\n" for text in result.translations))


def _evaluate(args):
    from keras_attention.data.tsv import read_tsv
    from keras_attention.evaluation import score_translations
    from keras_attention.runs import load_run

    pairs = read_tsv(args.data)
    run = load_run(args.model)
    sources, references = (list(side) for side in zip(*pairs))
    hypotheses = run.translator(batch_size=args.batch_size).translate(sources).translations
    scores = score_translations(hypotheses, references)
    if args.hypotheses:
        with open(args.hypotheses, "w", encoding="utf-8") as handle:
            for line in zip(sources, references, hypotheses):
                handle.write("\t".join(line) + "\n")
    if args.json:
        print(json.dumps(scores, indent=2))
        return
    print(f"sentences:   {scores['sentences']}")
    print(f"exact match: {100 * scores['exact_match']:.2f}%")
    print(f"BLEU:        {scores['bleu']:.2f}  ({scores['bleu_signature']})")
    print(f"chrF:        {scores['chrf']:.2f}  ({scores['chrf_signature']})")


def _average_checkpoints(args):
    from keras_attention.checkpoints import average_run_checkpoints

    averaged = average_run_checkpoints(args.model, args.output, last=args.last, overwrite=args.overwrite)
    print(f"averaged {len(averaged)} checkpoints ({', '.join(path.name for path in averaged)}) into {args.output}")


def build_parser():
    """Returns the argument parser of the `keras-attention` command."""
    parser = argparse.ArgumentParser(
        prog="keras-attention", description="Attention-based sequence-to-sequence models on Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a model from a YAML config into a run directory")
    add_train_arguments(train)
    train.set_defaults(handler=_train)

    translate = commands.add_parser(
        "translate", help="translate TEXT arguments, or standard input one sentence per line"
    )
    translate.add_argument("--model", required=True, help="run directory written by `train`")
    translate.add_argument("--batch-size", type=int, default=None, help="sentences decoded together")
    translate.add_argument("text", nargs="*", metavar="TEXT", help="sentences (default: read standard input)")
    translate.set_defaults(handler=_translate)

    evaluate = commands.add_parser("evaluate", help="score a model on a source<TAB>target file")
    evaluate.add_argument("--model", required=True, help="run directory written by `train`")
    evaluate.add_argument("--data", required=True, help="UTF-8 file of source<TAB>target lines")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument(
        "--hypotheses", metavar="FILE", help="also write source<TAB>reference<TAB>hypothesis lines to FILE"
    )
    evaluate.add_argument("--batch-size", type=int, default=None, help="sentences decoded together")
    evaluate.set_defaults(handler=_evaluate)

    average = commands.add_parser(
        "average-checkpoints",
        help="average the weights of a run's last epoch checkpoints into a new run directory",
    )
    average.add_argument("--model", required=True, help="run directory written by `train`")
    average.add_argument("--output", required=True, help="run directory to write")
    average.add_argument(
        "--last", type=_positive, default=None, metavar="N", help="average the last N checkpoints (default: all kept)"
    )
    average.add_argument("--overwrite", action="store_true", help="replace an existing run in --output")
    average.set_defaults(handler=_average_checkpoints)
    return parser


def _positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def add_train_arguments(parser):
    """Adds the options of `train` (shared with `training/train.py`)."""
    parser.add_argument("--config", required=True, help="YAML run config (see training/configs/)")
    parser.add_argument("--output", required=True, help="run directory to write")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing run in --output (without it, an interrupted run there is resumed)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="override training.epochs")
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras progress output: 0 none, 1 bar, 2 line"
    )


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


if __name__ == "__main__":
    sys.exit(main())
