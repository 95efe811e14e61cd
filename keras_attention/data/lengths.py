"""What the length policy does to the pairs: token counts, and the report of pairs over `max_length`."""

import dataclasses

import numpy as np
import tensorflow as tf

from keras_attention.options.checks import check_choice
from keras_attention.options.data import LENGTH_POLICIES

TOKENIZE_CHUNK = 1024  # strings tokenized per call, here and in the pipeline


@dataclasses.dataclass
class LengthReport:
    """What the maximum-length policy does to a list of pairs.

    Attributes:
        pairs: number of pairs given.
        policy: `"truncate"` or `"filter"`.
        long_sources: pairs whose source has more than `source_max_length` tokens.
        long_targets: pairs whose target has more than `target_max_length` tokens.
        long_pairs: pairs with either side too long (truncated or filtered out).
        source_max_length: the source tokenizer's `max_length`.
        target_max_length: the target tokenizer's `max_length`.
        sampled_from: when the pairs are a sample of a larger corpus, the corpus size, else `None`.
    """

    pairs: int
    policy: str
    long_sources: int
    long_targets: int
    long_pairs: int
    source_max_length: int
    target_max_length: int
    sampled_from: int = None

    @property
    def kept(self):
        """Number of pairs that reach the batches."""
        return self.pairs - self.long_pairs if self.policy == "filter" else self.pairs

    def describe(self):
        """One line for logs, e.g. `"12 of 25,499 pairs were longer than max_length (source 64: 10,
        target 64: 5) and were filtered out"`; `""` when no pair was too long."""
        if not self.long_pairs:
            return ""
        action = "filtered out" if self.policy == "filter" else "truncated"
        sample = f" (a sample of {self.sampled_from:,} pairs)" if self.sampled_from is not None else ""
        return (
            f"{self.long_pairs:,} of {self.pairs:,} pairs{sample} were longer than max_length "
            f"(source {self.source_max_length}: {self.long_sources:,}, "
            f"target {self.target_max_length}: {self.long_targets:,}) and were {action}"
        )


def token_lengths(texts, tokenizer):
    """Untruncated token counts of `texts` (list of strings) under `tokenizer`, an int array."""
    lengths = [
        tokenizer.tokenize(tf.constant(texts[start : start + TOKENIZE_CHUNK], tf.string)).row_lengths().numpy()
        for start in range(0, len(texts), TOKENIZE_CHUNK)
    ]
    return np.concatenate(lengths) if lengths else np.zeros([0], np.int64)


def length_report(pairs, source_tokenizer, target_tokenizer, length_policy="truncate", sampled_from=None):
    """Counts the pairs longer than the tokenizers' `max_length`.

    Args:
        pairs: list of `(source, target)` strings.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        length_policy: `"truncate"` or `"filter"` (recorded in the report).
        sampled_from: the size of the corpus when `pairs` are a sample of it (recorded).

    Returns:
        `LengthReport`.
    """
    check_length_policy(length_policy)
    source_lengths, target_lengths = pair_lengths(pairs, source_tokenizer, target_tokenizer)
    long_sources = source_lengths > source_tokenizer.max_length
    long_targets = target_lengths > target_tokenizer.max_length
    return LengthReport(
        pairs=len(pairs),
        policy=length_policy,
        long_sources=int(long_sources.sum()),
        long_targets=int(long_targets.sum()),
        long_pairs=int((long_sources | long_targets).sum()),
        source_max_length=source_tokenizer.max_length,
        target_max_length=target_tokenizer.max_length,
        sampled_from=sampled_from,
    )


def pair_lengths(pairs, source_tokenizer, target_tokenizer):
    """Untruncated token counts of the sources and of the targets of `pairs`, two int arrays."""
    sources, targets = (list(side) for side in zip(*pairs)) if pairs else ([], [])
    return token_lengths(sources, source_tokenizer), token_lengths(targets, target_tokenizer)


def check_length_policy(length_policy):
    """Checks that `length_policy` is one of `LENGTH_POLICIES`."""
    check_choice(length_policy, LENGTH_POLICIES, "length_policy")
