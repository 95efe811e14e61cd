"""Output quality: exact match, sacreBLEU BLEU and chrF, and ROUGE-1/2/L (Google's `rouge-score`)."""

import sacrebleu
from rouge_score import rouge_scorer

from keras_attention.options.checks import check_positive_int

ROUGE_TYPES = {"rouge1": "rouge_1", "rouge2": "rouge_2", "rougeL": "rouge_l"}
"""The ROUGE variants scored, by `rouge-score` name -> our key: unigram and bigram overlap, and the
longest common subsequence of each output and its reference (sentence-level ROUGE-L)."""


def exact_match(hypotheses, references, lowercase=False):
    """Share of hypotheses equal to their reference (whole strings; case-folded if `lowercase`)."""
    _check_lengths(hypotheses, references)
    if not references:
        return 0.0
    if lowercase:
        hypotheses, references = [h.casefold() for h in hypotheses], [r.casefold() for r in references]
    return sum(h == r for h, r in zip(hypotheses, references)) / len(references)


def corpus_bleu(hypotheses, references, lowercase=False):
    """sacreBLEU corpus BLEU (0-100, default settings: 13a tokenization, one reference each;
    case-insensitive if `lowercase`)."""
    _check_lengths(hypotheses, references)
    return sacrebleu.BLEU(lowercase=lowercase).corpus_score(hypotheses, [references]).score


def rouge(hypotheses, references):
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 (0-100), each the mean over the outputs of `rouge-score`'s
    sentence scores, with its Porter stemmer.

    `rouge-score` lowercases and keeps only the ASCII letters and digits of a text, as the
    original ROUGE-1.5.5 script does, so it suits English outputs.

    Returns:
        dict `rouge_1`, `rouge_2`, `rouge_l` (0 for no outputs).
    """
    _check_lengths(hypotheses, references)
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    totals = dict.fromkeys(ROUGE_TYPES.values(), 0.0)
    for hypothesis, reference in zip(hypotheses, references):
        for name, score in scorer.score(reference, hypothesis).items():
            totals[ROUGE_TYPES[name]] += score.fmeasure
    return {key: 100 * total / max(len(references), 1) for key, total in totals.items()}


def repetition_rate(hypotheses, n=3):
    """Share (0-1) of the hypotheses that hold some word n-gram twice or more, the words being the
    whitespace-separated, case-folded pieces (See et al.'s measure of repetition for `n=3`)."""
    check_positive_int(n, "n")
    repeated = 0
    for hypothesis in hypotheses:
        words = hypothesis.casefold().split()
        grams = [tuple(words[start : start + n]) for start in range(len(words) - n + 1)]
        repeated += len(set(grams)) < len(grams)
    return repeated / len(hypotheses) if hypotheses else 0.0


def score_translations(hypotheses, references, lowercase=False):
    """Scores hypotheses against one reference each.

    Args:
        hypotheses: list of strings.
        references: list of strings, one per hypothesis.
        lowercase: compare case-insensitively (sacreBLEU's `lowercase`, `case:lc` in the
            signatures), as for a model whose target text is lowercased.

    Returns:
        dict with `exact_match` (0-1), `bleu` and `chrf` (0-100, sacreBLEU corpus scores),
        `bleu_signature` and `chrf_signature` (sacreBLEU's reproducibility strings), `rouge_1`,
        `rouge_2` and `rouge_l` (0-100, see `rouge`) and `sentences`.
    """
    _check_lengths(hypotheses, references)
    bleu, chrf = sacrebleu.BLEU(lowercase=lowercase), sacrebleu.CHRF(lowercase=lowercase)
    return {
        "sentences": len(references),
        "exact_match": exact_match(hypotheses, references, lowercase),
        "bleu": bleu.corpus_score(hypotheses, [references]).score,
        "bleu_signature": str(bleu.get_signature()),
        "chrf": chrf.corpus_score(hypotheses, [references]).score,
        "chrf_signature": str(chrf.get_signature()),
        **rouge(hypotheses, references),
    }


def _check_lengths(hypotheses, references):
    if len(hypotheses) != len(references):
        raise ValueError(f"got {len(hypotheses)} hypotheses for {len(references)} references")
