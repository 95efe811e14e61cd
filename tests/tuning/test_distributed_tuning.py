"""keras-tuner's chief/worker mode on 127.0.0.1: a chief holding the oracle and two workers running trials."""

import time

import pytest
from helpers.tiny_runs import TIMEOUT, free_ports
from helpers.tiny_search import report_trials, start_tune, trial_log, write_tiny_search

# Three trials for two workers: one of them must come back for a second trial.
RANDOM = {"tuner": "random", "max_trials": 3, "objective": "loss"}
# Hyperband with max_epochs 3 and factor 3: a bracket of 3 one-epoch trials whose best goes on to
# 3 epochs (from its checkpoint, whichever worker wrote it), then a bracket of 2 three-epoch trials.
HYPERBAND = {"tuner": "hyperband", "max_epochs": 3, "factor": 3, "objective": "val_loss"}


@pytest.mark.parametrize(
    "tuning, num_dev, budget",
    [
        pytest.param(RANDOM, 0, 3, id="random"),
        pytest.param(HYPERBAND, 32, 6, marks=pytest.mark.slow, id="hyperband"),
    ],
)
def test_chief_and_two_workers_share_the_trials_out(tmp_path, tuning, num_dev, budget):
    config = write_tiny_search(tmp_path, tuning, num_dev=num_dev)
    output = tmp_path / "search"
    address = {"KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(free_ports(1)[0])}
    chief = start_tune(config, output, tmp_path / "chief.log", KERASTUNER_TUNER_ID="chief", **address)
    processes = [chief]
    try:
        # Workers sharing the chief's directory start once the chief has claimed it.
        deadline = time.monotonic() + TIMEOUT
        while not (output / "config.yaml").is_file():
            assert chief.poll() is None and time.monotonic() < deadline, (tmp_path / "chief.log").read_text()
            time.sleep(0.2)
        for name in ("worker0", "worker1"):
            processes.append(start_tune(config, output, tmp_path / f"{name}.log", KERASTUNER_TUNER_ID=name, **address))
        for process in processes:
            process.wait(timeout=TIMEOUT)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("chief", "worker0", "worker1")}
    assert [process.returncode for process in processes] == [0, 0, 0], logs

    begun = [(line["tuner"], line["trial"]) for line in trial_log(output) if line["event"] == "begin"]
    by_worker = {name: [trial for tuner, trial in begun if tuner == name] for name in ("worker0", "worker1")}
    assert {tuner for tuner, _ in begun} == {"worker0", "worker1"}  # the chief runs no trial
    assert by_worker["worker0"] and by_worker["worker1"]  # both workers got trials
    trials = [trial for _, trial in begun]
    assert len(trials) == len(set(trials)) == budget  # no trial ran twice
    for name, ran in by_worker.items():
        assert f"{name}: ran trials {sorted(ran)}" in logs[name]

    reported = report_trials(output)
    assert sorted(row["trial"] for row in reported) == sorted(trials)
    assert all(row["status"] == "COMPLETED" for row in reported)
    assert {row["trial"]: row["tuner"] for row in reported} == {trial: tuner for tuner, trial in begun}
    if tuning["tuner"] == "hyperband":
        continued = [row for row in reported if row.get("parent_trial")]
        assert len(continued) == 1 and continued[0]["initial_epoch"] == 1 and continued[0]["epochs"] == 3
    assert "chief: serving the oracle at 127.0.0.1:" in logs["chief"]
    assert (output / "best.yaml").is_file()
