"""Runs training scenarios in a fresh process for the distributed tests; prints one JSON line.

Device layouts (logical CPU devices) and multi-worker collectives must be configured before
TensorFlow initializes, so these scenarios cannot run inside the pytest process.

    python tests/trainer/harness.py two-devices CONFIG OUTPUT_DIR
    python tests/trainer/harness.py worker CONFIG OUTPUT_DIR WEIGHTS_NPZ      (TF_CONFIG set)
    python tests/trainer/harness.py unpatched-fit                              (TF_CONFIG set)
    python tests/trainer/harness.py worker-reads CONFIG [CONFIG ...]             (TF_CONFIG set)
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402 - importing initializes no device, so the scenarios can still set them up
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_attention.config import RunConfig  # noqa: E402
from keras_attention.data.sources import load_splits  # noqa: E402
from keras_attention.errors import ConfigError  # noqa: E402
from keras_attention.trainer import train  # noqa: E402
from keras_attention.trainer.setup import checked_strategy, prepare_data  # noqa: E402


class BatchLosses(keras.callbacks.Callback):
    """Collects the logged loss after every training batch."""

    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


class FinalWeights(keras.callbacks.Callback):
    """Keeps the model weights at the end of training."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_end(self, logs=None):
        self.weights = self.model.get_weights()


def two_devices(config_path, output_dir):
    """Default strategy vs MirroredStrategy on two logical CPUs, same global batch."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    result = {}
    weights = {}
    for strategy in ("default", "mirrored"):
        config = RunConfig.from_yaml(config_path)
        config.training.strategy = strategy
        losses, final = BatchLosses(), FinalWeights()
        output = os.path.join(output_dir, strategy)
        summary = train(config, output, verbose=0, log=lambda line: None, callbacks=[losses, final])
        result[strategy] = {"losses": losses.losses, "replicas": summary["replicas"]}
        weights[strategy] = final.weights
    result["max_weight_difference"] = max(
        float(np.max(np.abs(a - b))) for a, b in zip(weights["default"], weights["mirrored"])
    )
    config = RunConfig.from_yaml(config_path)
    config.training.strategy = "mirrored"
    config.training.batch_size = 33
    try:
        train(config, os.path.join(output_dir, "odd-batch"), verbose=0, log=lambda line: None)
    except ConfigError as error:
        result["odd_batch_error"] = str(error)
    result["odd_batch_output_exists"] = os.path.exists(os.path.join(output_dir, "odd-batch"))
    return result


def worker(config_path, output_dir, weights_path):
    """One worker of a multi-worker run (TF_CONFIG in the environment): trains, saves its weights."""
    final = FinalWeights()
    summary = train(RunConfig.from_yaml(config_path), output_dir, verbose=0, callbacks=[final])
    np.savez(weights_path, *final.weights)
    return summary.to_dict()


def worker_reads(*config_paths):
    """One worker of a multi-worker cluster (TF_CONFIG set): the training sources it reads in one
    epoch of the distributed training dataset of each config, decoded back to text."""
    strategy = None
    read = {}
    for config_path in config_paths:
        config = RunConfig.from_yaml(config_path)
        if strategy is None:  # one MultiWorkerMirroredStrategy per process
            strategy, _ = checked_strategy(config.training)
        data = prepare_data(config, load_splits(config.data), strategy, log=lambda line: None)
        sources = []
        for inputs, _ in data.train:
            for ids in strategy.experimental_local_results(inputs["source"]):
                sources += [text.decode() for text in data.source_tokenizer.detokenize(ids).numpy()]
        read[config_path] = sources
    return read


def unpatched_fit():
    """Keras `fit` of a tiny model under MultiWorkerMirroredStrategy, without the workaround."""
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
    data = tf.data.Dataset.from_tensor_slices((np.ones((16, 4), "float32"), np.ones((16, 2), "float32"))).batch(8)
    try:
        model.fit(data, epochs=1, verbose=0)
    except Exception as error:  # noqa: BLE001 - the test reports whatever upstream raises
        return {"works": False, "error": f"{type(error).__name__}: {str(error)[:300]}"}
    return {"works": True}


def main(argv):
    command, *args = argv
    scenarios = {"two-devices": two_devices, "worker": worker, "unpatched-fit": unpatched_fit, "worker-reads": worker_reads}
    print("RESULT " + json.dumps(scenarios[command](*args)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
