"""Which LSTMs of a model would take the cuDNN kernel on a GPU, by Keras's own rules.

Keras 3 decides at every call of a `keras.layers.LSTM`. `LSTM.inner_loop` offers the sequence to
the backend's fused kernel, `keras.src.backend.lstm`, unless the layer has `use_cudnn=False` or
recurrent dropout. The TensorFlow backend's `lstm` takes cuDNN when its private
`_do_lstm_arguments_support_cudnn(activation, recurrent_activation, unroll, use_bias)` holds and a
GPU is visible, and raises `NotImplementedError` otherwise, upon which the layer runs its generic
kernel. A layer that steps an `LSTMCell` itself (`AttentionRNN`: attention inside the step) never
reaches that kernel.

`lstm_kernels` probes each LSTM: it runs the layer once on a tiny input with `backend.lstm`
replaced by a recorder that evaluates Keras's rule on the arguments it receives and then raises
`NotImplementedError`; a layer that never reaches the recorder was excluded by the layer-level
rule. The private Keras names are used in this module only; where they are missing (another Keras
version), every LSTM is reported as `unknown` instead of failing.
"""

import contextlib
import dataclasses
import importlib
import inspect
import random

import keras
import numpy as np

from keras_attention.layers import AttentionRNN

CUDNN = "cuDNN"
GENERIC = "generic kernel"
UNKNOWN = "unknown"
_PROBE_VOCABULARY = 8  # the vocabulary sizes of the probe model (the kernels do not depend on them)


@dataclasses.dataclass(frozen=True)
class LstmKernel:
    """The kernel one LSTM would run on a GPU.

    Attributes:
        name: the layer's path in the model, e.g. `encoder/encoder_lstm_0/forward`.
        kernel: `CUDNN`, `GENERIC` or `UNKNOWN`.
        reason: why not cuDNN (empty for `CUDNN`).
    """

    name: str
    kernel: str
    reason: str = ""

    def describe(self):
        return f"{self.name}: {self.kernel}" + (f" ({self.reason})" if self.reason else "")


@dataclasses.dataclass(frozen=True)
class _KerasRules:
    """The private Keras names the probe relies on."""

    backend: object  # the module `keras.src.backend`, whose `lstm` the probe replaces
    lstm_signature: inspect.Signature
    arguments_support_cudnn: object  # `_do_lstm_arguments_support_cudnn` of the TensorFlow backend


def _keras_rules():
    """The private Keras names of the rule, or `None` where this Keras lacks them."""
    try:
        from keras.src import backend

        tensorflow_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
        return _KerasRules(
            backend, inspect.signature(backend.lstm), tensorflow_rnn._do_lstm_arguments_support_cudnn
        )
    except (ImportError, AttributeError, TypeError, ValueError):
        return None


@contextlib.contextmanager
def _replaced(module, name, value):
    """Sets `module.name` to `value` inside the block, restoring the original after it."""
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


def _function_name(function):
    return getattr(function, "__name__", repr(function))


def _probe(layer, name, rules):
    """Runs `layer` (a built `keras.layers.LSTM`) once and returns its `LstmKernel`."""
    verdicts = []

    def recorder(*args, **kwargs):
        try:
            arguments = rules.lstm_signature.bind(*args, **kwargs).arguments
            rule = dict(
                activation=arguments["activation"],
                recurrent_activation=arguments["recurrent_activation"],
                unroll=arguments.get("unroll", False),
                use_bias=arguments["bias"] is not None,  # as Keras's `lstm` asks it
            )
            verdicts.append((bool(rules.arguments_support_cudnn(**rule)), rule))
        except (TypeError, KeyError) as error:
            verdicts.append((None, f"Keras's fused LSTM kernel takes other arguments here: {error}"))
        raise NotImplementedError  # Keras then runs its generic kernel, as without a GPU

    sequence = keras.ops.zeros((1, 2, layer.cell.kernel.shape[0]), dtype=layer.compute_dtype)
    with _replaced(rules.backend, "lstm", recorder):
        layer(sequence)
    if not verdicts:
        return LstmKernel(name, GENERIC, _layer_exclusion(layer))
    supported, rule = verdicts[0]
    if supported is None:
        return LstmKernel(name, UNKNOWN, rule)
    if supported:
        return LstmKernel(name, CUDNN)
    shown = ", ".join(
        f"{key}={_function_name(value) if callable(value) else value}" for key, value in rule.items()
    )
    return LstmKernel(name, GENERIC, f"Keras's cuDNN rule refuses {shown}")


