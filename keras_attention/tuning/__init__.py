"""Hyperparameter search with keras-tuner: the seq2seq `HyperModel`, the tuners, the search and its report."""

from keras_attention.tuning.hypermodel import Seq2SeqHyperModel
from keras_attention.tuning.search import make_tuner, tune

__all__ = ["Seq2SeqHyperModel", "make_tuner", "tune"]
