"""How much of the batches is padding, and how much bucketing saves (the training report runs it on
the corpus sample)."""

import dataclasses

import tensorflow as tf

from keras_attention.data.pipeline import make_dataset
from keras_attention.special_tokens import PAD_ID


@dataclasses.dataclass
class PaddingReport:
    """How much of the token positions in a batched dataset are padding.

    Attributes:
        batches: number of batches.
        tokens: non-padding positions (source and target outputs together).
        positions: all positions, padding included.
    """

    batches: int
    tokens: int
    positions: int

    @property
    def padding(self):
        """Number of padding positions."""
        return self.positions - self.tokens

    @property
    def padding_share(self):
        """Share of positions that are padding, 0-1."""
        return self.padding / self.positions if self.positions else 0.0


@dataclasses.dataclass
class PaddingComparison:
    """Padding of the same pairs batched in shuffled order (`plain`) and by length (`bucketed`).

    Attributes:
        plain: `PaddingReport` without bucketing.
        bucketed: `PaddingReport` with bucketing.
    """

    plain: PaddingReport
    bucketed: PaddingReport

    @property
    def saved(self):
        """Share of the plain batches' padding that bucketing removes, 0-1."""
        return 1.0 - self.bucketed.padding / self.plain.padding if self.plain.padding else 0.0

    def describe(self):
        """One line for logs, e.g. `"bucketing: padding is 9.1% of batch positions instead of
        42.0% (saves 86.2% of the padding)"`."""
        return (
            f"bucketing: padding is {100 * self.bucketed.padding_share:.1f}% of batch positions instead of "
            f"{100 * self.plain.padding_share:.1f}% (saves {100 * self.saved:.1f}% of the padding)"
        )


def measure_padding(dataset):
    """Counts padding in a dataset built by `make_dataset` (source and target outputs).

    Returns:
        `PaddingReport`.
    """
    batches = tokens = positions = 0
    for inputs, target_out in dataset:
        for ids in (inputs["source"], target_out):
            tokens += int(tf.math.count_nonzero(ids != PAD_ID))
            positions += int(tf.size(ids))
        batches += 1
    return PaddingReport(batches, tokens, positions)


def compare_padding(pairs, source_tokenizer, target_tokenizer, batch_size, buckets, length_policy="truncate", seed=0):
    """Measures the padding of `make_dataset` batches without and with bucketing.

    Both datasets shuffle the pairs with the same seed (a buffer as large as the data) and apply
    the same length policy; they differ only in how batches are formed.

    Returns:
        `PaddingComparison`.
    """
    options = dict(shuffle_buffer=max(len(pairs), 1), seed=seed, length_policy=length_policy)
    plain = make_dataset(pairs, source_tokenizer, target_tokenizer, batch_size, buckets=1, **options)
    bucketed = make_dataset(pairs, source_tokenizer, target_tokenizer, batch_size, buckets=buckets, **options)
    return PaddingComparison(measure_padding(plain), measure_padding(bucketed))
