"""`RunConfig`: the sections of a run together, with their cross-section checks, YAML and dicts."""

import dataclasses
import typing
from pathlib import Path

import yaml

from keras_attention.config import loader
from keras_attention.config.checks import require
from keras_attention.config.data import DataConfig
from keras_attention.config.decoding import DecodingConfig, EvaluationConfig
from keras_attention.config.model import ModelConfig
from keras_attention.config.text import VOCABULARY_SAMPLES, TextConfig
from keras_attention.config.training import TrainingConfig
from keras_attention.options.training import DEV_SCORES
from keras_attention.tuning.space import TuningConfig


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
        require(
            self.training.monitor not in DEV_SCORES or self.evaluation.dev_bleu_sentences > 0,
            "training.monitor",
            f"{self.training.monitor!r} needs evaluation.dev_bleu_sentences > 0, got 0",
        )
        if self.target.shared_vocabulary:
            own = {"max_length", "shared_vocabulary"}
            for field in dataclasses.fields(TextConfig):
                source_value, target_value = getattr(self.source, field.name), getattr(self.target, field.name)
                require(
                    field.name in own or source_value == target_value,
                    f"target.{field.name}",
                    f"must equal source.{field.name} ({source_value!r}) with target.shared_vocabulary, "
                    f"got {target_value!r}",
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
        return loader.load(cls, data, origin, lines={})

    @classmethod
    def from_yaml(cls, path):
        """Reads, validates and returns the config in YAML file `path`.

        Relative data file paths are resolved against the directory of `path`.
        """
        path = Path(path)
        data, lines = loader.read_yaml(path)
        config = loader.load(cls, data, str(path), lines)
        config.data.resolve_paths(path.parent)
        return config

    def to_yaml(self, path):
        """Writes the full config (defaults included) to `path`."""
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False), encoding="utf-8")
