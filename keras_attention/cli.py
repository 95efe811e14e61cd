"""The `keras-attention` command line: thin wrappers over library functions.

Run `keras-attention COMMAND --help` for each command's options.
"""

import argparse
import dataclasses
import json
import os
import sys
import warnings
from pathlib import Path

from keras_attention.options.decoding import EXPORTABLE_STRATEGIES, STRATEGIES as DECODING_STRATEGIES

MAX_PLOT_SENTENCES = 32

_BEAM_OPTIONS = ("beam_size", "length_penalty", "coverage_penalty", "n_best")
_SAMPLING_OPTIONS = ("temperature", "top_k", "seed")
_LENGTH_OPTIONS = ("batch_size", "max_length", "max_length_ratio")
_STRATEGY_NAMES = {"greedy": "greedy", "beam": "beam search", "sample": "random sampling"}

_N_BEST_FORMAT = """output:
  One translation per input sentence, in input order. With --n-best N above 1, N lines per
  input sentence instead, best first, in the Moses n-best format

    INDEX ||| TRANSLATION ||| SCORE

  where INDEX is the 0-based number of the input sentence and SCORE the hypothesis score: its
  log-probability divided by the length penalty, plus the coverage penalty."""


def _train(args):
    from keras_attention.config import RunConfig
    from keras_attention.trainer import train

    config = RunConfig.from_yaml(args.config)
    if args.epochs is not None:
        config.training.epochs = args.epochs
        config.validate()
    summary = train(config, args.output, overwrite=args.overwrite, verbose=args.verbose)
    _print_summary(summary)


def _tune(args):
    from keras_attention.config import RunConfig
    from keras_attention.tuning import tune

    config = RunConfig.from_yaml(args.config)
    summary = tune(config, args.output, overwrite=args.overwrite, verbose=args.verbose, train_best=args.train_best)
    if "best_run" in summary:
        _print_summary(summary["best_run"])


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


def _translator(run, args):
    """Builds a `Translator` for `run` with the run's decoding config and the decoding options."""
    from keras_attention.errors import ConfigError

    names = _BEAM_OPTIONS + _SAMPLING_OPTIONS + _LENGTH_OPTIONS
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
    decoding = dataclasses.replace(run.config.decoding, **given)
    return run.translator(decoding=decoding)


def _translate(args):
    from keras_attention.runs import load_run

    run = load_run(args.model)
    translator = _translator(run, args)
    sentences = _input_sentences(args, run)
    result = translator.translate(sentences)
    if translator.decoding.n_best == 1:
        sys.stdout.write("".join(text + "\n" for text in result.translations))
        return
    for index, (texts, scores) in enumerate(zip(result.n_best, result.n_best_scores)):
        sys.stdout.write("".join(f"{index} ||| {text} ||| {score:.6f}\n" for text, score in zip(texts, scores)))


def _evaluate(args):
    from keras_attention.evaluation import score_translations
    from keras_attention.runs import load_run

    run = load_run(args.model)
    pairs = _read_data(_data_config(run, args), args.data).pairs
    sources, references = (list(side) for side in zip(*pairs))
    hypotheses = _translator(run, args).translate(sources).translations
    scores = score_translations(hypotheses, references, lowercase=run.config.target.lowercase)
    path = _hypotheses_path(args)
    if path:
        _write_hypotheses(path, sources, references, hypotheses)
        scores["hypotheses"] = str(path)
    if args.json:
        print(json.dumps(scores, indent=2))
        return
    print(f"sentences:   {scores['sentences']}")
    print(f"exact match: {100 * scores['exact_match']:.2f}%")
    print(f"BLEU:        {scores['bleu']:.2f}  ({scores['bleu_signature']})")
    print(f"chrF:        {scores['chrf']:.2f}  ({scores['chrf_signature']})")
    if path:
        print(f"hypotheses:  {path}")


def _data_config(run, args):
    """The run's data config, in the format of `--format` (default: the run's training format,
    `tsv` for the dates task); line problems raise."""
    from keras_attention.options.data import FILE_FORMATS

    data = run.config.data
    file_format = args.format or (data.format if data.format in FILE_FORMATS else "tsv")
    return dataclasses.replace(data, format=file_format, on_error="raise")


def _read_data(data_config, paths):
    """The pairs of `evaluate --data`: one file, or for `parallel` a prefix or two files."""
    from keras_attention.data.sources import read_pairs
    from keras_attention.errors import KerasAttentionError

    from keras_attention.options.data import corpus_format

    parallel = corpus_format(data_config.format).paired
    if parallel and len(paths) == 2:
        return read_pairs(data_config, paths[0], "--data", target_path=paths[1])
    if len(paths) != 1:
        expected = "a path prefix or the source and the target file" if parallel else "one file"
        raise KerasAttentionError(f"--data: --format {data_config.format} takes {expected}, got {len(paths)}: {paths}")
    if parallel and not data_config.source_suffix:
        raise KerasAttentionError(
            f"--data: this run has no data.source_suffix / target_suffix to add to {paths[0]!r}; "
            f"with --format parallel give the source and the target file"
        )
    return read_pairs(data_config, paths[0], "--data")


