"""The run configuration: one object that describes data, text processing, model and training.

A `RunConfig` is a tree of dataclasses. It loads from YAML (`RunConfig.from_yaml`), is validated on
load (unknown keys, wrong types and out-of-range values are reported with the key path and, for
YAML files, the line), and is saved next to every trained model so the run can be rebuilt.

Example:

```python
config = RunConfig.from_yaml("training/configs/dates.yaml")
config.model.decoder_units = 256
config.to_yaml("my.yaml")
```
"""

import contextlib
import dataclasses
import functools
import math
import types
import typing
import warnings
from pathlib import Path

import yaml

from keras_attention.errors import ConfigError
from keras_attention.options import attention as attention_options
from keras_attention.options import decoding as decoding_options
from keras_attention.options.checks import OptionError, check_choice, check_positive_int
from keras_attention.options.data import FILE_FORMATS, LENGTH_POLICIES, ON_ERROR, TASKS
from keras_attention.options.training import DISTRIBUTION_STRATEGIES, MIXED_PRECISION_POLICIES, TUNERS

ATTENTION_PLACEMENTS = ("after_lstm", "in_step")
INITIALIZATIONS = ("keras", "torch")
TOKENIZERS = ("char", "wordpiece", "sentencepiece")
SUBWORD_MODELS = ("unigram", "bpe")
NORMALIZATIONS = ("NFKC", "NFKD", "NFC", "NFD", "none")
# Default `data.vocabulary_sample` by tokenizer kind: the sample that each learns in at most
# 15 s per side on 2 CPU cores from long-tailed text (tf-text's WordPiece learner is pure Python,
# one core per side; BENCHMARKS.md, "Real-sized corpora"). A run takes the smallest of its two sides'.
VOCABULARY_SAMPLES = {"char": 100_000, "wordpiece": 6_000, "sentencepiece": 100_000}
SAMPLINGS = ("linear", "log", "reverse_log")
# Hyperparameters that `tuning.search` may declare, and the config section each one belongs to.
SEARCHABLE = {
    "embedding_dim": "model",
    "encoder_units": "model",
    "encoder_layers": "model",
    "bidirectional": "model",
    "decoder_units": "model",
    "decoder_layers": "model",
    "attention": "model",
    "attention_units": "model",
    "attentional_units": "model",
    "dropout": "model",
    "attention_dropout": "model",
    "learning_rate": "training",
}


def _check(condition, key, message):
    if not condition:
        raise ConfigError(f"{key}: {message}")


@contextlib.contextmanager
def _named(key):
    """Turns the `OptionError` of a check into a `ConfigError` that names the config key.

    `key` is the option's full key (`model.encoder_units`), or, ending in `.`, the section whose
    key the error's option is (`decoding.`).
    """
    try:
        yield
    except OptionError as error:
        full_key = key + error.option if key.endswith(".") else key
        raise ConfigError(f"{full_key}: expected {error.expected}, got {error.value!r}") from None


def _positive_int(value, key):
    with _named(key):
        check_positive_int(value, key)


def _choice(value, choices, key):
    with _named(key):
        check_choice(value, choices, key)