def _layer_exclusion(layer):
    """Why `LSTM.inner_loop` did not offer `layer`'s sequence to the fused kernel."""
    if layer.use_cudnn is False:
        return "use_cudnn=False"
    if layer.recurrent_dropout:
        return f"recurrent_dropout={layer.recurrent_dropout}"
    return "Keras's LSTM did not offer it to the fused kernel"


def _lstm_cells(cell):
    """The `keras.layers.LSTMCell`s inside a cell (nested cells and stacks included)."""
    if isinstance(cell, keras.layers.LSTMCell):
        return [cell]
    inner = list(getattr(cell, "cells", None) or [])
    if getattr(cell, "cell", None) is not None:
        inner.append(cell.cell)
    return [found for child in inner for found in _lstm_cells(child)]


def _stepped(layer, name):
    """The `LstmKernel` of a layer that steps LSTM cells itself, or `None` if it steps none."""
    count = len(_lstm_cells(getattr(layer, "cell", None)))
    if not count:
        return None
    cells = f"{count} LSTMCells" if count > 1 else "LSTMCell"
    reason = f"{type(layer).__name__} steps its {cells} one step at a time"
    if isinstance(layer, AttentionRNN):
        reason = f"attention inside the step: {reason}"
    return LstmKernel(name, GENERIC, reason)


def lstm_kernels(model):
    """The kernel that each LSTM of `model` would run on a GPU under the TensorFlow backend.

    Every built `keras.layers.LSTM` (those inside `Bidirectional` and nested models included) is
    run once on a `(1, 2, d)` input of zeros (see the module docstring); a layer that steps LSTM
    cells itself is reported without running.

    Args:
        model: a built `keras.Model`.

    Returns:
        list of `LstmKernel`, in the order of the model's layers.
    """
    rules = _keras_rules()
    kernels = []

    def visit(layer, name):
        if isinstance(layer, keras.Model):
            for child in layer.layers:
                visit(child, f"{name}/{child.name}")
        elif isinstance(layer, keras.layers.Bidirectional):
            visit(layer.forward_layer, f"{name}/forward")
            visit(layer.backward_layer, f"{name}/backward")
        elif isinstance(layer, keras.layers.LSTM):
            kernels.append(_probe(layer, name, rules) if rules else _unknown(name))
        else:
            stepped = _stepped(layer, name)
            if stepped is not None:
                kernels.append(stepped)

    for layer in model.layers:
        visit(layer, layer.name)
    return kernels


def _unknown(name):
    return LstmKernel(name, UNKNOWN, f"Keras {keras.__version__} lacks the private names of its cuDNN rule")


@contextlib.contextmanager
def _same_random_state():
    """Restores Python's and NumPy's random state after the block, so that building a model inside
    it leaves the seeds of later layers (drawn from Python's `random`) as they were."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def cudnn_report(model_config):
    """Says which LSTMs of the model that `model_config` describes would take cuDNN on a GPU.

    Builds a copy of the model with tiny vocabularies (the kernels do not depend on them), probes
    its LSTMs (`lstm_kernels`) and leaves the random state as it found it, so that the model built
    afterwards gets the same initial weights as without the report.

    Args:
        model_config: `ModelConfig`.

    Returns:
        str: a headline, then one line per LSTM, e.g. `  encoder/encoder_lstm_0/forward: cuDNN`.
    """
    from keras_attention.models import build_seq2seq

    with _same_random_state():
        kernels = lstm_kernels(build_seq2seq(model_config, _PROBE_VOCABULARY, _PROBE_VOCABULARY))
    count = sum(kernel.kernel == CUDNN for kernel in kernels)
    headline = (
        f"cuDNN on a GPU (Keras's rules, TensorFlow backend): {count} of {len(kernels)} LSTMs"
        + ("; Keras compiles a model with cuDNN layers without XLA" if count else "")
    )
    return "\n".join([headline, *(f"  {kernel.describe()}" for kernel in kernels)])
