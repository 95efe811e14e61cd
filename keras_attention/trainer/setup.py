"""The setup that `train` and `tune` share: strategy, precision and batch checks, the monitored
metric, the vocabularies and the datasets.

Each step is a public function, so that a script (or `keras_attention.tuning`) can prepare a run
the way `train` does, then fit its own way:

```python
config = RunConfig.from_yaml("training/configs/dates.yaml")
strategy, _ = checked_strategy(config.training)
splits = load_splits(config.data, config.vocabulary_sample_size(), seed=config.training.seed)
data = prepare_data(config, splits, strategy, log=print)
```
"""

import collections

from keras_attention.data.pipeline import corpus_dataset, make_dataset
from keras_attention.data.positions import InputPosition
from keras_attention.errors import ConfigError
from keras_attention.models import copy_target_ids
from keras_attention.text.tokenizer import learn_vocabularies, tokenizer_from_config
from keras_attention.trainer.data_report import report_data
from keras_attention.trainer.precision import check_mixed_precision, training_devices
from keras_attention.trainer.strategy import (
    check_batch_size,
    distribute_options,
    make_strategy,
    read_tf_config,
    sharded_dataset,
)


def monitor_mode(monitor):
    """`max` for accuracy-like metrics, BLEU, ROUGE and exact match, `min` otherwise (Keras's
    `mode="auto"` rule, plus BLEU, ROUGE and exact match)."""
    return "max" if any(part in monitor for part in ("acc", "bleu", "rouge", "exact_match")) else "min"


TrainingData = collections.namedtuple(
    "TrainingData", ["source_tokenizer", "target_tokenizer", "train", "dev", "report", "position"]
)
TrainingData.__doc__ = """What a run trains on: both tokenizers, the training and dev datasets (`dev` is `None`
without dev pairs), the data report (skipped lines, long pairs, padding saved) and the training
input's `InputPosition` (a callback for `fit`)."""


def checked_strategy(training_config):
    """Checks mixed precision, creates the strategy and checks the batch size against it.

    Returns:
        `(strategy, cluster)`: `cluster` is the parsed `TF_CONFIG` for `multi_worker`, else `None`.
    """
    check_mixed_precision(training_config.mixed_precision, training_devices(training_config.strategy))
    strategy = make_strategy(training_config.strategy)
    check_batch_size(training_config.batch_size, strategy)
    cluster = read_tf_config() if training_config.strategy == "multi_worker" else None
    return strategy, cluster


def check_dev_scores(config, splits):
    """Checks that the dev scores the config asks for (`evaluation`) have dev pairs to score.

    Raises:
        ConfigError: `evaluation.dev_bleu_sentences` is set and there are no dev pairs.
    """
    if config.evaluation.dev_bleu_sentences and not splits.dev:
        raise ConfigError(
            "evaluation.dev_bleu_sentences: dev BLEU needs dev pairs, but the data config gives none "
            "(data.dev); give data.dev or set dev_bleu_sentences: 0"
        )


def monitor_for(config, splits):
    """The metric that picks the best checkpoint and drives early stopping (see `TrainingConfig`).

    Also checks that the dev scores the config asks for have dev pairs to score.
    """
    training_config = config.training
    check_dev_scores(config, splits)
    monitor = training_config.monitor or ("val_loss" if splits.dev else "loss")
    watched = training_config.save_best or training_config.early_stopping_patience
    if watched and monitor.startswith("val_") and not splits.dev:
        raise ConfigError(
            f"training.monitor: {monitor!r} needs validation data and this run has none; give "
            f"data.dev, monitor a training metric such as 'loss', or set save_best: false and "
            f"early_stopping_patience: null"
        )
    return monitor