@dataclasses.dataclass
class ModelConfig:
    """Architecture of the encoder-decoder.

    Args:
        embedding_dim: size of the source and target token embeddings.
        encoder_units: LSTM units per encoder layer (per direction when bidirectional).
        encoder_layers: number of stacked encoder LSTM layers.
        bidirectional: whether every encoder layer reads in both directions.
        decoder_units: LSTM units per decoder layer.
        decoder_layers: number of stacked decoder LSTM layers.
        attention: attention score, one of `keras_attention.options.attention.SCORES` (see `AttentionLayer`).
        attention_units: size of the additive scoring space (required for the additive scores
            `ADDITIVE_SCORES`; `null` otherwise).
        attentional_units: size of the attentional vector `tanh(W [c; s])` fed to the output layer.
        dropout: dropout rate on embeddings, between recurrent layers (`after_lstm` only) and on
            the attentional vector.
        attention_scale: scaling of a multiplicative score: `null`, `inverse_sqrt` or `learned`;
            only for `luong_general` and `scaled_dot` (`null` means `inverse_sqrt` for
            `scaled_dot`).
        attention_dropout: fraction of the alignments dropped in training (`after_lstm` only).
        attention_placement: `after_lstm` (attention over the LSTM outputs, parallel over time,
            fast) or `in_step` (attention inside every decoder step, from the previous state, as
            Bahdanau et al. describe).
        input_feeding: whether the previous attentional vector is fed to the next step
            (Luong et al.; `in_step` only).
        coverage: whether the sum of the past alignments enters the score (See et al.; `in_step`
            and additive scores only).
        coverage_loss_weight: weight of the coverage loss term (a number >= 0, required with
            `coverage`; `null` otherwise).
        initialization: weight initialization scheme, one of `INITIALIZATIONS` (see
            `keras_attention.models.initialization`): `torch` (the default: PyTorch's layer
            defaults, uniform +-1/sqrt(fan_in) weights and N(0, 1) embeddings) or `keras`
            (Keras's layer defaults). On the Bible en-es config `torch` scores dev BLEU 6.9
            after a 5-minute training budget where `keras` scores 0.7 (BENCHMARKS.md).
    """

    embedding_dim: int = 64
    encoder_units: int = 128
    encoder_layers: int = 1
    bidirectional: bool = True
    decoder_units: int = 256
    decoder_layers: int = 1
    attention: str = "bahdanau"
    attention_units: typing.Optional[int] = 128
    attentional_units: int = 256
    dropout: float = 0.0
    attention_scale: typing.Optional[str] = None
    attention_dropout: float = 0.0
    attention_placement: str = "after_lstm"
    input_feeding: bool = False
    coverage: bool = False
    coverage_loss_weight: typing.Optional[float] = None
    initialization: str = "torch"

    def validate(self, key="model"):
        for name in (
            "embedding_dim",
            "encoder_units",
            "encoder_layers",
            "decoder_units",
            "decoder_layers",
            "attentional_units",
        ):
            _positive_int(getattr(self, name), f"{key}.{name}")
        _choice(self.attention, attention_options.SCORES, f"{key}.attention")
        additive = self.attention in attention_options.ADDITIVE_SCORES
        if additive:
            _check(
                self.attention_units is not None,
                f"{key}.attention_units",
                f"required (a positive integer) for attention {self.attention!r}, got null",
            )
            _positive_int(self.attention_units, f"{key}.attention_units")
        else:
            _check(
                self.attention_units is None,
                f"{key}.attention_units",
                f"must be null for attention {self.attention!r} (it has no scoring space), "
                f"got {self.attention_units!r}",
            )
        with _named(f"{key}.attention_scale"):
            attention_options.resolve_scale(self.attention, self.attention_scale)
        _check(
            0.0 <= self.dropout < 1.0, f"{key}.dropout", f"expected 0 <= dropout < 1, got {self.dropout!r}"
        )
        _check(
            0.0 <= self.attention_dropout < 1.0,
            f"{key}.attention_dropout",
            f"expected 0 <= attention_dropout < 1, got {self.attention_dropout!r}",
        )
        _choice(self.attention_placement, ATTENTION_PLACEMENTS, f"{key}.attention_placement")
        _choice(self.initialization, INITIALIZATIONS, f"{key}.initialization")
        if self.attention_placement != "in_step":
            for name in ("input_feeding", "coverage"):
                _check(
                    not getattr(self, name),
                    f"{key}.{name}",
                    f"needs attention_placement 'in_step', got attention_placement "
                    f"{self.attention_placement!r}",
                )
        else:
            _check(
                self.attention_dropout == 0.0,
                f"{key}.attention_dropout",
                f"must be 0 with attention_placement 'in_step', got {self.attention_dropout!r}",
            )
        _check(
            not self.coverage or additive,
            f"{key}.coverage",
            f"needs an additive attention {list(attention_options.ADDITIVE_SCORES)}, got attention "
            f"{self.attention!r}",
        )
        if self.coverage:
            _check(
                self.coverage_loss_weight is not None and self.coverage_loss_weight >= 0,
                f"{key}.coverage_loss_weight",
                f"expected a number >= 0 with coverage, got {self.coverage_loss_weight!r}",
            )
        else:
            _check(
                self.coverage_loss_weight is None,
                f"{key}.coverage_loss_weight",
                f"must be null without coverage, got {self.coverage_loss_weight!r}",
            )


@dataclasses.dataclass
class TextConfig:
    """How one side (source or target) of the text is normalized and tokenized.

    Args:
        tokenizer: tokenizer kind, one of `TOKENIZERS`: `char` (every character is a token),
            `wordpiece` (subwords learned from the training text; words are the space-separated
            pieces of the normalized text, so it needs `collapse_whitespace: true`) or
            `sentencepiece` (a SentencePiece model learned from the training text; spaces are
            part of the pieces).
        subword_model: `sentencepiece` only: the model type, one of `SUBWORD_MODELS`: `unigram`
            (a unigram language model over pieces) or `bpe` (byte-pair encoding merges).
        normalization: Unicode normalization form applied first (`none` to skip).
        lowercase: whether to case-fold the text.
        split_punctuation: whether to put a space on both sides of every punctuation character
            (Unicode category P), so that punctuation becomes words of its own.
        collapse_whitespace: whether to strip the ends and turn each run of whitespace into one space.
        max_length: maximum number of tokens (special tokens excluded); longer text is truncated
            or filtered (see `DataConfig.length_policy`) and counted.
        min_count: `char`: characters seen fewer times in the training data map to the unknown
            token. `wordpiece`: the lowest count a multi-character subword needs to enter the
            vocabulary (every character of the training words is always kept). `sentencepiece`
            has no count threshold: it must be 1.
        vocabulary_size: largest vocabulary, special tokens included. `char` keeps the most
            frequent characters; `wordpiece` learns up to this many tokens (within 5% below), but
            always keeps every character of the training words, alone and as a continuation,
            even if that takes more. `sentencepiece` learns exactly this many pieces, or as many
            as the training text allows if that is fewer; the size must hold every character of
            the training text and the special tokens (a smaller one is an error that says the
            smallest possible).
    """

    tokenizer: str = "char"
    subword_model: str = "unigram"
    normalization: str = "NFKC"
    lowercase: bool = False
    split_punctuation: bool = False
    collapse_whitespace: bool = True
    max_length: int = 128
    min_count: int = 1
    vocabulary_size: int = 8000

    def validate(self, key):
        _choice(self.tokenizer, TOKENIZERS, f"{key}.tokenizer")
        _choice(self.subword_model, SUBWORD_MODELS, f"{key}.subword_model")
        _check(
            self.tokenizer == "sentencepiece" or self.subword_model == "unigram",
            f"{key}.subword_model",
            f"{self.subword_model!r} needs tokenizer 'sentencepiece', got tokenizer {self.tokenizer!r}",
        )
        _choice(self.normalization, NORMALIZATIONS, f"{key}.normalization")
        _positive_int(self.max_length, f"{key}.max_length")
        _positive_int(self.min_count, f"{key}.min_count")
        _check(
            self.vocabulary_size > 4,
            f"{key}.vocabulary_size",
            f"expected more than the 4 special tokens, got {self.vocabulary_size!r}",
        )
        if self.tokenizer == "wordpiece":
            _check(
                self.collapse_whitespace,
                f"{key}.collapse_whitespace",
                "must be true for tokenizer 'wordpiece' (words are split at single spaces), got false",
            )
        if self.tokenizer == "sentencepiece":
            _check(
                self.min_count == 1,
                f"{key}.min_count",
                f"must be 1 for tokenizer 'sentencepiece' (it has no count threshold), got {self.min_count!r}",
            )


@dataclasses.dataclass
class DataConfig:
    """Where the training pairs come from, and how they become batches.

    Relative file paths in a YAML config are resolved against the directory of the config file
    when it is loaded (`RunConfig.from_yaml`), so a config works from any working directory; the
    config saved with a run holds the resolved absolute paths. In a config built from a dict they
    are used as given (relative to the working directory).

    Args:
        format: where pairs come from, one of `TASKS`: the built-in task or a file format
            (`keras_attention.options.data.FILE_FORMATS`). `task`, its name before, still works
            (as a key and an argument) with a deprecation warning.
            `dates` (built-in generated dates task);
            `tsv` (files of `source<TAB>target` lines);
            `anki` (Anki / Tatoeba exports: `source<TAB>target<TAB>attribution` lines);
            `parallel` (two line-aligned plain-text files, `PATH + source_suffix` and
            `PATH + target_suffix`, the OPUS / WMT form);
            `jsonl` (one JSON object per line, text in `source_field` and `target_field`).
        train: training file(s) of a file format: a path, a glob pattern (`corpus/part-*.tsv.gz`) or
            a list of them, plain or gzip-compressed (`.gz`); for `parallel`, the path (pattern)
            before the suffixes. Training streams them with `tf.data` (see
            `keras_attention.data.corpus`): memory does not grow with their size.
        dev: validation file (file formats, optional).
        test: held-out file scored at the end of training (file formats, optional).
        source_suffix: `parallel`: suffix of the source files, e.g. `.en`.
        target_suffix: `parallel`: suffix of the target files, e.g. `.es`.
        source_field: `jsonl`: name of the source text field.
        target_field: `jsonl`: name of the target text field.
        on_error: what a malformed line does (missing tab, empty side, invalid UTF-8, bad JSON,
            missing field): `raise` stops with an error naming the file and line; `skip` leaves
            the line out and counts it by reason in the training report. A missing or empty
            file and files of different lengths always raise.
        length_policy: what happens to a training or validation pair with more tokens than
            `source.max_length` or `target.max_length`: `truncate` it or `filter` it out; either
            way it is counted in the training report.
        buckets: number of length buckets for batching (`tf.data` `bucket_by_sequence_length`);
            pairs of similar length are batched together, which saves padding. 1 turns it off.
        cache: cache the tokenized training pairs in memory after the first epoch, so that later
            epochs do not tokenize again; memory then grows with the corpus, so leave it off for
            corpora that do not fit in memory.
        vocabulary_sample: the most training pairs (sentences per side) that the vocabularies
            are learned from and the length report counts: a seeded uniform sample, drawn in the
            one pass that checks the training files. `null` (the default) takes the smallest
            default of the two sides' tokenizers (`VOCABULARY_SAMPLES`: 6,000 for `wordpiece`,
            whose learner is slow, 100,000 for `char` and `sentencepiece`), which keeps
            vocabulary learning under 30 s on 2 CPU cores for any corpus size (BENCHMARKS.md).
        num_train: number of generated training pairs (`dates` task).
        num_dev: number of generated validation pairs (`dates` task).
        num_test: number of generated held-out pairs, never in the training set (`dates` task).
        seed: seed of the generated data (`dates` task).
    """

    format: str = "dates"
    train: typing.Union[str, typing.List[str], None] = None
    dev: typing.Optional[str] = None
    test: typing.Optional[str] = None
    source_suffix: typing.Optional[str] = None
    target_suffix: typing.Optional[str] = None
    source_field: str = "source"
    target_field: str = "target"
    on_error: str = "raise"
    length_policy: str = "truncate"
    buckets: int = 8
    cache: bool = False
    vocabulary_sample: typing.Optional[int] = None
    num_train: int = 20000
    num_dev: int = 1000
    num_test: int = 2000
    seed: int = 0

    def validate(self, key="data"):
        _choice(self.format, TASKS, f"{key}.format")
        _choice(self.on_error, ON_ERROR, f"{key}.on_error")
        _choice(self.length_policy, LENGTH_POLICIES, f"{key}.length_policy")
        _positive_int(self.buckets, f"{key}.buckets")
        if self.vocabulary_sample is not None:
            _positive_int(self.vocabulary_sample, f"{key}.vocabulary_sample")
        if isinstance(self.train, list):
            _check(
                bool(self.train), f"{key}.train", "expected a path, a glob pattern or a non-empty list of them, got []"
            )
        if self.format in FILE_FORMATS:
            _check(self.train is not None, f"{key}.train", f"required for format {self.format!r}, got null")
        else:
            for name in ("train", "dev", "test"):
                _check(
                    getattr(self, name) is None,
                    f"{key}.{name}",
                    f"files are only read for formats {list(FILE_FORMATS)}, got {getattr(self, name)!r} "
                    f"with format {self.format!r}",
                )
            _positive_int(self.num_train, f"{key}.num_train")
            _positive_int(self.num_dev, f"{key}.num_dev")
            _positive_int(self.num_test, f"{key}.num_test")
        for name in ("source_suffix", "target_suffix"):
            if self.format == "parallel":
                _check(bool(getattr(self, name)), f"{key}.{name}", "required for format 'parallel', got null")
            else:
                _check(
                    getattr(self, name) is None,
                    f"{key}.{name}",
                    f"only used by format 'parallel', got {getattr(self, name)!r} with format {self.format!r}",
                )
        for name in ("source_field", "target_field"):
            _check(bool(getattr(self, name)), f"{key}.{name}", "expected a field name, got ''")

    def resolve_paths(self, directory):
        """Makes relative `train`, `dev` and `test` paths absolute, relative to `directory`."""
        if isinstance(self.train, list):
            self.train = [_resolved(path, directory) for path in self.train]
        else:
            self.train = _resolved(self.train, directory)
        self.dev, self.test = _resolved(self.dev, directory), _resolved(self.test, directory)


