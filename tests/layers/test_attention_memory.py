"""AttentionMemory and SplitMemory: the keys projected once equal the attention's own projection,
the decoder attends with them exactly as without, and bad arguments are refused."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_attention.layers import AttentionLayer, AttentionMemory, SplitMemory


def built_attention(score="bahdanau", units=4):
    attention = AttentionLayer(score, units=units)
    attention.build([(None, 1, 6), (None, None, 5)])
    return attention


def test_memory_splits_back_into_values_and_projected_keys():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(2, 7, 5)).astype("float32")
    attention = built_attention()
    memory = AttentionMemory(attention)(values)
    assert tuple(memory.shape) == (2, 7, 9)
    split_values, keys = SplitMemory(5)(memory)
    np.testing.assert_array_equal(ops.convert_to_numpy(split_values), values)
    expected_keys = values @ ops.convert_to_numpy(attention.values_kernel)
    np.testing.assert_allclose(ops.convert_to_numpy(keys), expected_keys, atol=1e-6)


@pytest.mark.parametrize("score", ["bahdanau", "bahdanau_normed", "luong_concat"])
def test_attending_with_the_memory_equals_attending_with_the_values(score):
    rng = np.random.default_rng(1)
    query = ops.convert_to_tensor(rng.normal(size=(2, 3, 6)).astype("float32"))
    values = ops.convert_to_tensor(rng.normal(size=(2, 7, 5)).astype("float32"))
    mask = [None, ops.convert_to_tensor(np.arange(7)[None, :] < np.array([[7], [4]]))]
    attention = built_attention(score)
    split_values, keys = SplitMemory(5)(AttentionMemory(attention)(values))
    direct = attention([query, values], mask=mask)
    precomputed = attention([query, split_values], mask=mask, keys=keys)
    for got, expected in zip(precomputed, direct):
        np.testing.assert_allclose(ops.convert_to_numpy(got), ops.convert_to_numpy(expected), atol=1e-6)


def test_memory_layers_round_trip_through_their_config():
    memory = AttentionMemory(built_attention(units=3), name="memory")
    restored = AttentionMemory.from_config(memory.get_config())
    assert restored.attention.get_config() == memory.attention.get_config()
    assert SplitMemory.from_config(SplitMemory(5).get_config()).values_dim == 5
    assert SplitMemory(5).compute_output_shape((2, 7, 9)) == ((2, 7, 5), (2, 7, 4))


@pytest.mark.parametrize(
    "attention", [AttentionLayer("luong_general"), keras.layers.Dense(3), None]
)
def test_memory_needs_an_additive_attention_layer(attention):
    with pytest.raises(ValueError, match="AttentionLayer with an additive score"):
        AttentionMemory(attention)


@pytest.mark.parametrize("values_dim", [0, -2, 2.5, True, None])
def test_split_needs_a_positive_values_dim(values_dim):
    with pytest.raises(ValueError, match="positive int"):
        SplitMemory(values_dim)
