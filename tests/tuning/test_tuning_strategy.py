"""`training.strategy` reaches every trial (keras-tuner's `distribution_strategy`)."""

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.tiny_runs import TIMEOUT, harness_result, python_env
from helpers.tiny_search import write_tiny_search

HARNESS = Path(__file__).resolve().parent / "harness.py"


@pytest.mark.slow
def test_trials_fit_under_the_mirrored_strategy(tmp_path):
    config = write_tiny_search(tmp_path, {"tuner": "random", "max_trials": 2, "objective": "loss"})
    result = subprocess.run(
        [sys.executable, str(HARNESS), "mirrored", str(config), str(tmp_path / "search")],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = harness_result(result.stdout)
    assert outcome["trials"] == 2
    assert outcome["fits"] == [{"strategy": "MirroredStrategy", "replicas": 2}] * 2
    assert "training.batch_size: 33 does not split evenly across the 2 replicas" in outcome["odd_batch_error"]
    assert not (tmp_path / "search-odd").exists()
