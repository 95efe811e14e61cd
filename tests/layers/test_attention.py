"""AttentionLayer: numbers against NumPy, keras.layers.Attention and
keras.layers.AdditiveAttention, masking, coverage, dropout, gradients,
serialization and Keras's own layer test harness."""

import json
import zipfile

import keras
import numpy as np
import pytest
from absl.testing import parameterized
from keras import ops
from keras.src import testing

from helpers import numpy_reference
from keras_attention.layers import AttentionLayer, PaddingMask

# Every score, scale and coverage option, by test id.
VARIANTS = {
    "bahdanau": {"score": "bahdanau", "units": 6},
    "bahdanau_normed": {"score": "bahdanau_normed", "units": 6},
    "luong_concat": {"score": "luong_concat", "units": 6},
    "luong_dot": {"score": "luong_dot"},
    "luong_general": {"score": "luong_general"},
    "luong_general_learned": {"score": "luong_general", "scale": "learned"},
    "luong_general_inverse_sqrt": {
        "score": "luong_general",
        "scale": "inverse_sqrt",
    },
    "scaled_dot": {"score": "scaled_dot"},
    "scaled_dot_learned": {"score": "scaled_dot", "scale": "learned"},
    "bahdanau_coverage": {
        "score": "bahdanau",
        "units": 6,
        "use_coverage": True,
    },
    "bahdanau_normed_coverage": {
        "score": "bahdanau_normed",
        "units": 5,
        "use_coverage": True,
    },
    "luong_concat_coverage": {
        "score": "luong_concat",
        "units": 4,
        "use_coverage": True,
    },
}
BASIC = ["bahdanau", "luong_dot", "luong_general"]


def make_layer(variant, **kwargs):
    return AttentionLayer(**{**VARIANTS[variant], **kwargs})


def to_numpy(outputs):
    return [ops.convert_to_numpy(output) for output in outputs]


def lengths_mask(lengths, time):
    return np.arange(time)[None, :] < np.asarray(lengths)[:, None]


def dims(variant):
    """(query_dim, values_dim): different sizes wherever the score allows."""
    same = VARIANTS[variant]["score"] in ("luong_dot", "scaled_dot")
    return (5, 5) if same else (3, 5)


def random_batch(rng, variant, batch, query_time, values_time):
    """Random inputs (with coverage when the variant has it) and masks with a
    random length per batch row."""
    query_dim, values_dim = dims(variant)
    query = rng.normal(size=(batch, query_time, query_dim)).astype("float32")
    values = rng.normal(size=(batch, values_time, values_dim))
    inputs = [query, values.astype("float32")]
    if VARIANTS[variant].get("use_coverage"):
        coverage = rng.uniform(0, 2, size=(batch, query_time, values_time))
        inputs.append(coverage.astype("float32"))
    query_mask = lengths_mask(
        rng.integers(1, query_time + 1, size=batch), query_time
    )
    values_mask = lengths_mask(
        rng.integers(1, values_time + 1, size=batch), values_time
    )
    return inputs, query_mask, values_mask


def layer_mask(variant, query_mask, values_mask):
    mask = [query_mask, values_mask]
    return mask + [None] if VARIANTS[variant].get("use_coverage") else mask


def randomize_weights(layer, rng):
    """Random values for every weight, so the reference checks each one."""
    for weight in layer.weights:
        weight.assign(rng.normal(size=weight.shape).astype("float32"))


def weights_by_name(layer):
    return {
        w.name: np.asarray(ops.convert_to_numpy(w), "float64")
        for w in layer.weights
    }


