"""Scores against sacreBLEU's own functions, cased and case-insensitive."""

import pytest
import sacrebleu

from keras_attention.evaluation import corpus_bleu, exact_match, score_translations

REFERENCES = ["Y dijo Dios: Sea la luz.", "En el principio crió Dios los cielos y la tierra."]
HYPOTHESES = ["y dijo dios : sea la luz .", "En el principio crió Dios la tierra."]


def test_cased_scores_equal_sacrebleu_defaults():
    scores = score_translations(HYPOTHESES, REFERENCES)
    assert scores["bleu"] == pytest.approx(sacrebleu.corpus_bleu(HYPOTHESES, [REFERENCES]).score)
    assert scores["chrf"] == pytest.approx(sacrebleu.corpus_chrf(HYPOTHESES, [REFERENCES]).score)
    assert "case:mixed" in scores["bleu_signature"] and scores["exact_match"] == 0.0


def test_lowercase_scores_equal_sacrebleu_lowercased():
    scores = score_translations(HYPOTHESES, REFERENCES, lowercase=True)
    lowercased = sacrebleu.corpus_bleu(HYPOTHESES, [REFERENCES], lowercase=True).score
    assert scores["bleu"] == pytest.approx(lowercased) and lowercased > corpus_bleu(HYPOTHESES, REFERENCES)
    assert scores["chrf"] == pytest.approx(sacrebleu.CHRF(lowercase=True).corpus_score(HYPOTHESES, [REFERENCES]).score)
    assert "case:lc" in scores["bleu_signature"] and "case:lc" in scores["chrf_signature"]
    assert corpus_bleu(HYPOTHESES, REFERENCES, lowercase=True) == pytest.approx(lowercased)


def test_exact_match_ignores_case_only_when_asked():
    assert exact_match(["sea la luz"], ["Sea la luz"]) == 0.0
    assert exact_match(["sea la luz"], ["Sea la luz"], lowercase=True) == 1.0
