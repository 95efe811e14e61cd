"""The GNMT length and coverage penalties that beam search scores hypotheses with (Wu et al. 2016)."""

from keras import ops

MIN_COVERAGE = 1e-10
"""Floor of a source position's coverage in the coverage penalty, so the penalty stays finite."""


def gnmt_length_penalty(length, alpha):
    """GNMT length penalty `lp(Y) = ((5 + |Y|) / 6) ** alpha`.

    Args:
        length: output lengths (tensor of any shape), `</s>` included.
        alpha: non-negative float; 0 gives 1 (no normalization).

    Returns:
        float32 tensor of the shape of `length`.
    """
    return ops.power((5.0 + ops.cast(length, "float32")) / 6.0, alpha)


def gnmt_coverage_penalty(coverage, source_mask, beta):
    """GNMT coverage penalty `cp(X; Y) = beta * sum_j log(min(c_j, 1))`.

    `c_j = sum_i a_ij` is the attention that source position `j` received over the output steps
    `i`; the sum runs over the non-padding positions, and each `c_j` is floored at `MIN_COVERAGE`.
    The penalty is at most 0 and reaches 0 once every source position got a total weight of 1.

    Args:
        coverage: float32 `(..., T_enc)` summed alignments.
        source_mask: boolean `(..., T_enc)`, broadcastable against `coverage`.
        beta: non-negative float.

    Returns:
        float32 tensor `coverage.shape[:-1]`.
    """
    coverage = ops.clip(coverage, MIN_COVERAGE, 1.0)
    return beta * ops.sum(ops.where(source_mask, ops.log(coverage), 0.0), axis=-1)
