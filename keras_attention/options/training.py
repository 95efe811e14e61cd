"""Options of training and tuning: the distribution strategies and the tuners, by name.

Adding one: a function in the module that makes it (`keras_attention/trainer/strategy.py`,
`keras_attention/tuning/search.py`), and one line in its registry here.
"""

# `training.strategy` -> "module:function" that makes the `tf.distribute.Strategy` (no arguments).
DISTRIBUTION_STRATEGIES = {
    "auto": "keras_attention.trainer.strategy:auto_strategy",
    "default": "keras_attention.trainer.strategy:default_strategy",
    "mirrored": "keras_attention.trainer.strategy:mirrored_strategy",
    "multi_worker": "keras_attention.trainer.strategy:multi_worker_strategy",
    "tpu": "keras_attention.trainer.strategy:tpu_strategy",
}
MIXED_PRECISION_POLICIES = ("mixed_float16", "mixed_bfloat16")
# `training.learning_rate_decay` (`keras_attention.trainer.learning_rate.decayed_learning_rate`).
LEARNING_RATE_DECAYS = ("linear", "cosine")
# The metrics that the dev translations of `evaluation.dev_bleu_sentences` log each epoch
# (`keras_attention.trainer.dev_bleu`), for `training.monitor`.
DEV_SCORES = ("val_bleu", "val_rouge_l")
# `tuning.tuner` -> "module:function" that makes the keras-tuner tuner, called as
# `make(config, hypermodel, **common)` with the arguments every tuner takes (objective, ...).
TUNERS = {
    "hyperband": "keras_attention.tuning.search:hyperband_tuner",
    "bayesian": "keras_attention.tuning.search:bayesian_tuner",
    "random": "keras_attention.tuning.search:random_tuner",
}
