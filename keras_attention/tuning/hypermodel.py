"""The keras-tuner `HyperModel` of the attention seq2seq: `tuning.search` -> hyperparameters -> model."""

import keras_tuner

from keras_attention.tuning.space import SEARCHABLE, hyperparameter_type, trial_config
from keras_attention.options.attention import ADDITIVE_SCORES
from keras_attention.models import build_seq2seq, compile_seq2seq
from keras_attention.trainer.dev_bleu import dev_bleu_callbacks
from keras_attention.trainer.setup import model_arguments

EXACT_MATCH = "val_exact_match"


def declare(hp, name, spec, default):
    """Declares one hyperparameter of `tuning.search` on `hp` and returns its value for this trial.

    Args:
        hp: `keras_tuner.HyperParameters`.
        name: hyperparameter name (one of `SEARCHABLE`).
        spec: its `HyperparameterSpec`.
        default: its default value (`None`: keras-tuner's, the first choice or `min`).

    Returns:
        The value (`None` inside an inactive conditional scope).
    """
    kind = hyperparameter_type(name)
    if kind is bool and sorted(spec.choices) == [False, True]:
        value = hp.Boolean(name, default=bool(default))
    elif spec.choices is not None:
        value = hp.Choice(name, spec.choices, default=default)
    elif kind is int:
        step = spec.step or 1 if spec.sampling == "linear" else None
        value = hp.Int(name, spec.min, spec.max, step=step, sampling=spec.sampling, default=default)
    else:
        default = None if default is None else float(default)
        value = hp.Float(
            name, float(spec.min), float(spec.max), step=spec.step, sampling=spec.sampling, default=default
        )
    # keras-tuner keeps booleans among choices as the integers 0 and 1: give the field its type.
    return None if value is None else kind(value)


class Seq2SeqHyperModel(keras_tuner.HyperModel):
    """Builds and fits the seq2seq of a `RunConfig` for the hyperparameter values of a trial.

    Every hyperparameter of `config.tuning.search` becomes a keras-tuner hyperparameter of the
    same name (`encoder_units`, `attention`, `learning_rate`, ...); everything else keeps its
    value from the config. `attention_units` is conditional on an additive `attention` when both
    are searched. After each epoch of a trial the first `evaluation.dev_bleu_sentences` dev
    pairs are translated and their BLEU, ROUGE-L and exact match logged as `val_bleu`,
    `val_rouge_l` and `val_exact_match`, which the tuner's objective may follow.

    Args:
        config: validated `RunConfig` with a `tuning` section.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        dev_pairs: `(source, reference)` pairs for the dev scores.

    Example:

    ```python
    hypermodel = Seq2SeqHyperModel(config, source_tokenizer, target_tokenizer, splits.dev)
    tuner = keras_tuner.Hyperband(hypermodel, objective="val_loss", max_epochs=9)
    tuner.search(train_data, validation_data=dev_data, shuffle=False)
    ```
    """

    def __init__(self, config, source_tokenizer, target_tokenizer, dev_pairs=()):
        super().__init__(name="seq2seq")
        self.config = config
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.dev_pairs = list(dev_pairs)

    def values(self, hp):
        """Declares the searched hyperparameters on `hp`; returns the active ones' values by name."""
        search = self.config.tuning.search
        values = {}
        # `attention` first: `attention_units` may be conditional on it.
        for name in sorted(search, key=lambda name: name != "attention"):
            spec = search[name]
            section = getattr(self.config, SEARCHABLE[name])
            default = spec.default_value(getattr(section, name))
            if name == "attention_units" and "attention" in search:
                additive = [score for score in search["attention"].choices if score in ADDITIVE_SCORES]
                with hp.conditional_scope("attention", additive):
                    value = declare(hp, name, spec, default)
            else:
                value = declare(hp, name, spec, default)
            if value is not None:
                values[name] = value
        return values

    def trial_config(self, hp):
        """The plain `RunConfig` (no `tuning` section) of the trial with hyperparameters `hp`."""
        return trial_config(self.config, self.values(hp), self.config.tuning.search)

    def build(self, hp):
        config = self.trial_config(hp)
        model = build_seq2seq(config.model, **model_arguments(config, self.source_tokenizer, self.target_tokenizer))
        return compile_seq2seq(model, config.training)

    def fit(self, hp, model, *args, callbacks=(), **kwargs):
        dev_scores = dev_bleu_callbacks(
            self.config, self.dev_pairs, self.source_tokenizer, self.target_tokenizer, exact_match_name=EXACT_MATCH
        )
        # The dev scores come first so that the tuner's own callbacks see them in the logs.
        return model.fit(*args, callbacks=[*dev_scores, *callbacks], **kwargs)
