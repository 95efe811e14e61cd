"""The packages whose names load on first use: every exported name resolves, an unknown one is an
AttributeError naming the package, and loading a config imports neither Keras nor TensorFlow."""

import importlib
import subprocess
import sys

import pytest

LAZY_PACKAGES = ("keras_attention", "keras_attention.config", "keras_attention.tuning")


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_resolves_and_is_listed(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_an_unknown_name_is_an_attribute_error_naming_the_package(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'NoSuchName'"):
        module.NoSuchName
    with pytest.raises(ImportError):
        exec(f"from {package} import NoSuchName")


def test_loading_a_config_imports_neither_keras_nor_tensorflow(tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("model:\n  encoder_units: 8\ntuning:\n  search:\n    dropout: {choices: [0.0, 0.1]}\n")
    code = (
        "import sys\n"
        "from keras_attention.config import RunConfig\n"
        f"config = RunConfig.from_yaml({str(config)!r})\n"
        "print(config.model.encoder_units, config.tuning.search['dropout'].choices)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'keras', 'tensorflow', 'keras_tuner'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["8 [0.0, 0.1]", "[]"]