def _resolved(path, directory):
    """`path` (a file or glob pattern) made absolute against `directory`; `None` stays `None`."""
    if path is None or Path(path).is_absolute():
        return path
    return str((Path(directory) / path).resolve())


# `data.task` was renamed `data.format`; the old name keeps working, with a warning.
RENAMED_KEYS = {"data.task": "data.format"}


def _warn_renamed(old, where=""):
    warnings.warn(
        f"{where}{old} is deprecated: it is now {RENAMED_KEYS[old]} (same values); rename it",
        FutureWarning,
        stacklevel=3,
    )


def _data_config_init(init):
    @functools.wraps(init)
    def __init__(self, *args, task=None, **kwargs):
        if task is not None:
            if "format" in kwargs:
                raise TypeError("DataConfig got both task and format; task is the deprecated name of format")
            _warn_renamed("data.task")
            kwargs["format"] = task
        init(self, *args, **kwargs)

    return __init__


def _task(self):
    _warn_renamed("data.task")
    return self.format


def _set_task(self, value):
    _warn_renamed("data.task")
    self.format = value


DataConfig.__init__ = _data_config_init(DataConfig.__init__)
DataConfig.task = property(_task, _set_task, doc="Deprecated name of `format`.")


@dataclasses.dataclass
class TrainingConfig:
    """How the model is fitted.

    Args:
        batch_size: global batch size.
        epochs: number of passes over the training data.
        learning_rate: Adam learning rate. The default, 3e-3, trained the Bible en-es model to
            dev BLEU 13.5 in 5 minutes, where 2e-3 reached 10.7 and 1e-3 4.5 (BENCHMARKS.md).
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
            `val_loss`, `val_sequence_accuracy` or `val_bleu` (`val_` metrics need validation
            data; `val_bleu` also needs `evaluation.dev_bleu_sentences > 0`); `null`: `val_loss`
            when there is validation data, else `loss`. Accuracy and BLEU metrics count higher
            as better, the others lower.
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
        _positive_int(self.batch_size, f"{key}.batch_size")
        _positive_int(self.epochs, f"{key}.epochs")
        _positive_int(self.shuffle_buffer, f"{key}.shuffle_buffer")
        _check(self.learning_rate > 0, f"{key}.learning_rate", f"expected > 0, got {self.learning_rate!r}")
        if self.clipnorm is not None:
            _check(self.clipnorm > 0, f"{key}.clipnorm", f"expected > 0 or null, got {self.clipnorm!r}")
        if self.global_clipnorm is not None:
            _check(
                self.global_clipnorm > 0,
                f"{key}.global_clipnorm",
                f"expected > 0 or null, got {self.global_clipnorm!r}",
            )
            _check(
                self.clipnorm is None,
                f"{key}.global_clipnorm",
                f"only one of clipnorm and global_clipnorm can be set, got clipnorm {self.clipnorm!r}",
            )
        if self.max_training_minutes is not None:
            _check(
                self.max_training_minutes > 0,
                f"{key}.max_training_minutes",
                f"expected > 0 or null, got {self.max_training_minutes!r}",
            )
            _check(
                self.strategy != "multi_worker",
                f"{key}.max_training_minutes",
                "not supported with strategy 'multi_worker' (each worker's clock would stop it at "
                "a different step); use epochs",
            )
        if self.early_stopping_patience is not None:
            _positive_int(self.early_stopping_patience, f"{key}.early_stopping_patience")
        _choice(self.strategy, DISTRIBUTION_STRATEGIES, f"{key}.strategy")
        if self.mixed_precision is not None:
            _choice(self.mixed_precision, MIXED_PRECISION_POLICIES, f"{key}.mixed_precision")
        if self.backup_every_steps is not None:
            _positive_int(self.backup_every_steps, f"{key}.backup_every_steps")
            _check(self.backup, f"{key}.backup_every_steps", "is only used with backup: true")
        if self.monitor is not None:
            _check(self.monitor.strip() != "", f"{key}.monitor", "expected a metric name such as 'val_loss' or null")
        _check(self.keep_checkpoints >= 0, f"{key}.keep_checkpoints", f"expected >= 0, got {self.keep_checkpoints!r}")
        _check(self.attention_images >= 0, f"{key}.attention_images", f"expected >= 0, got {self.attention_images!r}")


@dataclasses.dataclass
class EvaluationConfig:
    """Dev-set BLEU during training.

    Args:
        dev_bleu_sentences: after every epoch, translate the first this many dev pairs and log
            their sacreBLEU corpus BLEU as `val_bleu` (progress bar, `history.csv`, TensorBoard),
            which `training.monitor` can then follow; 0 turns it off.
    """

    dev_bleu_sentences: int = 0

    def validate(self, key="evaluation"):
        _check(
            self.dev_bleu_sentences >= 0,
            f"{key}.dev_bleu_sentences",
            f"expected 0 (off) or a positive integer, got {self.dev_bleu_sentences!r}",
        )


@dataclasses.dataclass
class DecodingConfig:
    """How translations are produced (see `keras_attention.decoding`).

    Args:
        max_length: maximum number of output tokens.
        batch_size: sentences decoded together.
        strategy: one of `keras_attention.options.decoding.STRATEGIES`: `greedy` (most probable token at each step),
            `beam` (beam search) or `sample` (random draws).
        beam_size: hypotheses kept per sentence (`beam`).
        length_penalty: GNMT length penalty weight `alpha >= 0`, 0 for none (`beam`).
        coverage_penalty: GNMT coverage penalty weight `beta >= 0`, 0 for none (`beam`).
        n_best: hypotheses returned per sentence, at most `beam_size`; above 1 needs `beam`.
        temperature: sampling temperature, `> 0` (`sample`).
        top_k: draw from the `top_k` most probable tokens only, `null` for all (`sample`).
        seed: seed of the random draws, `null` for a different one at each run (`sample`).
        max_length_ratio: also stop each output after `ceil(max_length_ratio * source length)`
            tokens, both lengths counting `</s>`; `null` for no relative limit.
    """

    max_length: int = 128
    batch_size: int = 256
    strategy: str = "greedy"
    beam_size: int = 5
    length_penalty: float = 0.0
    coverage_penalty: float = 0.0
    n_best: int = 1
    temperature: float = 1.0
    top_k: typing.Optional[int] = None
    seed: typing.Optional[int] = None
    max_length_ratio: typing.Optional[float] = None

    def validate(self, key="decoding"):
        options = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        del options["strategy"], options["seed"]
        with _named(f"{key}."):
            decoding_options.check_decoding_options(self.strategy, **options)


@dataclasses.dataclass
class HyperparameterSpec:
    """The values one hyperparameter of `tuning.search` may take: a list of choices or a range.

    Give either `choices` or `min` and `max` (with `step` and `sampling` optional).

    Args:
        choices: the values to choose from (any searchable field; the only form for `bidirectional`
            and `attention`).
        min: smallest value of a range (numeric fields).
        max: largest value of a range, included.
        step: spacing of the values of a range, linear sampling only (`null`: integers 1, floats
            continuous).
        sampling: how a range is sampled: `linear`, `log` (for learning rates and sizes spanning
            orders of magnitude; needs `min > 0`) or `reverse_log`.
        default: the value tried first by Bayesian optimization and used when the hyperparameter
            is inactive; `null` takes the value of the normal config section (`model.*` or
            `training.learning_rate`), which must then lie in the search space.
    """

    choices: typing.Optional[list] = None
    min: typing.Any = None
    max: typing.Any = None
    step: typing.Any = None
    sampling: str = "linear"
    default: typing.Any = None

    def validate(self, key, base_value, kind):
        """Checks the spec of a field whose values have Python type `kind` (bool, int, float, str).

        Args:
            key: `tuning.search.NAME`, for error messages.
            base_value: the field's value in the normal config (the default default).
            kind: the field's type.

        Returns:
            The values to check against the field's own rules: the choices, or the range ends.
        """
        ranged = self.min is not None or self.max is not None
        _check(
            self.choices is not None or ranged,
            key,
            "expected either choices: [...] or min: and max: (a range)",
        )
        if self.choices is not None:
            _check(not ranged, key, "give either choices or min/max, not both")
            _check(len(self.choices) > 0, f"{key}.choices", "expected a non-empty list of values, got []")
            for value in self.choices:
                _check_kind(value, kind, f"{key}.choices")
            _check(
                len(set(self.choices)) == len(self.choices),
                f"{key}.choices",
                f"expected distinct values, got {self.choices!r}",
            )
            _check(self.step is None, f"{key}.step", "only used with min/max")
            _check(self.sampling == "linear", f"{key}.sampling", "only used with min/max")
            values = list(self.choices)
        else:
            _check(
                kind in (int, float),
                key,
                f"is a {kind.__name__} field: give choices: [...], not a range",
            )
            for name in ("min", "max"):
                _check(getattr(self, name) is not None, f"{key}.{name}", "required with a range, got null")
                _check_kind(getattr(self, name), kind, f"{key}.{name}")
            _check(self.min <= self.max, f"{key}.min", f"min ({self.min!r}) must not exceed max ({self.max!r})")
            if self.step is not None:
                _check_kind(self.step, kind, f"{key}.step")
                _check(self.step > 0, f"{key}.step", f"expected > 0 or null, got {self.step!r}")
                _check(self.sampling == "linear", f"{key}.step", "is only used with linear sampling")
            _choice(self.sampling, SAMPLINGS, f"{key}.sampling")
            if self.sampling != "linear":
                _check(self.min > 0, f"{key}.sampling", f"{self.sampling!r} sampling needs min > 0, got {self.min!r}")
            values = [self.min, self.max]
        default = self.default_value(base_value)
        if default is not None:
            _check_kind(default, kind, f"{key}.default")
            _check(
                self.contains(default),
                f"{key}.default",
                f"{default!r} (from {'tuning' if self.default is not None else 'the normal config'}) "
                f"is outside the search space; set default: to a value in it",
            )
        return values

    def default_value(self, base_value):
        """The default: `default`, else the normal config's value."""
        return self.default if self.default is not None else base_value

    def contains(self, value):
        """Whether `value` is one of the choices or inside the range (on a step)."""
        if self.choices is not None:
            return value in self.choices
        if not self.min <= value <= self.max:
            return False
        return self.step is None or math.isclose(
            (value - self.min) / self.step, round((value - self.min) / self.step), abs_tol=1e-9
        )


