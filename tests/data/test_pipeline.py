"""The tf.data pipeline: framing, length policy, seeded shuffling, bucketing and the padding it saves."""

import collections

import numpy as np
import pytest

from keras_attention.config import TextConfig
from keras_attention.data.lengths import length_report
from keras_attention.data.padding import compare_padding
from keras_attention.data.pipeline import bucket_boundaries, make_dataset
from keras_attention.data.readers import read_tsv
from keras_attention.text import vocab
from keras_attention.text.char_tokenizer import CharTokenizer
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config

ALPHABET = "abcdefghij"


@pytest.fixture(scope="module")
def tokenizers():
    vocabulary = vocab.build_vocabulary([list(ALPHABET)])
    return CharTokenizer(vocabulary, max_length=12), CharTokenizer(vocabulary, max_length=10)


def random_pairs(count, seed=0):
    """Pairs whose target is about as long as the source, as in translation."""
    rng = np.random.default_rng(seed)
    word = lambda length: "".join(rng.choice(list(ALPHABET), size=max(length, 1)))  # noqa: E731
    lengths = rng.integers(1, 16, size=count)
    return [(word(length), word(length + rng.integers(-1, 2))) for length in lengths]


def batches(dataset):
    return [(inputs["source"].numpy(), inputs["target_in"].numpy(), target.numpy()) for inputs, target in dataset]


def rows(ids):
    """The non-padding rows of a batch as tuples."""
    return [tuple(int(value) for value in row if value != vocab.PAD_ID) for row in ids]


def test_batches_frame_every_pair_once_padded_to_their_longest(tokenizers):
    source_tokenizer, target_tokenizer = tokenizers
    pairs = random_pairs(300)
    dataset = make_dataset(pairs, source_tokenizer, target_tokenizer, 32, shuffle_buffer=300, seed=1, buckets=4)
    sources, targets = collections.Counter(), collections.Counter()
    assert int(dataset.cardinality()) == len(batches(dataset))
    for source, target_in, target_out in batches(dataset):
        assert source.shape[0] <= 32 and target_in.shape == target_out.shape
        assert (source[:, -1] != vocab.PAD_ID).any() and (target_out[:, -1] != vocab.PAD_ID).any()
        assert (target_in[:, 0] == vocab.START_ID).all()
        sources.update(rows(source))
        targets.update(rows(target_out))
    expected = make_dataset(pairs, source_tokenizer, target_tokenizer, 300)
    (source, _, target_out), = batches(expected)
    assert sources == collections.Counter(rows(source)) and targets == collections.Counter(rows(target_out))


def test_same_seed_same_batches_other_seed_other_batches(tokenizers):
    pairs = random_pairs(200)
    make = lambda seed: batches(  # noqa: E731
        make_dataset(pairs, *tokenizers, 16, shuffle_buffer=200, seed=seed, buckets=3, cache=True).repeat(2)
    )
    first, again, other = make(7), make(7), make(8)
    assert len(first) == len(again) and all(
        all(np.array_equal(a, b) for a, b in zip(x, y)) for x, y in zip(first, again)
    )
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(first, other))


def test_length_policies_are_counted(tokenizers):
    source_tokenizer, target_tokenizer = tokenizers
    pairs = [("abc", "abc"), ("a" * 13, "ab"), ("ab", "b" * 11), ("a" * 20, "b" * 20), ("ab" * 6, "b" * 10)]
    report = length_report(pairs, source_tokenizer, target_tokenizer, "filter")
    assert (report.long_sources, report.long_targets, report.long_pairs, report.kept) == (2, 2, 3, 2)
    assert report.describe() == (
        "3 of 5 pairs were longer than max_length (source 12: 2, target 10: 2) and were filtered out"
    )
    filtered = batches(make_dataset(pairs, source_tokenizer, target_tokenizer, 8, length_policy="filter"))
    assert [len(row) for row in rows(filtered[0][0])] == [4, 13]
    one_per_batch = make_dataset(pairs, source_tokenizer, target_tokenizer, 1, length_policy="filter", buckets=2)
    assert int(one_per_batch.cardinality()) == len(batches(one_per_batch)) == 2
    truncated = batches(make_dataset(pairs, source_tokenizer, target_tokenizer, 8, length_policy="truncate"))
    assert [len(row) for row in rows(truncated[0][0])] == [4, 13, 3, 13, 13]
    assert [len(row) for row in rows(truncated[0][2])] == [4, 3, 11, 11, 11]
    assert length_report(pairs[:1], source_tokenizer, target_tokenizer).describe() == ""


def test_unknown_length_policy(tokenizers):
    with pytest.raises(ValueError, match=r"`length_policy` must be one of \['truncate', 'filter'\]. Received: length_policy='cut'"):
        make_dataset(random_pairs(3), *tokenizers, 2, length_policy="cut")


def test_bucket_boundaries_at_quantiles():
    assert bucket_boundaries(np.arange(1, 101), 4) == [27, 52, 77]
    assert bucket_boundaries(np.array([5] * 50 + [9] * 50), 4) == [6]
    assert bucket_boundaries(np.array([3, 4]), 1) == []


def test_bucketing_reduces_padding(tokenizers):
    comparison = compare_padding(random_pairs(500), *tokenizers, batch_size=32, buckets=6, seed=3)
    assert comparison.plain.tokens == comparison.bucketed.tokens
    assert comparison.bucketed.padding < comparison.plain.padding / 2


def test_padding_saved_on_the_bible_train_split(bible):
    """Reports the padding that bucketing saves on the Bible en->es training split (char level)."""
    pairs = read_tsv(bible / "web-sparv.train.tsv").pairs
    config = TextConfig(max_length=256)
    source_tokenizer = tokenizer_from_config(config, learn_vocabulary(config, [source for source, _ in pairs]))
    target_tokenizer = tokenizer_from_config(config, learn_vocabulary(config, [target for _, target in pairs]))
    comparison = compare_padding(pairs, source_tokenizer, target_tokenizer, batch_size=64, buckets=8)
    print(f"\nBible web-sparv train, {len(pairs):,} pairs, char level, batch 64, 8 buckets: {comparison.describe()}")
    assert comparison.plain.tokens == comparison.bucketed.tokens
    assert comparison.plain.batches == -(-len(pairs) // 64)
    assert comparison.saved > 0.5
