"""Strategy selection and its checks: TF_CONFIG, the chief, batch sizes per replica."""

import json
import types

import pytest
import tensorflow as tf

from keras_attention.errors import ConfigError
from keras_attention.trainer.strategy import check_batch_size, is_chief, make_strategy, read_tf_config, task_name

CLUSTER = {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}


def tf_config(cluster=CLUSTER, task_type="worker", index=0):
    return {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})}


def test_valid_tf_config():
    parsed = read_tf_config(tf_config(index=1))
    assert parsed["cluster"] == CLUSTER
    assert task_name(parsed) == "worker-1" and not is_chief(parsed)
    assert is_chief(read_tf_config(tf_config(index=0)))
    with_chief = {"chief": ["10.0.0.9:2222"], **CLUSTER}
    assert is_chief(read_tf_config(tf_config(with_chief, "chief", 0)))
    assert not is_chief(read_tf_config(tf_config(with_chief, "worker", 0)))


@pytest.mark.parametrize(
    "environ, message",
    [
        ({}, "'multi_worker' needs the TF_CONFIG environment variable"),
        ({"TF_CONFIG": "  "}, "'multi_worker' needs the TF_CONFIG environment variable"),
        ({"TF_CONFIG": "{cluster"}, "TF_CONFIG is not valid JSON"),
        ({"TF_CONFIG": "[1]"}, "TF_CONFIG must be a JSON object"),
        ({"TF_CONFIG": '{"task": {"type": "worker", "index": 0}}'}, 'TF_CONFIG needs "cluster" with a "worker"'),
        (tf_config({"ps": ["h:1"], **CLUSTER}), "TF_CONFIG cluster job 'ps' is not supported"),
        (tf_config({"worker": ["10.0.0.1"]}), 'cluster "worker" must be a non-empty list of "host:port" addresses'),
        (tf_config({"worker": []}), 'cluster "worker" must be a non-empty list'),
        (tf_config({"chief": ["a:1", "b:1"], **CLUSTER}, "chief"), 'cluster "chief" must list exactly one address'),
        (tf_config(task_type="evaluator"), 'TF_CONFIG needs "task" with a "type" among the cluster jobs'),
        (tf_config(index=2), "TF_CONFIG task index must be an integer from 0 to 1"),
        (tf_config(index=True), "TF_CONFIG task index must be an integer from 0 to 1"),
    ],
)
def test_invalid_tf_config(environ, message):
    with pytest.raises(ConfigError, match="^training.strategy: ") as raised:
        read_tf_config(environ)
    assert message in str(raised.value)


def test_batch_size_must_split_evenly_across_replicas():
    eight = types.SimpleNamespace(num_replicas_in_sync=8)
    check_batch_size(64, eight)
    with pytest.raises(ConfigError) as raised:
        check_batch_size(60, eight)
    assert str(raised.value).startswith("training.batch_size: 60 does not split evenly across the 8 replicas")
    assert "set it to a multiple of 8, such as 56 or 64" in str(raised.value)
    with pytest.raises(ConfigError, match="such as 8 or 16"):
        check_batch_size(5, eight)


def test_default_and_auto_on_one_device():
    for name in ("default", "auto"):
        strategy = make_strategy(name)
        assert strategy is tf.distribute.get_strategy() and strategy.num_replicas_in_sync == 1
