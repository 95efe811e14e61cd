"""Runs a tiny search in a fresh process with two logical CPU devices; prints one `RESULT` JSON line.

Logical devices must be configured before TensorFlow initializes, hence the separate process.

    python tests/tuning/harness.py mirrored CONFIG OUTPUT_DIR
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

from keras_attention.config import RunConfig  # noqa: E402
from keras_attention.errors import ConfigError  # noqa: E402
from keras_attention.tuning import Seq2SeqHyperModel, tune  # noqa: E402


def mirrored(config_path, output_dir):
    """Searches with `training.strategy: mirrored` and records the strategy every trial fits under."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    seen = []
    fit = Seq2SeqHyperModel.fit

    def recording_fit(self, hp, model, *args, **kwargs):
        strategy = model.distribute_strategy
        seen.append({"strategy": type(strategy).__name__, "replicas": strategy.num_replicas_in_sync})
        return fit(self, hp, model, *args, **kwargs)

    Seq2SeqHyperModel.fit = recording_fit
    config = RunConfig.from_yaml(config_path)
    config.training.strategy = "mirrored"
    summary = tune(config, output_dir, verbose=0, log=lambda line: None)
    config.training.batch_size = 33
    try:
        tune(config, output_dir + "-odd", log=lambda line: None)
        odd_batch_error = None
    except ConfigError as error:
        odd_batch_error = str(error)
    return {"trials": len(summary["trials"]), "fits": seen, "odd_batch_error": odd_batch_error}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print("RESULT " + json.dumps({"mirrored": mirrored}[command](*args)), flush=True)
