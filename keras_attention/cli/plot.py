"""`keras-attention plot`: the attention of translated sentences as heatmaps."""

from keras_attention.cli.arguments import add_input_arguments, add_model_argument, positive_int
from keras_attention.cli.inputs import input_sentences

MAX_PLOT_SENTENCES = 32


def add_parser(commands):
    """Adds the `plot` subparser to `commands`."""
    parser = commands.add_parser(
        "plot",
        help="draw the attention of translated sentences as heatmaps (source tokens across, output down; "
        "with copy attention, each output token's probability of generating, p_gen, on the right)",
    )
    add_model_argument(parser)
    parser.add_argument("--output", required=True, help="image file to write (PNG; the suffix picks the format)")
    parser.add_argument(
        "--columns", type=positive_int, default=1, help="panels per row when plotting several sentences"
    )
    parser.add_argument(
        "text",
        nargs="*",
        metavar="TEXT",
        help=f"sentences, 1 to {MAX_PLOT_SENTENCES}, one panel each (default: --input, else standard input)",
    )
    add_input_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args):
    """Draws one panel per sentence into `--output` and prints where it went."""
    from keras_attention.errors import KerasAttentionError
    from keras_attention.evaluation.heatmaps import alignment_examples, save_heatmaps
    from keras_attention.runs import load_run

    run = load_run(args.model)
    sentences = input_sentences(args, run)
    if not sentences or len(sentences) > MAX_PLOT_SENTENCES:
        raise KerasAttentionError(f"plot takes 1 to {MAX_PLOT_SENTENCES} sentences, got {len(sentences)}")
    examples = alignment_examples(run.translator(), sentences)
    path = save_heatmaps(examples, args.output, columns=args.columns)
    print(f"wrote {path} ({len(examples)} sentence{'s' if len(examples) > 1 else ''})")
