"""The cuDNN eligibility report (`keras_attention.trainer.cudnn`) and training under the cuDNN
kernel's mask rule, enforced on a CPU by the `cudnn_masks` fixture."""

import importlib

import keras
import numpy as np
import pytest
from helpers.tiny_runs import TINY_MODEL, write_tiny_config

from keras_attention.config import ModelConfig, RunConfig
from keras_attention.models import build_seq2seq
from keras_attention.trainer import train
from keras_attention.trainer.cudnn import CUDNN, GENERIC, UNKNOWN, LstmKernel, cudnn_report, lstm_kernels

pytestmark = pytest.mark.requires_tensorflow

ATTENTION_IN_STEP = (
    GENERIC,
    "attention inside the step: AttentionRNN steps its LSTMCell one step at a time",
)


@pytest.mark.parametrize(
    "model, expected",
    [
        (
            {},
            {
                "encoder/encoder_lstm_0/forward": (CUDNN, ""),
                "encoder/encoder_lstm_0/backward": (CUDNN, ""),
                "decoder/decoder_lstm_0": (CUDNN, ""),
            },
        ),
        (
            {"bidirectional": False, "encoder_layers": 2, "decoder_layers": 2},
            {
                "encoder/encoder_lstm_0": (CUDNN, ""),
                "encoder/encoder_lstm_1": (CUDNN, ""),
                "decoder/decoder_lstm_0": (CUDNN, ""),
                "decoder/decoder_lstm_1": (CUDNN, ""),
            },
        ),
        (
            {"attention_placement": "in_step"},
            {
                "encoder/encoder_lstm_0/forward": (CUDNN, ""),
                "encoder/encoder_lstm_0/backward": (CUDNN, ""),
                "decoder/decoder_rnn": ATTENTION_IN_STEP,
            },
        ),
        (
            {"attention_placement": "in_step", "decoder_layers": 2, "input_feeding": True, "coverage": True,
             "coverage_loss_weight": 0.5},
            {
                "encoder/encoder_lstm_0/forward": (CUDNN, ""),
                "encoder/encoder_lstm_0/backward": (CUDNN, ""),
                "decoder/decoder_rnn": (GENERIC, ATTENTION_IN_STEP[1].replace("LSTMCell", "2 LSTMCells")),
            },
        ),
    ],
    ids=["after_lstm", "after_lstm, 2 layers each", "in_step", "in_step, 2 layers, input feeding and coverage"],
)  # fmt: skip
def test_the_report_for_each_attention_placement(model, expected):
    config = ModelConfig(**TINY_MODEL, **model)
    kernels = lstm_kernels(build_seq2seq(config, 12, 12))
    assert {kernel.name: (kernel.kernel, kernel.reason) for kernel in kernels} == expected
    report = cudnn_report(config).splitlines()
    cudnn_count = sum(kernel == CUDNN for kernel, _ in expected.values())
    assert report[0].startswith(f"cuDNN on a GPU (Keras's rules, TensorFlow backend): {cudnn_count} of {len(expected)} LSTMs")
    assert report[1:] == [f"  {kernel.describe()}" for kernel in kernels]


def test_the_report_reads_like_this():
    config = ModelConfig(**TINY_MODEL, attention_placement="in_step")
    assert cudnn_report(config) == (
        "cuDNN on a GPU (Keras's rules, TensorFlow backend): 2 of 3 LSTMs; Keras compiles a model with "
        "cuDNN layers without XLA\n"
        "  encoder/encoder_lstm_0/forward: cuDNN\n"
        "  encoder/encoder_lstm_0/backward: cuDNN\n"
        "  decoder/decoder_rnn: generic kernel (attention inside the step: AttentionRNN steps its LSTMCell "
        "one step at a time)"
    )


