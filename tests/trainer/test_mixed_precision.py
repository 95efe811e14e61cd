"""Mixed precision: which devices may run which policy, float32 loss and softmax, float32 saved runs."""

import keras
import numpy as np
import pytest
from helpers.tiny_configs import TINY_MODEL
from helpers.tiny_runs import write_tiny_config

from keras_attention.config import ModelConfig, RunConfig, TrainingConfig
from keras_attention.errors import ConfigError
from keras_attention.layers import AttentionLayer
from keras_attention.models import build_seq2seq, compile_seq2seq
from keras_attention.runs import load_run
from keras_attention.trainer import train
from keras_attention.trainer.precision import Device, check_mixed_precision, global_policy

CPU = Device("CPU", "CPU")
TPU = Device("TPU", "TPU")


def gpu(major, minor):
    return Device("GPU", "/physical_device:GPU:0", (major, minor))


@pytest.mark.parametrize(
    "policy, devices",
    [
        (None, [CPU]),
        ("mixed_bfloat16", [CPU]),
        ("mixed_bfloat16", [TPU]),
        ("mixed_bfloat16", [gpu(8, 0), gpu(9, 0)]),
        ("mixed_float16", [gpu(7, 0)]),
        ("mixed_float16", [gpu(8, 6)]),
    ],
)
def test_devices_that_can_run_the_policy(policy, devices):
    check_mixed_precision(policy, devices)


@pytest.mark.parametrize(
    "policy, devices, message",
    [
        ("mixed_float16", [CPU], "'mixed_float16' needs NVIDIA GPUs of compute capability 7.0 or higher, and this "
         "process trains on a CPU. Use 'mixed_bfloat16' or null"),
        ("mixed_float16", [TPU], "trains on a TPU. Use 'mixed_bfloat16' or null"),
        ("mixed_float16", [gpu(8, 0), gpu(6, 1)], "GPU:0 has compute capability 6.1. Use null"),
        ("mixed_bfloat16", [gpu(7, 5)], "'mixed_bfloat16' needs NVIDIA GPUs of compute capability 8.0 or higher; "
         "/physical_device:GPU:0 has compute capability 7.5. Use 'mixed_float16' or null"),
        ("mixed_bfloat16", [Device("GPU", "GPU:3")], "GPU:3 has an unknown compute capability. Use null"),
    ],
)
def test_devices_that_cannot_run_the_policy(policy, devices, message):
    with pytest.raises(ConfigError, match="training.mixed_precision: ") as raised:
        check_mixed_precision(policy, devices)
    assert message in str(raised.value)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_loss_is_float32_under_a_mixed_policy(policy):
    with global_policy(policy):
        model = build_seq2seq(ModelConfig(**TINY_MODEL), 12, 10)
        compile_seq2seq(model, TrainingConfig())
    assert keras.config.dtype_policy().name == "float32"
    inputs = {"source": np.array([[4, 5, 3]], "int32"), "target_in": np.array([[2, 6, 7]], "int32")}
    targets = np.array([[6, 7, 3]], "int32")
    logits = model(inputs)
    assert keras.backend.standardize_dtype(logits.dtype) == policy.split("_")[1]
    loss = model.compute_loss(inputs, targets, logits)
    assert keras.backend.standardize_dtype(loss.dtype) == "float32"


def test_attention_softmax_is_float32_under_mixed_float16():
    layer = AttentionLayer(score="luong_dot", dtype="mixed_float16")
    query = np.array([[[1.0, 0.0]]], "float32")
    values = np.array([[[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [3.0, 0.0]]], "float32")  # scores exact in float16
    _, alignments = layer([query, values])
    scores = np.array([0.0, 0.5, 1.0, 3.0])
    expected = np.exp(scores) / np.exp(scores).sum()
    assert keras.backend.standardize_dtype(alignments.dtype) == "float32"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alignments)[0, 0], expected, rtol=1e-6)


def test_bfloat16_training_saves_a_float32_run(tmp_path):
    config = RunConfig.from_yaml(write_tiny_config(tmp_path, num_train=64, mixed_precision="mixed_bfloat16"))
    summary = train(config, tmp_path / "run", verbose=0, log=lambda line: None)
    assert summary["mixed_precision"] == "mixed_bfloat16" and np.isfinite(summary["final"]["loss"])
    run = load_run(tmp_path / "run")
    assert {layer.dtype_policy.name for layer in run.model.get_layer("decoder").layers} == {"float32"}
    assert len(run.translator().translate(["3 March 1998"]).translations) == 1
