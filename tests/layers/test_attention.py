"""AttentionLayer: numbers against NumPy and keras.layers.Attention, masking,
gradients, serialization and Keras's own layer test harness."""

import json
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from absl.testing import parameterized
from keras.src import testing

from keras_attention.layers import AttentionLayer, PaddingMask

UNITS = {"bahdanau": 6, "luong_dot": None, "luong_general": None}
SCORES = list(UNITS)


def make_layer(score, **kwargs):
    return AttentionLayer(score=score, units=UNITS[score], **kwargs)


def lengths_mask(lengths, time):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


def random_batch(rng, batch, query_time, values_time, query_dim, values_dim):
    """Random query/values and masks with a random length per batch row."""
    query = rng.normal(size=(batch, query_time, query_dim)).astype("float32")
    values = rng.normal(size=(batch, values_time, values_dim))
    values = values.astype("float32")
    query_mask = lengths_mask(
        rng.integers(1, query_time + 1, size=batch), query_time
    )
    values_mask = lengths_mask(
        rng.integers(1, values_time + 1, size=batch), values_time
    )
    return query, values, query_mask, values_mask


def numpy_attention(score, weights, query, values, query_mask, values_mask):
    """Independent float64 reference, one (query step, key) pair at a time."""
    query, values = query.astype("float64"), values.astype("float64")
    batch, query_time, _ = query.shape
    values_time = values.shape[1]
    scores = np.zeros((batch, query_time, values_time))
    for b in range(batch):
        for i in range(query_time):
            for j in range(values_time):
                q, h = query[b, i], values[b, j]
                if score == "bahdanau":
                    hidden = (
                        q @ weights["query_kernel"]
                        + h @ weights["values_kernel"]
                        + weights.get("bias", 0.0)
                    )
                    scores[b, i, j] = weights["score_vector"] @ np.tanh(hidden)
                elif score == "luong_dot":
                    scores[b, i, j] = q @ h
                else:
                    scores[b, i, j] = q @ weights["kernel"] @ h
    alignments = np.zeros_like(scores)
    for b in range(batch):
        keys = values_mask[b]
        for i in range(query_time):
            if query_mask[b, i] and keys.any():
                row = np.exp(scores[b, i, keys] - scores[b, i, keys].max())
                alignments[b, i, keys] = row / row.sum()
    context = np.einsum("bqk,bkd->bqd", alignments, values)
    return context, alignments


def weights_by_name(layer):
    return {w.name: np.asarray(w.numpy(), "float64") for w in layer.weights}


def dims(score):
    """(query_dim, values_dim): different sizes wherever the score allows."""
    return (5, 5) if score == "luong_dot" else (3, 5)


@pytest.mark.parametrize("score", SCORES)
@pytest.mark.parametrize(
    "batch,query_time,values_time", [(1, 1, 1), (3, 4, 6), (5, 7, 3)]
)
def test_matches_numpy_reference(score, batch, query_time, values_time):
    rng = np.random.default_rng(batch * 100 + query_time * 10 + values_time)
    query, values, query_mask, values_mask = random_batch(
        rng, batch, query_time, values_time, *dims(score)
    )
    # A non-zero bias, so the reference checks where the bias is added.
    layer = make_layer(score, bias_initializer="ones")
    mask = [query_mask, values_mask]
    context, alignments = layer([query, values], mask=mask)

    expected_context, expected_alignments = numpy_attention(
        score, weights_by_name(layer), query, values, query_mask, values_mask
    )
    assert tuple(context.shape) == (batch, query_time, dims(score)[1])
    assert tuple(alignments.shape) == (batch, query_time, values_time)
    np.testing.assert_allclose(context, expected_context, atol=1e-5)
    np.testing.assert_allclose(alignments, expected_alignments, atol=1e-5)


def test_bahdanau_without_bias_matches_numpy_reference():
    rng = np.random.default_rng(3)
    query, values, query_mask, values_mask = random_batch(rng, 4, 5, 6, 3, 5)
    layer = make_layer("bahdanau", use_bias=False)
    outputs = layer([query, values], mask=[query_mask, values_mask])

    weights = weights_by_name(layer)
    assert sorted(weights) == ["query_kernel", "score_vector", "values_kernel"]
    expected = numpy_attention(
        "bahdanau", weights, query, values, query_mask, values_mask
    )
    for actual, wanted in zip(outputs, expected):
        np.testing.assert_allclose(actual, wanted, atol=1e-5)


