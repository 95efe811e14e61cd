"""Train an attention seq2seq model from a YAML config, one step at a time.

This script walks through the library's public API in the keras-io style: the config, the data,
the model, `fit`, then save and translate. Copy it and change any step. It trains the same model
on the same data as `keras-attention train CONFIG`, which adds what a long run needs: resuming an
interrupted run from its backup, the best and the last checkpoints, a time limit, dev BLEU after
each epoch, attention images, mixed precision and multi-worker training.
The script says which of those the config asks for and leaves to the command.

    python training/train.py --config training/configs/dates.yaml --output runs/dates-script
    keras-attention translate --model runs/dates-script "3rd of july 2021"
"""

import argparse
import shutil
import sys
from pathlib import Path

import keras

from keras_attention.config import RunConfig
from keras_attention.data.sources import load_splits
from keras_attention.evaluation import score_translations
from keras_attention.models import build_seq2seq, compile_seq2seq
from keras_attention.runs import RunLayout, load_run, save_run
from keras_attention.trainer import fit_streamed
from keras_attention.trainer.learning_rate import LearningRateDecay
from keras_attention.trainer.setup import (
    checked_strategy,
    describe_strategy,
    model_arguments,
    monitor_for,
    monitor_mode,
    prepare_data,
)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="YAML run config (see training/configs/)")
    parser.add_argument("--output", required=True, help="run directory to write")
    parser.add_argument("--overwrite", action="store_true", help="replace what --output holds")
    parser.add_argument("--epochs", type=int, default=None, help="override training.epochs")
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras progress output: 0 none, 1 bar, 2 line"
    )
    return parser.parse_args()


def left_to_the_command(config):
    """The settings of `config` that this script does not carry out (`keras-attention train` does)."""
    training = config.training
    settings = {
        "training.backup": training.backup,
        "training.save_best": training.save_best,
        "training.keep_checkpoints": training.keep_checkpoints,
        "training.max_training_minutes": training.max_training_minutes,
        "training.attention_images": training.attention_images,
        "evaluation.dev_bleu_sentences": config.evaluation.dev_bleu_sentences,
    }
    return [name for name, value in settings.items() if value]


args = parse_arguments()

# ## The config
# Every key is documented in the section classes of `keras_attention/config/`. Loading validates
# it: a bad value is an error that names the key and its line.
config = RunConfig.from_yaml(args.config)
if args.epochs is not None:
    config.training.epochs = args.epochs
    config.validate()
if config.training.mixed_precision or config.training.strategy == "multi_worker":
    sys.exit("train.py: mixed precision and multi-worker training need `keras-attention train`")
if left_to_the_command(config):
    print(f"left to `keras-attention train`: {', '.join(left_to_the_command(config))}")
output = Path(args.output)
if output.exists() and any(output.iterdir()):
    if not args.overwrite:
        sys.exit(f"train.py: {output} is not empty; pass --overwrite to replace it")
    shutil.rmtree(output)

# ## The data
# The training pairs stream from their files with tf.data; the vocabularies are learned from a
# sample of them. `prepare_data` reports skipped lines, long pairs and the padding saved.
strategy, _ = checked_strategy(config.training)
splits = load_splits(config.data, config.vocabulary_sample_size(), seed=config.training.seed)
keras.utils.set_random_seed(config.training.seed)
data = prepare_data(config, splits, strategy, log=print)
print(describe_strategy(config.training, strategy))

# ## The model
# A Functional Keras model: encoder, decoder LSTM and `AttentionLayer`, with the loss and
# optimizer of the config.
with strategy.scope():
    model = build_seq2seq(config.model, **model_arguments(config, data.source_tokenizer, data.target_tokenizer))
    compile_seq2seq(model, config.training)
model.summary()

# ## Training
# `fit_streamed` is `model.fit` on the streamed datasets. Plain Keras callbacks do the rest.
layout = RunLayout(output)
monitor = monitor_for(config, splits)
callbacks = []
# A learning-rate decay, if the config asks for one, runs over the epochs (this script trains
# them all: the time limit is left to the command). It comes first, so that the history logs the
# rate of each epoch.
if config.training.learning_rate_decay:
    callbacks.append(
        LearningRateDecay(
            config.training.learning_rate_decay,
            config.training.learning_rate,
            config.training.final_learning_rate,
            config.training.epochs,
            position=data.position,
        )
    )
callbacks += [
    keras.callbacks.TerminateOnNaN(),
    keras.callbacks.CSVLogger(str(layout.history)),
    keras.callbacks.TensorBoard(log_dir=str(layout.logs), write_graph=False),
]
if config.training.early_stopping_patience:
    callbacks.append(
        keras.callbacks.EarlyStopping(
            monitor=monitor,
            mode=monitor_mode(monitor),
            patience=config.training.early_stopping_patience,
            restore_best_weights=True,
        )
    )
output.mkdir(parents=True, exist_ok=True)
fit_streamed(model, data, config.training.epochs, callbacks, verbose=args.verbose)

# ## Save, translate, score
# The run directory holds the config, the model and the vocabularies: `keras-attention translate`,
# `evaluate`, `plot` and `export` read it. The translator decodes as the config's `decoding` says.
save_run(output, config, model, data.source_tokenizer, data.target_tokenizer)
translator = load_run(output).translator()
examples = [source for source, _ in (splits.dev[:3] or splits.train.head(3))]
for source, translation in zip(examples, translator.translate(examples).translations):
    print(f"{source}  ->  {translation}")
if splits.test:
    sources, references = (list(side) for side in zip(*splits.test))
    scores = score_translations(translator.translate(sources).translations, references, config.target.lowercase)
    print(f"held-out test: exact match {100 * scores['exact_match']:.2f}%, BLEU {scores['bleu']:.2f}")
print(f"run saved to {output}")