def learn_tokenizers(config, splits, log):
    """Learns both vocabularies from the training corpus sample; returns the tokenizers.

    With `target.shared_vocabulary`, one vocabulary is learned from the sources and the targets
    together, with the source side's settings, and both tokenizers use it.
    """
    corpus = splits.train
    sample = corpus.sample
    of = f" (a seeded sample of the {corpus.size:,})" if len(sample) < corpus.size else ""
    sources, targets = [source for source, _ in sample], [target for _, target in sample]
    if config.target.shared_vocabulary:
        log(f"learning one shared {config.source.tokenizer} vocabulary from both sides of {len(sample):,} pairs{of}")
        source_vocabulary = target_vocabulary = learn_vocabularies([(config.source, sources + targets, "source")])[0]
    else:
        log(f"learning {config.source.tokenizer} / {config.target.tokenizer} vocabularies from {len(sample):,} pairs{of}")
        source_vocabulary, target_vocabulary = learn_vocabularies(
            [(config.source, sources, "source"), (config.target, targets, "target")]
        )
    source_tokenizer = tokenizer_from_config(config.source, source_vocabulary)
    target_tokenizer = tokenizer_from_config(config.target, target_vocabulary)
    log(
        f"data: {corpus.size:,} train, {len(splits.dev):,} dev, {len(splits.test):,} test pairs; "
        f"vocabularies: {source_tokenizer.vocabulary_size} source, {target_tokenizer.vocabulary_size} target"
    )
    return source_tokenizer, target_tokenizer


def _datasets(config, splits, source_tokenizer, target_tokenizer, strategy, position):
    """The training and (if there are dev pairs) validation datasets, ready for `strategy`."""
    training_config = config.training
    pipeline = dict(buckets=config.data.buckets, length_policy=config.data.length_policy)

    def build(batch_size, shard):
        return corpus_dataset(
            splits.train,
            source_tokenizer,
            target_tokenizer,
            batch_size,
            shuffle_buffer=training_config.shuffle_buffer,
            seed=training_config.seed,
            cache=config.data.cache,
            shard=shard,
            position=position,
            **pipeline,
        )

    train_data = sharded_dataset(build, training_config.batch_size, strategy)
    if not splits.dev:
        return train_data, None
    dev_data = make_dataset(splits.dev, source_tokenizer, target_tokenizer, training_config.batch_size, **pipeline)
    return train_data, distribute_options(dev_data, strategy)


def prepare_data(config, splits, strategy, log):
    """Learns the vocabularies, reports the data and builds the datasets that `config` describes.

    Args:
        config: validated `RunConfig`.
        splits: the data splits (`keras_attention.data.sources.load_splits`).
        strategy: the `tf.distribute.Strategy` the datasets are for.
        log: function that prints progress lines.

    Returns:
        A `TrainingData`.
    """
    source_tokenizer, target_tokenizer = learn_tokenizers(config, splits, log)
    data_report = report_data(config, splits, source_tokenizer, target_tokenizer, log)
    position = InputPosition()
    train_data, dev_data = _datasets(config, splits, source_tokenizer, target_tokenizer, strategy, position)
    return TrainingData(source_tokenizer, target_tokenizer, train_data, dev_data, data_report, position)


def model_arguments(config, source_tokenizer, target_tokenizer):
    """`build_seq2seq`'s arguments after the model config, for a run with these tokenizers.

    Returns:
        dict `source_vocabulary_size`, `target_vocabulary_size` and `copy_ids`: with copy
        attention over separate vocabularies, the target id of each source token by token string
        (`copy_target_ids`); `None` otherwise.
    """
    copy_ids = None
    if config.model.copy and not config.target.shared_vocabulary:
        copy_ids = copy_target_ids(source_tokenizer.vocabulary, target_tokenizer.vocabulary)
    return {
        "source_vocabulary_size": source_tokenizer.vocabulary_size,
        "target_vocabulary_size": target_tokenizer.vocabulary_size,
        "copy_ids": copy_ids,
    }


def describe_strategy(training_config, strategy):
    """One line: the strategy, its replicas, the global and per-replica batch, mixed precision."""
    replicas = strategy.num_replicas_in_sync
    return (
        f"strategy: {training_config.strategy} ({type(strategy).__name__.lstrip('_')}, {replicas} replicas); "
        f"global batch {training_config.batch_size}, {training_config.batch_size // replicas} per replica"
        + (f"; mixed precision {training_config.mixed_precision}" if training_config.mixed_precision else "")
    )
