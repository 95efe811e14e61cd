"""The search space of `keras-attention tune`: the `tuning` config section and each trial's config.

`SEARCHABLE` lists the hyperparameters that may be searched and the section each belongs to;
`trial_config` puts one trial's values into a run config.
"""

import dataclasses
import math
import types
import typing

from keras_attention.config.checks import choice, positive_int, require
from keras_attention.config.model import ModelConfig
from keras_attention.config.training import TrainingConfig
from keras_attention.errors import ConfigError
from keras_attention.options import attention as attention_options
from keras_attention.options.training import TUNERS

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
        require(
            self.choices is not None or ranged,
            key,
            "expected either choices: [...] or min: and max: (a range)",
        )
        if self.choices is not None:
            require(not ranged, key, "give either choices or min/max, not both")
            require(len(self.choices) > 0, f"{key}.choices", "expected a non-empty list of values, got []")
            for value in self.choices:
                _check_kind(value, kind, f"{key}.choices")
            require(
                len(set(self.choices)) == len(self.choices),
                f"{key}.choices",
                f"expected distinct values, got {self.choices!r}",
            )
            require(self.step is None, f"{key}.step", "only used with min/max")
            require(self.sampling == "linear", f"{key}.sampling", "only used with min/max")
            values = list(self.choices)
        else:
            require(
                kind in (int, float),
                key,
                f"is a {kind.__name__} field: give choices: [...], not a range",
            )
            for name in ("min", "max"):
                require(getattr(self, name) is not None, f"{key}.{name}", "required with a range, got null")
                _check_kind(getattr(self, name), kind, f"{key}.{name}")
            require(self.min <= self.max, f"{key}.min", f"min ({self.min!r}) must not exceed max ({self.max!r})")
            if self.step is not None:
                _check_kind(self.step, kind, f"{key}.step")
                require(self.step > 0, f"{key}.step", f"expected > 0 or null, got {self.step!r}")
                require(self.sampling == "linear", f"{key}.step", "is only used with linear sampling")
            choice(self.sampling, SAMPLINGS, f"{key}.sampling")
            if self.sampling != "linear":
                require(self.min > 0, f"{key}.sampling", f"{self.sampling!r} sampling needs min > 0, got {self.min!r}")
            values = [self.min, self.max]
        default = self.default_value(base_value)
        if default is not None:
            _check_kind(default, kind, f"{key}.default")
            require(
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
    require(valid, key, f"expected {kind.__name__} values, got {type(value).__name__} {value!r}")


@dataclasses.dataclass
class TuningConfig:
    """Hyperparameter search with keras-tuner (`keras-attention tune`).

    Every hyperparameter not in `search` keeps its value from the normal config sections, so the
    best trial is written back as a plain training config.

    Args:
        tuner: search algorithm, one of `TUNERS`: `hyperband` (successive halving of many short
            trials), `bayesian` (Gaussian-process Bayesian optimization) or `random`.
        objective: logged metric to optimize: `val_loss` (default), `loss`, `[val_]token_accuracy`,
            `[val_]sequence_accuracy`, or, with `evaluation.dev_bleu_sentences > 0`, `val_bleu`,
            `val_rouge_l` or `val_exact_match` (greedy translations of the dev sentences). Losses are minimized,
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
        choice(self.tuner, TUNERS, f"{key}.tuner")
        require(self.objective.strip() != "", f"{key}.objective", "expected a metric name such as 'val_loss'")
        for name in ("max_trials", "hyperband_iterations", "executions_per_trial", "max_consecutive_failed_trials"):
            positive_int(getattr(self, name), f"{key}.{name}")
        if self.max_epochs is not None:
            positive_int(self.max_epochs, f"{key}.max_epochs")
        require(self.factor >= 2, f"{key}.factor", f"expected an integer >= 2, got {self.factor!r}")
        require(
            self.max_retries_per_trial >= 0,
            f"{key}.max_retries_per_trial",
            f"expected >= 0, got {self.max_retries_per_trial!r}",
        )
        require(bool(self.search), f"{key}.search", "expected at least one hyperparameter to search")
        for name, spec in self.search.items():
            self._validate_spec(name, spec, config, f"{key}.search.{name}")
        if "attention_units" in self.search:
            scores = self.search["attention"].choices if "attention" in self.search else [config.model.attention]
            require(
                any(score in attention_options.ADDITIVE_SCORES for score in scores),
                f"{key}.search.attention_units",
                f"only additive scores {list(attention_options.ADDITIVE_SCORES)} use it, and the attention "
                f"searched or configured is {scores!r}",
            )

    def _validate_spec(self, name, spec, config, key):
        require(name in SEARCHABLE, key, f"unknown hyperparameter; searchable: {list(SEARCHABLE)}")
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
