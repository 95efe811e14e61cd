"""`keras-attention evaluate`: score a model on a file of source and reference pairs."""

import json
from pathlib import Path

from keras_attention.cli.arguments import add_format_argument, add_model_argument
from keras_attention.cli.decoding import add_decoding_arguments, translator_from_arguments
from keras_attention.cli.inputs import data_config, read_data


def add_parser(commands):
    """Adds the `evaluate` subparser to `commands`."""
    parser = commands.add_parser("evaluate", help="score a model on a file of source and reference pairs")
    add_model_argument(parser, ensemble=True)
    parser.add_argument(
        "--data",
        required=True,
        nargs="+",
        metavar="FILE",
        help="UTF-8 pairs in --format: one file; for parallel, the path before the run's suffixes "
        "or the source and the target file",
    )
    add_format_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    written = parser.add_mutually_exclusive_group()
    written.add_argument(
        "--hypotheses",
        metavar="FILE",
        help="write source<TAB>reference<TAB>hypothesis lines to FILE "
        "(default: MODEL/hypotheses/DATA_NAME.tsv, DATA_NAME being the data file's name without its suffix; "
        "for an ensemble, in the first MODEL: DATA_NAME.ensemble-ID.tsv, ID naming the runs and the average)",
    )
    written.add_argument("--no-hypotheses", action="store_true", help="do not write the hypotheses")
    add_decoding_arguments(parser, n_best=False)
    parser.set_defaults(handler=handle)


def handle(args):
    """Translates the sources of `--data`, scores them against the references and prints the scores."""
    from keras_attention.evaluation import score_translations
    from keras_attention.runs import load_run

    runs = [load_run(model) for model in args.model]
    pairs = read_data(data_config(runs[0], args), args.data).pairs
    sources, references = (list(side) for side in zip(*pairs))
    translator = translator_from_arguments(runs, args)
    hypotheses = translator.translate(sources).translations
    scores = score_translations(hypotheses, references, lowercase=runs[0].config.target.lowercase)
    path = _hypotheses_path(args, runs, translator)
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
    print(f"ROUGE-1/2/L: {scores['rouge_1']:.2f} / {scores['rouge_2']:.2f} / {scores['rouge_l']:.2f}  (rouge-score F1, stemmed)")
    if path:
        print(f"hypotheses:  {path}")


def _hypotheses_path(args, runs, translator):
    """Where `evaluate` writes its hypotheses: --hypotheses, else in the first run's directory
    (`RunLayout.hypotheses`)."""
    if args.no_hypotheses:
        return None
    if args.hypotheses:
        return Path(args.hypotheses)
    from keras_attention.runs import RunLayout

    ensemble = None
    if translator.is_ensemble:
        ensemble = [str(run.directory.resolve()) for run in runs] + [translator.decoding.ensemble_average]
    return RunLayout(runs[0].directory).hypotheses(args.data[0], ensemble=ensemble)


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