def _check_kind(value, kind, key):
    valid = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        valid = True
    _check(valid, key, f"expected {kind.__name__} values, got {type(value).__name__} {value!r}")


@dataclasses.dataclass
class TuningConfig:
    """Hyperparameter search with keras-tuner (`keras-attention tune`).

    Every hyperparameter not in `search` keeps its value from the normal config sections, so the
    best trial is written back as a plain training config.

    Args:
        tuner: search algorithm, one of `TUNERS`: `hyperband` (successive halving of many short
            trials), `bayesian` (Gaussian-process Bayesian optimization) or `random`.
        objective: logged metric to optimize: `val_loss` (default), `loss`, `[val_]token_accuracy`,
            `[val_]sequence_accuracy`, or, with `evaluation.dev_bleu_sentences > 0`, `val_bleu` or
            `val_exact_match` (greedy translations of the dev sentences). Losses are minimized,
            the others maximized.
        max_trials: number of trials (`bayesian` and `random`; Hyperband's brackets decide its
            own number).
        max_epochs: `hyperband`: most epochs one trial trains (`null`: `training.epochs`).
            The other tuners train every trial `training.epochs` epochs.
        factor: `hyperband`: reduction factor of epochs and trials between rounds (>= 2).
        hyperband_iterations: `hyperband`: how many times the whole algorithm runs.
        executions_per_trial: models trained from scratch per trial; the objective is averaged.
        seed: seed of the search algorithm.
        max_retries_per_trial: reruns of a trial that raised an error before it counts as failed.
        max_consecutive_failed_trials: the search stops with an error after this many failed
            trials in a row.
        search: hyperparameter name (one of `SEARCHABLE`) -> `HyperparameterSpec`.
    """

    tuner: str = "hyperband"
    objective: str = "val_loss"
    max_trials: int = 10
    max_epochs: typing.Optional[int] = None
    factor: int = 3
    hyperband_iterations: int = 1
    executions_per_trial: int = 1
    seed: int = 0
    max_retries_per_trial: int = 0
    max_consecutive_failed_trials: int = 3
    search: typing.Dict[str, HyperparameterSpec] = dataclasses.field(default_factory=dict)

    def validate(self, config, key="tuning"):
        """Checks the tuner settings and every spec of `search` against the rest of `config`."""
        _choice(self.tuner, TUNERS, f"{key}.tuner")
        _check(self.objective.strip() != "", f"{key}.objective", "expected a metric name such as 'val_loss'")
        for name in ("max_trials", "hyperband_iterations", "executions_per_trial", "max_consecutive_failed_trials"):
            _positive_int(getattr(self, name), f"{key}.{name}")
        if self.max_epochs is not None:
            _positive_int(self.max_epochs, f"{key}.max_epochs")
        _check(self.factor >= 2, f"{key}.factor", f"expected an integer >= 2, got {self.factor!r}")
        _check(
            self.max_retries_per_trial >= 0,
            f"{key}.max_retries_per_trial",
            f"expected >= 0, got {self.max_retries_per_trial!r}",
        )
        _check(bool(self.search), f"{key}.search", "expected at least one hyperparameter to search")
        for name, spec in self.search.items():
            self._validate_spec(name, spec, config, f"{key}.search.{name}")
        if "attention_units" in self.search:
            scores = self.search["attention"].choices if "attention" in self.search else [config.model.attention]
            _check(
                any(score in attention_options.ADDITIVE_SCORES for score in scores),
                f"{key}.search.attention_units",
                f"only additive scores {list(attention_options.ADDITIVE_SCORES)} use it, and the attention "
                f"searched or configured is {scores!r}",
            )

    def _validate_spec(self, name, spec, config, key):
        _check(name in SEARCHABLE, key, f"unknown hyperparameter; searchable: {list(SEARCHABLE)}")
        section = getattr(config, SEARCHABLE[name])
        for value in spec.validate(key, getattr(section, name), hyperparameter_type(name)):
            trial = trial_config(config, {name: value}, searched=self.search)
            try:
                trial.model.validate()
                trial.training.validate()
            except ConfigError as error:
                raise ConfigError(f"{key}: {value!r} is not a valid {SEARCHABLE[name]}.{name} ({error})") from None


