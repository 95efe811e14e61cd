"""tf.data input pipeline for teacher-forced training.

`make_dataset` turns text pairs into batches in these steps: tokenize and frame (the tokenizers'
`encode_source` / `encode_target`), filter or truncate pairs longer than the tokenizers'
`max_length` (`length_policy`), optionally cache, shuffle with a seed, group pairs of similar
length into batches (`bucket_by_sequence_length`, bucket boundaries at length quantiles of the
data) or batch in order, and prefetch. The same arguments always give the same batches.

`corpus_dataset` builds the training batches of a corpus (`keras_attention.data.corpus`) the
same way, streamed: its pairs are tokenized once per epoch and nowhere else, and its bucket
boundaries come from the corpus sample.

`keras_attention.data.lengths` counts what the length policy does, and
`keras_attention.data.padding` how much of the batches is padding.
"""

import numpy as np
import tensorflow as tf

from keras_attention.data.lengths import TOKENIZE_CHUNK, check_length_policy, pair_lengths
from keras_attention.data.positions import InputPosition, epoch_seed
from keras_attention.options.checks import check_positive_int
from keras_attention.special_tokens import PAD_ID

_EPOCH_GRAPH_SEED = 87654321


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
    dataset = texts.batch(TOKENIZE_CHUNK).map(
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
    check_length_policy(length_policy)


def _kept_lengths(pairs, source_tokenizer, target_tokenizer, length_policy):
    """Framed length of the longer side of each pair that the length policy keeps."""
    source_lengths, target_lengths = pair_lengths(pairs, source_tokenizer, target_tokenizer)
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
