"""Evaluation: exact match, sacreBLEU BLEU and chrF, ROUGE, attention heatmaps."""

from keras_attention.evaluation.metrics import corpus_bleu, exact_match, repetition_rate, rouge, score_translations

__all__ = ["corpus_bleu", "exact_match", "repetition_rate", "rouge", "score_translations"]