def reference(variant, layer, inputs, query_mask, values_mask):
    coverage = inputs[2].astype("float64") if len(inputs) == 3 else None
    return numpy_reference.attention(
        VARIANTS[variant]["score"],
        weights_by_name(layer),
        inputs[0],
        inputs[1],
        query_mask,
        values_mask,
        coverage=coverage,
        scale=layer.scale,
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    "batch,query_time,values_time", [(1, 1, 1), (3, 4, 6), (5, 7, 3)]
)
def test_matches_numpy_reference(variant, batch, query_time, values_time):
    rng = np.random.default_rng(batch * 100 + query_time * 10 + values_time)
    inputs, query_mask, values_mask = random_batch(
        rng, variant, batch, query_time, values_time
    )
    layer = make_layer(variant)
    layer.build([x.shape for x in inputs])
    randomize_weights(layer, rng)
    mask = layer_mask(variant, query_mask, values_mask)
    context, alignments = to_numpy(layer(inputs, mask=mask))

    expected_context, expected_alignments = reference(
        variant, layer, inputs, query_mask, values_mask
    )
    assert context.shape == (batch, query_time, dims(variant)[1])
    assert alignments.shape == (batch, query_time, values_time)
    np.testing.assert_allclose(context, expected_context, atol=1e-5)
    np.testing.assert_allclose(alignments, expected_alignments, atol=1e-5)


@pytest.mark.parametrize("variant", ["bahdanau", "bahdanau_normed"])
def test_additive_without_bias_matches_numpy_reference(variant):
    rng = np.random.default_rng(3)
    inputs, query_mask, values_mask = random_batch(rng, variant, 4, 5, 6)
    layer = make_layer(variant, use_bias=False)
    outputs = to_numpy(layer(inputs, mask=[query_mask, values_mask]))

    assert "bias" not in weights_by_name(layer)
    expected = reference(variant, layer, inputs, query_mask, values_mask)
    for actual, wanted in zip(outputs, expected):
        np.testing.assert_allclose(actual, wanted, atol=1e-5)


@pytest.mark.parametrize("variant", VARIANTS)
def test_without_masks_matches_numpy_reference(variant):
    rng = np.random.default_rng(4)
    inputs, _, _ = random_batch(rng, variant, 3, 4, 6)
    layer = make_layer(variant)
    outputs = to_numpy(layer(inputs))

    everything = [np.ones((3, 4), bool), np.ones((3, 6), bool)]
    expected = reference(variant, layer, inputs, *everything)
    for actual, wanted in zip(outputs, expected):
        np.testing.assert_allclose(actual, wanted, atol=1e-5)


def test_initial_weights_follow_tensorflow_nmt():
    normed = make_layer("bahdanau_normed")
    normed.build([(None, 3, 4), (None, 5, 4)])
    learned = make_layer("luong_general_learned")
    learned.build([(None, 3, 4), (None, 5, 4)])
    assert float(ops.convert_to_numpy(normed.score_gain)) == pytest.approx(
        np.sqrt(1 / 6)
    )
    np.testing.assert_array_equal(ops.convert_to_numpy(normed.bias), 0.0)
    assert float(ops.convert_to_numpy(learned.learned_scale)) == 1.0


@pytest.mark.parametrize(
    "variant", ["scaled_dot", "luong_general_inverse_sqrt"]
)
def test_inverse_sqrt_divides_the_unscaled_scores(variant):
    rng = np.random.default_rng(18)
    inputs, query_mask, values_mask = random_batch(rng, variant, 3, 4, 6)
    scaled = make_layer(variant)
    unscaled = AttentionLayer(
        "luong_dot" if variant == "scaled_dot" else "luong_general"
    )
    scaled.build([x.shape for x in inputs])
    unscaled.build([x.shape for x in inputs])
    unscaled.set_weights(scaled.get_weights())
    # Dividing the scores by sqrt(d) equals dividing the query by sqrt(d).
    shrunk = [inputs[0] / np.sqrt(inputs[1].shape[2]), inputs[1]]
    mask = [query_mask, values_mask]
    for actual, wanted in zip(
        to_numpy(scaled(inputs, mask=mask)),
        to_numpy(unscaled(shrunk, mask=mask)),
    ):
        np.testing.assert_allclose(actual, wanted, atol=1e-6)


@pytest.mark.parametrize("variant", VARIANTS)
def test_bool_int_and_float_masks_agree(variant):
    rng = np.random.default_rng(5)
    inputs, query_mask, values_mask = random_batch(rng, variant, 4, 5, 6)
    layer = make_layer(variant)
    expected = to_numpy(
        layer(inputs, mask=layer_mask(variant, query_mask, values_mask))
    )
    for dtype in ("int32", "float32"):
        mask = layer_mask(
            variant, query_mask.astype(dtype), values_mask.astype(dtype)
        )
        for actual, wanted in zip(to_numpy(layer(inputs, mask=mask)), expected):
            np.testing.assert_array_equal(actual, wanted)


