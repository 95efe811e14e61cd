"""The Keras multi-worker `fit` workaround: when it applies, and whether upstream still needs it."""

import keras
import pytest
import tensorflow as tf
from helpers.tiny_runs import harness_result, run_workers

from keras_attention.trainer import keras_multi_worker_fix as fix


@pytest.mark.parametrize(
    "version, needed",
    [
        ("3.0.0", True),
        ("3.12.0", True),
        ("3.15.1", True),
        ("3.16.0", False),
        ("3.16.0.dev2026", False),
        ("2.15.0", False),
    ],
)
def test_version_guard(version, needed):
    assert fix.is_needed(version) is needed


def test_other_strategies_are_left_alone():
    trainer = fix.tf_trainer.TensorFlowTrainer
    build, reduce = trainer._maybe_symbolic_build, fix.tf_trainer.reduce_per_replica
    for strategy in (tf.distribute.get_strategy(), tf.distribute.MirroredStrategy(["/cpu:0"])):
        with fix.multi_worker_fit(strategy):
            assert trainer._maybe_symbolic_build is build
            assert fix.tf_trainer.reduce_per_replica is reduce


def test_upstream_still_needs_the_workaround():
    """Fails when upstream Keras behaviour changes: then update `BROKEN_KERAS_VERSIONS`.

    Two local workers run a plain Keras `fit` under MultiWorkerMirroredStrategy without the
    workaround. On the Keras versions the workaround covers it must fail with one of the known
    upstream errors (keras-team/keras#20585, tensorflow/tensorflow#72388); on other versions it
    must work.
    """
    workers = run_workers("unpatched-fit")
    outcomes = []
    for worker in workers:
        assert worker.returncode == 0, worker.stderr[-3000:]
        outcomes.append(harness_result(worker.stdout))
    if not fix.is_needed():
        assert all(outcome["works"] for outcome in outcomes), (
            f"Keras {keras.__version__} is outside BROKEN_KERAS_VERSIONS but multi-worker fit "
            f"fails without the workaround: {outcomes}; extend BROKEN_KERAS_VERSIONS"
        )
        return
    known = ("Attempt to convert a value (PerReplica", "Invalid reduction dimension 0 for input with 0 dimensions")
    for outcome in outcomes:
        assert not outcome["works"], (
            f"multi-worker fit works without the workaround on Keras {keras.__version__}: upstream "
            f"fixed it; narrow BROKEN_KERAS_VERSIONS or delete keras_multi_worker_fix.py"
        )
        assert any(error in outcome["error"] for error in known), outcome["error"]
