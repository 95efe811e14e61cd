"""Shared test setup: quiet TensorFlow, private Keras/matplotlib homes, seeds."""

import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_HOME = tempfile.mkdtemp(prefix="keras-attention-tests-")
os.environ.setdefault("KERAS_HOME", os.path.join(_HOME, "keras"))
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_HOME, "mpl"))

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield
