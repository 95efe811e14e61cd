"""Checkpoint averaging: identical checkpoints average to themselves, different ones to their mean."""

import keras
import numpy as np
import pytest

from keras_attention.runs import RunLayout, average_checkpoints, average_weights
from keras_attention.runs.layout import epoch_checkpoint_name


def small_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def save_versions(model, directory, versions):
    paths = []
    for epoch, weights in enumerate(versions, start=1):
        model.set_weights(weights)
        paths.append(directory / epoch_checkpoint_name(epoch))
        model.save_weights(paths[-1])
    return paths


def random_weights(model, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()]


def test_averaging_identical_checkpoints_gives_the_same_weights(tmp_path):
    model = small_model()
    weights = random_weights(model, 0)
    paths = save_versions(model, tmp_path, [weights] * 3)
    model.set_weights(random_weights(model, 1))
    averaged = average_checkpoints(model, paths).get_weights()
    for got, expected in zip(averaged, weights, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_averaging_different_checkpoints_gives_their_mean_per_variable(tmp_path):
    model = small_model()
    versions = [random_weights(model, seed) for seed in range(4)]
    paths = save_versions(model, tmp_path, versions)
    averaged = average_checkpoints(model, paths).get_weights()
    assert len(averaged) == 4
    for index, got in enumerate(averaged):
        expected = np.mean([version[index].astype(np.float64) for version in versions], axis=0)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        assert not np.allclose(got, versions[-1][index])


def test_non_float_variables_take_the_last_value():
    averaged = average_weights([[np.array([1.0, 3.0]), np.array(5)], [np.array([2.0, 5.0]), np.array(7)]])
    np.testing.assert_array_equal(averaged[0], [1.5, 4.0])
    assert averaged[1] == 7


def test_weights_of_different_models_are_refused():
    with pytest.raises(ValueError, match=r"different models: they hold \[1, 2\] arrays"):
        average_weights([[np.zeros(2)], [np.zeros(2), np.zeros(3)]])


def test_epoch_checkpoints_are_listed_in_epoch_order(tmp_path):
    layout = RunLayout(tmp_path)
    assert layout.epoch_checkpoints() == []
    layout.checkpoints.mkdir()
    for name in ("epoch-0010.weights.h5", "epoch-0002.weights.h5", "best.weights.h5", "notes.txt"):
        (layout.checkpoints / name).write_text("")
    expected = [(2, tmp_path / "checkpoints" / "epoch-0002.weights.h5"), (10, layout.epoch_checkpoint(10))]
    assert layout.epoch_checkpoints() == expected
