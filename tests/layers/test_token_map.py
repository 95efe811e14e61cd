"""TokenMap: ids through a fixed table, against NumPy indexing; serialization and argument errors."""

import re

import keras
import numpy as np
import pytest
from keras import ops

from keras_attention.layers import TokenMap


def test_maps_ids_as_numpy_indexing_does():
    rng = np.random.default_rng(0)
    table = rng.integers(0, 50, size=30)
    ids = rng.integers(0, 30, size=(4, 7)).astype("int32")
    layer = TokenMap(table)
    outputs = ops.convert_to_numpy(layer(ids))
    assert outputs.dtype == np.int32
    np.testing.assert_array_equal(outputs, table[ids])


def test_round_trips_through_its_config_and_a_saved_model(tmp_path):
    table = [0, 1, 2, 3, 9, 1, 4]
    inputs = keras.Input(shape=(None,), dtype="int32")
    model = keras.Model(inputs, TokenMap(table, name="map")(inputs))
    model.save(tmp_path / "map.keras")
    loaded = keras.saving.load_model(tmp_path / "map.keras")
    ids = np.array([[6, 5, 4, 0]], "int32")
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(ids)), [[4, 1, 9, 0]])
    assert TokenMap.from_config(TokenMap(table).get_config()).table == table


@pytest.mark.parametrize(
    "table, received",
    [
        ([], "table=[]"),
        ([0, -1], "table=[0, -1]"),
        ([0.5, 1.0], "table=[0.5, 1.0]"),
        ([[0, 1]], "table=[[0, 1]]"),
        (list(range(-1, 19)), "table=[-1, 0, 1, 2, 3, 4, 5, 6, ... (20 items)]"),
    ],
)
def test_invalid_tables_are_refused(table, received):
    with pytest.raises(ValueError, match=re.escape(f"`table` must be a non-empty sequence of ints >= 0. Received: {received}")):
        TokenMap(table)
