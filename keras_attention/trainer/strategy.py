"""Strategy selection: `training.strategy` -> a `tf.distribute.Strategy`, checked before training.

Every check here raises `ConfigError` naming the config key, so a bad setup fails before any data
is loaded or any step is run.

Example:

```python
strategy = make_strategy("mirrored")
check_batch_size(config.training.batch_size, strategy)
with strategy.scope():
    model = build_seq2seq(...)
    compile_seq2seq(model, config.training)
```
"""

import json
import os

import tensorflow as tf

from keras_attention.errors import ConfigError
from keras_attention.options import registry
from keras_attention.options.training import DISTRIBUTION_STRATEGIES

_KEY = "training.strategy"
_CLUSTER_JOBS = ("chief", "worker")


def read_tf_config(environ=None):
    """Reads and checks the `TF_CONFIG` environment variable that `multi_worker` needs.

    Args:
        environ: mapping to read `TF_CONFIG` from (default `os.environ`).

    Returns:
        The parsed dict: `{"cluster": {"worker": ["host:port", ...], ...}, "task": {"type":
        "worker", "index": 0}}`.

    Raises:
        ConfigError: `TF_CONFIG` is missing, not JSON, or does not describe this task's place in
            a cluster of chief/worker jobs.
    """
    environ = os.environ if environ is None else environ
    text = environ.get("TF_CONFIG", "")
    if not text.strip():
        raise ConfigError(
            f"{_KEY}: 'multi_worker' needs the TF_CONFIG environment variable, which describes the "
            "cluster and this worker's task, e.g. "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", '
            '"index": 0}} (see docs/distributed.md)'
        )
    try:
        tf_config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{_KEY}: TF_CONFIG is not valid JSON: {error}") from None
    if not isinstance(tf_config, dict):
        raise ConfigError(f"{_KEY}: TF_CONFIG must be a JSON object, got {text!r}")
    _check_cluster(tf_config.get("cluster"))
    _check_task(tf_config.get("task"), tf_config["cluster"])
    return tf_config


def _check_cluster(cluster):
    if not isinstance(cluster, dict) or not any(job in cluster for job in _CLUSTER_JOBS):
        raise ConfigError(
            f'{_KEY}: TF_CONFIG needs "cluster" with a "worker" (and optionally a "chief") list of '
            f'"host:port" addresses, got cluster={cluster!r}'
        )
    for job, addresses in cluster.items():
        if job not in _CLUSTER_JOBS:
            raise ConfigError(
                f"{_KEY}: TF_CONFIG cluster job {job!r} is not supported; use {list(_CLUSTER_JOBS)}"
            )
        if not isinstance(addresses, list) or not addresses or not all(_is_address(a) for a in addresses):
            raise ConfigError(
                f'{_KEY}: TF_CONFIG cluster "{job}" must be a non-empty list of "host:port" '
                f"addresses, got {addresses!r}"
            )
    if cluster.get("chief") is not None and len(cluster["chief"]) != 1:
        raise ConfigError(f'{_KEY}: TF_CONFIG cluster "chief" must list exactly one address')


def _is_address(address):
    host, _, port = address.rpartition(":") if isinstance(address, str) else ("", "", "")
    return bool(host) and port.isdigit()


def _check_task(task, cluster):
    if not isinstance(task, dict) or task.get("type") not in cluster:
        raise ConfigError(
            f'{_KEY}: TF_CONFIG needs "task" with a "type" among the cluster jobs {list(cluster)} '
            f"and an index, got task={task!r}"
        )
    index = task.get("index")
    size = len(cluster[task["type"]])
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
        raise ConfigError(
            f'{_KEY}: TF_CONFIG task index must be an integer from 0 to {size - 1} (the cluster '
            f'lists {size} "{task["type"]}" addresses), got {index!r}'
        )


def is_chief(tf_config):
    """Whether the task in `tf_config` is the chief: the `chief` task, else worker 0."""
    task = tf_config["task"]
    if "chief" in tf_config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def task_name(tf_config):
    """A name for this task of the cluster, such as `worker-1`."""
    return f"{tf_config['task']['type']}-{tf_config['task']['index']}"


