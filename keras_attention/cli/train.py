"""`keras-attention train`: train a model from a YAML config into a run directory."""

from keras_attention.cli.arguments import add_verbose_argument


def add_parser(commands):
    """Adds the `train` subparser to `commands`."""
    parser = commands.add_parser("train", help="train a model from a YAML config into a run directory")
    parser.add_argument("--config", required=True, help="YAML run config (see training/configs/)")
    parser.add_argument("--output", required=True, help="run directory to write")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing run in --output (without it, an interrupted run there is resumed)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="override training.epochs")
    add_verbose_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args):
    """Trains the config of `args.config` into `args.output` and prints the summary."""
    from keras_attention.config import RunConfig
    from keras_attention.trainer import train

    config = RunConfig.from_yaml(args.config)
    if args.epochs is not None:
        config.training.epochs = args.epochs
        config.validate()
    print_summary(train(config, args.output, overwrite=args.overwrite, verbose=args.verbose))


def print_summary(summary):
    """Prints a `TrainingSummary`: size, time, final losses, held-out scores and where the run is."""
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