def _input_sentences(args, run):
    """The sentences of `translate` / `plot`: TEXT arguments, `--input FILE` in `--format`, or
    standard input, one sentence per line."""
    from keras_attention.data.readers import read_sentences
    from keras_attention.data.sources import read_pairs
    from keras_attention.errors import KerasAttentionError

    if args.input and args.text:
        raise KerasAttentionError("give sentences as TEXT arguments or with --input FILE, not both")
    if args.text:
        return args.text
    if not args.input:
        return [line.decode("utf-8", errors="replace") for line in _read_lines()]
    from keras_attention.options.data import corpus_format

    data_config = _data_config(run, args)
    if corpus_format(data_config.format).paired:  # --input is the source side alone
        return [sentence for sentence, _ in read_sentences(args.input).pairs]
    return [source for source, _ in read_pairs(data_config, args.input, "--input").pairs]


def _hypotheses_path(args):
    """Where `evaluate` writes its hypotheses: --hypotheses, else RUN_DIR/hypotheses/DATA_STEM.tsv."""
    if args.no_hypotheses:
        return None
    if args.hypotheses:
        return Path(args.hypotheses)
    from keras_attention.runs import RunLayout

    return RunLayout(args.model).hypotheses(args.data[0])


def _write_hypotheses(path, sources, references, hypotheses):
    from keras_attention.errors import KerasAttentionError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            for line in zip(sources, references, hypotheses):
                handle.write("\t".join(line) + "\n")
    except OSError as error:
        raise KerasAttentionError(
            f"cannot write the hypotheses to {str(path)!r} ({error.strerror}); "
            f"choose a file with --hypotheses or pass --no-hypotheses"
        ) from None


def _plot(args):
    from keras_attention.errors import KerasAttentionError
    from keras_attention.evaluation.heatmaps import alignment_examples, save_heatmaps
    from keras_attention.runs import load_run

    run = load_run(args.model)
    sentences = _input_sentences(args, run)
    if not sentences or len(sentences) > MAX_PLOT_SENTENCES:
        raise KerasAttentionError(f"plot takes 1 to {MAX_PLOT_SENTENCES} sentences, got {len(sentences)}")
    examples = alignment_examples(run.translator(), sentences)
    path = save_heatmaps(examples, args.output, columns=args.columns)
    print(f"wrote {path} ({len(examples)} sentence{'s' if len(examples) > 1 else ''})")


def _export(args):
    from keras_attention.export import export_translator
    from keras_attention.export.tf_serving import WARMUP_SENTENCES
    from keras_attention.runs import load_run

    warmup = _read_sentence_file(args.warmup) if args.warmup else WARMUP_SENTENCES
    run = load_run(args.model)
    translator = _translator(run, args)
    result = export_translator(
        translator,
        args.output,
        version=args.version,
        model_name=args.name,
        warmup_sentences=warmup,
        source=str(run.directory.resolve()),
    )
    decoding = result.metadata["decoding"]
    strategy = "greedy" if decoding["strategy"] == "greedy" else f"beam search, beam size {decoding['beam_size']}"
    print(
        f"exported {args.model} ({strategy}, at most {decoding['max_length']} output tokens) as "
        f"version {result.version} of model {result.metadata['model_name']!r}: {result.path} "
        f"({len(result.metadata['ops'])} ops, all in the TF Serving allow-list); "
        f"model server config: {result.model_config}"
    )


def _read_sentence_file(path):
    """The lines of a UTF-8 file, one sentence each."""
    from keras_attention.errors import KerasAttentionError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KerasAttentionError(f"cannot read the warmup sentences from {str(path)!r}: {error}") from None
    if not lines:
        raise KerasAttentionError(f"{path}: no warmup sentences (one sentence per line expected)")
    return lines


