"""Scores against sacreBLEU's own functions, cased and case-insensitive, and ROUGE against counts
worked out by hand."""

import pytest
import sacrebleu

from keras_attention.evaluation import corpus_bleu, exact_match, repetition_rate, score_translations

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


def test_rouge_equals_the_counts_worked_out_by_hand():
    # "the cat sat" against "the cat sat on the mat": 3 of 6 reference unigrams, all 3 output
    # unigrams match (F1 2/3); 2 of 5 reference bigrams, both output bigrams (F1 4/7); the longest
    # common subsequence is 3 tokens (F1 2/3). "Cats running" against "the cat runs": the stemmer
    # makes "cats" "cat" and "running" / "runs" "run": both output words match, 2 of 3 reference
    # words (F1 4/5); 1 of 2 reference bigrams, the only output bigram (F1 2/3); LCS 2 (F1 4/5).
    scores = score_translations(["the cat sat", "Cats running"], ["the cat sat on the mat", "the cat runs"])
    assert scores["rouge_1"] == pytest.approx(100 * (2 / 3 + 4 / 5) / 2)
    assert scores["rouge_2"] == pytest.approx(100 * (4 / 7 + 2 / 3) / 2)
    assert scores["rouge_l"] == pytest.approx(100 * (2 / 3 + 4 / 5) / 2)


def test_rouge_of_nothing_and_of_mismatched_lists():
    from keras_attention.evaluation import rouge

    assert rouge([], []) == {"rouge_1": 0.0, "rouge_2": 0.0, "rouge_l": 0.0}
    assert rouge(["a b"], ["a b"]) == {"rouge_1": 100.0, "rouge_2": 100.0, "rouge_l": 100.0}
    with pytest.raises(ValueError, match="got 1 hypotheses for 2 references"):
        rouge(["a"], ["a", "b"])


def test_repetition_rate_counts_the_outputs_that_repeat_a_word_trigram():
    hypotheses = [
        "the cat sat on the cat sat",  # "the cat sat" twice
        "a b c a b d",  # no trigram twice
        "Tools Tools Tools Tools",  # "tools tools tools" twice, case-folded
        "short",
    ]
    assert repetition_rate(hypotheses) == 0.5
    assert repetition_rate(hypotheses, n=2) == 0.75
    assert repetition_rate(["x y x"], n=1) == 1.0
    assert repetition_rate([]) == 0.0
    with pytest.raises(ValueError, match="`n` must be a positive integer. Received: n=0"):
        repetition_rate(hypotheses, n=0)