def test_keras_rules_decide_each_layer():
    """Each exclusion, at the layer level (`use_cudnn`, recurrent dropout) and in the backend's rule
    (a non-tanh activation, no bias), and a plain `keras.layers.RNN` over an `LSTMCell`."""
    inputs = keras.Input((3, 4))
    layers = [
        keras.layers.LSTM(5, return_sequences=True, name="plain"),
        keras.layers.LSTM(5, return_sequences=True, use_cudnn=False, name="no_cudnn"),
        keras.layers.LSTM(5, return_sequences=True, recurrent_dropout=0.25, name="recurrent_dropout"),
        keras.layers.LSTM(5, return_sequences=True, activation="relu", name="relu"),
        keras.layers.LSTM(5, return_sequences=True, use_bias=False, name="no_bias"),
        keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True, dropout=0.5), name="both_ways"),
        keras.layers.RNN(keras.layers.LSTMCell(5), return_sequences=True, name="stepped"),
        keras.layers.GRU(5, return_sequences=True, name="gru"),
    ]
    x = inputs
    for layer in layers:
        x = layer(x)
    kernels = lstm_kernels(keras.Model(inputs, x))
    assert kernels == [
        LstmKernel("plain", CUDNN),
        LstmKernel("no_cudnn", GENERIC, "use_cudnn=False"),
        LstmKernel("recurrent_dropout", GENERIC, "recurrent_dropout=0.25"),
        LstmKernel(
            "relu", GENERIC, "Keras's cuDNN rule refuses activation=relu, recurrent_activation=sigmoid, unroll=False, use_bias=True"
        ),
        LstmKernel(
            "no_bias", GENERIC, "Keras's cuDNN rule refuses activation=tanh, recurrent_activation=sigmoid, unroll=False, use_bias=False"
        ),
        LstmKernel("both_ways/forward", CUDNN),
        LstmKernel("both_ways/backward", CUDNN),
        LstmKernel("stepped", GENERIC, "RNN steps its LSTMCell one step at a time"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "module, name",
    [("keras.src.backend", "lstm"), ("keras.src.backend.tensorflow.rnn", "_do_lstm_arguments_support_cudnn")],
)
def test_without_the_private_names_the_report_says_unknown(monkeypatch, module, name):
    model = build_seq2seq(ModelConfig(**TINY_MODEL), 12, 12)  # Keras itself needs the names to build
    monkeypatch.delattr(importlib.import_module(module), name)
    kernels = lstm_kernels(model)
    assert [kernel.name for kernel in kernels] == [
        "encoder/encoder_lstm_0/forward",
        "encoder/encoder_lstm_0/backward",
        "decoder/decoder_lstm_0",
    ]
    for kernel in kernels:
        assert kernel.kernel == UNKNOWN
        assert kernel.reason == f"Keras {keras.__version__} lacks the private names of its cuDNN rule"


def test_the_report_leaves_the_initial_weights_alone():
    """The probe model draws its layers' seeds from Python's `random`; the report restores it."""
    config = ModelConfig(**TINY_MODEL, dropout=0.1)
    keras.utils.set_random_seed(7)
    expected = build_seq2seq(config, 12, 12).get_weights()
    keras.utils.set_random_seed(7)
    cudnn_report(config)
    for weight, reference in zip(build_seq2seq(config, 12, 12).get_weights(), expected, strict=True):
        np.testing.assert_array_equal(weight, reference)


def test_training_on_bucketed_batches_passes_the_rule(tmp_path, cudnn_masks):
    """`train` with the cuDNN mask rule enforced: bucketed training and validation batches, the dev
    BLEU callback (greedy decoding), and the test scoring at the end; the report is logged."""
    config = RunConfig.from_yaml(write_tiny_config(tmp_path, num_train=192, num_dev=32))
    config.data.buckets = 4
    config.data.test = config.data.dev  # scored after training, as held-out pairs are
    config.evaluation.dev_bleu_sentences = 32
    lines = []
    summary = train(config, tmp_path / "run", verbose=0, log=lines.append)
    assert cudnn_masks, "the LSTMs ran under the rule"
    assert summary["padding"]["bucketed"] < summary["padding"]["plain"], "the batches were bucketed"
    assert "val_bleu" in summary["final"] and summary["test"]
    report = next(line for line in lines if line.startswith("cuDNN on a GPU"))
    assert report == cudnn_report(config.model)
