"""Search the hyperparameters of a YAML config's `tuning` section with keras-tuner, one step at a time.

This script walks through the library's public API in the keras-io style: the config, the data,
the hypermodel, the tuner, the search, then the best config. Copy it and change any step. It runs
the same search as `keras-attention tune CONFIG` in one process; the command adds searches shared
by several processes (KERASTUNER_TUNER_ID, docs/tuning.md) and the report files (report.txt,
trials.csv, trials.json).

    python training/tune.py --config training/configs/dates-tune.yaml --output runs/dates-tune-script
    keras-attention train --config runs/dates-tune-script/best.yaml --output runs/dates-best
"""

import argparse
import os
import sys
from pathlib import Path

import keras

from keras_attention.config import RunConfig
from keras_attention.data.sources import load_splits
from keras_attention.trainer.setup import check_dev_scores, checked_strategy, prepare_data
from keras_attention.tuning import Seq2SeqHyperModel, make_tuner
from keras_attention.tuning.search import (
    BEST_CONFIG,
    best_config,
    check_objective,
    check_packages,
    prepare_search_directory,
    search_streamed,
)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="YAML run config with a tuning section")
    parser.add_argument("--output", required=True, help="search directory to write")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="remove what --output holds and start afresh (without it, a search of the same config there is resumed)",
    )
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras progress output: 0 none, 1 bar, 2 line"
    )
    return parser.parse_args()


args = parse_arguments()

# ## The config
# The `tuning` section names the tuner, the objective and the search space; every other
# hyperparameter keeps its value from the normal sections.
config = RunConfig.from_yaml(args.config)
if config.tuning is None:
    sys.exit(f"tune.py: {args.config} has no tuning section (see docs/tuning.md)")
if "KERASTUNER_TUNER_ID" in os.environ or config.training.mixed_precision:
    sys.exit("tune.py: searches shared by several processes, and mixed precision, need `keras-attention tune`")
if config.training.strategy == "multi_worker":
    sys.exit("tune.py: 'multi_worker' cannot run inside keras-tuner trials (docs/tuning.md)")
check_packages(config.tuning.tuner)

# ## The data
# Tokenizers and datasets are built once; every trial trains on the same ones.
strategy, _ = checked_strategy(config.training)
splits = load_splits(config.data, config.vocabulary_sample_size(), seed=config.training.seed)
check_dev_scores(config, splits)
keras.utils.set_random_seed(config.training.seed)
data = prepare_data(config, splits, strategy, log=print)

# ## The hypermodel and the tuner
# `Seq2SeqHyperModel` builds the model of each trial's hyperparameters, and its `fit` adds the
# dev scores that an objective such as `val_exact_match` needs. `check_objective` fails now,
# rather than in every trial, if the objective is never logged.
hypermodel = Seq2SeqHyperModel(config, data.source_tokenizer, data.target_tokenizer, splits.dev)
check_objective(config, hypermodel, data)
output = Path(args.output)
prepare_search_directory(output, args.overwrite, config, log=print)
tuner = make_tuner(config, hypermodel, output, strategy=strategy, log=print)
tuner.search_space_summary()

# ## The search
search_streamed(
    tuner,
    data,
    config.training.epochs,
    callbacks=[keras.callbacks.TensorBoard(str(output / "tensorboard"), write_graph=False)],
    verbose=args.verbose,
)
tuner.results_summary(num_trials=3)

# ## The best config
# A plain training config: the normal sections with the best trial's values (and, for Hyperband,
# the epochs that trial trained in all).
best = best_config(config, hypermodel, tuner.get_best_hyperparameters(1)[0])
best.to_yaml(output / BEST_CONFIG)
print(f"best config: {output / BEST_CONFIG}")