def assert_matches_keras_attention(ours, theirs, inputs, query_mask, values_mask):
    """Compares our layer with a `keras.layers.Attention` on the same inputs and masks.

    keras.layers.Attention zeroes the outputs of masked query rows but still
    returns their softmax over the keys; ours zeroes those alignment rows, so
    alignments are compared over unmasked query rows only.
    """
    mask = [query_mask, values_mask]
    context, alignments = to_numpy(ours(inputs, mask=mask))
    keras_context, keras_scores = to_numpy(
        theirs(inputs, mask=mask, return_attention_scores=True)
    )
    np.testing.assert_allclose(context, keras_context, atol=1e-6)
    np.testing.assert_allclose(
        alignments[query_mask], keras_scores[query_mask], atol=1e-6
    )


def test_luong_dot_matches_keras_attention():
    rng = np.random.default_rng(6)
    inputs, query_mask, values_mask = random_batch(rng, "luong_dot", 6, 5, 7)
    assert_matches_keras_attention(
        make_layer("luong_dot"),
        keras.layers.Attention(use_scale=False, score_mode="dot"),
        inputs,
        query_mask,
        values_mask,
    )


def test_learned_scaled_dot_matches_keras_attention_with_scale():
    rng = np.random.default_rng(19)
    inputs, query_mask, values_mask = random_batch(rng, "scaled_dot", 4, 5, 6)
    ours = make_layer("scaled_dot_learned")
    theirs = keras.layers.Attention(use_scale=True, score_mode="dot")
    ours.build([x.shape for x in inputs])
    theirs.build([x.shape for x in inputs])
    ours.learned_scale.assign(0.37)
    theirs.scale.assign(0.37)
    assert_matches_keras_attention(ours, theirs, inputs, query_mask, values_mask)


