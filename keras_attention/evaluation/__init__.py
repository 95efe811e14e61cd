"""Evaluation: exact match, sacreBLEU BLEU and chrF, attention heatmaps."""

from keras_attention.evaluation.metrics import corpus_bleu, exact_match, score_translations

__all__ = ["corpus_bleu", "exact_match", "score_translations"]