def _average_checkpoints(args):
    from keras_attention.runs import average_run_checkpoints

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

    tune = commands.add_parser(
        "tune",
        help="search hyperparameters (the config's tuning section) with keras-tuner",
        description="Search the hyperparameters that the config's `tuning` section declares. Writes "
        "the search into --output: report.txt / trials.csv / trials.json (all trials, best first) "
        "and best.yaml (the best trial as a training config). For a search shared by several "
        "processes set KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT "
        "(see docs/tuning.md).",
    )
    add_tune_arguments(tune)
    tune.set_defaults(handler=_tune)

    translate = commands.add_parser(
        "translate",
        help="translate TEXT arguments, or standard input one sentence per line",
        epilog=_N_BEST_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    translate.add_argument("--model", required=True, help="run directory written by `train`")
    translate.add_argument("text", nargs="*", metavar="TEXT", help="sentences (default: --input, else standard input)")
    add_input_arguments(translate)
    add_decoding_arguments(translate, n_best=True)
    translate.set_defaults(handler=_translate)

    evaluate = commands.add_parser("evaluate", help="score a model on a file of source and reference pairs")
    evaluate.add_argument("--model", required=True, help="run directory written by `train`")
    evaluate.add_argument(
        "--data",
        required=True,
        nargs="+",
        metavar="FILE",
        help="UTF-8 pairs in --format: one file; for parallel, the path before the run's suffixes "
        "or the source and the target file",
    )
    add_format_argument(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    written = evaluate.add_mutually_exclusive_group()
    written.add_argument(
        "--hypotheses",
        metavar="FILE",
        help="write source<TAB>reference<TAB>hypothesis lines to FILE "
        "(default: MODEL/hypotheses/DATA_NAME.tsv, DATA_NAME being the data file's name without its suffix)",
    )
    written.add_argument("--no-hypotheses", action="store_true", help="do not write the hypotheses")
    add_decoding_arguments(evaluate, n_best=False)
    evaluate.set_defaults(handler=_evaluate)

    average = commands.add_parser(
        "average-checkpoints",
        help="average the weights of a run's last epoch checkpoints into a new run directory",
    )
    average.add_argument("--model", required=True, help="run directory written by `train`")
    average.add_argument("--output", required=True, help="run directory to write")
    average.add_argument(
        "--last", type=_positive_int, default=None, metavar="N", help="average the last N checkpoints (default: all kept)"
    )
    average.add_argument("--overwrite", action="store_true", help="replace an existing run in --output")
    average.set_defaults(handler=_average_checkpoints)

    export = commands.add_parser(
        "export",
        help="export a run as a SavedModel for TF Serving (strings in, translations out)",
        description="Writes OUTPUT/VERSION/, a SavedModel whose serving_default signature takes UTF-8 "
        "sentences and returns their translations (see docs/serving.md). The decoding strategy "
        "(greedy or beam), beam size and maximum lengths are fixed at export.",
    )
    export.add_argument("--model", required=True, help="run directory written by `train`")
    export.add_argument(
        "--output", required=True, help="the model's folder, e.g. saved_models/NAME (versions go in it)"
    )
    export.add_argument(
        "--version",
        type=_positive_int,
        default=None,
        metavar="N",
        help="version number to write (default: one more than the highest in --output, 1 at first)",
    )
    export.add_argument(
        "--name", help="model name in the server config and warmup requests (default: the last part of --output)"
    )
    export.add_argument(
        "--warmup", metavar="FILE", help="UTF-8 file of warmup sentences, one a line (default: a few dates)"
    )
    add_decoding_arguments(export, n_best=True, strategies=EXPORTABLE_STRATEGIES, batch_size=False)
    export.set_defaults(handler=_export)

    plot = commands.add_parser(
        "plot", help="draw the attention of translated sentences as heatmaps (source tokens across, output down)"
    )
    plot.add_argument("--model", required=True, help="run directory written by `train`")
    plot.add_argument("--output", required=True, help="image file to write (PNG; the suffix picks the format)")
    plot.add_argument(
        "--columns", type=_positive_int, default=1, help="panels per row when plotting several sentences"
    )
    plot.add_argument(
        "text",
        nargs="*",
        metavar="TEXT",
        help=f"sentences, 1 to {MAX_PLOT_SENTENCES}, one panel each (default: --input, else standard input)",
    )
    add_input_arguments(plot)
    plot.set_defaults(handler=_plot)
    return parser


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


def add_decoding_arguments(parser, n_best, strategies=tuple(DECODING_STRATEGIES), batch_size=True):
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
    if "sample" in strategies:
        group.add_argument("--temperature", type=float, metavar="T", help="sampling: temperature > 0")
        group.add_argument("--top-k", type=int, metavar="K", help="sampling: draw from the K most probable tokens")
        group.add_argument("--seed", type=int, help="sampling: seed of the draws")


def _positive_int(text):
    """argparse type: a positive integer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
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


def add_tune_arguments(parser):
    """Adds the options of `tune` (shared with `training/tune.py`)."""
    parser.add_argument("--config", required=True, help="YAML run config with a tuning section")
    parser.add_argument("--output", required=True, help="search directory to write")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="remove what --output holds and start afresh (without it, a search of the same config "
        "there is resumed, keeping its finished trials); also replaces a run in --train-best",
    )
    parser.add_argument(
        "--train-best", metavar="RUN_DIR", help="after the search, train the best config into this run directory"
    )
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
