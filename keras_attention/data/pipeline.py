"""tf.data input pipeline for teacher-forced training.

`make_dataset` turns text pairs into batches in these steps: tokenize and frame (the tokenizers'
`encode_source` / `encode_target`), filter or truncate pairs longer than the tokenizers'
`max_length` (`length_policy`), optionally cache, shuffle with a seed, group pairs of similar
length into batches (`bucket_by_sequence_length`, bucket boundaries at length quantiles of the
data) or batch in order, and prefetch. The same arguments always give the same batches.

`corpus_dataset` builds the training batches of a corpus (`keras_attention.data.corpus`) the
same way, streamed: its pairs are tokenized once per epoch and nowhere else, and its bucket
boundaries come from the corpus sample.

`length_report` counts what the length policy does; `measure_padding` measures how much of a
batched dataset is padding, and `compare_padding` how much padding bucketing saves (the training
report runs both on the corpus sample).
"""

import dataclasses

import numpy as np
import tensorflow as tf

from keras_attention.options.checks import check_choice, check_positive_int
from keras_attention.options.data import LENGTH_POLICIES
from keras_attention.data.positions import InputPosition, epoch_seed
from keras_attention.special_tokens import PAD_ID

_TOKENIZE_CHUNK = 1024
_EPOCH_GRAPH_SEED = 87654321


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


