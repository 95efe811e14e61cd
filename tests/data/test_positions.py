"""Per-epoch batch orders of the streamed training input, and skipping the batches already trained."""

import pytest
import tensorflow as tf

from keras_attention.config import TextConfig
from keras_attention.data.corpus import PairList
from keras_attention.data.pipeline import corpus_dataset
from keras_attention.data.positions import InputPosition
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config

PAIRS = [(f"s{index} " + "x" * (index % 17), f"t{index} " + "y" * (index % 5)) for index in range(500)]


class CountedPairs(PairList):
    """A `PairList` that counts the pairs read from it."""

    reads = 0

    def text_dataset(self, **options):
        def count(source):
            CountedPairs.reads += 1
            return source

        def counted(source, target):
            source = tf.py_function(count, [source], tf.string)
            source.set_shape([])
            return source, target

        return super().text_dataset(**options).map(counted)


def tokenizers():
    config = TextConfig(tokenizer="char", max_length=30)
    return [tokenizer_from_config(config, learn_vocabulary(config, [pair[side] for pair in PAIRS])) for side in (0, 1)]


def batches(dataset):
    """Each batch as the tuple of its source id rows."""
    return [tuple(map(tuple, inputs["source"].numpy().tolist())) for inputs, _ in dataset]


def training_input(position, cache=False, pairs=None):
    return corpus_dataset(
        pairs or PairList(PAIRS, 100), *tokenizers(), 16, shuffle_buffer=200, seed=3, buckets=3, cache=cache, position=position
    )


@pytest.mark.parametrize("cache", [False, True], ids=["streamed", "cached"])
def test_each_epoch_has_its_own_order_and_a_resumed_epoch_skips_the_trained_batches(cache):
    dataset = training_input(InputPosition(), cache)
    epochs = [batches(dataset) for _ in range(3)]  # outside `fit`, each pass reads the next epoch
    assert len({len(epoch) for epoch in epochs}) == 1 and len(epochs[0]) > 30
    assert epochs[0] != epochs[1] != epochs[2]

    position = InputPosition()
    resumed = training_input(position, cache)
    position.resume_at(1, 5)
    position.on_train_begin()
    position.on_epoch_begin(1)
    assert batches(resumed) == epochs[1][5:]
    position.on_epoch_begin(2)
    assert batches(resumed) == epochs[2]
    assert batches(resumed) == epochs[2]  # in `fit`, only `on_epoch_begin` moves the position


def test_cached_input_reads_the_texts_once():
    CountedPairs.reads = 0
    dataset = training_input(InputPosition(), cache=True, pairs=CountedPairs(PAIRS, 100))
    first, second = batches(dataset), batches(dataset)
    assert first != second and len(first) == len(second)
    assert CountedPairs.reads == len(PAIRS)