def _replica_devices():
    """The local devices that `mirrored` uses: all GPUs, else all logical CPU devices."""
    gpus = tf.config.list_logical_devices("GPU")
    return [device.name for device in (gpus or tf.config.list_logical_devices("CPU"))]


def _tpu_strategy():
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        raise ConfigError(
            f"{_KEY}: 'tpu' but no TPU could be reached ({str(error).splitlines()[0]}); run on a "
            "TPU VM, or choose 'auto'"
        ) from None
    return tf.distribute.TPUStrategy(resolver)


def auto_strategy():
    """`mirrored` with more than one GPU, else `default`."""
    return mirrored_strategy() if len(tf.config.list_physical_devices("GPU")) > 1 else default_strategy()


def default_strategy():
    """The default strategy: everything on one device."""
    return tf.distribute.get_strategy()


def mirrored_strategy():
    """`MirroredStrategy` over this machine's GPUs (or its one CPU)."""
    return tf.distribute.MirroredStrategy(devices=_replica_devices())


def multi_worker_strategy():
    """`MultiWorkerMirroredStrategy` of the cluster that `TF_CONFIG` describes."""
    read_tf_config()
    return tf.distribute.MultiWorkerMirroredStrategy()


def tpu_strategy():
    """`TPUStrategy` on the TPU that the environment names."""
    return _tpu_strategy()


def make_strategy(name):
    """Creates the strategy that `training.strategy` names.

    Call it before any other TensorFlow work in the process: `multi_worker` configures the
    collective ops of the whole process.

    Args:
        name: one of `keras_attention.options.training.DISTRIBUTION_STRATEGIES`.

    Returns:
        A `tf.distribute.Strategy`; `default` (and `auto` on fewer than two GPUs) returns the
        default strategy, which places everything on one device.

    Raises:
        ConfigError: the strategy cannot run here (no valid `TF_CONFIG`, no TPU), or `name` is
            not a registered strategy.
    """
    if name not in DISTRIBUTION_STRATEGIES:
        raise ConfigError(f"{_KEY}: unknown strategy {name!r}")
    return registry.load(DISTRIBUTION_STRATEGIES, name)()


def check_batch_size(batch_size, strategy):
    """Checks that the global `batch_size` splits evenly across the strategy's replicas.

    Raises:
        ConfigError: it does not; the message suggests the nearest multiples.
    """
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        lower = max(replicas, batch_size - batch_size % replicas)
        raise ConfigError(
            f"training.batch_size: {batch_size} does not split evenly across the {replicas} "
            f"replicas of this strategy (the batch size is the global batch; each replica gets "
            f"batch_size / {replicas} examples); set it to a multiple of {replicas}, such as "
            f"{lower} or {lower + replicas}"
        )


def sharded_dataset(build, batch_size, strategy):
    """The training dataset that `build` makes, one shard per worker under `multi_worker`.

    Args:
        build: function `(batch_size, shard)` -> `tf.data.Dataset`, where `shard` is
            `(index, count)` (see `keras_attention.data.corpus`: by file when there are at
            least as many files as workers, else by line).
        batch_size: global batch size.
        strategy: the run's strategy.

    Returns:
        `build(batch_size, (0, 1))`, or under `MultiWorkerMirroredStrategy` a distributed
        dataset (`distribute_datasets_from_function`) in which each worker reads only its own
        shard, batched at the per-replica batch size, so every pair is read once per epoch
        across the cluster.
    """
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return build(batch_size, (0, 1))

    def worker_dataset(context):
        shard = (context.input_pipeline_id, context.num_input_pipelines)
        return build(context.get_per_replica_batch_size(batch_size), shard)

    return strategy.distribute_datasets_from_function(worker_dataset)


def distribute_options(dataset, strategy):
    """Returns `dataset` with the options its distribution needs.

    Across workers a dataset read from memory cannot be split by file, so multi-worker
    training shards it by data: every worker builds the same (seeded) pipeline and keeps its
    share of each global batch.
    """
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        dataset = dataset.with_options(options)
    return dataset
