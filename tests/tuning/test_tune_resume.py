"""A search killed with SIGKILL resumes: finished trials are not run again, the budget is kept;
then `--train-best` trains the best config as a normal run."""

import os
import signal
import subprocess
import time

import yaml
from helpers.tiny_runs import TIMEOUT, python_env
from helpers.tiny_search import report_trials, start_tune, trial_log, tune_command, write_tiny_search

from keras_attention.config import RunConfig

MAX_TRIALS = 3


def wait_for(condition, process, timeout=TIMEOUT):
    """Polls `condition()` until it holds; fails if `process` ends or `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the search ended early with status {process.returncode}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def events(output, event):
    return [line["trial"] for line in trial_log(output) if line["event"] == event]


def test_a_killed_search_resumes_without_rerunning_finished_trials(tmp_path):
    config = write_tiny_search(tmp_path, {"tuner": "random", "max_trials": MAX_TRIALS, "objective": "loss"})
    output = tmp_path / "search"
    process = start_tune(config, output, tmp_path / "first.log")
    try:
        wait_for(lambda: len(events(output, "end")) == 2 and len(events(output, "begin")) == 3, process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    finished = events(output, "end")
    checkpoints = {trial: output / "search" / f"trial_{trial}" / "checkpoint.weights.h5" for trial in finished}
    written = {trial: path.stat().st_mtime_ns for trial, path in checkpoints.items()}
    assert not (output / "report.txt").exists()

    best_run = tmp_path / "best-run"
    rerun = subprocess.run(
        tune_command(config, output, "--train-best", best_run),
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=TIMEOUT,
    )
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "holds a search of this config: resuming it" in rerun.stdout

    begun = events(output, "begin")
    assert all(begun.count(trial) == 1 for trial in finished)  # finished trials ran once
    killed = next(trial for trial in begun if trial not in finished)
    assert begun.count(killed) == 2  # the trial running at the kill ran again, under its own id
    assert {trial: path.stat().st_mtime_ns for trial, path in checkpoints.items()} == written
    trials = report_trials(output)
    assert sorted(row["trial"] for row in trials) == sorted(set(begun)) and len(trials) == MAX_TRIALS
    assert all(row["status"] == "COMPLETED" for row in trials)
    assert sorted(path.name for path in (output / "search").glob("trial_*")) == [f"trial_{i}" for i in range(MAX_TRIALS)]
    objectives = [row["objective"] for row in trials]
    assert objectives == sorted(objectives)  # loss: best (lowest) first
    assert objectives[0] == min(row["loss"] for row in trials)

    best = RunConfig.from_yaml(output / "best.yaml")
    assert best.tuning is None and "tuning" not in yaml.safe_load((output / "best.yaml").read_text())
    assert best.model.encoder_units == trials[0]["encoder_units"]
    assert best.training.learning_rate == trials[0]["learning_rate"]
    assert best.model.decoder_units == RunConfig.from_yaml(config).model.decoder_units  # not searched: kept
    assert os.path.isfile(output / "trials.csv") and "trial" in (output / "report.txt").read_text()
    # --train-best trained the best config as a normal run.
    assert RunConfig.from_yaml(best_run / "config.yaml") == best
    assert (best_run / "model.keras").is_file() and f"run saved to {best_run}" in rerun.stdout
