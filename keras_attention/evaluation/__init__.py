"""Evaluation: exact match, sacreBLEU BLEU and chrF."""

from keras_attention.evaluation.metrics import exact_match, score_translations

__all__ = ["exact_match", "score_translations"]