def token_lengths(texts, tokenizer):
    """Untruncated token counts of `texts` (list of strings) under `tokenizer`, an int array."""
    lengths = [
        tokenizer.tokenize(tf.constant(texts[start : start + _TOKENIZE_CHUNK], tf.string)).row_lengths().numpy()
        for start in range(0, len(texts), _TOKENIZE_CHUNK)
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
    _check_policy(length_policy)
    source_lengths, target_lengths = _pair_lengths(pairs, source_tokenizer, target_tokenizer)
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


def make_dataset(
    pairs,
    source_tokenizer,
    target_tokenizer,
    batch_size,
    shuffle_buffer=None,
    seed=0,
    buckets=1,
    length_policy="truncate",
    cache=False,
):
    """Builds batches of framed ids from text pairs.

    Args:
        pairs: list of `(source, target)` strings.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        batch_size: sentences per batch.
        shuffle_buffer: shuffle with this buffer size (reshuffled each epoch, seeded); `None`
            keeps order.
        seed: shuffle seed.
        buckets: number of length buckets; with more than 1, pairs are batched with pairs of
            similar length (`bucket_by_sequence_length` on the longer side, boundaries at length
            quantiles of `pairs`), which saves padding. 1 batches in (shuffled) order.
        length_policy: `"truncate"` pairs longer than a tokenizer's `max_length`, or `"filter"`
            them out (count them with `length_report`).
        cache: cache the tokenized pairs in memory (tokenize once, not every epoch).

    Returns:
        `tf.data.Dataset` of `({"source": (batch, T_enc), "target_in": (batch, T_dec)},
        target_out (batch, T_dec))` int32 batches, the form `model.fit` takes. Each batch is
        padded to its own longest sequence. The dataset knows its number of batches
        (`cardinality`).
    """
    _check_batching(buckets, length_policy)
    sources, targets = (list(side) for side in zip(*pairs)) if pairs else ([], [])
    dataset = _id_sequences(
        tf.data.Dataset.from_tensor_slices((sources, targets)), source_tokenizer, target_tokenizer, length_policy
    )
    if cache:
        dataset = dataset.cache()
    if shuffle_buffer:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if buckets > 1 or length_policy == "filter":
        lengths = _kept_lengths(pairs, source_tokenizer, target_tokenizer, length_policy)
    else:
        lengths = np.zeros([len(pairs)], np.int64)  # only their number matters
    boundaries = bucket_boundaries(lengths, buckets)
    dataset = _batched(dataset, batch_size, boundaries)
    # Known batch counts give Keras a full progress bar from the first epoch.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(_number_of_batches(lengths, boundaries, batch_size)))
    return dataset.map(_model_inputs).prefetch(tf.data.AUTOTUNE)


def corpus_dataset(
    corpus,
    source_tokenizer,
    target_tokenizer,
    batch_size,
    shuffle_buffer=None,
    seed=0,
    buckets=1,
    length_policy="truncate",
    cache=False,
    shard=(0, 1),
    position=None,
):
    """Builds training batches from a corpus, streamed: tokenized once per epoch, never held whole.

    Like `make_dataset`, but the pairs come from `corpus.text_dataset` (`PairList` or
    `CorpusFiles` of `keras_attention.data.corpus`), the bucket boundaries from the length
    quantiles of `corpus.sample`, and the number of batches is not known in advance. Each pass
    over the dataset is one epoch, shuffled with a seed of its own, so the batch order of an
    epoch depends only on `seed` and the epoch number (see `keras_attention.data.positions`).

    Args:
        corpus: `PairList` or `CorpusFiles`.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        batch_size: sentences per batch.
        shuffle_buffer: windowed shuffle of this many pairs (and of the file order), seeded
            per epoch; `None` keeps order.
        seed: shuffle seed.
        buckets: number of length buckets (see `make_dataset`).
        length_policy: `"truncate"` or `"filter"` long pairs.
        cache: cache the tokenized pairs in memory after the first epoch (memory then grows with
            the corpus; the windowed shuffle happens after the cache).
        shard: `(index, count)`: read only this shard of the corpus (one per worker).
        position: `InputPosition` that says which epoch each pass reads and how many of its
            batches to skip (pass it to `fit` as a callback); `None`: a new one, so that each
            pass reads the next epoch.

    Returns:
        `tf.data.Dataset` of `({"source": ids, "target_in": ids}, target_out)` int32 batches.
    """
    _check_batching(buckets, length_policy)
    position = position or InputPosition()
    lengths = _kept_lengths(corpus.sample, source_tokenizer, target_tokenizer, length_policy) if buckets > 1 else []
    boundaries = bucket_boundaries(lengths, buckets)
    if cache:
        cached = _id_sequences(corpus.text_dataset(shard=shard), source_tokenizer, target_tokenizer, length_policy)
        cached = cached.cache()

    def epoch_batches(epoch, skip):
        # Traced as a graph: this sets the graph-level seed of this function only. With a global
        # seed of 0, TensorFlow's seed handling would otherwise compare the tensor seed in Python.
        tf.random.set_seed(_EPOCH_GRAPH_SEED)
        if cache:
            examples = cached
            if shuffle_buffer:
                examples = examples.shuffle(shuffle_buffer, seed=epoch_seed(seed, epoch), reshuffle_each_iteration=False)
        else:
            texts = corpus.text_dataset(shuffle_buffer=shuffle_buffer, seed=epoch_seed(seed, epoch), shard=shard)
            examples = _id_sequences(texts, source_tokenizer, target_tokenizer, length_policy)
        return _batched(examples, batch_size, boundaries).skip(skip)

    dataset = position.dataset().flat_map(epoch_batches)
    return dataset.map(_model_inputs).prefetch(tf.data.AUTOTUNE)


def _id_sequences(texts, source_tokenizer, target_tokenizer, length_policy):
    """Tokenizes and frames a dataset of `(source, target)` strings (in chunks) and applies the length policy."""
    dataset = texts.batch(_TOKENIZE_CHUNK).map(
        _framer(source_tokenizer, target_tokenizer), num_parallel_calls=tf.data.AUTOTUNE
    )
    dataset = dataset.unbatch()
    if length_policy == "filter":
        dataset = dataset.filter(_fits(source_tokenizer.max_length, target_tokenizer.max_length))
    return dataset.map(_sequences, num_parallel_calls=tf.data.AUTOTUNE)


def _batched(dataset, batch_size, boundaries):
    """Pads examples into batches: by length bucket at `boundaries`, or in order when there are none."""
    if boundaries:
        return dataset.bucket_by_sequence_length(
            _longer_side,
            boundaries,
            [batch_size] * (len(boundaries) + 1),
            padding_values=PAD_ID,
        )
    return dataset.padded_batch(batch_size, padding_values=PAD_ID)


def bucket_boundaries(lengths, buckets):
    """Length boundaries that split `lengths` into about `buckets` groups of equal size.

    Args:
        lengths: int array of sequence lengths.
        buckets: wanted number of buckets.

    Returns:
        Increasing list of ints for `bucket_by_sequence_length` (a bucket holds lengths `<` its
        boundary); fewer than `buckets - 1` when lengths repeat.
    """
    if len(lengths) == 0 or buckets < 2:
        return []
    quantiles = np.quantile(np.asarray(lengths), np.arange(1, buckets) / buckets, method="higher")
    return sorted({int(value) + 1 for value in quantiles} - {int(np.max(lengths)) + 1})


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


def teacher_forcing_inputs(source_tokenizer, target_tokenizer):
    """Returns a function for `Dataset.map` over batches of `(source, target)` strings.

    Example:

    ```python
    dataset = tf.data.Dataset.from_tensor_slices((sources, targets)).batch(64)
    dataset = dataset.map(teacher_forcing_inputs(source_tokenizer, target_tokenizer))
    model.fit(dataset)
    ```

    Returns:
        Function mapping string tensors `(batch,)` to `({"source": ids, "target_in": ids},
        target_out)` int32 tensors.
    """

    def frame(source, target):
        encoded_target = target_tokenizer.encode_target(target)
        inputs = {"source": source_tokenizer.encode_source(source)["ids"], "target_in": encoded_target["inputs"]}
        return inputs, encoded_target["outputs"]

    return frame


def _check_batching(buckets, length_policy):
    check_positive_int(buckets, "buckets")
    _check_policy(length_policy)


def _check_policy(length_policy):
    check_choice(length_policy, LENGTH_POLICIES, "length_policy")


def _pair_lengths(pairs, source_tokenizer, target_tokenizer):
    sources, targets = (list(side) for side in zip(*pairs)) if pairs else ([], [])
    return token_lengths(sources, source_tokenizer), token_lengths(targets, target_tokenizer)


def _kept_lengths(pairs, source_tokenizer, target_tokenizer, length_policy):
    """Framed length of the longer side of each pair that the length policy keeps."""
    source_lengths, target_lengths = _pair_lengths(pairs, source_tokenizer, target_tokenizer)
    kept = np.maximum(
        np.minimum(source_lengths, source_tokenizer.max_length), np.minimum(target_lengths, target_tokenizer.max_length)
    ) + 1
    if length_policy == "filter":
        kept = kept[(source_lengths <= source_tokenizer.max_length) & (target_lengths <= target_tokenizer.max_length)]
    return kept


def _number_of_batches(lengths, boundaries, batch_size):
    """Batches that bucketing at `boundaries` (or plain batching, with none) makes of `lengths`.

    Each bucket yields its full batches and then one last, smaller batch, whatever the order.
    """
    buckets = np.searchsorted(boundaries, lengths, side="right")
    counts = np.bincount(buckets, minlength=len(boundaries) + 1)
    return int(np.sum(-(-counts // batch_size)))


def _framer(source_tokenizer, target_tokenizer):
    """Frames batches of strings and cuts each framed row back to its own length (ragged rows)."""

    def frame(sources, targets):
        source = source_tokenizer.encode_source(sources)
        target = target_tokenizer.encode_target(targets)
        source_kept = tf.minimum(source["lengths"], source_tokenizer.max_length) + 1
        target_kept = tf.minimum(target["lengths"], target_tokenizer.max_length) + 1
        return {
            "source": tf.RaggedTensor.from_tensor(source["ids"], lengths=source_kept),
            "target_in": tf.RaggedTensor.from_tensor(target["inputs"], lengths=target_kept),
            "target_out": tf.RaggedTensor.from_tensor(target["outputs"], lengths=target_kept),
            "source_length": source["lengths"],
            "target_length": target["lengths"],
        }

    return frame


def _fits(source_max_length, target_max_length):
    def fits(example):
        return (example["source_length"] <= source_max_length) & (example["target_length"] <= target_max_length)

    return fits


def _sequences(example):
    """The three id sequences of one example, as plain tensors (unbatched rows come out ragged)."""
    return {name: tf.convert_to_tensor(example[name]) for name in ("source", "target_in", "target_out")}


def _longer_side(example):
    return tf.maximum(tf.shape(example["source"])[0], tf.shape(example["target_in"])[0])


def _model_inputs(batch):
    return {"source": batch["source"], "target_in": batch["target_in"]}, batch["target_out"]
