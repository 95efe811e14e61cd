"""The `training` section: how the model is fitted."""

import dataclasses
import typing

from keras_attention.config.checks import choice, positive_int, require
from keras_attention.options.training import DISTRIBUTION_STRATEGIES, LEARNING_RATE_DECAYS, MIXED_PRECISION_POLICIES


@dataclasses.dataclass
class TrainingConfig:
    """How the model is fitted.

    Args:
        batch_size: global batch size.
        epochs: number of passes over the training data.
        learning_rate: Adam learning rate. The default, 3e-3, trained the Bible en-es model to
            dev BLEU 13.5 in 5 minutes, where 2e-3 reached 10.7 and 1e-3 4.5 (BENCHMARKS.md).
            With `learning_rate_decay`, the rate at the start.
        learning_rate_decay: `null` (a constant rate) or one of `LEARNING_RATE_DECAYS`: `linear`
            or `cosine` from `learning_rate` to `final_learning_rate` over the planned run, which
            ends after `epochs` or `max_training_minutes`, whichever comes first
            (`keras_attention.trainer.learning_rate`). The rate is logged as `learning_rate`.
        final_learning_rate: the rate at the planned end with `learning_rate_decay`; >= 0 and
            below `learning_rate`.
        clipnorm: clip the gradient of each variable to this norm on its own (`null` for none).
        global_clipnorm: clip the whole gradient (all variables together) to this norm (`null`
            for none); at most one of `clipnorm` and `global_clipnorm`.
        shuffle_buffer: size of the shuffle buffer of the training pipeline.
        seed: seed of weights initialisation and shuffling.
        early_stopping_patience: epochs without improvement of `monitor` before stopping
            (`null` to train all epochs).
        strategy: `tf.distribute` strategy, one of `DISTRIBUTION_STRATEGIES`: `auto` (`mirrored` when more than
            one GPU is visible, else `default`), `default` (one device), `mirrored` (one replica
            per local GPU, or per logical CPU device when there is no GPU), `multi_worker`
            (several machines, from the `TF_CONFIG` environment variable) or `tpu`.
            `batch_size` is the global batch, split evenly across the replicas.
        mixed_precision: `mixed_float16` (NVIDIA GPUs of compute capability 7.0+),
            `mixed_bfloat16` (TPUs, CPUs, GPUs of compute capability 8.0+) or `null` (float32).
        backup: back up the training state into the run directory so that a rerun of an
            interrupted training resumes from it.
        backup_every_steps: back up every this many training steps (`null`: at each epoch end).
        monitor: logged metric that picks the best checkpoint and drives early stopping, such as
            `val_loss`, `val_sequence_accuracy`, `val_bleu` or `val_rouge_l` (`val_` metrics need
            validation data; `val_bleu` and `val_rouge_l` also need
            `evaluation.dev_bleu_sentences > 0`); `null`: `val_loss`
            when there is validation data, else `loss`. Accuracy, BLEU and ROUGE metrics count
            higher as better, the others lower.
        save_best: keep the weights of the best epoch by `monitor` in `checkpoints/`.
        keep_checkpoints: keep the weights of the last this many epochs in `checkpoints/`
            (for `average-checkpoints`; 0 keeps none).
        attention_images: number of fixed validation examples whose attention heatmaps are
            written to TensorBoard after each epoch (0 for none).
        max_training_minutes: stop training after this many minutes of `fit` (`null`: train all
            epochs). Training stops at the end of the batch that passes the limit; that epoch
            is then validated and checkpointed like any other. A resumed run gets the limit anew.
            Not with `strategy: multi_worker` (workers would stop at different steps).
    """

    batch_size: int = 64
    epochs: int = 10
    learning_rate: float = 3e-3
    learning_rate_decay: typing.Optional[str] = None
    final_learning_rate: float = 0.0
    clipnorm: typing.Optional[float] = 1.0
    global_clipnorm: typing.Optional[float] = None
    shuffle_buffer: int = 20000
    seed: int = 0
    early_stopping_patience: typing.Optional[int] = None
    strategy: str = "auto"
    mixed_precision: typing.Optional[str] = None
    backup: bool = True
    backup_every_steps: typing.Optional[int] = None
    monitor: typing.Optional[str] = None
    save_best: bool = True
    keep_checkpoints: int = 5
    attention_images: int = 3
    max_training_minutes: typing.Optional[float] = None

    def validate(self, key="training"):
        positive_int(self.batch_size, f"{key}.batch_size")
        positive_int(self.epochs, f"{key}.epochs")
        positive_int(self.shuffle_buffer, f"{key}.shuffle_buffer")
        require(self.learning_rate > 0, f"{key}.learning_rate", f"expected > 0, got {self.learning_rate!r}")
        if self.learning_rate_decay is not None:
            choice(self.learning_rate_decay, LEARNING_RATE_DECAYS, f"{key}.learning_rate_decay")
            require(
                0 <= self.final_learning_rate < self.learning_rate,
                f"{key}.final_learning_rate",
                f"expected >= 0 and below learning_rate {self.learning_rate!r}, got {self.final_learning_rate!r}",
            )
        else:
            require(
                self.final_learning_rate == 0.0,
                f"{key}.final_learning_rate",
                "is only used with learning_rate_decay: linear or cosine",
            )
        if self.clipnorm is not None:
            require(self.clipnorm > 0, f"{key}.clipnorm", f"expected > 0 or null, got {self.clipnorm!r}")
        if self.global_clipnorm is not None:
            require(
                self.global_clipnorm > 0,
                f"{key}.global_clipnorm",
                f"expected > 0 or null, got {self.global_clipnorm!r}",
            )
            require(
                self.clipnorm is None,
                f"{key}.global_clipnorm",
                f"only one of clipnorm and global_clipnorm can be set, got clipnorm {self.clipnorm!r}",
            )
        if self.max_training_minutes is not None:
            require(
                self.max_training_minutes > 0,
                f"{key}.max_training_minutes",
                f"expected > 0 or null, got {self.max_training_minutes!r}",
            )
            require(
                self.strategy != "multi_worker",
                f"{key}.max_training_minutes",
                "not supported with strategy 'multi_worker' (each worker's clock would stop it at "
                "a different step); use epochs",
            )
        if self.early_stopping_patience is not None:
            positive_int(self.early_stopping_patience, f"{key}.early_stopping_patience")
        choice(self.strategy, DISTRIBUTION_STRATEGIES, f"{key}.strategy")
        if self.mixed_precision is not None:
            choice(self.mixed_precision, MIXED_PRECISION_POLICIES, f"{key}.mixed_precision")
        if self.backup_every_steps is not None:
            positive_int(self.backup_every_steps, f"{key}.backup_every_steps")
            require(self.backup, f"{key}.backup_every_steps", "is only used with backup: true")
        if self.monitor is not None:
            require(self.monitor.strip() != "", f"{key}.monitor", "expected a metric name such as 'val_loss' or null")
        require(self.keep_checkpoints >= 0, f"{key}.keep_checkpoints", f"expected >= 0, got {self.keep_checkpoints!r}")
        require(self.attention_images >= 0, f"{key}.attention_images", f"expected >= 0, got {self.attention_images!r}")