def hyperparameter_type(name):
    """The Python type (bool, int, float or str) of searchable hyperparameter `name`."""
    section = {"model": ModelConfig, "training": TrainingConfig}[SEARCHABLE[name]]
    hint = typing.get_type_hints(section)[name]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint


def trial_config(config, values, searched=None):
    """The run config of one trial: `config` with the hyperparameter `values` put in place.

    Fields tied to the attention score follow it: `attention_units` becomes `null` for a
    multiplicative score (and, when the config has none, takes the searched range's default
    for an additive one), and `attention_scale` falls back to `null` where the score has no
    scale.

    Args:
        config: the `RunConfig` being tuned.
        values: hyperparameter name (of `SEARCHABLE`) -> value.
        searched: the `tuning.search` specs (for the defaults of inactive hyperparameters).

    Returns:
        A new `RunConfig` without a `tuning` section (not validated).
    """
    searched = searched or {}
    model = dataclasses.replace(config.model)
    training = dataclasses.replace(config.training)
    for name, value in values.items():
        setattr(model if SEARCHABLE[name] == "model" else training, name, value)
    if model.attention in attention_options.ADDITIVE_SCORES:
        if model.attention_units is None and "attention_units" in searched:
            spec = searched["attention_units"]
            model.attention_units = spec.default_value(None) or (spec.choices[0] if spec.choices else spec.min)
    else:
        model.attention_units = None
    if model.attention_scale not in attention_options.SCALES.get(model.attention, (None,)):
        model.attention_scale = None
    return dataclasses.replace(config, model=model, training=training, tuning=None)


