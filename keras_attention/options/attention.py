"""Attention scores, and the scales each score allows (`AttentionLayer`, `model.attention`)."""

from keras_attention.options.checks import OptionError

ADDITIVE_SCORES = ("bahdanau", "bahdanau_normed", "luong_concat")
MULTIPLICATIVE_SCORES = ("luong_dot", "luong_general", "scaled_dot")
SCORES = ADDITIVE_SCORES + MULTIPLICATIVE_SCORES
# The `scale` values each score takes; `None` stands for the score's `DEFAULT_SCALES` entry, or no scaling.
SCALES = {
    "bahdanau": (None,),
    "bahdanau_normed": (None,),
    "luong_concat": (None,),
    "luong_dot": (None,),
    "luong_general": (None, "inverse_sqrt", "learned"),
    "scaled_dot": (None, "inverse_sqrt", "learned"),
}
DEFAULT_SCALES = {"scaled_dot": "inverse_sqrt"}


def check_score(score):
    """Raises `OptionError` (a `ValueError`) unless `score` is one of `SCORES`."""
    if score not in SCORES:
        raise OptionError("score", f"one of {', '.join(SCORES)}", score)


def resolve_scale(score, scale):
    """The scaling that `scale` means for a valid `score` (`None`: the score's default, if any).

    Raises:
        OptionError: `score` does not take `scale` (a `ValueError`).
    """
    if scale not in SCALES[score]:
        raise OptionError("scale", f"one of {SCALES[score]} for score={score!r}", scale)
    return DEFAULT_SCALES.get(score) if scale is None else scale
