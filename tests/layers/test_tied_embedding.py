"""TiedEmbedding: embeds ids, projects vectors with the transposed matrix against NumPy, keeps the
mask of what it projects, and round trips through its config (on every backend)."""

import keras
import numpy as np

from keras_attention.layers import TiedEmbedding


def test_it_embeds_ids_and_projects_vectors_with_the_same_matrix():
    layer = TiedEmbedding(7, 3, name="tied")
    ids = np.array([[1, 6, 0]])
    embedded = keras.ops.convert_to_numpy(layer(ids))
    matrix = keras.ops.convert_to_numpy(layer.embeddings)
    np.testing.assert_allclose(embedded, matrix[ids])
    vectors = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(vectors, reverse=True)), vectors @ matrix.T, rtol=1e-5)
    assert len(layer.weights) == 1


def test_the_projection_keeps_the_mask_of_its_input():
    vectors = keras.Input((None, 3))
    masked = keras.layers.Masking(0.0)(vectors)
    logits = TiedEmbedding(5, 3)(masked, reverse=True)
    mask = keras.Model(vectors, logits._keras_mask)
    batch = np.ones((1, 3, 3), "float32")
    batch[0, 2] = 0.0
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(mask(batch)), [[True, True, False]])


def test_config_round_trip():
    layer = TiedEmbedding(9, 4, embeddings_initializer="zeros", name="tied")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is TiedEmbedding
    assert (restored.input_dim, restored.output_dim, restored.name) == (9, 4, "tied")
    assert restored.get_config() == layer.get_config()