@dataclasses.dataclass
class RunConfig:
    """Everything that describes a run: data, text processing, model, training, decoding, evaluation.

    The optional `tuning` section (`TuningConfig`) declares a hyperparameter search; training
    ignores it.
    """

    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    source: TextConfig = dataclasses.field(default_factory=TextConfig)
    target: TextConfig = dataclasses.field(default_factory=TextConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    training: TrainingConfig = dataclasses.field(default_factory=TrainingConfig)
    decoding: DecodingConfig = dataclasses.field(default_factory=DecodingConfig)
    evaluation: EvaluationConfig = dataclasses.field(default_factory=EvaluationConfig)
    tuning: typing.Optional[TuningConfig] = None

    def validate(self):
        """Checks every value; raises `ConfigError` naming the key."""
        self.data.validate("data")
        self.source.validate("source")
        self.target.validate("target")
        self.model.validate("model")
        self.training.validate("training")
        self.decoding.validate("decoding")
        self.evaluation.validate("evaluation")
        _check(
            self.training.monitor != "val_bleu" or self.evaluation.dev_bleu_sentences > 0,
            "training.monitor",
            "'val_bleu' needs evaluation.dev_bleu_sentences > 0, got 0",
        )
        if self.tuning is not None:
            self.tuning.validate(self, "tuning")
        return self

    def vocabulary_sample_size(self):
        """`data.vocabulary_sample`, else the smallest `VOCABULARY_SAMPLES` of the two sides' tokenizers."""
        if self.data.vocabulary_sample is not None:
            return self.data.vocabulary_sample
        return min(VOCABULARY_SAMPLES[side.tokenizer] for side in (self.source, self.target))

    def to_dict(self):
        """The config as nested dicts; the optional `tuning` section only when it is set."""
        data = dataclasses.asdict(self)
        if self.tuning is None:
            del data["tuning"]
        return data

    @classmethod
    def from_dict(cls, data, origin="config"):
        """Builds and validates a config from nested dicts.

        Args:
            data: nested mapping; missing keys take their defaults.
            origin: name used in error messages (a file path, usually).

        Returns:
            A validated `RunConfig`.
        """
        return _load(cls, data, origin, lines={})

    @classmethod
    def from_yaml(cls, path):
        """Reads, validates and returns the config in YAML file `path`.

        Relative data file paths are resolved against the directory of `path`.
        """
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {str(path)!r} does not exist")
        text = path.read_text(encoding="utf-8")
        try:
            node = yaml.compose(text)
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from None
        config = _load(cls, data or {}, str(path), lines=_key_lines(node))
        config.data.resolve_paths(path.parent)
        return config

    def to_yaml(self, path):
        """Writes the full config (defaults included) to `path`."""
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False), encoding="utf-8")


