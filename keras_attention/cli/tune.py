"""`keras-attention tune`: search the hyperparameters of a config's `tuning` section with keras-tuner."""

from keras_attention.cli.arguments import add_verbose_argument
from keras_attention.cli.train import print_summary


def add_parser(commands):
    """Adds the `tune` subparser to `commands`."""
    parser = commands.add_parser(
        "tune",
        help="search hyperparameters (the config's tuning section) with keras-tuner",
        description="Search the hyperparameters that the config's `tuning` section declares. Writes "
        "the search into --output: report.txt / trials.csv / trials.json (all trials, best first) "
        "and best.yaml (the best trial as a training config). For a search shared by several "
        "processes set KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT "
        "(see docs/tuning.md).",
    )
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
    add_verbose_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args):
    """Runs the search of `args.config` into `args.output`; prints the summary of a `--train-best` run."""
    from keras_attention.config import RunConfig
    from keras_attention.tuning import tune

    config = RunConfig.from_yaml(args.config)
    summary = tune(config, args.output, overwrite=args.overwrite, verbose=args.verbose, train_best=args.train_best)
    if "best_run" in summary:
        print_summary(summary["best_run"])
