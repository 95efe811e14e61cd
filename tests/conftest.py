"""Shared test setup: quiet TensorFlow, private Keras/matplotlib homes, seeds, and the
`requires_tensorflow` marker (such tests are skipped when Keras runs on another backend;
`tests/backends.sh` runs the layer and model tests under JAX and PyTorch)."""

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


@pytest.fixture(autouse=True)
def _skip_unless_tensorflow(request):
    backend = keras.backend.backend()
    if request.node.get_closest_marker("requires_tensorflow") and backend != "tensorflow":
        pytest.skip(f"needs the TensorFlow backend, running on {backend}")