@pytest.mark.parametrize("score", SCORES)
def test_without_masks_matches_numpy_reference(score):
    rng = np.random.default_rng(4)
    query, values, _, _ = random_batch(rng, 3, 4, 6, *dims(score))
    layer = make_layer(score)
    outputs = layer([query, values])

    everything = [np.ones((3, 4), bool), np.ones((3, 6), bool)]
    expected = numpy_attention(
        score, weights_by_name(layer), query, values, *everything
    )
    for actual, wanted in zip(outputs, expected):
        np.testing.assert_allclose(actual, wanted, atol=1e-5)


@pytest.mark.parametrize("score", SCORES)
def test_bool_int_and_float_masks_agree(score):
    rng = np.random.default_rng(5)
    query, values, query_mask, values_mask = random_batch(
        rng, 4, 5, 6, *dims(score)
    )
    layer = make_layer(score)
    reference = layer([query, values], mask=[query_mask, values_mask])
    for dtype in ("int32", "float32"):
        mask = [query_mask.astype(dtype), values_mask.astype(dtype)]
        outputs = layer([query, values], mask=mask)
        for actual, wanted in zip(outputs, reference):
            np.testing.assert_array_equal(actual, wanted)


def test_luong_dot_matches_keras_attention():
    rng = np.random.default_rng(6)
    query, values, query_mask, values_mask = random_batch(rng, 6, 5, 7, 4, 4)
    context, alignments = make_layer("luong_dot")(
        [query, values], mask=[query_mask, values_mask]
    )
    keras_context, keras_scores = keras.layers.Attention(
        use_scale=False, score_mode="dot"
    )([query, values], mask=[query_mask, values_mask],
      return_attention_scores=True)

    np.testing.assert_allclose(context, keras_context, atol=1e-6)
    # keras.layers.Attention zeroes the outputs of masked query rows but still
    # returns their softmax over the keys; ours zeroes those alignment rows,
    # so compare alignments over unmasked query rows only.
    np.testing.assert_allclose(
        np.asarray(alignments)[query_mask],
        np.asarray(keras_scores)[query_mask],
        atol=1e-6,
    )


@pytest.mark.parametrize("score", SCORES)
def test_alignment_rows_sum_to_one_and_padded_keys_are_exactly_zero(score):
    rng = np.random.default_rng(8)
    query, values, query_mask, values_mask = random_batch(
        rng, 5, 6, 8, *dims(score)
    )
    _, alignments = make_layer(score)(
        [query, values], mask=[query_mask, values_mask]
    )
    alignments = np.asarray(alignments)

    valid = query_mask[:, :, None] & values_mask[:, None, :]
    assert np.all(alignments[~valid] == 0.0)
    row_sums = alignments.sum(axis=-1)
    np.testing.assert_allclose(row_sums[query_mask], 1.0, atol=1e-6)
    assert np.all(row_sums[~query_mask] == 0.0)


@pytest.mark.parametrize("score", SCORES)
def test_extra_padding_changes_no_unmasked_output(score):
    rng = np.random.default_rng(9)
    query, values, query_mask, values_mask = random_batch(
        rng, 4, 5, 6, *dims(score)
    )
    layer = make_layer(score)
    mask = [query_mask, values_mask]
    context, alignments = layer([query, values], mask=mask)

    # Append garbage (not zeros) time steps, all masked out.
    pad_query = rng.normal(size=(4, 3, query.shape[2])).astype("float32")
    pad_values = rng.normal(size=(4, 4, values.shape[2])).astype("float32")
    padded_context, padded_alignments = layer(
        [
            np.concatenate([query, pad_query], axis=1),
            np.concatenate([values, pad_values], axis=1),
        ],
        mask=[
            np.pad(query_mask, [(0, 0), (0, 3)]),
            np.pad(values_mask, [(0, 0), (0, 4)]),
        ],
    )
    padded_context = np.asarray(padded_context)
    padded_alignments = np.asarray(padded_alignments)

    np.testing.assert_allclose(
        padded_context[:, :5][query_mask],
        np.asarray(context)[query_mask],
        atol=1e-6,
    )
    np.testing.assert_allclose(
        padded_alignments[:, :5, :6][query_mask],
        np.asarray(alignments)[query_mask],
        atol=1e-6,
    )
    assert np.all(padded_alignments[:, :, 6:] == 0.0)
    assert np.all(padded_alignments[:, 5:] == 0.0)
    assert np.all(padded_context[:, 5:] == 0.0)


@pytest.mark.parametrize("score", SCORES)
def test_fully_masked_values_row_gives_zeros_not_nan(score):
    rng = np.random.default_rng(10)
    query, values, _, _ = random_batch(rng, 3, 4, 5, *dims(score))
    values_mask = np.ones((3, 5), bool)
    values_mask[1] = False
    context, alignments = make_layer(score)(
        [query, values], mask=[None, values_mask]
    )
    context, alignments = np.asarray(context), np.asarray(alignments)

    assert not np.isnan(context).any() and not np.isnan(alignments).any()
    assert np.all(context[1] == 0.0) and np.all(alignments[1] == 0.0)
    np.testing.assert_allclose(alignments[[0, 2]].sum(-1), 1.0, atol=1e-6)


@pytest.mark.parametrize("score", SCORES)
def test_masked_query_rows_give_zeros_not_nan(score):
    rng = np.random.default_rng(11)
    query, values, _, _ = random_batch(rng, 3, 4, 5, *dims(score))
    query_mask = lengths_mask([4, 2, 0], 4)
    context, alignments = make_layer(score)(
        [query, values], mask=[query_mask, None]
    )
    context, alignments = np.asarray(context), np.asarray(alignments)

    assert not np.isnan(context).any() and not np.isnan(alignments).any()
    assert np.all(context[~query_mask] == 0.0)
    assert np.all(alignments[~query_mask] == 0.0)
    np.testing.assert_allclose(alignments[query_mask].sum(-1), 1.0, atol=1e-6)


BAHDANAU_WEIGHTS = ["query_kernel", "values_kernel", "score_vector"]


@pytest.mark.parametrize("score", SCORES)
def test_mixed_precision_masking_stays_finite(score):
    rng = np.random.default_rng(16)
    query, values, query_mask, values_mask = random_batch(
        rng, 3, 4, 5, *dims(score)
    )
    values_mask[0] = False
    query = tf.constant(query)
    layer = make_layer(score, dtype="mixed_float16")
    with tf.GradientTape() as tape:
        tape.watch(query)
        context, alignments = layer(
            [query, values], mask=[query_mask, values_mask]
        )
        loss = tf.reduce_sum(tf.cast(context, "float32") ** 2)
    gradient = np.asarray(tape.gradient(loss, query))
    context = np.asarray(context, "float32")
    alignments = np.asarray(alignments, "float32")

    assert np.isfinite(gradient).all()
    assert np.isfinite(context).all() and np.isfinite(alignments).all()
    valid = query_mask[:, :, None] & values_mask[:, None, :]
    assert np.all(alignments[~valid] == 0.0)
    np.testing.assert_allclose(
        alignments.sum(-1)[query_mask & values_mask.any(-1)[:, None]],
        1.0,
        atol=1e-2,
    )


@pytest.mark.parametrize(
    "score,use_bias,names",
    [
        ("bahdanau", True, BAHDANAU_WEIGHTS + ["bias"]),
        ("bahdanau", False, BAHDANAU_WEIGHTS),
        ("luong_general", True, ["kernel"]),
    ],
)
def test_gradients_reach_every_trainable_weight(score, use_bias, names):
    rng = np.random.default_rng(12)
    query, values, query_mask, values_mask = random_batch(
        rng, 3, 4, 5, *dims(score)
    )
    values_mask[0] = False  # A row without keys must not poison gradients.
    layer = make_layer(score, use_bias=use_bias)
    layer.build([query.shape, values.shape])
    # Random loss weights: plain sums would give zero gradients, because each
    # alignment row sums to a constant.
    context_weights = rng.normal(size=(3, 4, 5)).astype("float32")
    alignment_weights = rng.normal(size=(3, 4, 5)).astype("float32")
    with tf.GradientTape() as tape:
        context, alignments = layer(
            [query, values], mask=[query_mask, values_mask]
        )
        loss = tf.reduce_sum(context * context_weights) + tf.reduce_sum(
            alignments * alignment_weights
        )
    gradients = tape.gradient(loss, layer.trainable_weights)

    assert [weight.name for weight in layer.trainable_weights] == names
    for weight, gradient in zip(layer.trainable_weights, gradients):
        assert gradient is not None, weight.name
        gradient = np.asarray(gradient)
        assert np.any(gradient != 0.0), weight.name
        assert not np.isnan(gradient).any(), weight.name