def test_bahdanau_with_identity_projections_matches_additive_attention():
    rng = np.random.default_rng(7)
    query = rng.normal(size=(5, 4, 6)).astype("float32")
    values = rng.normal(size=(5, 7, 6)).astype("float32")
    query_mask = lengths_mask([4, 1, 3, 2, 4], 4)
    values_mask = lengths_mask([7, 3, 1, 5, 6], 7)
    layer = AttentionLayer("bahdanau", units=6, use_bias=False)
    layer.build([query.shape, values.shape])
    layer.query_kernel.assign(np.eye(6))
    layer.values_kernel.assign(np.eye(6))
    layer.score_vector.assign(np.ones(6))
    mask = [query_mask, values_mask]
    context, alignments = to_numpy(layer([query, values], mask=mask))
    keras_context, keras_scores = to_numpy(
        keras.layers.AdditiveAttention(use_scale=False)(
            [query, values], mask=mask, return_attention_scores=True
        )
    )

    np.testing.assert_allclose(context, keras_context, atol=1e-6)
    np.testing.assert_allclose(
        alignments[query_mask], keras_scores[query_mask], atol=1e-6
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_alignment_rows_sum_to_one_and_padded_keys_are_exactly_zero(variant):
    rng = np.random.default_rng(8)
    inputs, query_mask, values_mask = random_batch(rng, variant, 5, 6, 8)
    _, alignments = to_numpy(
        make_layer(variant)(
            inputs, mask=layer_mask(variant, query_mask, values_mask)
        )
    )

    valid = query_mask[:, :, None] & values_mask[:, None, :]
    assert np.all(alignments[~valid] == 0.0)
    row_sums = alignments.sum(axis=-1)
    np.testing.assert_allclose(row_sums[query_mask], 1.0, atol=1e-6)
    assert np.all(row_sums[~query_mask] == 0.0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_extra_padding_changes_no_unmasked_output(variant):
    rng = np.random.default_rng(9)
    inputs, query_mask, values_mask = random_batch(rng, variant, 4, 5, 6)
    layer = make_layer(variant)
    context, alignments = to_numpy(
        layer(inputs, mask=layer_mask(variant, query_mask, values_mask))
    )

    # Append garbage (not zeros) time steps, all masked out.
    query, values = inputs[:2]
    padded = [
        np.concatenate([query, rng.normal(size=(4, 3, query.shape[2]))], 1),
        np.concatenate([values, rng.normal(size=(4, 4, values.shape[2]))], 1),
    ]
    if len(inputs) == 3:
        padded.append(
            np.pad(inputs[2], [(0, 0), (0, 3), (0, 4)], constant_values=5.0)
        )
    padded_context, padded_alignments = to_numpy(
        layer(
            [x.astype("float32") for x in padded],
            mask=layer_mask(
                variant,
                np.pad(query_mask, [(0, 0), (0, 3)]),
                np.pad(values_mask, [(0, 0), (0, 4)]),
            ),
        )
    )

    np.testing.assert_allclose(
        padded_context[:, :5][query_mask], context[query_mask], atol=1e-6
    )
    np.testing.assert_allclose(
        padded_alignments[:, :5, :6][query_mask],
        alignments[query_mask],
        atol=1e-6,
    )
    assert np.all(padded_alignments[:, :, 6:] == 0.0)
    assert np.all(padded_alignments[:, 5:] == 0.0)
    assert np.all(padded_context[:, 5:] == 0.0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_fully_masked_values_row_gives_zeros_not_nan(variant):
    rng = np.random.default_rng(10)
    inputs, _, _ = random_batch(rng, variant, 3, 4, 5)
    values_mask = np.ones((3, 5), bool)
    values_mask[1] = False
    context, alignments = to_numpy(
        make_layer(variant)(
            inputs, mask=layer_mask(variant, None, values_mask)
        )
    )

    assert not np.isnan(context).any() and not np.isnan(alignments).any()
    assert np.all(context[1] == 0.0) and np.all(alignments[1] == 0.0)
    np.testing.assert_allclose(alignments[[0, 2]].sum(-1), 1.0, atol=1e-6)


@pytest.mark.parametrize("variant", VARIANTS)
def test_masked_query_rows_give_zeros_not_nan(variant):
    rng = np.random.default_rng(11)
    inputs, _, _ = random_batch(rng, variant, 3, 4, 5)
    query_mask = lengths_mask([4, 2, 0], 4)
    context, alignments = to_numpy(
        make_layer(variant)(inputs, mask=layer_mask(variant, query_mask, None))
    )

    assert not np.isnan(context).any() and not np.isnan(alignments).any()
    assert np.all(context[~query_mask] == 0.0)
    assert np.all(alignments[~query_mask] == 0.0)
    np.testing.assert_allclose(alignments[query_mask].sum(-1), 1.0, atol=1e-6)


def test_coverage_changes_the_alignments():
    rng = np.random.default_rng(20)
    inputs, query_mask, values_mask = random_batch(
        rng, "bahdanau_coverage", 3, 4, 5
    )
    layer = make_layer("bahdanau_coverage")
    mask = layer_mask("bahdanau_coverage", query_mask, values_mask)
    _, alignments = to_numpy(layer(inputs, mask=mask))
    zero_coverage = [inputs[0], inputs[1], np.zeros_like(inputs[2])]
    _, uncovered = to_numpy(layer(zero_coverage, mask=mask))
    without = AttentionLayer("bahdanau", units=6)
    without.build([x.shape for x in inputs[:2]])
    without.set_weights(
        [
            w
            for w, v in zip(layer.get_weights(), layer.weights)
            if v.name != "coverage_kernel"
        ]
    )
    _, plain = to_numpy(without(inputs[:2], mask=mask[:2]))

    assert np.abs(alignments - uncovered).max() > 1e-3
    np.testing.assert_allclose(uncovered, plain, atol=1e-6)


class TestAttentionDropout:
    def make(self):
        # Values = identity rows, so each context row shows the weights.
        rng = np.random.default_rng(21)
        query = rng.normal(size=(4, 6, 3)).astype("float32")
        values = np.tile(np.eye(8, dtype="float32"), (4, 1, 1))
        layer = make_layer("luong_general", dropout=0.5, seed=3)
        return layer, [query, values]

    def test_inference_ignores_dropout(self):
        layer, inputs = self.make()
        context, alignments = to_numpy(layer(inputs))
        for output in to_numpy(layer(inputs, training=False)):
            assert output.shape in (context.shape, alignments.shape)
        np.testing.assert_allclose(context, alignments, atol=1e-6)

    def test_training_drops_weights_of_the_context_only(self):
        layer, inputs = self.make()
        _, expected_alignments = to_numpy(layer(inputs))
        context, alignments = to_numpy(layer(inputs, training=True))

        np.testing.assert_allclose(alignments, expected_alignments, atol=1e-6)
        dropped = np.isclose(context, 0.0)
        assert 0.2 < dropped.mean() < 0.8
        np.testing.assert_allclose(
            context[~dropped], 2.0 * alignments[~dropped], rtol=1e-5
        )

    def test_seed_generator_only_with_dropout(self):
        assert make_layer("luong_general").get_config()["dropout"] == 0.0
        assert not hasattr(make_layer("luong_general"), "seed_generator")
        assert hasattr(self.make()[0], "seed_generator")


@pytest.mark.requires_tensorflow
@pytest.mark.parametrize("variant", BASIC)
def test_mixed_precision_masking_stays_finite(variant):
    import tensorflow as tf

    rng = np.random.default_rng(16)
    inputs, query_mask, values_mask = random_batch(rng, variant, 3, 4, 5)
    values_mask[0] = False
    query = tf.constant(inputs[0])
    layer = make_layer(variant, dtype="mixed_float16")
    with tf.GradientTape() as tape:
        tape.watch(query)
        context, alignments = layer(
            [query, inputs[1]], mask=[query_mask, values_mask]
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


BAHDANAU_WEIGHTS = ["query_kernel", "values_kernel", "score_vector"]


@pytest.mark.requires_tensorflow
@pytest.mark.parametrize(
    "variant,use_bias,names",
    [
        ("bahdanau", True, BAHDANAU_WEIGHTS + ["bias"]),
        ("bahdanau", False, BAHDANAU_WEIGHTS),
        (
            "bahdanau_normed_coverage",
            True,
            BAHDANAU_WEIGHTS + ["bias", "coverage_kernel", "score_gain"],
        ),
        (
            "luong_concat_coverage",
            True,
            ["kernel", "score_vector", "bias", "coverage_kernel"],
        ),
        ("luong_general", True, ["kernel"]),
        ("luong_general_learned", True, ["kernel", "scale"]),
        ("scaled_dot_learned", True, ["scale"]),
    ],
)
def test_gradients_reach_every_trainable_weight(variant, use_bias, names):
    import tensorflow as tf

    rng = np.random.default_rng(12)
    inputs, _, _ = random_batch(rng, variant, 3, 4, 5)
    query_mask = lengths_mask([4, 3, 2], 4)
    # A row without keys must not poison gradients.
    values_mask = lengths_mask([0, 5, 3], 5)
    layer = make_layer(variant, use_bias=use_bias)
    layer.build([x.shape for x in inputs])
    # Random loss weights: plain sums would give zero gradients, because each
    # alignment row sums to a constant.
    context_weights = rng.normal(size=(3, 4, 5)).astype("float32")
    alignment_weights = rng.normal(size=(3, 4, 5)).astype("float32")
    with tf.GradientTape() as tape:
        context, alignments = layer(
            inputs, mask=layer_mask(variant, query_mask, values_mask)
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


@pytest.mark.parametrize("variant", ["luong_dot", "scaled_dot"])
def test_dot_scores_have_no_weights(variant):
    layer = make_layer(variant)
    layer.build([(None, 3, 4), (None, 5, 4)])
    assert layer.weights == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_get_config_from_config_reproduces_outputs(variant):
    rng = np.random.default_rng(13)
    inputs, query_mask, values_mask = random_batch(rng, variant, 3, 4, 5)
    layer = make_layer(
        variant,
        use_bias=False,
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.3),
        bias_initializer="ones",
        name="attention",
    )
    mask = layer_mask(variant, query_mask, values_mask)
    outputs = to_numpy(layer(inputs, mask=mask))

    config = layer.get_config()
    for key, value in VARIANTS[variant].items():
        assert config[key] == value
    assert config["use_bias"] is False
    assert config["scale"] == layer.scale
    assert config["kernel_initializer"]["class_name"] == "RandomNormal"
    assert config["kernel_initializer"]["config"]["stddev"] == 0.3
    assert config["bias_initializer"]["class_name"] == "Ones"
    clone = AttentionLayer.from_config(config)
    assert clone.get_config() == config
    clone.build([x.shape for x in inputs])
    clone.set_weights(layer.get_weights())
    for actual, wanted in zip(to_numpy(clone(inputs, mask=mask)), outputs):
        np.testing.assert_array_equal(actual, wanted)


def test_scaled_dot_stores_its_default_scale():
    config = make_layer("scaled_dot").get_config()
    assert config["scale"] == "inverse_sqrt"
    assert AttentionLayer.from_config(config).scale == "inverse_sqrt"


@pytest.mark.parametrize("variant", VARIANTS)
def test_saved_functional_model_reproduces_outputs(variant, tmp_path):
    query_dim, values_dim = dims(variant)
    query = keras.Input((None, query_dim), name="query")
    values = keras.Input((None, values_dim), name="values")
    target_ids = keras.Input((None,), dtype="int32", name="target_ids")
    source_ids = keras.Input((None,), dtype="int32", name="source_ids")
    layer_inputs = [query, values]
    if VARIANTS[variant].get("use_coverage"):
        layer_inputs.append(keras.Input((None, None), name="coverage"))
    context, alignments = make_layer(
        variant, name="attention", dropout=0.25, seed=1
    )(
        layer_inputs,
        mask=layer_mask(
            variant, PaddingMask()(target_ids), PaddingMask()(source_ids)
        ),
    )
    model = keras.Model(
        [*layer_inputs, target_ids, source_ids], [context, alignments]
    )

    rng = np.random.default_rng(14)
    data, query_mask, values_mask = random_batch(rng, variant, 3, 4, 6)
    inputs = [
        *data,
        np.where(query_mask, 7, 0).astype("int32"),
        np.where(values_mask, 9, 0).astype("int32"),
    ]
    outputs = to_numpy(model(inputs))
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
    assert restored.get_layer("attention").get_config() == (
        model.get_layer("attention").get_config()
    )
    for actual, wanted in zip(to_numpy(restored(inputs)), outputs):
        np.testing.assert_array_equal(actual, wanted)


def test_compute_mask_passes_the_query_mask_on():
    layer = make_layer("luong_dot")
    query_mask = np.array([[1, 1, 0]], "int32")
    values_mask = np.array([[True, False]])
    masks = layer.compute_mask(None, [query_mask, values_mask])
    assert len(masks) == 2
    for mask in masks:
        assert keras.backend.standardize_dtype(mask.dtype) == "bool"
        np.testing.assert_array_equal(
            ops.convert_to_numpy(mask), [[True, True, False]]
        )
    assert layer.compute_mask(None, None) is None
    assert layer.compute_mask(None, [None, values_mask]) is None
    coverage = make_layer("bahdanau_coverage")
    assert len(coverage.compute_mask(None, [query_mask, None, None])) == 2


def test_downstream_layers_see_the_query_mask():
    query = keras.Input((None, 5))
    values = keras.Input((None, 5))
    target_ids = keras.Input((None,), dtype="int32")
    context, _ = make_layer("luong_dot")(
        [query, values], mask=[PaddingMask()(target_ids), None]
    )
    # GlobalAveragePooling1D averages over the unmasked steps only.
    pooled = keras.layers.GlobalAveragePooling1D()(context)
    model = keras.Model([query, values, target_ids], [context, pooled])

    rng = np.random.default_rng(17)
    data, query_mask, _ = random_batch(rng, "luong_dot", 3, 5, 6)
    context, pooled = to_numpy(model([*data, query_mask.astype("int32")]))
    expected = [context[b][query_mask[b]].mean(axis=0) for b in range(3)]
    np.testing.assert_allclose(pooled, np.stack(expected), atol=1e-6)


def test_masks_flow_from_embeddings_automatically():
    """Without an explicit `mask`, Keras passes the inputs' masks on."""
    target = np.array([[3, 4, 0], [5, 0, 0]])
    source = np.array([[1, 2, 3, 0], [4, 0, 0, 0]])
    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    layer = make_layer("luong_general")
    implicit = to_numpy(layer([embedding(target), embedding(source)]))
    explicit = to_numpy(
        layer(
            [embedding(target), embedding(source)],
            mask=[target != 0, source != 0],
        )
    )
    for actual, wanted in zip(implicit, explicit):
        np.testing.assert_array_equal(actual, wanted)
    assert np.all(implicit[1][:, :, 3] == 0.0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_compute_output_shape(variant):
    layer = make_layer(variant)
    query_dim, values_dim = dims(variant)
    shapes = [(None, 7, query_dim), (None, 9, values_dim)]
    if VARIANTS[variant].get("use_coverage"):
        shapes.append((None, 7, 9))
    assert layer.compute_output_shape(shapes) == (
        (None, 7, values_dim),
        (None, 7, 9),
    )


class AttentionLayerHarnessTest(testing.TestCase):
    """Keras's own layer checks: config, build, symbolic and eager calls,
    a compiled training step and mixed precision."""

    @parameterized.named_parameters(
        ("bahdanau", "bahdanau", 4),
        ("bahdanau_normed", "bahdanau_normed", 5),
        ("luong_concat", "luong_concat", 3),
        ("luong_dot", "luong_dot", 0),
        ("luong_general", "luong_general", 1),
        ("luong_general_learned", "luong_general_learned", 2),
        ("scaled_dot", "scaled_dot", 0),
        ("scaled_dot_learned", "scaled_dot_learned", 1),
        ("bahdanau_coverage", "bahdanau_coverage", 5),
    )
    def test_run_layer_test(self, variant, trainable_weights):
        query_dim, values_dim = dims(variant)
        input_shape = [(2, 3, query_dim), (2, 4, values_dim)]
        if VARIANTS[variant].get("use_coverage"):
            input_shape.append((2, 3, 4))
        self.run_layer_test(
            AttentionLayer,
            init_kwargs=VARIANTS[variant],
            input_shape=tuple(input_shape),
            expected_output_shape=((2, 3, values_dim), (2, 3, 4)),
            expected_output_dtype=("float32", "float32"),
            expected_num_trainable_weights=trainable_weights,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            expected_num_losses=0,
            supports_masking=True,
        )

    def test_run_layer_test_with_dropout(self):
        self.run_layer_test(
            AttentionLayer,
            init_kwargs={"score": "luong_dot", "dropout": 0.5, "seed": 2},
            input_shape=((2, 3, 4), (2, 5, 4)),
            expected_output_shape=((2, 3, 4), (2, 3, 5)),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=1,
            expected_num_losses=0,
            supports_masking=True,
        )


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"score": "luong_cat"}, "Received: score='luong_cat'"),
        ({"score": "bahdanau"}, "Received: units=None"),
        ({"score": "bahdanau_normed"}, "score='bahdanau_normed'.*units=None"),
        ({"score": "luong_concat", "units": 0}, "Received: units=0"),
        ({"score": "bahdanau", "units": -3}, "Received: units=-3"),
        ({"score": "bahdanau", "units": 0}, "Received: units=0"),
        ({"score": "bahdanau", "units": 2.5}, "Received: units=2.5"),
        ({"score": "bahdanau", "units": "a"}, "Received: units='a'"),
        ({"score": "bahdanau", "units": True}, "Received: units=True"),
        ({"score": "luong_dot", "units": 8}, "not allowed.*Received: units=8"),
        ({"score": "luong_general", "units": 8}, "Received: units=8"),
        ({"score": "scaled_dot", "units": 8}, "Received: units=8"),
        (
            {"score": "luong_dot", "scale": "learned"},
            r"\(None,\) for score='luong_dot'. Received: scale='learned'",
        ),
        (
            {"score": "bahdanau", "units": 4, "scale": "inverse_sqrt"},
            r"\(None,\) for score='bahdanau'.*scale='inverse_sqrt'",
        ),
        (
            {"score": "luong_general", "scale": "sqrt"},
            r"\(None, 'inverse_sqrt', 'learned'\).*Received: scale='sqrt'",
        ),
        (
            {"score": "scaled_dot", "scale": 2.0},
            r"\(None, 'inverse_sqrt', 'learned'\).*Received: scale=2.0",
        ),
        ({"score": "luong_dot", "dropout": 1.0}, "Received: dropout=1.0"),
        ({"score": "luong_dot", "dropout": -0.1}, "Received: dropout=-0.1"),
        ({"score": "luong_dot", "dropout": "0.1"}, "Received: dropout='0.1'"),
        (
            {"score": "luong_general", "use_coverage": True},
            "additive score.*Received: score='luong_general'",
        ),
        (
            {"score": "bahdanau", "units": 3, "use_coverage": 1},
            "Received: use_coverage=1",
        ),
    ],
)
def test_invalid_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AttentionLayer(**kwargs)


def test_unknown_score_error_lists_allowed_values():
    with pytest.raises(
        ValueError,
        match="bahdanau, bahdanau_normed, luong_concat, luong_dot, "
        "luong_general, scaled_dot.*'dot'",
    ):
        AttentionLayer(score="dot")


@pytest.mark.parametrize("variant", ["luong_dot", "scaled_dot"])
def test_dot_scores_reject_different_feature_sizes(variant):
    layer = make_layer(variant)
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


def test_coverage_layer_needs_three_inputs():
    tensor = np.zeros((2, 4, 3), "float32")
    with pytest.raises(
        ValueError, match=r"\[query, values, coverage\].*Received: inputs"
    ):
        make_layer("bahdanau_coverage")([tensor, tensor])


def test_coverage_must_match_query_and_values_steps():
    query, values = np.zeros((2, 4, 3)), np.zeros((2, 6, 5))
    with pytest.raises(
        ValueError, match=r"\(batch, 4, 6\).*coverage.shape=\(2, 4, 5\)"
    ):
        make_layer("bahdanau_coverage")([query, values, np.zeros((2, 4, 5))])


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


def test_mask_must_match_the_inputs():
    inputs = [np.zeros((2, 4, 3), "float32"), np.zeros((2, 5, 3), "float32")]
    with pytest.raises(ValueError, match="Received: mask="):
        make_layer("luong_dot")(inputs, mask=np.ones((2, 5), bool))


@pytest.mark.parametrize(
    "variant", ["bahdanau", "luong_concat", "bahdanau_coverage"]
)
def test_precomputed_keys_match_the_numpy_reference(variant):
    rng = np.random.default_rng(11)
    inputs, query_mask, values_mask = random_batch(rng, variant, 3, 4, 6)
    layer = make_layer(variant)
    layer.build([x.shape for x in inputs])
    randomize_weights(layer, rng)
    keys = layer.project_values(ops.convert_to_tensor(inputs[1]))
    assert tuple(keys.shape) == (3, 6, layer.units)
    mask = layer_mask(variant, query_mask, values_mask)
    context, alignments = to_numpy(layer(inputs, mask=mask, keys=keys))
    expected_context, expected_alignments = reference(
        variant, layer, inputs, query_mask, values_mask
    )
    np.testing.assert_allclose(context, expected_context, atol=1e-5)
    np.testing.assert_allclose(alignments, expected_alignments, atol=1e-5)


@pytest.mark.parametrize("variant", ["luong_dot", "luong_general"])
def test_keys_are_refused_by_multiplicative_scores(variant):
    layer = make_layer(variant)
    query, values = np.ones((1, 2, 4), "float32"), np.ones((1, 3, 4), "float32")
    with pytest.raises(ValueError, match="only used by the additive scores"):
        layer([query, values], keys=values)
    with pytest.raises(ValueError, match="additive scores .* only"):
        layer.project_values(values)
