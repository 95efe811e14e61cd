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

import dataclasses
import types
import typing
from pathlib import Path

import yaml

from keras_attention.errors import ConfigError

ATTENTION_SCORES = ("bahdanau", "luong_dot", "luong_general")
TOKENIZERS = ("char",)
NORMALIZATIONS = ("NFKC", "NFKD", "NFC", "NFD", "none")
TASKS = ("dates", "tsv")
STRATEGIES = ("auto", "default", "mirrored", "multi_worker", "tpu")
MIXED_PRECISION_POLICIES = ("mixed_float16", "mixed_bfloat16")


def _check(condition, key, message):
    if not condition:
        raise ConfigError(f"{key}: {message}")


def _positive_int(value, key):
    _check(value > 0, key, f"expected a positive integer, got {value!r}")


def _choice(value, choices, key):
    _check(value in choices, key, f"expected one of {list(choices)}, got {value!r}")


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
        attention: attention score, one of `ATTENTION_SCORES`.
        attention_units: size of the additive scoring space (`bahdanau` only; `null` otherwise).
        attentional_units: size of the attentional vector `tanh(W [c; s])` fed to the output layer.
        dropout: dropout rate on embeddings and between recurrent layers.
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
        _choice(self.attention, ATTENTION_SCORES, f"{key}.attention")
        if self.attention == "bahdanau":
            _check(
                self.attention_units is not None,
                f"{key}.attention_units",
                "required (a positive integer) for attention 'bahdanau', got null",
            )
            _positive_int(self.attention_units, f"{key}.attention_units")
        else:
            _check(
                self.attention_units is None,
                f"{key}.attention_units",
                f"must be null for attention {self.attention!r} (it has no scoring space), "
                f"got {self.attention_units!r}",
            )
        _check(
            0.0 <= self.dropout < 1.0, f"{key}.dropout", f"expected 0 <= dropout < 1, got {self.dropout!r}"
        )


@dataclasses.dataclass
class TextConfig:
    """How one side (source or target) of the text is normalized and tokenized.

    Args:
        tokenizer: tokenizer kind, one of `TOKENIZERS`.
        normalization: Unicode normalization form applied first (`none` to skip).
        lowercase: whether to case-fold the text.
        collapse_whitespace: whether to strip the ends and turn each run of whitespace into one space.
        max_length: maximum number of tokens (special tokens excluded); longer text is truncated
            and counted.
        min_count: tokens seen fewer times in the training data map to the unknown token.
    """

    tokenizer: str = "char"
    normalization: str = "NFKC"
    lowercase: bool = False
    collapse_whitespace: bool = True
    max_length: int = 128
    min_count: int = 1

    def validate(self, key):
        _choice(self.tokenizer, TOKENIZERS, f"{key}.tokenizer")
        _choice(self.normalization, NORMALIZATIONS, f"{key}.normalization")
        _positive_int(self.max_length, f"{key}.max_length")
        _positive_int(self.min_count, f"{key}.min_count")


@dataclasses.dataclass
class DataConfig:
    """Where the training pairs come from.

    Args:
        task: `dates` (built-in generated dates task) or `tsv` (files of `source<TAB>target` lines).
        train: training TSV file (`tsv` task).
        dev: validation TSV file (`tsv` task, optional).
        test: held-out TSV file scored at the end of training (`tsv` task, optional).
        num_train: number of generated training pairs (`dates` task).
        num_dev: number of generated validation pairs (`dates` task).
        num_test: number of generated held-out pairs, never in the training set (`dates` task).
        seed: seed of the generated data (`dates` task).
    """

    task: str = "dates"
    train: typing.Optional[str] = None
    dev: typing.Optional[str] = None
    test: typing.Optional[str] = None
    num_train: int = 20000
    num_dev: int = 1000
    num_test: int = 2000
    seed: int = 0

    def validate(self, key="data"):
        _choice(self.task, TASKS, f"{key}.task")
        if self.task == "tsv":
            _check(self.train is not None, f"{key}.train", "required for task 'tsv', got null")
        else:
            for name in ("train", "dev", "test"):
                _check(
                    getattr(self, name) is None,
                    f"{key}.{name}",
                    f"files are only read for task 'tsv', got {getattr(self, name)!r} "
                    f"with task {self.task!r}",
                )
            _positive_int(self.num_train, f"{key}.num_train")
            _positive_int(self.num_dev, f"{key}.num_dev")
            _positive_int(self.num_test, f"{key}.num_test")


