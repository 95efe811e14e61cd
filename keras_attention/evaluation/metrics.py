"""Translation quality: exact match, sacreBLEU BLEU and chrF."""

import sacrebleu


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


def score_translations(hypotheses, references, lowercase=False):
    """Scores hypotheses against one reference each.

    Args:
        hypotheses: list of strings.
        references: list of strings, one per hypothesis.
        lowercase: compare case-insensitively (sacreBLEU's `lowercase`, `case:lc` in the
            signatures), as for a model whose target text is lowercased.

    Returns:
        dict with `exact_match` (0-1), `bleu` and `chrf` (0-100, sacreBLEU corpus scores),
        `bleu_signature` and `chrf_signature` (sacreBLEU's reproducibility strings) and
        `sentences`.
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
    }


def _check_lengths(hypotheses, references):
    if len(hypotheses) != len(references):
        raise ValueError(f"got {len(hypotheses)} hypotheses for {len(references)} references")
