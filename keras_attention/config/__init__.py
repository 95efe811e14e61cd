"""The run configuration: one object that describes data, text processing, model and training.

A `RunConfig` is a tree of dataclasses, one per section (`keras_attention.config.data`, `.text`,
`.model`, `.training`, `.decoding`, and `keras_attention.tuning.space` for `tuning`). It loads from
YAML (`RunConfig.from_yaml`), is validated on load (unknown keys, wrong types and out-of-range
values are reported with the key path and, for YAML files, the line; `keras_attention.config.loader`),
and is saved next to every trained model so the run can be rebuilt.

Example:

```python
config = RunConfig.from_yaml("training/configs/dates.yaml")
config.model.decoder_units = 256
config.to_yaml("my.yaml")
```
"""

from keras_attention.lazy import lazy_names

__all__, __getattr__, __dir__ = lazy_names(
    globals(),
    {
        "keras_attention.config.data": ("DataConfig",),
        "keras_attention.config.decoding": ("DecodingConfig", "EvaluationConfig"),
        "keras_attention.config.model": ("INITIALIZATIONS", "ModelConfig"),
        "keras_attention.config.renamed": ("RENAMED_KEYS",),
        "keras_attention.config.run": ("RunConfig",),
        "keras_attention.config.text": ("VOCABULARY_SAMPLES", "TextConfig"),
        "keras_attention.config.training": ("TrainingConfig",),
        "keras_attention.errors": ("ConfigError",),
        "keras_attention.tuning.space": ("HyperparameterSpec", "TuningConfig"),
    },
)
