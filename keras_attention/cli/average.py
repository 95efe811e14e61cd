"""`keras-attention average-checkpoints`: average a run's last epoch checkpoints into a new run."""

from keras_attention.cli.arguments import add_model_argument, positive_int


def add_parser(commands):
    """Adds the `average-checkpoints` subparser to `commands`."""
    parser = commands.add_parser(
        "average-checkpoints",
        help="average the weights of a run's last epoch checkpoints into a new run directory",
    )
    add_model_argument(parser)
    parser.add_argument("--output", required=True, help="run directory to write")
    parser.add_argument(
        "--last", type=positive_int, default=None, metavar="N", help="average the last N checkpoints (default: all kept)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing run in --output")
    parser.set_defaults(handler=handle)


def handle(args):
    """Writes the averaged run and prints which checkpoints went into it."""
    from keras_attention.runs import average_run_checkpoints

    averaged = average_run_checkpoints(args.model, args.output, last=args.last, overwrite=args.overwrite)
    print(f"averaged {len(averaged)} checkpoints ({', '.join(path.name for path in averaged)}) into {args.output}")
