"""Fixtures of the trainer tests: a tiny run trained once for the session."""

import pytest
from helpers.tiny_runs import write_tiny_config


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A run trained in-process for 3 epochs with dev data, 2 kept checkpoints and 2 heatmaps."""
    from keras_attention.config import RunConfig
    from keras_attention.trainer import train

    directory = tmp_path_factory.mktemp("tiny-run")
    config = write_tiny_config(directory, num_dev=32, epochs=3, keep_checkpoints=2, attention_images=2)
    output = directory / "run"
    summary = train(RunConfig.from_yaml(config), output, verbose=0, log=lambda line: None)
    return output, summary
