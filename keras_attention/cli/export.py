"""`keras-attention export`: a run as a string-to-string SavedModel for TF Serving."""

from keras_attention.cli.arguments import add_model_argument, positive_int
from keras_attention.cli.decoding import add_decoding_arguments, translator_from_arguments
from keras_attention.cli.inputs import read_sentence_file
from keras_attention.options.decoding import EXPORTABLE_STRATEGIES


def add_parser(commands):
    """Adds the `export` subparser to `commands`."""
    parser = commands.add_parser(
        "export",
        help="export a run as a SavedModel for TF Serving (strings in, translations out)",
        description="Writes OUTPUT/VERSION/, a SavedModel whose serving_default signature takes UTF-8 "
        "sentences and returns their translations (see docs/serving.md). The decoding strategy "
        "(greedy or beam), beam size and maximum lengths are fixed at export. With --model given "
        "more than once, the SavedModel holds every run, decoding as one ensemble.",
    )
    add_model_argument(parser, ensemble=True)
    parser.add_argument(
        "--output", required=True, help="the model's folder, e.g. saved_models/NAME (versions go in it)"
    )
    parser.add_argument(
        "--version",
        type=positive_int,
        default=None,
        metavar="N",
        help="version number to write (default: one more than the highest in --output, 1 at first)",
    )
    parser.add_argument(
        "--name", help="model name in the server config and warmup requests (default: the last part of --output)"
    )
    parser.add_argument(
        "--warmup", metavar="FILE", help="UTF-8 file of warmup sentences, one a line (default: a few dates)"
    )
    add_decoding_arguments(parser, n_best=True, strategies=EXPORTABLE_STRATEGIES, batch_size=False)
    parser.set_defaults(handler=handle)


def handle(args):
    """Exports the run and prints the version, its decoding, its op count and the server config."""
    from keras_attention.export import export_translator
    from keras_attention.export.tf_serving import WARMUP_SENTENCES
    from keras_attention.runs import load_run

    warmup = read_sentence_file(args.warmup, "warmup sentences") if args.warmup else WARMUP_SENTENCES
    runs = [load_run(model) for model in args.model]
    sources = [str(run.directory.resolve()) for run in runs]
    result = export_translator(
        translator_from_arguments(runs, args),
        args.output,
        version=args.version,
        model_name=args.name,
        warmup_sentences=warmup,
        source=sources[0] if len(sources) == 1 else sources,
    )
    decoding = result.metadata["decoding"]
    strategy = "greedy" if decoding["strategy"] == "greedy" else f"beam search, beam size {decoding['beam_size']}"
    if len(runs) > 1:
        strategy += f", an ensemble averaging the {decoding['ensemble_average'].replace('_', '-')}"
    print(
        f"exported {' + '.join(args.model)} ({strategy}, at most {decoding['max_length']} output tokens) as "
        f"version {result.version} of model {result.metadata['model_name']!r}: {result.path} "
        f"({len(result.metadata['ops'])} ops, all in the TF Serving allow-list); "
        f"model server config: {result.model_config}"
    )
