"""Hyperparameter search with keras-tuner: the seq2seq `HyperModel`, the tuners, the search and its report.

The names below load keras-tuner and Keras on first use; `keras_attention.tuning.space` (the search
space and the `tuning` config section) imports neither, so loading a config stays fast.
"""

from keras_attention.lazy import lazy_names

__all__, __getattr__, __dir__ = lazy_names(
    globals(),
    {
        "keras_attention.tuning.hypermodel": ("Seq2SeqHyperModel",),
        "keras_attention.tuning.search": ("make_tuner", "tune"),
    },
)
