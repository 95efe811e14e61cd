"""PaddingMask: ids -> boolean mask, config round trip, harness, errors."""

import keras
import numpy as np
import pytest
from keras.src import testing

from keras_attention.layers import PaddingMask


@pytest.mark.parametrize("pad_id", [0, 3])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_matches_numpy(pad_id, dtype):
    ids = np.random.default_rng(0).integers(0, 5, size=(4, 7)).astype(dtype)
    mask = PaddingMask(pad_id=pad_id)(ids)
    assert keras.backend.standardize_dtype(mask.dtype) == "bool"
    np.testing.assert_array_equal(mask, ids != pad_id)


def test_symbolic_output_is_boolean():
    mask = PaddingMask()(keras.Input((None,), dtype="int32"))
    assert mask.dtype == "bool"
    assert mask.shape == (None, None)


def test_config_round_trip():
    layer = PaddingMask(pad_id=2, name="source_mask")
    config = layer.get_config()
    assert config["pad_id"] == 2
    clone = PaddingMask.from_config(config)
    assert clone.get_config() == config
    ids = np.array([[1, 2, 3], [2, 2, 0]])
    np.testing.assert_array_equal(clone(ids), layer(ids))
    assert (
        keras.saving.get_registered_name(PaddingMask)
        == "keras_attention>PaddingMask"
    )


class PaddingMaskHarnessTest(testing.TestCase):
    def test_run_layer_test(self):
        self.run_layer_test(
            PaddingMask,
            init_kwargs={"pad_id": 1},
            input_shape=(2, 5),
            input_dtype="int32",
            expected_output_shape=(2, 5),
            expected_output_dtype="bool",
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            # A boolean output has no gradient, so there is nothing to train.
            run_training_check=False,
        )


@pytest.mark.parametrize("pad_id", [-1, 1.5, "0", None, True])
def test_rejects_bad_pad_id(pad_id):
    with pytest.raises(ValueError, match=f"Received: pad_id={pad_id!r}"):
        PaddingMask(pad_id=pad_id)
