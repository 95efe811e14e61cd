"""Shared test setup: quiet TensorFlow, private Keras/matplotlib homes, seeds, the Bible corpus,
and the `requires_tensorflow` marker (such tests are skipped when Keras runs on another backend;
`tests/backends.sh` runs the layer and model tests under JAX and PyTorch)."""

import importlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_HOME = tempfile.mkdtemp(prefix="keras-attention-tests-")
os.environ.setdefault("KERAS_HOME", os.path.join(_HOME, "keras"))
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_HOME, "mpl"))

import keras  # noqa: E402
import pytest  # noqa: E402


SHARED_FIXTURE_FOLDERS = ("export", "trainer")
"""Folders whose test modules share session fixtures (`tests/export/conftest.py`: five exports and
one serving client in a fresh process, minutes of work; `tests/trainer/conftest.py`: a tiny run)."""


def fixture_scope(nodeid):
    """The unit of work of `make test`'s scheduler: a test's module, or the whole folder of
    `SHARED_FIXTURE_FOLDERS` it is in, so that no module or session fixture is built twice."""
    path = nodeid.split("::")[0]
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 and parts[1] in SHARED_FIXTURE_FOLDERS else path


def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadscope`, pytest-xdist hands out whole `fixture_scope`s (its own
    `xdist_group` marks are lost on pytest 9: they rename `item._nodeid`, which pytest no longer reads)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FixtureScopeScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return fixture_scope(nodeid)

    return FixtureScopeScheduling(config, log)


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield


@pytest.fixture(autouse=True)
def _skip_unless_tensorflow(request):
    backend = keras.backend.backend()
    if request.node.get_closest_marker("requires_tensorflow") and backend != "tensorflow":
        pytest.skip(f"needs the TensorFlow backend, running on {backend}")


BIBLE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bible"


@pytest.fixture(scope="session")
def bible():
    """The verse-aligned Bible corpus in ../shared/data/bible (relative to the repo root)."""
    if not (BIBLE / "web-sparv.train.tsv").is_file():
        pytest.skip(f"the Bible corpus is not at {BIBLE} (a sibling of the repository's folder)")
    return BIBLE


@pytest.fixture
def config_file(tmp_path):
    """Returns a function that writes YAML text to a config file and returns its path."""

    def write(text):
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def cudnn_masks(monkeypatch):
    """Enforces Keras's cuDNN mask rule on every `keras.layers.LSTM` call, as on a GPU.

    `keras.src.backend.lstm` (the TensorFlow backend's cuDNN path) is replaced by a function that
    runs Keras's own `_assert_valid_mask` on the mask it receives (every row right-padded and not
    fully masked) and then raises `NotImplementedError`, which makes the layer fall back to the
    generic kernel as it does on a CPU. A refused mask fails with "You are passing a RNN mask that
    does not correspond to right-padded sequences", eagerly and inside a `tf.function`.

    Returns:
        list that receives each checked mask (symbolic inside a `tf.function`), so that a test can
        show that the rule was applied.
    """
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the cuDNN mask rule belongs to the TensorFlow backend")
    from keras.src import backend

    # The module itself: `keras.src.backend.tensorflow.rnn` as an attribute is its function `rnn`.
    rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")

    checked = []

    def lstm(inputs, initial_state_h, initial_state_c, mask, *args, **kwargs):
        if mask is not None:
            rnn._assert_valid_mask(mask)
            checked.append(mask)
        raise NotImplementedError

    monkeypatch.setattr(backend, "lstm", lstm)
    return checked