def test_luong_dot_has_no_weights():
    layer = make_layer("luong_dot")
    layer.build([(None, 3, 4), (None, 5, 4)])
    assert layer.weights == []


@pytest.mark.parametrize("score", SCORES)
def test_get_config_from_config_reproduces_outputs(score):
    rng = np.random.default_rng(13)
    query, values, query_mask, values_mask = random_batch(
        rng, 3, 4, 5, *dims(score)
    )
    layer = make_layer(
        score,
        use_bias=False,
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.3),
        bias_initializer="ones",
        name="attention",
    )
    mask = [query_mask, values_mask]
    outputs = layer([query, values], mask=mask)

    config = layer.get_config()
    assert config["score"] == score
    assert config["units"] == UNITS[score]
    assert config["use_bias"] is False
    assert config["kernel_initializer"]["class_name"] == "RandomNormal"
    assert config["kernel_initializer"]["config"]["stddev"] == 0.3
    assert config["bias_initializer"]["class_name"] == "Ones"
    clone = AttentionLayer.from_config(config)
    assert clone.get_config() == config
    clone.build([query.shape, values.shape])
    clone.set_weights(layer.get_weights())
    for actual, wanted in zip(clone([query, values], mask=mask), outputs):
        np.testing.assert_array_equal(actual, wanted)


@pytest.mark.parametrize("score", SCORES)
def test_saved_functional_model_reproduces_outputs(score, tmp_path):
    query_dim, values_dim = dims(score)
    query = keras.Input((None, query_dim), name="query")
    values = keras.Input((None, values_dim), name="values")
    target_ids = keras.Input((None,), dtype="int32", name="target_ids")
    source_ids = keras.Input((None,), dtype="int32", name="source_ids")
    context, alignments = make_layer(score, name="attention")(
        [query, values],
        mask=[PaddingMask()(target_ids), PaddingMask()(source_ids)],
    )
    model = keras.Model(
        [query, values, target_ids, source_ids], [context, alignments]
    )

    rng = np.random.default_rng(14)
    query_data, values_data, query_mask, values_mask = random_batch(
        rng, 3, 4, 6, query_dim, values_dim
    )
    inputs = [
        query_data,
        values_data,
        np.where(query_mask, 7, 0).astype("int32"),
        np.where(values_mask, 9, 0).astype("int32"),
    ]
    outputs = model(inputs)
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        saved = json.loads(archive.read("config.json"))
    registered = {
        layer["config"]["name"]: layer["registered_name"]
        for layer in saved["config"]["layers"]
    }
    assert registered["attention"] == "keras_attention>AttentionLayer"
    assert "keras_attention>PaddingMask" in registered.values()

    restored = keras.saving.load_model(path)
    for actual, wanted in zip(restored(inputs), outputs):
        np.testing.assert_array_equal(actual, wanted)


def test_compute_mask_passes_the_query_mask_on():
    layer = make_layer("luong_dot")
    query_mask = np.array([[1, 1, 0]], "int32")
    values_mask = np.array([[True, False]])
    masks = layer.compute_mask(None, [query_mask, values_mask])
    assert len(masks) == 2
    for mask in masks:
        assert keras.backend.standardize_dtype(mask.dtype) == "bool"
        np.testing.assert_array_equal(mask, [[True, True, False]])
    assert layer.compute_mask(None, None) is None
    assert layer.compute_mask(None, [None, values_mask]) is None


def test_downstream_layers_see_the_query_mask():
    query = keras.Input((None, 4))
    values = keras.Input((None, 4))
    target_ids = keras.Input((None,), dtype="int32")
    context, _ = make_layer("luong_dot")(
        [query, values], mask=[PaddingMask()(target_ids), None]
    )
    # GlobalAveragePooling1D averages over the unmasked steps only.
    pooled = keras.layers.GlobalAveragePooling1D()(context)
    model = keras.Model([query, values, target_ids], [context, pooled])

    rng = np.random.default_rng(17)
    query_data, values_data, query_mask, _ = random_batch(rng, 3, 5, 6, 4, 4)
    context, pooled = model(
        [query_data, values_data, query_mask.astype("int32")]
    )
    context = np.asarray(context)
    expected = [context[b][query_mask[b]].mean(axis=0) for b in range(3)]
    np.testing.assert_allclose(pooled, np.stack(expected), atol=1e-6)


def test_masks_flow_from_embeddings_automatically():
    """Without an explicit `mask`, Keras passes the inputs' masks on."""
    target = np.array([[3, 4, 0], [5, 0, 0]])
    source = np.array([[1, 2, 3, 0], [4, 0, 0, 0]])
    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    layer = make_layer("luong_general")
    implicit = layer([embedding(target), embedding(source)])
    explicit = layer(
        [embedding(target), embedding(source)],
        mask=[target != 0, source != 0],
    )
    for actual, wanted in zip(implicit, explicit):
        np.testing.assert_array_equal(actual, wanted)
    assert np.all(np.asarray(implicit[1])[:, :, 3] == 0.0)


@pytest.mark.parametrize("score", SCORES)
def test_compute_output_shape(score):
    layer = make_layer(score)
    query_dim, values_dim = dims(score)
    assert layer.compute_output_shape(
        [(None, 7, query_dim), (None, 9, values_dim)]
    ) == ((None, 7, values_dim), (None, 7, 9))


class AttentionLayerHarnessTest(testing.TestCase):
    """Keras's own layer checks: config, build, symbolic and eager calls,
    a compiled training step and mixed precision."""

    @parameterized.named_parameters(
        ("bahdanau", "bahdanau", 4),
        ("luong_dot", "luong_dot", 0),
        ("luong_general", "luong_general", 1),
    )
    def test_run_layer_test(self, score, trainable_weights):
        query_dim, values_dim = dims(score)
        self.run_layer_test(
            AttentionLayer,
            init_kwargs={"score": score, "units": UNITS[score]},
            input_shape=((2, 3, query_dim), (2, 4, values_dim)),
            expected_output_shape=((2, 3, values_dim), (2, 3, 4)),
            expected_output_dtype=("float32", "float32"),
            expected_num_trainable_weights=trainable_weights,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            expected_num_losses=0,
            supports_masking=True,
        )


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"score": "luong_concat"}, "Received: score='luong_concat'"),
        ({"score": "bahdanau"}, "Received: units=None"),
        ({"score": "bahdanau", "units": -3}, "Received: units=-3"),
        ({"score": "bahdanau", "units": 0}, "Received: units=0"),
        ({"score": "bahdanau", "units": 2.5}, "Received: units=2.5"),
        ({"score": "bahdanau", "units": "a"}, "Received: units='a'"),
        ({"score": "bahdanau", "units": True}, "Received: units=True"),
        ({"score": "luong_dot", "units": 8}, "not allowed.*Received: units=8"),
        ({"score": "luong_general", "units": 8}, "Received: units=8"),
    ],
)
def test_invalid_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AttentionLayer(**kwargs)


def test_unknown_score_error_lists_allowed_values():
    with pytest.raises(
        ValueError, match="bahdanau, luong_dot, luong_general.*'dot'"
    ):
        AttentionLayer(score="dot")


def test_luong_dot_rejects_different_feature_sizes():
    layer = make_layer("luong_dot")
    with pytest.raises(ValueError, match="query size 3, values size 5"):
        layer([np.zeros((2, 4, 3)), np.zeros((2, 6, 5))])


@pytest.mark.parametrize("count", [None, 1, 3])
@pytest.mark.parametrize("built", [False, True])
def test_inputs_must_be_a_pair(count, built):
    tensor = np.zeros((2, 4, 3), "float32")
    inputs = tensor if count is None else [tensor] * count
    layer = make_layer("luong_general")
    if built:
        layer.build([(None, None, 3), (None, None, 3)])
    with pytest.raises(ValueError, match=r"Received: inputs.*\(2, 4, 3\)"):
        layer(inputs)


@pytest.mark.parametrize(
    "query_shape,values_shape,match",
    [
        ((2, 3), (2, 4, 3), r"Received: query.shape=\(2, 3\)"),
        ((2, 4, 3), (2, 4, 3, 1), r"Received: values.shape=\(2, 4, 3, 1\)"),
    ],
)
def test_inputs_must_have_rank_3(query_shape, values_shape, match):
    with pytest.raises(ValueError, match=match):
        make_layer("bahdanau")([np.zeros(query_shape), np.zeros(values_shape)])


def test_mask_must_be_a_pair():
    inputs = [np.zeros((2, 4, 3), "float32"), np.zeros((2, 5, 3), "float32")]
    with pytest.raises(ValueError, match="Received: mask="):
        make_layer("luong_dot")(inputs, mask=np.ones((2, 5), bool))