@dataclasses.dataclass
class TrainingConfig:
    """How the model is fitted.

    Args:
        batch_size: global batch size.
        epochs: number of passes over the training data.
        learning_rate: Adam learning rate.
        clipnorm: gradient norm clipping (`null` for none).
        shuffle_buffer: size of the shuffle buffer of the training pipeline.
        seed: seed of weights initialisation and shuffling.
        early_stopping_patience: epochs without improvement of `monitor` before stopping
            (`null` to train all epochs).
        strategy: `tf.distribute` strategy, one of `STRATEGIES`: `auto` (`mirrored` when more than
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
            `val_loss` or `val_sequence_accuracy` (`val_` metrics need validation data); `null`:
            `val_loss` when there is validation data, else `loss`.
        save_best: keep the weights of the best epoch by `monitor` in `checkpoints/`.
        keep_checkpoints: keep the weights of the last this many epochs in `checkpoints/`
            (for `average-checkpoints`; 0 keeps none).
        attention_images: number of fixed validation examples whose attention heatmaps are
            written to TensorBoard after each epoch (0 for none).
    """

    batch_size: int = 64
    epochs: int = 10
    learning_rate: float = 1e-3
    clipnorm: typing.Optional[float] = 1.0
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

    def validate(self, key="training"):
        _positive_int(self.batch_size, f"{key}.batch_size")
        _positive_int(self.epochs, f"{key}.epochs")
        _positive_int(self.shuffle_buffer, f"{key}.shuffle_buffer")
        _check(self.learning_rate > 0, f"{key}.learning_rate", f"expected > 0, got {self.learning_rate!r}")
        if self.clipnorm is not None:
            _check(self.clipnorm > 0, f"{key}.clipnorm", f"expected > 0 or null, got {self.clipnorm!r}")
        if self.early_stopping_patience is not None:
            _positive_int(self.early_stopping_patience, f"{key}.early_stopping_patience")
        _choice(self.strategy, STRATEGIES, f"{key}.strategy")
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
class DecodingConfig:
    """How translations are produced.

    Args:
        max_length: maximum number of output tokens.
        batch_size: sentences decoded together.
    """

    max_length: int = 128
    batch_size: int = 256

    def validate(self, key="decoding"):
        _positive_int(self.max_length, f"{key}.max_length")
        _positive_int(self.batch_size, f"{key}.batch_size")


@dataclasses.dataclass
class RunConfig:
    """Everything that describes a run: data, text processing, model, training and decoding."""

    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    source: TextConfig = dataclasses.field(default_factory=TextConfig)
    target: TextConfig = dataclasses.field(default_factory=TextConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    training: TrainingConfig = dataclasses.field(default_factory=TrainingConfig)
    decoding: DecodingConfig = dataclasses.field(default_factory=DecodingConfig)

    def validate(self):
        """Checks every value; raises `ConfigError` naming the key."""
        self.data.validate("data")
        self.source.validate("source")
        self.target.validate("target")
        self.model.validate("model")
        self.training.validate("training")
        self.decoding.validate("decoding")
        return self

    def to_dict(self):
        return dataclasses.asdict(self)

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
        """Reads, validates and returns the config in YAML file `path`."""
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {str(path)!r} does not exist")
        text = path.read_text(encoding="utf-8")
        try:
            node = yaml.compose(text)
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from None
        return _load(cls, data or {}, str(path), lines=_key_lines(node))

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
        return _build(cls, data, "", lines).validate()
    except ConfigError as error:
        message = str(error)
        key = message.split(":", 1)[0]
        where = f"{origin}, line {lines[key]}" if key in lines else origin
        raise ConfigError(f"{where}: {message}") from None


def _build(cls, data, prefix, lines):
    where = prefix.rstrip(".") or "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys to values, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    values = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in names:
            raise ConfigError(f"{path}: unknown key; {where} allows {names}")
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            values[key] = _build(hint, value, path + ".", lines)
        else:
            values[key] = _coerce(value, hint, path)
    return cls(**values)


def _coerce(value, hint, path):
    """Checks `value` against the type hint; ints are accepted where floats are expected."""
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
