"""PointerGenerator: the mixture against a float64 NumPy reference (every backend runs this file),
a distribution that sums to 1, finite training where one part vanishes, a model that learns to
copy, masks, serialization and the argument errors."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_attention.layers import PointerGenerator
from keras_attention.layers.pointer_generator import copy_distribution


def reference(layer, logits, alignments, context, state, inputs, source_ids):
    """`(log P, p_gen)` one position at a time, in float64."""
    kernel = ops.convert_to_numpy(layer.kernel).astype("float64")[:, 0]
    bias = float(ops.convert_to_numpy(layer.bias)[0])
    batch, steps, vocabulary = logits.shape
    log_probs, p_gen = np.zeros(logits.shape), np.zeros((batch, steps))
    for b in range(batch):
        for i in range(steps):
            features = np.concatenate([context[b, i], state[b, i], inputs[b, i]]).astype("float64")
            p = 1.0 / (1.0 + np.exp(-(features @ kernel + bias)))
            vocabulary_probs = np.exp(logits[b, i] - logits[b, i].max())
            vocabulary_probs /= vocabulary_probs.sum()
            copy = np.zeros(vocabulary)
            for j, token in enumerate(source_ids[b]):
                copy[token] += alignments[b, i, j]
            log_probs[b, i] = np.log(p * vocabulary_probs + (1.0 - p) * copy)
            p_gen[b, i] = p
    return log_probs, p_gen


def random_inputs(seed=0, batch=2, steps=3, sources=5, vocabulary=11):
    rng = np.random.default_rng(seed)
    source_ids = rng.integers(4, vocabulary, size=(batch, sources)).astype("int32")
    source_ids[:, 1] = source_ids[:, 3]  # a token twice in the source: its alignments add up
    source_ids[-1, -2:] = 0  # padding, with zero alignment
    scores = rng.normal(size=(batch, steps, sources)) * 2
    scores[-1, :, -2:] = -np.inf
    alignments = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    return (
        rng.normal(size=(batch, steps, vocabulary)).astype("float32") * 3,
        alignments.astype("float32"),
        rng.normal(size=(batch, steps, 4)).astype("float32"),
        rng.normal(size=(batch, steps, 6)).astype("float32"),
        rng.normal(size=(batch, steps, 3)).astype("float32"),
        source_ids,
    )


def test_the_mixture_equals_the_numpy_reference_and_sums_to_one():
    inputs = random_inputs()
    layer = PointerGenerator(bias_initializer="ones")
    log_probs, p_gen = (ops.convert_to_numpy(output) for output in layer(list(inputs)))
    expected_log_probs, expected_p_gen = reference(layer, *inputs)
    np.testing.assert_allclose(p_gen, expected_p_gen, rtol=1e-5)
    np.testing.assert_allclose(log_probs, expected_log_probs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.exp(log_probs).sum(-1), 1.0, rtol=1e-5)
    assert log_probs.dtype == np.float32 and p_gen.dtype == np.float32


def test_the_copy_distribution_adds_the_alignments_of_each_source_token():
    alignments = np.array([[[0.5, 0.25, 0.25, 0.0]]], "float32")
    source_ids = np.array([[5, 7, 5, 0]], "int32")
    copy = ops.convert_to_numpy(copy_distribution(alignments, source_ids, 9))
    np.testing.assert_allclose(copy[0, 0], [0, 0, 0, 0, 0, 0.75, 0, 0.25, 0])


def test_training_stays_finite_where_the_copy_part_is_zero_and_learns_to_copy():
    """A model whose only way to be right is copying: the target is the source token the
    alignments point at, never predicted by the (constant) logits."""
    batch, sources, vocabulary = 64, 4, 12
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    source_ids = rng.integers(4, vocabulary, size=(batch, sources)).astype("int32")
    pointed = rng.integers(0, sources, size=batch)
    alignments = np.eye(sources, dtype="float32")[pointed][:, None, :]
    targets = source_ids[np.arange(batch), pointed][:, None]
    features = rng.normal(size=(batch, 1, 2)).astype("float32")
    logits = np.zeros((batch, 1, vocabulary), "float32")
    arrays = [logits, alignments, features, features, features, source_ids]
    inputs = [keras.Input(shape=array.shape[1:], dtype=array.dtype.name) for array in arrays]
    log_probs, _ = PointerGenerator(name="copy")(inputs)
    model = keras.Model(inputs, log_probs)
    model.compile(keras.optimizers.Adam(0.1), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = model.evaluate(arrays, targets, verbose=0)
    model.fit(arrays, targets, epochs=30, batch_size=batch, verbose=0)
    after = model.evaluate(arrays, targets, verbose=0)
    assert np.isfinite(before) and np.isfinite(after)
    assert after < 0.1 < before, (before, after)
    p_gen = ops.convert_to_numpy(model.get_layer("copy")(arrays)[1])
    assert p_gen.mean() < 0.1 and p_gen.max() < 0.2, "the switch learned to copy"


def test_the_output_mask_is_the_decoder_steps_mask():
    layer = PointerGenerator()
    step_mask = np.array([[True, True, False]] * 2)
    masks = layer.compute_mask(list(random_inputs()), [step_mask, None, None, None, None, None])
    assert [np.asarray(mask).tolist() for mask in masks] == [step_mask.tolist()] * 2
    assert layer.compute_mask(list(random_inputs()), None) is None


def test_get_config_round_trip_gives_the_same_outputs():
    inputs = list(random_inputs(seed=4))
    layer = PointerGenerator(kernel_initializer="he_normal", name="copy")
    expected = ops.convert_to_numpy(layer(inputs)[0])
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    restored(inputs)
    restored.set_weights(layer.get_weights())
    assert restored.get_config() == layer.get_config()
    np.testing.assert_allclose(ops.convert_to_numpy(restored(inputs)[0]), expected, rtol=1e-6)


def test_computes_in_float32_under_mixed_precision():
    inputs = list(random_inputs(seed=5))
    log_probs, p_gen = PointerGenerator(dtype="mixed_float16")(inputs)
    assert keras.backend.standardize_dtype(log_probs.dtype) == "float32"
    assert keras.backend.standardize_dtype(p_gen.dtype) == "float32"


@pytest.mark.parametrize(
    "shapes, message",
    [
        ([(2, 3, 11)] * 5, r"expects `inputs=\[logits, alignments, context, state, decoder_inputs, source_ids\]`"),
        ([(2, 3, 11), (2, 3, 5), (2, 3, 4), (2, 3, 6), (2, 3, 3), (2, 5, 1)], r"expects `source_ids` of rank 2"),
        ([(2, 3, 11), (2, 3, 5), (2, 3, 4), (2, 3, 6), (2, 3, 3), (2, 6)], r"`alignments` and `source_ids` to agree on T_enc"),
        ([(2, 3, 11), (2, 3, 5), (2, 4, 4), (2, 3, 6), (2, 3, 3), (2, 5)], r"`context` and `logits` to agree on T_dec"),
    ],
)
def test_bad_inputs_are_refused_with_what_was_received(shapes, message):
    with pytest.raises(ValueError, match=message):
        PointerGenerator().build(shapes)
