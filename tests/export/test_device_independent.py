"""The exported graph holds no cuDNN op, even traced on a host where TensorFlow lists a GPU.

Keras takes its cuDNN LSTM kernel when `tf.config.list_logical_devices("GPU")` is not empty
(`_is_gpu_available` of `keras/src/backend/tensorflow/rnn.py`); these tests make that function
answer `True` to trace as on a GPU host."""

import importlib

import numpy as np
import pytest
import tensorflow as tf
from helpers.export_inputs import SENTENCES

from keras_attention.config import DecodingConfig
from keras_attention.decoding import greedy_decode
from keras_attention.export import ALLOWED_OPS, export_translator, saved_model_ops
from keras_attention.export.serving import generic_lstm_kernels

pytestmark = pytest.mark.requires_tensorflow

TENSORFLOW_RNN = importlib.import_module("keras.src.backend.tensorflow.rnn")


def graph_ops(concrete_function):
    """The op types of a concrete function's graph and of every function in its library."""
    graph = concrete_function.graph.as_graph_def()
    ops = {node.op for node in graph.node}
    for function in graph.library.function:
        ops |= {node.op for node in function.node_def}
    return ops


def decoding_trace(translator):
    """A plain trace of greedy decoding with the translator's models, as a user would write it."""
    function = tf.function(lambda ids: greedy_decode(translator.encoder, translator.decoder, ids, 8)["ids"])
    return function.get_concrete_function(tf.TensorSpec([None, None], tf.int32))


def test_a_plain_trace_on_a_gpu_host_records_cudnn(export_of, monkeypatch):
    """The control: what the exporter must avoid."""
    translator = export_of("greedy").translator
    monkeypatch.setattr(TENSORFLOW_RNN, "_is_gpu_available", lambda: True)
    ops = graph_ops(decoding_trace(translator))
    assert {"CudnnRNNV3", "ReverseSequence"} <= ops
    assert not ops <= ALLOWED_OPS
    with generic_lstm_kernels(translator.encoder, translator.decoder) as layers:
        assert len(layers) == 3 and all(layer.use_cudnn is False for layer in layers)
        assert not any(op.startswith("Cudnn") for op in graph_ops(decoding_trace(translator)))
    assert all(layer.use_cudnn == "auto" for layer in layers), "each layer's setting is restored"


def test_the_export_traced_on_a_gpu_host_has_no_cudnn_op(export_of, monkeypatch, tmp_path):
    """From a translator whose `translate_batch` was already traced on that host (its cached graph
    holds cuDNN ops): the export passes the op allow-list and serves here. The LSTMs are what
    matters, not the strategy or the tokenizers: the ensemble's members hold them all (two
    members, one with dropout), and every member must take the generic kernel. Decoded greedily
    here (the strategy does not choose the kernel), which traces faster than its beam search."""
    exported = export_of("ensemble")
    translator = exported.translator.copy(decoding=DecodingConfig(max_length=exported.translator.max_length))
    with monkeypatch.context() as gpu_host:
        gpu_host.setattr(TENSORFLOW_RNN, "_is_gpu_available", lambda: True)
        assert "CudnnRNNV3" in graph_ops(translator.translate_batch.get_concrete_function())
        result = export_translator(translator, tmp_path / "dates", warmup_sentences=SENTENCES[:2])
    ops = saved_model_ops(result.path)
    assert not [op for op in ops if op.startswith("Cudnn")] and set(ops) <= ALLOWED_OPS
    assert result.metadata["ops"] == list(ops)
    served = tf.saved_model.load(str(result.path)).signatures["serving_default"](inputs=tf.constant(SENTENCES))
    expected = translator.copy().translate(SENTENCES)
    np.testing.assert_array_equal(served["translations"].numpy().astype(str), expected.translations)
