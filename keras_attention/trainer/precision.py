"""Mixed precision: which devices can run which policy, and the policy for one training run.

Under a mixed policy the layers compute in float16 / bfloat16 and keep float32 variables; Keras
wraps the optimizer in a `LossScaleOptimizer` for `mixed_float16`, and the loss is computed in
float32 (Keras losses compute in `floatx`, float32).
"""

import contextlib
import dataclasses

import keras
import tensorflow as tf

from keras_attention.errors import ConfigError

_KEY = "training.mixed_precision"
# Lowest NVIDIA compute capability with fast hardware support for each policy.
MIN_COMPUTE_CAPABILITY = {"mixed_float16": (7, 0), "mixed_bfloat16": (8, 0)}


@dataclasses.dataclass(frozen=True)
class Device:
    """A device that would run the training.

    Attributes:
        kind: `"GPU"`, `"TPU"` or `"CPU"`.
        name: device name, for messages.
        compute_capability: `(major, minor)` of an NVIDIA GPU, else `None`.
    """

    kind: str
    name: str
    compute_capability: tuple = None


def training_devices(strategy_name):
    """Returns the `Device`s that the strategy `strategy_name` trains on in this process."""
    if strategy_name == "tpu":
        return [Device("TPU", "TPU")]
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return [Device("CPU", "CPU")]
    return [
        Device("GPU", gpu.name, tf.config.experimental.get_device_details(gpu).get("compute_capability"))
        for gpu in gpus
    ]


def check_mixed_precision(policy, devices):
    """Checks that every device in `devices` can run the mixed precision `policy`.

    `mixed_float16` needs NVIDIA GPUs of compute capability 7.0 or higher (on CPUs it runs, but
    slower than float32). `mixed_bfloat16` runs on TPUs, on CPUs (fast on those with AVX-512
    BF16 or AMX) and on NVIDIA GPUs of compute capability 8.0 or higher.

    Args:
        policy: `None`, `"mixed_float16"` or `"mixed_bfloat16"`.
        devices: list of `Device`.

    Raises:
        ConfigError: a device cannot run `policy`; the message says what to use instead.
    """
    if policy is None:
        return
    for device in devices:
        problem = _problem(policy, device)
        if problem:
            raise ConfigError(f"{_KEY}: {policy!r} {problem}")


def _problem(policy, device):
    """What stops `device` from running `policy`, or `None`."""
    minimum = MIN_COMPUTE_CAPABILITY[policy]
    needs = f"needs NVIDIA GPUs of compute capability {minimum[0]}.{minimum[1]} or higher"
    if device.kind == "GPU":
        capability = tuple(device.compute_capability or (0, 0))
        if capability >= minimum:
            return None
        found = "an unknown compute capability" if capability == (0, 0) else "compute capability %d.%d" % capability
        fits_float16 = capability >= MIN_COMPUTE_CAPABILITY["mixed_float16"]
        instead = "'mixed_float16' or null" if policy == "mixed_bfloat16" and fits_float16 else "null"
        return f"{needs}; {device.name} has {found}. Use {instead}"
    if policy == "mixed_float16":
        return f"{needs}, and this process trains on a {device.kind}. Use 'mixed_bfloat16' or null"
    return None


@contextlib.contextmanager
def global_policy(policy):
    """Sets Keras's global dtype policy to `policy` (`None`: float32) inside the `with` block."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy or "float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