def _key_lines(node, prefix=""):
    """Maps each dotted key path of a YAML mapping node to its 1-based line number."""
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            lines[key] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, key + "."))
    return lines


def _load(cls, data, origin, lines):
    try:
        return _build(cls, data, "", lines, origin).validate()
    except ConfigError as error:
        message = str(error)
        key = message.split(":", 1)[0]
        while key not in lines and "." in key:  # a key that is absent: the line of its section
            key = key.rsplit(".", 1)[0]
        where = f"{origin}, line {lines[key]}" if key in lines else origin
        raise ConfigError(f"{where}: {message}") from None


def _build(cls, data, prefix, lines, origin):
    where = prefix.rstrip(".") or "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys to values, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    values = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path in RENAMED_KEYS:
            new_path = RENAMED_KEYS[path]
            key = new_path.rsplit(".", 1)[-1]
            if key in data:
                raise ConfigError(f"{path}: the deprecated name of {new_path}, which is also given; keep only {new_path}")
            _warn_renamed(path, f"{origin}, line {lines[path]}: " if path in lines else f"{origin}: ")
        if key not in names:
            raise ConfigError(f"{path}: unknown key; {where} allows {names}")
        values[key] = _build_value(value, hints[key], path, lines, origin)
    return cls(**values)


def _build_value(value, hint, path, lines, origin):
    """Builds a section (a dataclass, optional or not), a mapping of names to sections, or a value."""
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
    base = next(arg for arg in typing.get_args(hint) if arg is not type(None)) if optional else hint
    if dataclasses.is_dataclass(base):
        return None if optional and value is None else _build(base, value, path + ".", lines, origin)
    if typing.get_origin(base) is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a mapping of names to settings, got {type(value).__name__}")
        section = typing.get_args(base)[1]
        return {name: _build(section, item, f"{path}.{name}.", lines, origin) for name, item in value.items()}
    return _coerce(value, hint, path)


def _coerce(value, hint, path):
    """Checks `value` against the type hint; ints are accepted where floats are expected."""
    if hint is typing.Any:
        return value
    choices = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(choices) > 1:
        return _coerce_choice(value, choices, type(None) in typing.get_args(hint), path)
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
    base = next(arg for arg in typing.get_args(hint) if arg is not type(None)) if optional else hint
    if value is None:
        if optional:
            return None
        raise ConfigError(f"{path}: expected {base.__name__}, got null")
    if base is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if base is int and isinstance(value, bool) or not isinstance(value, base):
        expected = f"{base.__name__} or null" if optional else base.__name__
        raise ConfigError(f"{path}: expected {expected}, got {type(value).__name__} {value!r}")
    return value


def _coerce_choice(value, choices, optional, path):
    """Checks `value` against a union such as `str | list[str]` (lists: every item checked)."""
    if value is None and optional:
        return None
    for choice in choices:
        if typing.get_origin(choice) is list:
            item = typing.get_args(choice)[0]
            if isinstance(value, list) and all(isinstance(element, item) for element in value):
                return value
        elif isinstance(value, choice):
            return value
    names = " or ".join(
        f"a list of {typing.get_args(choice)[0].__name__}" if typing.get_origin(choice) is list else choice.__name__
        for choice in choices
    )
    raise ConfigError(f"{path}: expected {names}{' or null' if optional else ''}, got {type(value).__name__} {value!r}")
